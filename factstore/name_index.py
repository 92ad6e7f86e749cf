"""The alias index's storage: postings (key -> alias ids) as two flat int arrays, columns with
few distinct values coded as ints, and the bulk builders behind them (numpy from
VECTORISE_FROM keys on). What the keys mean is resolver.py's business; this module only files
and reads them, so the resolver's index stays small in memory and is written to or read from
disk (index_cache.py) in a few pieces.
"""

from __future__ import annotations

import gc
from array import array
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import accumulate
from typing import Any, overload


def trigrams(text: str) -> set[str]:
    padded = f" {text} "
    return {padded[i:i + 3] for i in range(len(padded) - 2)}


@contextmanager
def gc_paused() -> Iterator[None]:
    """For building millions of small objects with no cycles among them, which the cyclic
    GC would scan again and again for nothing."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


Progress = Callable[[str, int, int], None]
"""Told (stage, done, total) during a long build; `done == total` ends a stage."""

REPORT_EVERY = 50_000  # aliases between two progress reports
VECTORISE_FROM = 20_000  # from this size numpy does the bulk work; below, its import costs more


class Postings(Mapping[str, list[int]]):
    """Alias ids filed under each key, flat: the ids of the key in slot k are
    ids[starts[k]:starts[k + 1]]. Two int arrays instead of a list per key: a fraction of the
    memory at a million aliases, and written to or read from disk in one piece."""

    def __init__(self, slots: dict[str, int], starts: array[int], ids: array[int]) -> None:
        self.slots = slots  # key -> slot, in slot order
        self.starts, self.ids = starts, ids
        self._view = memoryview(ids)

    @classmethod
    def group(cls, slots: dict[str, int], keys: array[int], owners: array[int] | None
              ) -> Postings:
        """Postings from one (key slot, alias id) pair per posting, pairs in alias order;
        without owners, a pair's position is its alias id."""
        if len(keys) >= VECTORISE_FROM:
            import numpy as np

            codes = np.frombuffer(keys, dtype=np.intc)
            order = np.argsort(codes, kind="stable")
            ids = order if owners is None else np.frombuffer(owners, dtype=np.intc)[order]
            counts = np.bincount(codes, minlength=len(slots))
            starts = np.concatenate(([0], np.cumsum(counts)))
            return cls(slots, _int_array(starts), _int_array(ids))
        ranked = sorted(range(len(keys)), key=keys.__getitem__)  # stable: alias order kept
        tally = [0] * len(slots)
        for slot in keys:
            tally[slot] += 1
        return cls(slots, array("i", [0, *accumulate(tally)]),
                   array("i", ranked if owners is None else [owners[j] for j in ranked]))

    def bucket(self, key: str) -> Sequence[int]:
        """The ids under key, without copying them (empty when the key is unknown)."""
        slot = self.slots.get(key)
        if slot is None:
            return ()
        return self._view[self.starts[slot]:self.starts[slot + 1]]

    def size(self, key: str) -> int:
        slot = self.slots.get(key)
        return 0 if slot is None else self.starts[slot + 1] - self.starts[slot]

    def __getitem__(self, key: str) -> list[int]:
        slot = self.slots[key]
        return self.ids[self.starts[slot]:self.starts[slot + 1]].tolist()

    def __contains__(self, key: object) -> bool:
        return key in self.slots

    def __iter__(self) -> Iterator[str]:
        return iter(self.slots)

    def __len__(self) -> int:
        return len(self.slots)


class Coded(Sequence[Any]):
    """A column with few distinct values (kinds, dates) as those values and one int per row:
    4 bytes a row, and nothing to decode when it is loaded from disk."""

    def __init__(self, values: list[Any], codes: array[int]) -> None:
        self.values, self.codes = values, codes

    @overload
    def __getitem__(self, i: int) -> Any: ...

    @overload
    def __getitem__(self, i: slice) -> list[Any]: ...

    def __getitem__(self, i: int | slice) -> Any:
        if isinstance(i, slice):
            return [self.values[c] for c in self.codes[i]]
        return self.values[self.codes[i]]

    def __len__(self) -> int:
        return len(self.codes)


def gram_postings(keys: Sequence[str], progress: Progress | None) -> Postings:
    if progress:
        progress("indexing trigrams", 0, len(keys))
    if len(keys) >= VECTORISE_FROM:
        grams = _gram_postings_vectorised(keys)
    else:
        slots: dict[str, int] = {}
        gram_keys, gram_ids = array("i"), array("i")
        for i, key in enumerate(keys):
            for gram in trigrams(key):
                gram_keys.append(slots.setdefault(gram, len(slots)))
                gram_ids.append(i)
        grams = Postings.group(slots, gram_keys, gram_ids)
    if progress:
        progress("indexing trigrams", len(keys), len(keys))
    return grams


CODE_BITS = 21  # a Unicode code point fits in 21 bits, so a trigram fits in one int64
CHUNK = 100_000  # keys per numpy pass: bounds the temporary arrays (peak memory)


