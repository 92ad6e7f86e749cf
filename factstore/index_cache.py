"""The alias index on disk, one file per commit, opened without parsing: a second process on
the same store version maps the file and reads only the names a query touches, instead of
reading every name and rebuilding (~30 s at a million names) or parsing a whole file (~5 s).

A file is named by the commit hash and FORMAT; a new layout misses and builds a new file, a new
commit is updated from the newest file (store/names.py, index_update.py), or, when it changed
no name, gets a hard link to it; the oldest files beyond KEEP are then removed. Layout: MAGIC,
the header length (8 bytes, little-endian), a JSON header (format, commit built at, byte order
and C int size, CRC-32 of the body, whether the rows are in key order, sections as [name, kind,
start, bytes]), then the sections, each starting on an 8-byte boundary: C ints ("i"), 64-bit
ints ("q"), bytes ("b") or one JSON value ("j"). A column of texts is two sections: NAME.at
(where each text starts, "q") and NAME.str (UTF-8) or NAME.json (one JSON text per row, for
columns with non-strings); postings are their keys in sorted order (a column), where each key's
ids start (.starts) and the ids (.ids). A key is found by binary search, a row decoded when
read: opening costs the header and one pass of the checksum over the bytes (~15 ms at 20k
names), nothing per name. No pickle: a cache file is data, never code. A file is written under
a temporary name and renamed into place, so a reader sees a whole file or none; one that fails
any check is ignored (and rebuilt by the caller).
"""

from __future__ import annotations

import bisect
import json
import mmap
import os
import sys
import tempfile
import time
import zlib
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import accumulate
from pathlib import Path
from typing import Any, overload

from factstore.name_index import Coded, Progress, gc_paused
from factstore.resolver import AliasIndex, AliasTable

FORMAT = 6  # bump whenever AliasIndex.build or this layout changes what a file holds
MAGIC = b"factstore alias index\n"
KEEP = 3  # newest files kept per cache folder (the current commit and a few before it)
ABANDONED_AFTER_S = 3600  # a temporary file this old was left by a killed writer
ALIGN = 8
POSTINGS = ("exact", "tokens", "grams", "by_entity")
ALIAS_COLUMNS = ("text", "normalized", "kind", "valid_from", "valid_to")

Buffer = Any  # bytes, bytearray, memoryview, array or numpy array: anything with a buffer
Section = tuple[str, Buffer]  # kind ("i" | "q" | "b" | "j"), data (a JSON value for "j")


def cache_path(folder: Path, commit: str) -> Path:
    return folder / f"aliases-{commit}.f{FORMAT}.idx"


def cached_commits(folder: Path) -> list[str]:
    """The commits with a cache file of this FORMAT in folder, newest file first."""
    found = []
    for path in folder.glob(f"aliases-*.f{FORMAT}.idx"):
        try:
            found.append((path.stat().st_mtime, path.name[len("aliases-"):].split(".")[0]))
        except FileNotFoundError:  # pruned by another process meanwhile
            continue
    return [commit for _, commit in sorted(found, reverse=True)]


def save(index: AliasIndex, folder: Path, commit: str, progress: Progress | None = None, *,
         in_key_order: bool = False) -> Path | None:
    """Write index as the cache of commit. None when the folder cannot be written (the cache
    only saves time: a read-only or full disk must not fail the command) or when the entity
    rows do not share one set of columns (never the case for rows read from a store).
    in_key_order: the index was built from rows in primary-key order (entities by id, aliases
    by entity and normalised name, relations by their key), so a later commit may update it."""
    if progress:
        progress("caching the index", 0, 1)
    with gc_paused():
        sections = sections_of(index)
    if sections is None:
        return None
    target = write(sections, folder, commit, in_key_order=in_key_order)
    if progress:
        progress("caching the index", 1, 1)
    return target


def write(sections: dict[str, Section], folder: Path, commit: str, *,
          in_key_order: bool) -> Path | None:
    """Write sections as the cache file of commit (None when the folder cannot be written)."""
    placed, at = [], 0
    for name, (kind, data) in sections.items():
        if kind == "j":
            data = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
        view = memoryview(data).cast("B") if len(memoryview(data)) else b""
        placed.append((name, kind, at, view))
        at += -(-len(view) // ALIGN) * ALIGN
    crc = 0
    for _, _, _, view in placed:
        crc = zlib.crc32(view, crc)
    header = json.dumps({
        "format": FORMAT, "commit": commit, "byteorder": sys.byteorder,
        "int_bytes": array("i").itemsize, "crc32": crc, "in_key_order": in_key_order,
        "sections": [[name, kind, start, len(view)] for name, kind, start, view in placed],
    }).encode()
    head = MAGIC + len(header).to_bytes(8, "little") + header
    head += b"\0" * (-len(head) % ALIGN)
    target = cache_path(folder, commit)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=folder, prefix=".writing-")
    except OSError:
        return None
    try:
        with os.fdopen(handle, "wb") as tmp:
            # mkstemp makes the file private; readable like its folder instead, so a store
            # shared by a team shares its cache too (and a private store keeps it private)
            os.fchmod(tmp.fileno(), folder.stat().st_mode & 0o666)
            tmp.write(head)
            for _, _, _, view in placed:
                tmp.write(view)
                tmp.write(b"\0" * (-len(view) % ALIGN))
        os.replace(name, target)
    except OSError:
        Path(name).unlink(missing_ok=True)
        return None
    _prune(folder)
    return target


