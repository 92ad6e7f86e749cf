"""`facts`: the command line. Each command parses options, calls one library function, prints.

No SQL and no business rules here; library errors become exit codes in one place
(app.FactsGroup). Commands live by area: knowledge.py (init, import, export, add, correct,
retract, show, list, config), timeline.py (log, tags, diff, history, blame, revert),
sharing.py (branches, review, merge, remotes, clone), answers.py (resolve, context, replay,
packs, verify, eval, health, mcp), web.py (serve, users).
"""

from . import answers, knowledge, sharing, timeline, web
from .app import branch_anywhere, cli, main

branch_anywhere(cli)

__all__ = ["answers", "cli", "knowledge", "main", "sharing", "timeline", "web"]
