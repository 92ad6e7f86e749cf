"""Corrections and retractions: one row changed in place, as one transaction and one Dolt
commit by its author, compare-and-set on the row's revision (or on the revision it had at a
commit the caller read it at: --expect), so two writers can never silently lose an update. A
failed correction leaves the store exactly as it was.

Kept apart from writes.py (add, settings) so that `facts correct` and `facts retract` load
neither pydantic nor the input models: the few fields a correction writes are checked by
factstore.checks, to the models' own rules.
"""

from __future__ import annotations

import math
from typing import Any

from factstore.authors import check_author
from factstore.backends.base import Tx
from factstore.checks import (
    NUMBER,
    check_fact_value,
    check_source_id,
    check_text,
    value_text,
)
from factstore.errors import Conflict, FactstoreError, InvalidInput
from factstore.results import WriteResult
from factstore.schema import NUMERIC, Row, Table, table_for_id
from factstore.store.core import Captured, StoreCore
from factstore.store.core import message as commit_message
from factstore.store.names import Names, did_you_mean
from factstore.text import dot_group, parse_number, plain_number


class Corrections:
    def __init__(self, core: StoreCore, names: Names) -> None:
        self.core = core
        self.names = names

    def correct_definition(self, name: str, text: str, *, author: str | None,
                           reason: str | None, source: str | None = None,
                           scope: str | None = None, expect: str | None = None
                           ) -> WriteResult:
        who = check_author(author)
        _need_reason(reason, "a correction")
        check_text("text", text, required=True)
        if source is not None:
            self._check_source(source)
        target = self.names.definition(name, scope)
        what = f"definition of {target['term']}" + (f" ({target['scope']})" if target["scope"]
                                                      else "")
        changes: dict[str, Any] = {"text": text}
        if source is not None:
            changes["source_id"] = source
        return self._correct(target, changes, who, reason, expect, what=what)

    def correct_fact(self, name: str, value: str | int | float, *, author: str | None,
                     reason: str | None, source: str | None = None,
                     predicate: str | None = None, period: str | None = None,
                     quote: str | None = None, expect: str | None = None) -> WriteResult:
        """`source`, when several facts of the entity match, picks the one from that source;
        it is also recorded as the source of the new value. The old quote backed the old
        value: a new value without `quote` has none."""
        who = check_author(author)
        _need_reason(reason, "a correction")
        if source is not None:
            self._check_source(source)
        target = self.names.fact(name, predicate, period, source)
        text, _ = value_text(check_fact_value(_parse_value(value, target["value_type"],
                                                           target["value"])))
        if quote is not None:
            check_text("quote", quote, required=False)
        changes: dict[str, Any] = {"value": text}
        if source is not None:
            changes["source_id"] = source
        if quote is not None:
            changes["quote"] = quote
        elif text != target["value"]:
            changes["quote"] = None
        what = f"{target['predicate']} of {target['subject_id']}" + (
            f" for {target['period']}" if target["period"] else "")
        return self._correct(target, changes, who, reason, expect, what=what)

    def _check_source(self, source: str) -> None:
        """A correction's --source is recorded as the new value's source: it must be a source
        of the store (a typo would leave the row naming none, its authority lost)."""
        check_source_id("source", source)
        if not self.core.select("sources", "id = ?", [source], None):
            raise InvalidInput(f"source: no source {source!r} in the store"
                               f"{did_you_mean(self.core.backend, 'sources', source)}")

    def retract(self, name: str, *, author: str | None, reason: str | None) -> WriteResult:
        """Retract the row an id, or an exact term, entity name or alias, names."""
        who = check_author(author)
        _need_reason(reason, "a retraction")
        found = self.names.lookup(name)
        table, row = found.table, self.names.get(found.id)
        if row["status"] == "retracted":
            raise InvalidInput(f"{found.id} is already retracted")
        return self._update(table, row, {"status": "retracted"}, who, reason, None,
                            title=f"Retract {found.id}")

    def _correct(self, target: Row, changes: dict[str, Any], who: str, reason: str | None,
                 expect: str | None, *, what: str) -> WriteResult:
        table = table_for_id(target["id"])
        base_rev = self._expected_rev(table, target, expect)
        if base_rev is not None and base_rev != target["rev"]:
            raise Conflict(
                f"{target['id']} changed since rev {base_rev} (now rev {target['rev']}); "
                "re-read it and try again",
                {"id": target["id"], "expected_rev": base_rev, "current": target},
            )
        if all(target[k] == v for k, v in changes.items()):
            raise InvalidInput(f"{target['id']} already says that; nothing to correct")
        if table.name == "facts":  # a corrected value is captured now: from the source
            # the correction names, else on the day of the correction
            source = changes.get("source_id")
            changes["captured_at"] = Captured(self.core.backend, []).day(source) if source \
                else Captured(self.core.backend, []).today
        return self._update(table, target, changes, who, reason, base_rev,
                            title=f"Correct {what} ({target['id']})")

    def _update(self, table: Table, row: Row, changes: dict[str, Any], who: str,
                reason: str | None, base_rev: int | None, *, title: str) -> WriteResult:
        """Compare-and-set: the row must still be at the rev it was read at (or expected)."""
        item_id = table.item_id(row)
        rev = row["rev"] if base_rev is None else base_rev
        sets = ", ".join(f"{c} = ?" for c in changes)
        sql = (f"UPDATE {table.name} SET {sets}, recorded_by = ?, reason = ?, rev = rev + 1 "
               f"WHERE {table.where_key()} AND rev = ?")
        params = [*changes.values(), who, reason, *table.key_of(row), rev]
        before = {k: row[k] for k in changes}

        def body(tx: Tx) -> str:
            if tx.execute(sql, params) != 1:
                current = tx.query(f"SELECT * FROM {table.name} WHERE {table.where_key()}",
                                   table.key_of(row))
                raise Conflict(
                    f"{item_id} changed since rev {rev} (now rev "
                    f"{current[0]['rev'] if current else '?'}); re-read it and try again",
                    {"id": item_id, "expected_rev": rev,
                     "current": current[0] if current else None},
                )
            return commit_message(title, reason, changes.get("source_id"), before=before,
                            after=changes)

        return WriteResult(commit=self.core.write(body, who), changed=[item_id])

    def _expected_rev(self, table: Table, row: Row, expect: str | None) -> int | None:
        """--expect takes a row rev (a number) or a commit/ref the caller read the row at."""
        if expect is None:
            return None
        if expect.isdigit():
            return int(expect)
        try:
            rows = self.core.select(table.name, table.where_key(), table.key_of(row), expect)
        except FactstoreError:
            raise InvalidInput(f"expect: unknown commit or ref {expect!r}") from None
        if not rows:
            raise Conflict(f"{table.item_id(row)} did not exist at {expect}")
        return int(rows[0]["rev"])


