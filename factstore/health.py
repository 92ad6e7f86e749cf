"""Knowledge health: what a data team should look at before trusting answers.

Pure functions over the rows of one commit; `FactStore.health` reads them and `facts health`
prints the report. Each check returns findings, each naming the rows it is about:

- no_source:    active facts that name no source (no provenance at all)
- no_quote:     active facts with a source but no quote backing the value
- stale_source: active sources captured longer ago than the freshness limit, or never dated
- conflict:     open conflicts: one subject, predicate and period with different values at
                the same top source authority (the pack labels both sides `conflicting`)
- shared_alias: one normalised name used by several entities (the resolver abstains on it)
- no_owner:     active definitions nobody owns
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from factstore.reports import HealthFinding
from factstore.resolver import normalize
from factstore.schema import authority_of, same_value

Row = dict[str, Any]
CHECKS = ("no_source", "no_quote", "stale_source", "conflict", "shared_alias", "no_owner")


def findings(tables: dict[str, list[Row]], valid_at: date, max_age_days: int,
             oldest: dict[str, str] | None = None) -> list[HealthFinding]:
    """Every finding, check by check in CHECKS order, each check's findings by id. oldest:
    each source's earliest captured_at among its active facts, when the caller has it (the
    engine computes it without reading the facts; it may leave out a source none of whose
    facts is old enough to make it stale); else it is taken from tables["facts"]."""
    facts = [f for f in tables["facts"] if f["status"] == "active"]
    return [*_provenance(facts),
            *_stale(tables["sources"], oldest_captured(facts) if oldest is None else oldest,
                    valid_at, max_age_days),
            *_conflicts(facts, tables["sources"]),
            *_shared_aliases(tables["entities"], tables["aliases"]),
            *_unowned(tables["definitions"])]


def _provenance(facts: list[Row]) -> Iterable[HealthFinding]:
    ordered = sorted(facts, key=lambda f: f["id"])
    for f in ordered:
        if not f["source_id"]:
            yield HealthFinding(check="no_source", ids=[f["id"]],
                                detail=f"{f['subject_id']} {f['predicate']}: no source")
    for f in ordered:
        if f["source_id"] and not (f["quote"] or "").strip():
            yield HealthFinding(check="no_quote", ids=[f["id"]],
                                detail=f"{f['subject_id']} {f['predicate']}: "
                                       f"{f['source_id']} is named but nothing is quoted")


def oldest_captured(facts: list[Row]) -> dict[str, str]:
    """Each source's earliest captured_at among these facts."""
    oldest: dict[str, str] = {}
    for f in facts:
        day = f.get("captured_at")
        if f["source_id"] and day and day < oldest.get(f["source_id"], "9999"):
            oldest[f["source_id"]] = day
    return oldest


def _stale(sources: list[Row], oldest: dict[str, str], valid_at: date, max_age_days: int
           ) -> Iterable[HealthFinding]:
    """A source is as fresh as the oldest of its active facts was captured (each fact keeps
    the day it was taken from the source; a source re-dated later does not refresh them)."""
    for s in sorted(sources, key=lambda s: s["id"]):
        if s["status"] != "active":
            continue
        if not s["captured_at"]:
            yield HealthFinding(check="stale_source", ids=[s["id"]],
                                detail="no captured_at: its freshness is unknown")
            continue
        captured = min(str(s["captured_at"])[:10], oldest.get(s["id"], "9999"))
        age = (valid_at - date.fromisoformat(captured)).days
        if age > max_age_days:
            facts_older = captured < str(s["captured_at"])[:10]
            said = (f"its facts were captured from {captured}" if facts_older
                    else f"captured {s['captured_at']}")
            yield HealthFinding(check="stale_source", ids=[s["id"]], lag_days=age,
                                detail=f"{said}, {age} days before {valid_at} "
                                       f"(limit {max_age_days})")


