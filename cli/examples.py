"""Examples for each command's --help, kept in one place and added as the command's epilog
(after any epilog of its own). tests/test_doc_examples.py checks that every command has one
and that each parses: its command and options exist."""

from __future__ import annotations

import click

EXAMPLES: dict[str, list[str]] = {
    "init": ["facts init", "facts --url mysql://root@127.0.0.1:3306/knowledge init"],
    "import": ['facts import fixtures/northwind.yaml -m "FY26-Q3 load"',
               "facts import crm.yaml --prefer store     # a reload that conflicts: keep ours",
               "facts import knowledge.yaml --restore    # an export, into an empty store"],
    "export": ["facts export -o knowledge.yaml", "facts export --as-of FY26-Q3 --format jsonl"],
    "add": ['facts add entity --id initech --kind customer --name "Initech GmbH"'],
    "add source": ['facts add source --id src:renewals --title "Renewals tracker" --kind wiki '
                   "--authority 60 --captured-at 2025-11-10"],
    "add entity": ['facts add entity --id initech --kind customer --name "Initech GmbH"',
                   'facts add entity --id initech --kind customer --name "Initech AG" --update'],
    "add alias": ["facts add alias --entity initech --alias INTC --kind ticker"],
    "add relation": ["facts add relation --src initech --rel located_in --dst emea"],
    "add definition": ['facts add definition --term "Logo retention" --scope finance '
                       '--text "Share of customers at period start still active at its end" '
                       "--owner finance"],
    "add fact": ["facts add fact --subject initech --predicate seats --value 120 --unit seats "
                 '--period FY26-Q3 --source src:crm --quote "120 seats"'],
    "add rule": ["facts add rule --id rule:initech-net-60 --applies-to initech "
                 '--text "Initech pays invoices net 60."'],
    "correct": ['facts correct ACV --scope finance --def "Annualised recurring contract value" '
                '--reason "Finance reclassified services"',
                'facts correct "Acme Corporation" --predicate acv --period FY26-Q3 '
                '--value 1300000 --reason "signed amendment"'],
    "retract": ['facts retract fact:acme-corp-seats-fy26q3 --reason "double counted"'],
    "show": ["facts show def:acv@finance", 'facts show "Acme GmbH" --as-of FY26-Q3 --json'],
    "list": ["facts list facts --subject acme-corp --valid-at 2025-09-15",
             "facts list entities --kind region"],
    "config": ["facts config"],
    "serve": ['facts serve --user "Priya Nair <priya@northwind.test>"',
              "facts serve --host 0.0.0.0 --users team.users --approvers bo@northwind.test"],
    "users": ['facts users add team.users "Bo Lind <bo@northwind.test>" --role approver'],
    "users add": ['facts users add team.users "Bo Lind <bo@northwind.test>" --role approver'],
    "status": ["facts status",
               "facts status --json"],
    "protect": ["facts protect main --admin ops "
                "--mergers review-site"],
    "config set": ["facts config set calendar.fiscal_year_start_month 2"],
    "log": ["facts log -n 10", "facts log --author Priya --since 2025-11-01",
            "facts log --id def:acv@finance"],
    "tag": ['facts tag FY26-Q3 -m "Q3 close"', "facts tag --force FY26-Q3 HEAD~1",
            "facts tag -d FY26-Q3"],
    "tags": ["facts tags"],
    "diff": ["facts diff FY26-Q3 FY26-Q4", "facts diff HEAD~1 --table definitions --json"],
    "history": ["facts history def:acv@finance", 'facts history "Acme GmbH" --json'],
    "blame": ["facts blame definitions", "facts blame fact:acme-corp-acv-fy26q3"],
    "revert": ['facts revert fact:acme-corp-seats-fy26q3 --reason "the old count was right"',
               'facts revert def:acv@finance --to FY26-Q3 --reason "back to glossary v3"',
               'facts revert --commit 3f9c2a1b7d4e --reason "wrong file loaded"'],
    "propose": ["facts propose fix-acme-seats"],
    "branches": ["facts branches --all"],
    "review": ["facts review fix-acme-seats"],
    "merge": ["facts merge fix-acme-seats", "facts merge fix-acme-seats --prefer theirs"],
    "remote": ["facts remote"],
    "remote add": ["facts remote add origin file:///shared/knowledge"],
    "push": ["facts push origin main"],
    "pull": ["facts pull origin"],
    "clone": ["facts clone file:///shared/knowledge ./copy"],
    "resolve": ['facts resolve Acme --context "EMEA renewal"',
                "facts resolve --batch names.jsonl > answers.jsonl"],
    "context": ['facts context "What was Acme GmbH\'s ACV in FY26-Q3?"',
                'facts context "Who must approve a 25% discount for City of Lakemont?" '
                "--max-tokens 400 --format xml",
                'facts context "What was Acme Corp\'s ACV last quarter?" --as-of FY26-Q3 '
                "--json > pack.json"],
    "replay": ["facts replay 3f9c2a1b7d4e"],
    "packs": ["facts packs --limit 5"],
    "verify": ["facts verify answer.txt --pack pack.json",
               'echo "Acme GmbH\'s ACV in FY26-Q3 was USD 630K [1]." | facts verify - --pack '
               "pack.json"],
    "eval": ["facts eval fixtures/golden.yaml --strict"],
    "health": ["facts health --max-age-days 90", "facts health --as-of FY26-Q3 --strict"],
    "mcp": ['facts mcp --as "Support Agent <agent@example.com>"'],
    "completion": ["facts completion bash > ~/.local/share/bash-completion/completions/facts",
                   "facts completion zsh > ~/.zfunc/_facts"],
}


def add_examples(group: click.Group, prefix: str = "") -> None:
    """Append each command's examples to its epilog, as lines click does not rewrap."""
    for name, command in group.commands.items():
        path = f"{prefix}{name}"
        examples = EXAMPLES.get(path)
        if examples and "$ facts" not in (command.epilog or ""):
            block = "\b\nExamples:\n" + "\n".join(f"  $ {e}" for e in examples)
            command.epilog = f"{command.epilog}\n\n{block}" if command.epilog else block
        if isinstance(command, click.Group) and not getattr(command, "pending", False):
            add_examples(command, f"{path} ")  # (a pending group adds its own when made)


__all__ = ["EXAMPLES", "add_examples"]