def _need_reason(reason: str | None, what: str) -> None:
    if not (reason or "").strip():
        raise InvalidInput(f"reason: {what} needs --reason")
    check_text("reason", reason, required=True)




def check_value(value: Any, value_type: str) -> None:
    """A fact's value must say something, and a number when its type is one."""
    if isinstance(value, str) and not value.strip():
        raise InvalidInput("value: empty; a fact needs a value")
    if value_type not in NUMERIC:
        return
    if isinstance(value, bool) or not (
            isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))
            or (isinstance(value, str) and NUMBER.fullmatch(value))):
        raise InvalidInput(f"value: {value!r} is not a number (this fact is {value_type})")


def _parse_value(value: str | int | float, value_type: str, old: str | None = None
                 ) -> str | int | float:
    """CLI values arrive as text; numeric facts stay numeric, with the digits as typed (a
    pack's own way of writing them, '1,300,000', read too, and German's where no other reading
    is possible, '1.234.567,89'), or the correction is refused. One dot before three digits
    ('1.790') is a decimal point, unless the value it corrects (`old`) says a thousands group
    was meant (1840 kg): then it is refused, with both ways to write it."""
    if isinstance(value, str) and value_type in NUMERIC:
        typed = value.strip()
        value = plain_number(typed, numeric=True)
        if (grouped := dot_group(typed)) is not None and _nearer(grouped, value, old):
            decimal = value.rstrip("0").rstrip(".")
            raise InvalidInput(
                f"value: {typed!r} reads as {decimal} (the dot as a decimal point), not near "
                f"the {old} it corrects; write {grouped} for a thousands group, or {decimal}")
    check_value(value, value_type)
    if not isinstance(value, str) or value_type not in NUMERIC:
        return value
    number = parse_number(value.strip())
    if not isinstance(number, int | float) or not math.isfinite(number):
        raise InvalidInput(f"value: {value!r} is not a number (this fact is {value_type})")
    return number


def _nearer(grouped: str, decimal: str, old: str | None) -> bool:
    """Is the thousands reading of a number nearer the value it corrects than the decimal
    one (by ratio)?"""
    was = parse_number(old) if old is not None else None
    if not isinstance(was, int | float) or isinstance(was, bool) or was <= 0:
        return False
    big, small = float(grouped), float(decimal)
    return big > 0 and small > 0 and abs(math.log(big / was)) < abs(math.log(small / was))


__all__ = [
    "NUMBER", "Corrections", "check_value"
]