def link(folder: Path, commit: str, same_as: str) -> Path | None:
    """The cache file of same_as as commit's too (a hard link: no copy), for a commit that
    changed no entity, alias or relation (a correction of a fact); None when it cannot be
    made (then the caller writes a file)."""
    source, target = cache_path(folder, same_as), cache_path(folder, commit)
    try:
        staged = folder / f".writing-{commit}-{os.getpid()}"
        os.link(source, staged)
        os.replace(staged, target)
        os.utime(target)  # the newest file now, for _prune (both names share the inode)
    except OSError:
        return None
    _prune(folder)
    return target


def load(folder: Path, commit: str) -> AliasIndex | None:
    """The cached index of commit, or None when there is none or it fails a check."""
    path = cache_path(folder, commit)
    try:
        with open(path, "rb") as handle:
            data = memoryview(mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ))
        sections = _read_sections(data, commit)
        index = index_of(sections)
    # Anything a missing, empty (unmappable), damaged or foreign file can raise while being
    # read: treat it as a miss.
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None
    index.origin = path
    return index


# -- reading --------------------------------------------------------------------------------


def _read_sections(data: memoryview, commit: str) -> dict[str, Any]:
    if data[:len(MAGIC)] != MAGIC:
        raise ValueError("not an alias index file")
    at = len(MAGIC) + 8
    size = int.from_bytes(data[len(MAGIC):at], "little")
    header = json.loads(bytes(data[at:at + size]))
    body = data[at + size + (-(at + size) % ALIGN):]
    # header["commit"] is the commit the file was built or updated at: a file linked to a
    # later commit that changed no name (link()) says so, so the file's name is what counts
    if (header["format"], header["byteorder"], header["int_bytes"]) != (
            FORMAT, sys.byteorder, array("i").itemsize):
        raise ValueError("cache file of another format or machine")
    crc, sections = 0, {}
    for name, kind, start, length in header["sections"]:
        if start + length > len(body):
            raise ValueError("truncated cache file")
        chunk = body[start:start + length]
        crc = zlib.crc32(chunk, crc)
        sections[name] = (json.loads(bytes(chunk)) if kind == "j" else chunk if kind == "b"
                          else chunk.cast(kind))
    if crc != header["crc32"]:
        raise ValueError("damaged cache file")
    sections["in_key_order"] = bool(header.get("in_key_order"))
    return sections


def index_of(s: Mapping[str, Any]) -> AliasIndex:
    """An AliasIndex reading these sections (a mapped file's, or an update's in memory)."""
    def ints(name: str) -> Sequence[int]:
        data = s[name]
        return data if isinstance(data, memoryview) else memoryview(data).cast("B").cast("i")

    columns = {name: column(s, f"entities.{name}") for name in s["entities.columns"]}
    ids = columns["id"]
    rows = StoredRows(ids, ints("entities.order"), columns)
    rows.in_key_order = bool(s.get("in_key_order"))
    table = AliasTable(Coded(ids, ints("aliases.entity")),  # type: ignore[arg-type]
                       *(column(s, f"aliases.{name}") for name in ALIAS_COLUMNS))
    lengths = {len(c) for c in (table.entity, table.text, table.normalized, table.kind,
                                table.valid_from, table.valid_to)}
    if len(lengths) != 1 or len({len(c) for c in columns.values()}) != 1:
        raise ValueError("columns of different lengths")
    exact, tokens, grams, by_entity = (
        SortedPostings(column(s, f"{name}.keys"), ints(f"{name}.starts"), ints(f"{name}.ids"))
        for name in POSTINGS)
    relations = StoredRelations(*(column(s, f"relations.{part}")
                                  for part in ("src", "rel", "dst")))
    return AliasIndex(rows, table, exact, tokens, grams, by_entity,  # type: ignore[arg-type]
                      relations)


