"""Commands that serve answers and check them: resolve, context, replay, packs, verify, eval,
health, mcp."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from factstore.errors import Conflict, InvalidInput, NotFound
from factstore.text import clean_for_terminal

from . import output

if TYPE_CHECKING:
    from factstore.models import ContextPack
from .app import (
    Ctx,
    as_of_option,
    cli,
    json_option,
    pass_ctx,
    valid_at_option,
)


@cli.command()
@click.argument("name", required=False)
@click.option("--context", default=None, help="Text around the name (other entities, a region).")
@click.option("--kind", default=None, help="Expected entity kind (customer, region, …).")
@click.option("--batch", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help='JSONL file, one {"query": …, "context": …} per line.')
@as_of_option
@valid_at_option
@json_option
@pass_ctx
def resolve(obj: Ctx, name: str | None, context: str | None, kind: str | None,
            batch: Path | None, as_of: str | None, valid_at: str | None, as_json: bool) -> None:
    """Which entity does NAME mean? resolved, ambiguous (with candidates) or unknown.

    Exit 0 resolved, 3 unknown, 5 ambiguous (so scripts can test it; the output is the same);
    --batch answers every line and exits 0."""
    store = obj.store()
    if (name is None) == (batch is None):
        raise InvalidInput("pass a NAME or --batch FILE")
    if batch is not None:
        for answer in store.resolve_batch(batch, kind=kind, as_of=as_of, valid_at=valid_at):
            click.echo(json.dumps(answer.model_dump(), ensure_ascii=False))
        return
    assert name is not None
    result = store.resolve(name, context=context, kind=kind, as_of=as_of, valid_at=valid_at)
    if as_json:
        output.emit_json(result.model_dump())
    else:
        unsure = result.not_sure()  # one candidate below the operating point: a near miss
        output.line(f"{result.status}: " + (f"{result.entity['id']} ({result.entity['name']})"
                                            if result.entity else clean_query(name))
                    + (f"; {unsure}" if unsure else ""))
        output.table(("id", "name", "kind", "score", "reasons"),
                     [[c.id, c.name, c.kind, c.score, "; ".join(c.reasons)]
                      for c in result.candidates])
    sys.exit(RESOLVE_EXIT[result.status])


RESOLVE_EXIT = {"resolved": 0, "unknown": NotFound.exit_code, "ambiguous": Conflict.exit_code}


@cli.command()
@click.argument("question")
@as_of_option
@valid_at_option
@click.option("--scope", default=None, help="Definitions of this scope first (finance, sales …).")
@click.option("--max-tokens", type=click.IntRange(min=1), default=None,
              help="Leave out the lowest-priority items until the pack fits (estimate).")
@click.option("--format", "fmt", type=click.Choice(["md", "xml", "json"]), default="md",
              show_default=True, help="How the pack is written for the prompt.")
@json_option
@pass_ctx
def context(obj: Ctx, question: str, as_of: str | None, valid_at: str | None,
            scope: str | None, max_tokens: int | None, fmt: str, as_json: bool) -> None:
    """The knowledge that answers QUESTION, cited [1], [2] … for a prompt.

    Prints the pack (pipe it into a model); with --json the whole pack with its items and hash,
    the input of `facts verify --pack`. Every pack is logged: `facts replay HASH`."""
    pack = obj.store().context(question, as_of=as_of, valid_at=valid_at, scope=scope,
                               max_tokens=max_tokens, format=fmt)  # type: ignore[arg-type]
    _print_pack(pack, as_json)
    output.line(f"pack {pack.hash[:12]} at {pack.version[:12]}: {len(pack.items)} items"
                + (f", {len(pack.trimmed)} left out" if pack.trimmed else ""), err=True)
    if not pack.logged:
        output.line("note: this pack was not logged (the store would not take the render-log "
                    "row: read-only?); `facts replay` will not find it", err=True)


def _print_pack(pack: ContextPack, as_json: bool) -> None:
    if as_json:
        output.emit_json(pack.model_dump())
    else:
        click.echo(pack.text, nl=False)


@cli.command()
@click.argument("pack_hash", metavar="HASH")
@json_option
@pass_ctx
def replay(obj: Ctx, pack_hash: str, as_json: bool) -> None:
    """Rebuild a logged pack byte for byte: what the model saw, and why.

    The pack is rebuilt from the knowledge at the commit it was built at. When this version
    of factstore builds that question differently (an upgrade changed how packs are built),
    the render log's copy of the pack is shown instead, and a note on stderr says so."""
    pack = obj.store().replay(pack_hash)
    _print_pack(pack, as_json)
    if pack.from_log:
        output.line(f"note: pack {pack.hash[:12]} as the render log kept it: this version of "
                    f"factstore builds it differently from the knowledge at "
                    f"{pack.version[:12]}", err=True)


@cli.command()
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Newest N only.")
@click.option("--since", default=None, metavar="DATE", help="Only packs built on or after DATE.")
@click.option("--until", default=None, metavar="DATE", help="Only packs built on or before DATE.")
@click.option("--question", default=None, metavar="TEXT",
              help="Only packs whose question contains TEXT (any case).")
