"""Printing: JSON for --json, rich tables on a terminal, plain text when piped.

Store text is data: it is printed through rich Text (never parsed as markup) with control
characters stripped, so a fact cannot restyle or rewrite the terminal.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

import click

from factstore.text import clean_for_terminal


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _console() -> Any:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


def is_tty() -> bool:
    return sys.stdout.isatty()


def table(columns: Sequence[str], rows: Sequence[Sequence[Any]], title: str | None = None) -> None:
    if not is_tty():
        click.echo("\t".join(columns))
        for row in rows:
            click.echo("\t".join(clean_for_terminal(v).replace("\t", " ").replace("\n", " ")
                                  for v in row))
        return
    from rich.table import Table
    from rich.text import Text

    out = Table(title=title, show_lines=False)
    for col in columns:
        out.add_column(col, overflow="fold")
    for row in rows:
        out.add_row(*(Text(clean_for_terminal(v)) for v in row))
    _console().print(out)


def record(pairs: Sequence[tuple[str, Any]], title: str | None = None) -> None:
    """A key: value block (one row shown in full)."""
    if not is_tty():
        if title:
            click.echo(title)
        width = max(len(k) for k, _ in pairs) if pairs else 0
        for key, value in pairs:
            click.echo(f"{key.ljust(width)}  {clean_for_terminal(value)}")
        return
    from rich.table import Table
    from rich.text import Text

    out = Table(title=title, show_header=False, box=None, pad_edge=False)
    out.add_column(style="bold")
    out.add_column(overflow="fold")
    for key, value in pairs:
        out.add_row(Text(key), Text(clean_for_terminal(value)))
    _console().print(out)


def line(text: str, *, err: bool = False) -> None:
    click.echo(clean_for_terminal(text), err=err)


def matched(note: str | None) -> None:
    """How a NAME that is not an id found its row ("matched 'Tern Bank' (fuzzy, score 91)"),
    on stderr: what is printed on stdout stays rows (and --json stays JSON)."""
    if note:
        line(note, err=True)


def summary(row: dict[str, Any] | None, limit: int | None = 80) -> str:
    """A row in one short line: its knowledge, not its bookkeeping."""
    if row is None:
        return "(removed)"
    skip = {"recorded_by", "reason", "rev", "status", "source_id"}
    text = ", ".join(f"{k}={clean_for_terminal(v)}" for k, v in row.items()
                     if v is not None and k not in skip)
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


def _text(value: Any) -> str:
    return clean_for_terminal(value).replace("\n", " ").replace("\t", " ")


def _short(value: Any, limit: int = 60) -> str:
    text = _text(value)
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def changed_pair(old: Any, new: Any, limit: int = 60, context: int = 20) -> tuple[str, str]:
    """Two values of one field, quoted, so that they visibly differ: whole when both are
    short; otherwise what they share at the start and at the end is cut to `context`
    characters around the part that differs, which is always shown in full."""
    if old is None or new is None:
        return ("(none)" if old is None else _short(old, limit),
                "(none)" if new is None else _short(new, limit))
    a, b = _text(old), _text(new)
    if len(a) <= limit and len(b) <= limit:
        return repr(a), repr(b)
    prefix = _common_start(a, b)
    suffix = _common_start(a[prefix:][::-1], b[prefix:][::-1])
    start = max(0, prefix - context)

    def span(text: str) -> str:
        end = min(len(text), len(text) - suffix + context)
        return repr(("…" if start else "") + text[start:end] + ("…" if end < len(text) else ""))

    return span(a), span(b)


def _common_start(a: str, b: str) -> int:
    """How many characters a and b share at their start."""
    shorter = min(len(a), len(b))
    return next((i for i in range(shorter) if a[i] != b[i]), shorter)


def field_changes(fields: dict[str, dict[str, Any]]) -> str:
    """A modified row's fields as 'name: old -> new; …' (see changed_pair)."""
    return "; ".join(f"{name}: {' -> '.join(changed_pair(v['from'], v['to']))}"
                     for name, v in fields.items())


def _ref(name: str, commit: str) -> str:
    """A ref as typed, with its commit's short hash; a hash alone is shown short, once."""
    if commit.startswith(name):
        return commit[:12]
    return f"{clean_for_terminal(name)} ({commit[:12]})"


def changelog(diff: Any) -> None:
    """A semantic diff as a changelog a controller can skim: each row's change, then every
    commit that made it (newest first), by whom and why."""
    click.echo(f"Knowledge changes {_ref(diff.from_, diff.from_commit)} -> "
               f"{_ref(diff.to, diff.to_commit)}")
    if not diff.changes:
        click.echo("  (no changes)")
    marks = {"added": "+", "modified": "~", "removed": "-"}
    table = None
    for change in diff.changes:
        if change.table != table:
            table = change.table
            counts = diff.summary[table]
            click.echo(f"\n{table}: " + ", ".join(f"{n} {op}" for op, n in counts.items() if n))
        if change.op == "modified":
            what = field_changes(change.fields)
        else:
            side = "to" if change.op == "added" else "from"
            what = summary({k: v[side] for k, v in change.fields.items()})
        who = f"  [by {clean_for_terminal(change.by)}" + (
            f": {_short(change.reason)}" if change.reason else "") + "]" if change.by else ""
        click.echo(f"  {marks[change.op]} {clean_for_terminal(change.id)}  {what}{who}")
        for made in change.commits:
            click.echo(f"      {made.commit[:12]}  {made.date}  "
                       f"{by_whom(made.author, made.recorded_by)}"
                       + (f": {_short(made.reason)}" if made.reason else ""))


def by_whom(author: str, recorded_by: str | None) -> str:
    """A commit's author, and the row's recorder when that is someone else (a merge)."""
    shown = clean_for_terminal(author)
    if recorded_by and recorded_by != author:
        shown += f" (recorded by {clean_for_terminal(recorded_by)})"
    return shown


def version_changes(versions: Sequence[Any]) -> list[str]:
    """What each version of a row (newest first) changed from the one before it: the
    changed fields (see changed_pair); the whole row for the first; '(removed)'."""
    shown = []
    for newer, older in zip(versions, [*versions[1:], None], strict=True):
        if newer.row is None or older is None or older.row is None:
            shown.append(summary(newer.row, limit=None))
            continue
        fields = {k: {"from": older.row.get(k), "to": v} for k, v in newer.row.items()
                  if k not in ("recorded_by", "reason", "rev") and older.row.get(k) != v}
        shown.append(field_changes(fields) or "(values unchanged)")
    return shown


class ProgressBar:
    """Draws the library's progress reports (stage, done, total) as one transient bar per
    stage on stderr, only when stderr is a terminal: pipes and --json output stay clean."""

    def __init__(self) -> None:
        self._bar: Any = None
        self._task: Any = None
        self._stage: str | None = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not sys.stderr.isatty():
            return
        if stage != self._stage:
            self.close()
            from rich.console import Console
            from rich.progress import Progress

            self._bar = Progress(console=Console(stderr=True), transient=True)
            self._bar.start()
            self._task = self._bar.add_task(stage, total=total)
            self._stage = stage
        self._bar.update(self._task, completed=done)
        if done >= total:
            self.close()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
        self._bar = self._task = self._stage = None