def _conflicts(facts: list[Row], sources: list[Row]) -> Iterable[HealthFinding]:
    """The rule the context pack labels by: among live facts (active, not superseded by an
    active fact) of one subject, predicate and period that hold on the same day, the strongest
    source authority wins; a tie at the top with different values (or units) is an open
    conflict. A retracted source counts 0. Facts with no period hold over valid_from..valid_to,
    so a value that replaced another on a later day is no conflict with it."""
    authority = {s["id"]: authority_of(s) for s in sources}
    superseded = {f["supersedes"] for f in facts if f["supersedes"]}
    groups: dict[tuple[str, str, str], list[Row]] = defaultdict(list)
    for f in facts:
        if f["id"] not in superseded:
            groups[(f["subject_id"], f["predicate"], f["period"] or "")].append(f)
    # a fact alone in its group conflicts with nothing: most groups, left out before sorting
    shared = sorted((key, group) for key, group in groups.items() if len(group) > 1)
    for (subject, predicate, period), group in shared:
        reported: set[tuple[str, ...]] = set()
        # a group's facts are the same on every day between two starts: check each start
        for day in sorted({f["valid_from"] or "" for f in group}):
            live = [f for f in group if (f["valid_from"] or "") <= day
                    and (not f["valid_to"] or day <= f["valid_to"])]
            if not live:
                continue
            top = max(authority.get(f["source_id"] or "", 0) for f in live)
            best = sorted((f for f in live if authority.get(f["source_id"] or "", 0) == top),
                          key=lambda f: f["id"])
            values = sorted({_shown(f) for f in best})
            ids = tuple(f["id"] for f in best)
            if len({same_value(f) for f in best}) > 1 and ids not in reported:
                reported.add(ids)
                when = f" {period}" if period else (f" on {day}" if day else "")
                yield HealthFinding(check="conflict", ids=list(ids),
                                    detail=f"{subject} {predicate}{when}: "
                                           f"{' vs '.join(values)}, all at authority {top}")


def _shown(fact: Row) -> str:
    return repr(fact["value"]) + (f" {fact['unit']}" if fact["unit"] else "")


def _shared_aliases(entities: list[Row], aliases: list[Row]) -> Iterable[HealthFinding]:
    """Names (entity names count, as they do for the resolver) that several entities share,
    compared as the resolver compares them: case, accents, punctuation, legal suffixes aside."""
    active = {e["id"] for e in entities if e["status"] == "active"}
    # (key, entity, the name it uses): every entity's name, then its aliases. The key is the
    # one the store keeps (exact lookups read it); a commit made before the column existed
    # has none
    used = [(e.get("normalized") or normalize(e["name"])[:255], e["id"], e["name"])
            for e in entities if e["id"] in active]
    used += [(a["normalized"], a["entity_id"], a["alias"]) for a in aliases
             if a["status"] == "active" and a["entity_id"] in active]
    # most keys are one entity's: a key is shared when an entity other than its first uses
    # it, and only those few are gathered (a dict per key was most of a 100k-fact health)
    first: dict[str, str] = {}
    shared = {key for key, entity, _ in used if first.setdefault(key, entity) != entity and key}
    names: dict[str, dict[str, str]] = defaultdict(dict)  # key -> entity -> the name it uses
    for key, entity, name in used:
        if key in shared:
            names[key].setdefault(entity, name)
    for key in sorted(shared):
        owners = dict(sorted(names[key].items()))
        yield HealthFinding(check="shared_alias", ids=list(owners),
                            detail=f"{key!r} is " + ", ".join(
                                f"{name!r} ({entity})" for entity, name in owners.items()))


def _unowned(definitions: list[Row]) -> Iterable[HealthFinding]:
    for d in sorted(definitions, key=lambda d: d["id"]):
        if d["status"] == "active" and not (d["owner"] or "").strip():
            yield HealthFinding(check="no_owner", ids=[d["id"]],
                                detail=f"{d['term']}" + (f" ({d['scope']})" if d["scope"]
                                                          else "") + ": no owner")


__all__ = [
    "CHECKS", "Row", "findings", "oldest_captured"
]
