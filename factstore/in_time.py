"""What a pack reads through time: the span a row holds for, the definitions in force in the
periods a question names, and the quarters of a fiscal year or half it asks for that have no
fact (context.py)."""

from __future__ import annotations

from datetime import date, timedelta
from factstore.periods import FISCAL, fiscal_quarter_of, period_range
from factstore.periods import valid_on as valid_at_day
from factstore.schema import Row

_Span = tuple[date, date]


def span_of(row: Row, start_month: int) -> _Span:
    """The days a row is about: its period, else valid_from..valid_to (open ends unbounded)."""
    if row.get("period"):
        return period_range(row["period"], start_month)
    return (date.fromisoformat(row["valid_from"]) if row.get("valid_from") else date.min,
            date.fromisoformat(row["valid_to"]) if row.get("valid_to") else date.max)


def overlaps(a: _Span, b: _Span) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def definitions_in_force(definitions: list[Row], terms: list[str], periods: list[str],
                         valid_at: date, start_month: int) -> list[Row]:
    """The definitions of the terms in force in the periods a question names ('What was X's
    ARPOB in FY26-Q3?': the one that figure was made under, replaced since); of a term none
    of whose definitions held then, and without periods, those at valid_at."""
    wanted = {t.casefold() for t in terms}
    asked = [period_range(p, start_month) for p in periods]

    def held(d: Row) -> bool:
        return any(overlaps(span_of({**d, "period": None}, start_month), a) for a in asked)

    then = {d["term"].casefold() for d in definitions if asked and held(d)}
    return [d for d in definitions if d["term"].casefold() in wanted and (
        held(d) if d["term"].casefold() in then else valid_at_day(d, valid_at, start_month))]


def year_gaps(predicates: set[str], timely: list[Row], periods: list[str], valid_at: date,
              name: str, start_month: int) -> list[str]:
    """The quarters of a fiscal year or half asked for ('year to date', 'H1', 'FY26') that
    had begun at valid_at and hold no fact of a predicate the question names that other
    quarters of it do: a model must not give the quarters it has as the whole."""
    gaps = []
    for period in periods:
        m = FISCAL.match(period)
        if not m or (m.group(2) or "H")[0] != "H":
            continue
        whole = period_range(period, start_month)
        quarters, start = [], whole[0]
        while start <= min(whole[1], valid_at):
            quarter = fiscal_quarter_of(start, start_month)
            quarters.append((quarter, period_range(quarter, start_month)))
            start = quarters[-1][1][1] + timedelta(days=1)
        for predicate in sorted(predicates):
            spans = [s for r in timely if r["predicate"] == predicate
                     and overlaps(s := span_of(r, start_month), whole)]
            if spans:
                gaps += [f"no fact for {predicate.replace('_', ' ')} of {name} in {quarter}"
                         for quarter, span in quarters
                         if not any(overlaps(s, span) for s in spans)]
    return gaps


__all__ = ["definitions_in_force", "overlaps", "span_of", "year_gaps"]
