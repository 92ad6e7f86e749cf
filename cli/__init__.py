"""`facts`: the command line. Each command parses options, calls one library function, prints.

No SQL and no business rules here; library errors become exit codes in one place
(app.FactsGroup). Commands live by area: knowledge.py (init, import, export, add, correct,
retract, show, list, config), timeline.py (log, tags, diff, history, blame, revert),
sharing.py (branches, review, merge, remotes, clone), answers.py (resolve, context, replay,
packs, verify, eval, health, mcp), cluster.py (status, protect), web.py (serve, users);
examples.py holds the example each command's --help ends with.
"""

from . import answers, cluster, examples, knowledge, sharing, timeline, web
from .app import branch_anywhere, cli, main

branch_anywhere(cli)
examples.add_examples(cli)

__all__ = ["answers", "cli", "cluster", "examples", "knowledge", "main", "sharing",
           "timeline", "web"]
