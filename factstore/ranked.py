"""The pieces a context pack is ranked from: a candidate item with its tier and order, what
the pack's items answered, and a store row made into a pack item (factstore.context builds
packs of them; factstore.links adds the relations).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from factstore.results import PackItem, PackSource
from factstore.text import clean_for_pack

Row = dict[str, Any]
Select = Callable[[str, str, Sequence[Any]], list[Row]]  # (table, where, params) -> rows

# Priority tiers: lower is more important; --max-tokens drops the highest tiers first.
# The facts that answer come first: when a budget trims, a definition goes before the answer.
TIER_FACT, TIER_DEFINITION, TIER_RULE, TIER_CONTEXT, TIER_ALIAS, TIER_LOW = range(6)
KIND_ORDER = {"fact": 0, "relation": 1, "definition": 2, "rule": 3, "alias": 4}  # in a tier


@dataclass
class Ranked:
    """A pack item with its place in the ranking: tier first, then order within the tier
    (the public resolver.Candidate is something else: an entity a name may mean)."""

    tier: int
    order: tuple[Any, ...]
    item: PackItem  # n is set when the pack is numbered
    refers_to: dict[str, str] = field(default_factory=dict)  # note template: {name: item id}


@dataclass
class Found:
    """What the pack's facts, rules and relations answered, per entity: the question's
    words they explain, and notes on what was asked for and is not there."""

    explained: dict[str, set[int]] = field(default_factory=dict)  # subject -> positions
    answered: set[str] = field(default_factory=set)  # subjects with a fact that was asked for
    ruled: set[str] = field(default_factory=set)  # subjects with a rule in the pack
    named: set[str] = field(default_factory=set)  # subjects with a predicate the question's
    #                                               own words name (not a definition's)
    missing: list[str] = field(default_factory=list)
    metric: dict[str, set[str]] = field(default_factory=dict)  # subject -> its predicates'
    #                                                            words (roots)
    beside: set[str] = field(default_factory=set)  # subjects an answered one is related to
    #                       (its town: "Novák's revenue in Ostrava"), named to place it


def opt_text(value: Any) -> str | None:
    """A row's value as pack text, None when empty."""
    text = clean_for_pack(str(value)) if value is not None else ""
    return text or None


def item_of(kind: str, item_id: str, status: str, text: str, row: Row, **extra: Any
            ) -> PackItem:
    """A store row as a pack item (numbered later), its text neutralised."""
    # a fact's own capture date: the day it was taken from its source (the source's
    # captured_at when the fact was written), not whatever the source says today
    source = PackSource(id=row["source_id"], title=row["source_id"],
                        captured_at=row.get("captured_at")) if row.get("source_id") else None
    return PackItem(n=0, kind=kind, id=clean_for_pack(item_id), status=status,  # type: ignore[arg-type]
                    text=clean_for_pack(text), quote=opt_text(row.get("quote")),
                    recorded_by=opt_text(row.get("recorded_by")),
                    valid_from=row.get("valid_from"), valid_to=row.get("valid_to"),
                    source=source, **{k: opt_text(v) for k, v in extra.items()})


__all__ = [
    "KIND_ORDER", "TIER_ALIAS", "TIER_CONTEXT", "TIER_DEFINITION", "TIER_FACT", "TIER_LOW",
    "TIER_RULE", "Found", "Ranked", "Row", "Select", "item_of", "opt_text"
]
