"""The alias index of a new commit from the cached index of an older one and the rows that
changed between them (Dolt's diff, read by store/names.py): the entities whose row or aliases
changed are taken out with every alias of theirs and put back as they are now, in the same
places a rebuild would put them, and each posting list is merged; nothing else is recomputed.

It works on an index read from a cache file whose rows are in primary-key order (entities by
id, aliases by entity and normalised name, relations by key; index_cache.py), and gives the
sections of the new file: the same index a rebuild of the new commit would give (tests
compare them), at a fraction of its cost. An alias id is a position in the alias table, so
one taken out or put in moves those after it: old ids are mapped to new ones with numpy.
"""

from __future__ import annotations

import bisect
from itertools import pairwise
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from factstore.index_cache import (
    ALIAS_COLUMNS, POSTINGS, Section, SortedPostings, StoredRelations, StoredRows, Texts, texts,
)
from factstore.resolver import AliasIndex

Key = tuple[str, str, str]


def updated(base: AliasIndex, entities: Mapping[str, dict[str, Any] | None],
            aliases: Iterable[dict[str, Any]], relations: Mapping[Key, bool]
            ) -> dict[str, Section] | None:
    """The sections of the index base would be with these changes: entities, every entity
    whose row or aliases changed, with its live row now (None: gone or retracted); aliases,
    the live alias rows of those entities now; relations, each changed relation key and
    whether it is live now. None when base cannot be updated (not a key-ordered cache file,
    or rows with other columns): the caller rebuilds."""
    import numpy as np

    rows = base.entities
    if not (isinstance(rows, StoredRows) and rows.in_key_order):
        return None
    columns = list(rows.columns)
    live = {e: r for e, r in sorted(entities.items()) if r is not None}
    if any(list(r) != columns for r in live.values()):
        return None  # the schema changed under the cache: rebuild
    mine = sorted((a for a in aliases if a["entity_id"] in live),
                  key=lambda a: (a["entity_id"], a["normalized"]))
    mini = AliasIndex.build(list(live.values()), mine, [])

    # entities: those changed leave, those live now come back in id order
    ids = rows.ids
    n_entities = len(ids)
    where = {e: bisect.bisect_left(ids, e) for e in entities}
    gone = sorted(at for e, at in where.items() if at < n_entities and ids[at] == e)
    entity_old, entity_new = _moves(np, n_entities, gone, [where[e] for e in live])

    # alias entries: the names block (one per entity), then the aliases block by entity
    table = base.aliases
    owner = np.frombuffer(table.entity.codes, dtype=np.intc)  # type: ignore[attr-defined]
    total = len(owner)
    keep = entity_old[owner] >= 0
    in_aliases = owner[n_entities:]
    slot = {e: i for i, e in enumerate(live)}
    inserts = [where[e] if i < len(live) else n_entities + int(
        np.searchsorted(in_aliases, where[e], side="left"))
        for i, e in enumerate(mini.aliases.entity)]
    alias_old, alias_new = _moves(np, total, np.flatnonzero(~keep).tolist(), inserts)
    size = total - int((~keep).sum()) + len(inserts)

    out: dict[str, Section] = {"entities.columns": ("j", columns)}
    for name in columns:
        out.update(_merged(np, f"entities.{name}", rows.columns[name], entity_old, entity_new,
                           [r[name] for r in live.values()]))
    count = n_entities - len(gone) + len(live)
    out["entities.order"] = ("i", np.arange(count, dtype=np.intc))
    codes = np.empty(size, dtype=np.intc)
    codes[alias_old[keep]] = entity_old[owner[keep]]
    codes[alias_new] = entity_new[[slot[e] for e in mini.aliases.entity]]
    out["aliases.entity"] = ("i", codes)
    for name in ALIAS_COLUMNS:
        out.update(_merged(np, f"aliases.{name}", getattr(table, name), alias_old, alias_new,
                           list(getattr(mini.aliases, name))))
    for name in POSTINGS:
        old = getattr(base, name)
        if not isinstance(old, SortedPostings):
            return None
        out.update(_postings(np, name, old, getattr(mini, name), alias_old, alias_new, size))
    out.update(_relations(base.relations, relations))
    out["in_key_order"] = ("j", True)
    return out


def _moves(np: Any, n: int, removed: Sequence[int], inserts: Sequence[int]
           ) -> tuple[Any, Any]:
    """Where each of n old items goes (-1: removed) and where each new item goes, when the
    new items are put in before the old items at `inserts` (nondecreasing; n: at the end)."""
    kept = np.ones(n, dtype=np.int64)
    kept[np.asarray(removed, dtype=np.int64)] = 0
    before = np.concatenate(([0], np.cumsum(kept)))  # kept old items before position p
    at = np.asarray(inserts, dtype=np.int64)
    old = before[:-1] + np.searchsorted(at, np.arange(n), side="right")
    old[kept == 0] = -1
    new = before[at] + np.arange(len(at), dtype=np.int64)
    return old, new