def in_memory(sections: Mapping[str, Section]) -> AliasIndex:
    """index_of sections not (yet) written to a file."""
    return index_of({name: data for name, (_, data) in sections.items()})


def column(s: Mapping[str, Any], name: str) -> Texts:
    at = s[f"{name}.at"]
    if not isinstance(at, memoryview) or at.format != "q":
        at = memoryview(at).cast("B").cast("q")
    if f"{name}.str" in s:
        return Texts(at, s[f"{name}.str"])
    return JsonTexts(at, s[f"{name}.json"])


class Texts(Sequence[Any]):
    """A column of texts in one UTF-8 buffer: item i is decoded when read."""

    def __init__(self, at: memoryview, data: Buffer) -> None:
        self.at, self.data = at, memoryview(data).cast("B") if len(data) else b""

    @overload
    def __getitem__(self, i: int) -> Any: ...

    @overload
    def __getitem__(self, i: slice) -> list[Any]: ...

    def __getitem__(self, i: int | slice) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self._decode(self.data[self.at[i]:self.at[i + 1]])

    def _decode(self, raw: Buffer) -> Any:
        return str(raw, "utf-8")

    def __len__(self) -> int:
        return len(self.at) - 1

    def __iter__(self) -> Iterator[Any]:
        return (self[i] for i in range(len(self)))


class JsonTexts(Texts):
    """A column of any JSON values (None among strings, numbers), one JSON text per row."""

    def _decode(self, raw: Buffer) -> Any:
        return json.loads(bytes(raw))


class SortedPostings(Mapping[str, list[int]]):
    """name_index.Postings with its keys in sorted order instead of a dict: a key is found by
    binary search, so nothing is built when the file is opened."""

    def __init__(self, keys: Texts, starts: Sequence[int], ids: Sequence[int]) -> None:
        self.names, self.starts, self.ids = keys, starts, ids
        self._view = ids if isinstance(ids, memoryview) else memoryview(ids)  # type: ignore

    def slot(self, key: str) -> int | None:
        at = bisect.bisect_left(self.names, key)
        return at if at < len(self.names) and self.names[at] == key else None

    def bucket(self, key: str) -> Sequence[int]:
        slot = self.slot(key)
        if slot is None:
            return ()
        return self._view[self.starts[slot]:self.starts[slot + 1]]

    def size(self, key: str) -> int:
        slot = self.slot(key)
        return 0 if slot is None else self.starts[slot + 1] - self.starts[slot]

    def __getitem__(self, key: str) -> list[int]:
        slot = self.slot(key)
        if slot is None:
            raise KeyError(key)
        return list(self._view[self.starts[slot]:self.starts[slot + 1]])

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.slot(key) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)


class StoredRows(Mapping[str, dict[str, Any]]):
    """Entity rows kept as columns; a row is assembled when read (a resolve reads a handful,
    and a million row dicts would cost seconds to load). order: the rows' positions sorted by
    id, for the binary search."""

    def __init__(self, ids: Texts, order: Sequence[int], columns: dict[str, Texts]) -> None:
        self.ids, self.order, self.columns = ids, order, columns
        self.in_key_order = False  # the file's rows are in primary-key order (updatable)

    def slot(self, entity: str) -> int | None:
        ids, order = self.ids, self.order
        lo, hi = 0, len(order)
        while lo < hi:
            mid = (lo + hi) // 2
            if ids[order[mid]] < entity:
                lo = mid + 1
            else:
                hi = mid
        return order[lo] if lo < len(order) and ids[order[lo]] == entity else None

    def __getitem__(self, entity: str) -> dict[str, Any]:
        at = self.slot(entity)
        if at is None:
            raise KeyError(entity)
        return {name: values[at] for name, values in self.columns.items()}

    def __contains__(self, entity: object) -> bool:
        return isinstance(entity, str) and self.slot(entity) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids)

    def __len__(self) -> int:
        return len(self.ids)


class StoredRelations(Sequence[tuple[str, str, str]]):
    """(src, rel, dst) of every relation, decoded all at once on first use (a resolve without
    context never reads them)."""

    def __init__(self, src: Texts, rel: Texts, dst: Texts) -> None:
        self.parts = (src, rel, dst)
        self._rows: list[tuple[str, str, str]] | None = None

    @property
    def rows(self) -> list[tuple[str, str, str]]:
        if self._rows is None:
            self._rows = list(zip(*self.parts, strict=True))
        return self._rows

    @overload
    def __getitem__(self, i: int) -> tuple[str, str, str]: ...

    @overload
    def __getitem__(self, i: slice) -> list[tuple[str, str, str]]: ...

    def __getitem__(self, i: int | slice) -> Any:
        return self.rows[i]

    def __iter__(self) -> Iterator[tuple[str, str, str]]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.parts[0])