def _gram_postings_vectorised(keys: Sequence[str]) -> Postings:
    """trigrams() of every key at once: a third of the pure-Python time at a million keys.

    Each trigram becomes one int64 (three code points); the grams are numbered in a first pass
    over chunks of keys, then (gram number, key) pairs are sorted once: that files each gram's
    keys in order and puts a gram repeated within one key next to itself.
    """
    import numpy as np

    chunks = range(0, len(keys), CHUNK)
    seen = [_sorted_distinct(_window_codes(keys[at:at + CHUNK])[0]) for at in chunks]
    distinct = _sorted_distinct(np.concatenate([np.zeros(0, np.int64), *seen]))
    parts = []
    for at in chunks:
        codes, owner = _window_codes(keys[at:at + CHUNK])
        pairs = np.searchsorted(distinct, codes) * len(keys)
        pairs += owner + at
        parts.append(pairs)
    pairs = np.concatenate([np.zeros(0, np.int64), *parts])
    del parts
    pairs = _sorted_distinct(pairs)
    starts = np.searchsorted(pairs, np.arange(len(distinct) + 1) * len(keys))
    pairs %= max(1, len(keys))
    mask = (1 << CODE_BITS) - 1
    names = [chr(c >> 2 * CODE_BITS) + chr((c >> CODE_BITS) & mask) + chr(c & mask)
             for c in distinct.tolist()]
    return Postings(dict(zip(names, range(len(names)), strict=True)), _int_array(starts),
                    _int_array(pairs))


def _window_codes(keys: Sequence[str]) -> tuple[Any, Any]:
    """Every trigram of every padded key as an int64, with the position of its key.

    The padded keys go into one UTF-32 buffer, NUL-separated (normalised keys hold only word
    characters and spaces); windows that cross a NUL belong to no key and are dropped.
    """
    import numpy as np

    chars = np.frombuffer("\0".join([f" {k} " for k in keys]).encode("utf-32-le"),
                          dtype="<u4").astype(np.int64)
    codes = (chars[:-2] << 2 * CODE_BITS) | (chars[1:-1] << CODE_BITS) | chars[2:]
    inside = (chars[:-2] != 0) & (chars[1:-1] != 0) & (chars[2:] != 0)
    lengths = np.fromiter(map(len, keys), dtype=np.int64, count=len(keys)) + 3  # " key " NUL
    owner = np.repeat(np.arange(len(keys), dtype=np.int64), lengths)[:len(codes)]
    return codes[inside], owner[inside]


def _sorted_distinct(values: Any) -> Any:
    """np.unique(values), which is many times slower than sort + neighbour test on numpy 2.4."""
    import numpy as np

    values.sort()
    return values[np.concatenate((values[:1] == values[:1], values[1:] != values[:-1]))]


def _int_array(values: Any) -> array[int]:
    """A numpy integer array as a compact stdlib array of C ints."""
    import numpy as np

    compact = array("i")
    for at in range(0, len(values), CHUNK * 10):  # a slice at a time: no second full copy
        part = np.ascontiguousarray(values[at:at + CHUNK * 10], dtype=np.intc)
        compact.frombytes(part.data.cast("B"))
    return compact


def top_vectorised(picked: list[tuple[Sequence[int], int]], limit: int) -> list[int]:
    """most_common() of the same hits, in numpy: a third of the time on a large index.
    Ties keep first-seen order, as Counter does: sort by (-points, first position)."""
    import numpy as np

    if not picked:
        return []
    seen = np.concatenate([np.frombuffer(bucket, dtype=np.intc)  # type: ignore[call-overload]
                           for bucket, points in picked for _ in range(points)])
    order = np.argsort(seen, kind="stable")
    ids = seen[order]
    starts = np.flatnonzero(np.concatenate(([True], ids[1:] != ids[:-1])))
    points = np.diff(np.append(starts, len(ids)))
    top = np.lexsort((order[starts], -points))[:limit]
    return ids[starts[top]].tolist()  # type: ignore[no-any-return]


def most_common(hits: Counter[int], limit: int) -> list[int]:
    """hits.most_common(limit) without sorting every hit: counts are small integers, so
    first find the lowest count that still makes the cut (ties keep first-seen order)."""
    if len(hits) > limit:
        floor, kept = 0, 0
        tally = Counter(hits.values())
        for count in sorted(tally, reverse=True):
            floor, kept = count, kept + tally[count]
            if kept >= limit:
                break
        ids = [i for i, c in hits.items() if c >= floor]
    else:
        ids = list(hits)
    ids.sort(key=hits.__getitem__, reverse=True)  # stable, reversed or not
    return ids[:limit]


__all__ = [
    "CHUNK", "CODE_BITS", "REPORT_EVERY", "VECTORISE_FROM", "Coded", "Postings", "Progress",
    "gc_paused", "gram_postings", "most_common", "top_vectorised", "trigrams"
]