def _merged(np: Any, name: str, column: Any, old_at: Any, new_at: Any, values: list[Any]
            ) -> dict[str, Section]:
    """A column's sections with its kept old texts moved and the new values put in."""
    if not isinstance(column, Texts):
        raise TypeError(f"{name}: not a stored column")
    kind = "str" if type(column) is Texts else "json"
    fresh = texts(name, values, as_json=kind == "json")
    if f"{name}.{kind}" not in fresh:  # a first None in a column of strings
        return _reencoded(np, name, column, old_at, new_at, values)
    old_starts = np.frombuffer(column.at, dtype=np.int64)
    size = len(old_at) - int((old_at < 0).sum()) + len(new_at)
    keep = old_at >= 0
    blob = bytes(column.data) + bytes(fresh[f"{name}.{kind}"][1])
    extra = len(column.data)
    new_starts = np.frombuffer(fresh[f"{name}.at"][1], dtype=np.int64)
    starts, lengths = np.empty(size, dtype=np.int64), np.empty(size, dtype=np.int64)
    starts[old_at[keep]] = old_starts[:-1][keep]
    lengths[old_at[keep]] = np.diff(old_starts)[keep]
    starts[new_at] = new_starts[:-1] + extra
    lengths[new_at] = np.diff(new_starts)
    return {f"{name}.at": ("q", np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)),
            f"{name}.{kind}": ("b", _gather(np, blob, starts, lengths))}


def _reencoded(np: Any, name: str, column: Texts, old_at: Any, new_at: Any,
               values: list[Any]) -> dict[str, Section]:
    """_merged for a column whose kind changes: every value decoded and encoded again."""
    size = len(old_at) - int((old_at < 0).sum()) + len(new_at)
    merged: list[Any] = [None] * size
    for i, at in enumerate(old_at.tolist()):
        if at >= 0:
            merged[at] = column[i]
    for value, at in zip(values, new_at.tolist(), strict=True):
        merged[at] = value
    return texts(name, merged)


def _gather(np: Any, blob: bytes, starts: Any, lengths: Any) -> bytes:
    """The byte ranges (starts, lengths) of blob, back to back; copied a run at a time (an
    update moves a few runs of many texts each)."""
    if not len(starts):
        return b""
    ends = starts + lengths
    breaks = np.flatnonzero(starts[1:] != ends[:-1]) + 1
    bounds = [0, *breaks.tolist(), len(starts)]
    view = memoryview(blob)
    return b"".join(view[int(starts[a]):int(ends[b - 1])] for a, b in pairwise(bounds))


def _postings(np: Any, name: str, old: SortedPostings, mini: Any, alias_old: Any,
              alias_new: Any, size: int) -> dict[str, Section]:
    """One postings' sections: the old ids mapped to their new places (those of removed
    aliases dropped, keys left without ids dropped), the new aliases' keys merged in."""
    starts = np.frombuffer(old.starts, dtype=np.intc).astype(np.int64)
    n_keys = len(starts) - 1
    slots = np.repeat(np.arange(n_keys, dtype=np.int64), np.diff(starts))
    ids = alias_old[np.frombuffer(old.ids, dtype=np.intc)] if len(slots) else slots
    kept = ids >= 0
    slots, ids = slots[kept], ids[kept]
    counts = np.bincount(slots, minlength=n_keys)
    found = {key: old.slot(key) for key in mini}
    added = sorted(key for key, at in found.items() if at is None)
    staying = {at for at in found.values() if at is not None}
    emptied = [s for s in np.flatnonzero(counts == 0).tolist() if s not in staying]
    key_old, key_new = _moves(np, n_keys, emptied, [bisect.bisect_left(old.names, k)
                                                     for k in added])
    new_slot = {key: int(key_new[i]) for i, key in enumerate(added)}
    scale = max(size, 1)
    merged = key_old[slots] * scale + ids
    pairs = [(new_slot[key] if at is None else int(key_old[at])) * scale + int(alias_new[i])
             for key, at in found.items() for i in mini.bucket(key)]
    fresh = np.sort(np.asarray(pairs, dtype=np.int64))
    merged = np.insert(merged, np.searchsorted(merged, fresh), fresh)
    n_new = n_keys - len(emptied) + len(added)
    new_starts = np.searchsorted(merged // scale, np.arange(n_new + 1))
    keys = _merged(np, f"{name}.keys", old.names, key_old, key_new, added)
    return {**keys, f"{name}.starts": ("i", new_starts.astype(np.intc)),
            f"{name}.ids": ("i", (merged % scale).astype(np.intc))}


def _relations(old: Sequence[Key], changed: Mapping[Key, bool]) -> dict[str, Section]:
    if isinstance(old, StoredRelations) and not changed:
        src, rel, dst = old.parts
        return {f"relations.{part}{suffix}": section for part, column in
                (("src", src), ("rel", rel), ("dst", dst))
                for suffix, section in _as_is(column)}
    now = sorted({*(r for r in old if r not in changed), *(k for k, on in changed.items()
                                                           if on)})
    out: dict[str, Section] = {}
    for at, part in enumerate(("src", "rel", "dst")):
        out.update(texts(f"relations.{part}", (r[at] for r in now)))
    return out


def _as_is(column: Texts) -> list[tuple[str, Section]]:
    kind = "str" if type(column) is Texts else "json"
    return [(".at", ("q", column.at)), (f".{kind}", ("b", column.data))]


__all__ = ["Key", "updated"]