@json_option
@pass_ctx
def packs(obj: Ctx, limit: int | None, since: str | None, until: str | None,
          question: str | None, as_json: bool) -> None:
    """The render log: every context pack built on this branch, newest first.

    \b
    Example (what was an agent given about Acme last quarter?):
      facts packs --since 2026-07-01 --until 2026-09-30 --question acme
      facts replay HASH
    """
    logged = obj.store().packs(limit, since=since, until=until, question=question)
    if as_json:
        output.emit_json([p.model_dump() for p in logged])
        return
    output.table(("hash", "when", "version", "by", "items", "question"),
                 [[p.hash[:12], p.created_at, p.version[:12], p.created_by or "",
                   len(p.items), p.question] for p in logged])


@cli.command()
@click.argument("answer_file", metavar="ANSWER_FILE",
                type=click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--pack", "pack_file", required=True, metavar="PACK.json",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The pack the answer was written from (`facts context --json`).")
@json_option
def verify(answer_file: Path, pack_file: Path, as_json: bool) -> None:
    """Check an answer (a file, or - for stdin) against its pack: every [n] exists; numbers,
    amounts, percentages, dates and names in a cited sentence match the cited items; uncited
    numeric claims are flagged. Exit 1 when anything fails."""
    from factstore.verify import load_pack, read_answer
    from factstore.verify import verify as check

    report = check(read_answer(answer_file), load_pack(pack_file))
    if as_json:
        output.emit_json(report.model_dump())
    else:
        for sentence in report.failures:
            output.line(f"FAIL {sentence.text}")
            for problem in sentence.problems:
                output.line(f"  - {problem.reason}")
        s = report.summary
        verdict = "ok" if report.ok else f"{s.failed} of {s.sentences} sentences failed"
        output.line(f"{verdict} (sentences {s.sentences}, cited {s.cited}, claims checked "
                    f"{s.claims})" + ("; the answer says the pack lacks something"
                                      if report.abstained else ""))
    if not report.ok:
        sys.exit(1)


@cli.command("eval")
@click.argument("golden", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--strict", is_flag=True, help="Exit 1 when any case fails (for CI).")
@json_option
@pass_ctx
def eval_(obj: Ctx, golden: Path, strict: bool, as_json: bool) -> None:
    """How well packs answer a golden set (fixtures/golden.yaml shows the format): recall,
    precision, wrong-current rate, abstention accuracy, and what failed in each case."""
    from factstore.evaluate import evaluate, load_golden

    cases = load_golden(golden)
    report = evaluate(obj.store().context, cases)
    if as_json:
        output.emit_json(report.model_dump())
    else:
        for result in report.cases:
            if not result.ok:
                output.line(f"FAIL #{result.index} {result.question}")
                for problem in result.problems:
                    output.line(f"  - {problem}")
        m = report.metrics

        def pct(value: float | None) -> str:
            return "n/a" if value is None else f"{value:.1%}"

        output.line(f"{m.passed} of {m.cases} cases passed; recall {pct(m.recall)}, precision "
                    f"{pct(m.precision)}, wrong-current rate {pct(m.wrong_current_rate)}, "
                    f"abstention accuracy {pct(m.abstention_accuracy)}")
    if strict and report.metrics.passed < report.metrics.cases:
        sys.exit(1)


@cli.command()
@as_of_option
@click.option("--valid-at", default=None, metavar="DATE",
              help="Measure source freshness from this day (default: today; with --as-of, the "
                   "commit's day).")
@click.option("--max-age-days", type=int, default=180, show_default=True,
              help="A source captured longer ago than this is stale.")
@click.option("--strict", is_flag=True, help="Exit 1 when there is any finding (for CI).")
@click.option("--limit", type=click.IntRange(min=0), default=10, show_default=True,
              help="Findings shown per check on screen (--json always has all).")
@json_option
@pass_ctx
def health(obj: Ctx, as_of: str | None, valid_at: str | None, max_age_days: int, strict: bool,
           limit: int, as_json: bool) -> None:
    """What to fix before trusting answers: facts with no source or no quote, stale sources,
    open conflicts (equal top authority, different values), names several entities share,
    definitions with no owner."""
    report = obj.store().health(as_of=as_of, valid_at=valid_at, max_age_days=max_age_days)
    if as_json:
        output.emit_json(report.model_dump())
    else:
        output.table(("check", "findings"), [[c, n] for c, n in report.counts.items()],
                     title=f"Knowledge health at {report.commit[:12]} (sources stale after "
                           f"{report.max_age_days} days, counted to {report.valid_at})")
        for check, count in report.counts.items():
            shown = [f for f in report.findings if f.check == check][:limit]
            for finding in shown:
                output.line(f"{check:13} {', '.join(finding.ids)}: {finding.detail}")
            if count > len(shown):
                output.line(f"{check:13} … and {count - len(shown)} more (--json lists all)")
    if strict and not report.ok:
        sys.exit(1)


@cli.command()
@click.option("--as", "author", envvar="FACTS_AUTHOR", default=None,
              metavar="'AGENT NAME <EMAIL>'",
              help="Author of every proposal the agent makes (default: FACTS_AUTHOR; "
                   "required).")
@pass_ctx
def mcp(obj: Ctx, author: str | None) -> None:
    """Serve the store to an agent over MCP (stdio): tools resolve, context, lookup, history,
    diff, propose_correction (writes to a proposal branch only, as the --as author). Needs
    factstore[mcp]."""
    try:
        from factstore.mcp_server import serve, server_author
        import mcp as _sdk  # noqa: F401
    except ImportError:
        raise InvalidInput("facts mcp needs the MCP SDK: pip install 'factstore[mcp]'") from None
    who = server_author(author)  # before the store opens: no author, no server
    serve(obj.store(), who)


def clean_query(text: str) -> str:
    return repr(clean_for_terminal(text))