# -- writing --------------------------------------------------------------------------------


def texts(name: str, values: Iterable[Any], *, as_json: bool = False) -> dict[str, Section]:
    """A column's sections: UTF-8 texts when every value is a string (and not as_json), else
    JSON texts."""
    values = list(values)
    kind = "str"
    try:
        if as_json:
            raise AttributeError("JSON asked for")
        parts = [v.encode() for v in values]
    except AttributeError:  # a None or a number among them
        kind = "json"
        encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        known: dict[Any, bytes] = {}  # None, kinds, revs: few distinct values, encoded once
        parts = []
        for v in values:
            if v.__hash__ is None:
                parts.append(encode(v).encode())
            elif (part := known.get((type(v), v))) is None:
                part = known[(type(v), v)] = encode(v).encode()
                parts.append(part)
            else:
                parts.append(part)
    at = array("q", [0])
    at.extend(accumulate(map(len, parts)))
    return {f"{name}.at": ("q", at), f"{name}.{kind}": ("b", b"".join(parts))}


def sections_of(index: AliasIndex) -> dict[str, Section] | None:
    """The index as sections; None when its entity rows do not share one set of columns."""
    rows = [index.entities[e] for e in index.entities]
    names = list(rows[0]) if rows else ["id"]
    if rows and not all(map(rows[0].keys().__eq__, map(dict.keys, rows))):
        return None
    out: dict[str, Section] = {"entities.columns": ("j", names)}
    for name in names:
        out.update(texts(f"entities.{name}", (row[name] for row in rows)))
    ids = [row["id"] for row in rows] if rows else []
    out["entities.order"] = ("i", array("i", sorted(range(len(ids)), key=ids.__getitem__)))
    slot = {entity: i for i, entity in enumerate(ids)}
    table = index.aliases
    out["aliases.entity"] = ("i", array("i", map(slot.__getitem__, table.entity)))
    for name in ALIAS_COLUMNS:
        out.update(texts(f"aliases.{name}", getattr(table, name)))
    for name in POSTINGS:
        keys, starts, found = _sorted(getattr(index, name))
        out.update(texts(f"{name}.keys", keys))
        out[f"{name}.starts"], out[f"{name}.ids"] = ("i", starts), ("i", found)
    relations = list(index.relations)
    for at, part in enumerate(("src", "rel", "dst")):
        out.update(texts(f"relations.{part}", (r[at] for r in relations)))
    return out


def _sorted(postings: Any) -> tuple[list[str], Any, Any]:
    """Postings with their keys in sorted order: (keys, starts, ids) as C int arrays."""
    import numpy as np

    keys = list(postings)
    if isinstance(postings, SortedPostings):
        return keys, postings.starts, postings.ids
    order = np.array(sorted(range(len(keys)), key=keys.__getitem__), dtype=np.int64)
    starts = np.frombuffer(postings.starts, dtype=np.intc).astype(np.int64)
    counts = np.diff(starts)[order]
    new_starts = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    picked = np.repeat(starts[:-1][order] - new_starts[:-1], counts) + np.arange(
        new_starts[-1])
    ids = np.frombuffer(postings.ids, dtype=np.intc)[picked]
    return ([keys[i] for i in order.tolist()], new_starts.astype(np.intc),
            np.ascontiguousarray(ids, dtype=np.intc))


def _prune(folder: Path) -> None:
    """Keep the KEEP newest cache files; a file another process is reading stays readable
    (it is only unlinked), and one removed before it is opened is a miss there. Temporary
    files a killed process left behind go too, once they are clearly not being written."""
    files, now = [], time.time()
    for path in folder.glob("*"):
        try:
            modified = path.stat().st_mtime
        except FileNotFoundError:  # pruned or renamed by another process meanwhile
            continue
        if path.name.startswith("aliases-") and path.suffix == ".idx":
            files.append((modified, path))
        elif path.name.startswith(".writing-") and now - modified > ABANDONED_AFTER_S:
            path.unlink(missing_ok=True)
    for _, path in sorted(files, reverse=True)[KEEP:]:
        path.unlink(missing_ok=True)


__all__ = [
    "ABANDONED_AFTER_S", "ALIAS_COLUMNS", "ALIGN", "FORMAT", "KEEP", "MAGIC", "POSTINGS",
    "Buffer", "JsonTexts", "Section", "SortedPostings", "StoredRelations", "StoredRows", "Texts",
    "cache_path", "cached_commits", "column", "in_memory", "index_of", "link", "load", "save",
    "sections_of", "texts", "write"
]
