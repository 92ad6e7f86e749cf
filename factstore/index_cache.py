"""The alias index on disk, one file per commit: a second process on the same store version
loads it (~3 s at a million names) instead of reading every name and rebuilding (~30 s).

A file is named by the commit hash and FORMAT, so it is never stale: a new commit or a new
layout simply misses and builds a new file; the oldest files beyond KEEP are then removed.
Layout: MAGIC, the header length (8 bytes, little-endian), a JSON header (format, commit,
byte order and C int size, CRC-32 of the body, sections as [name, kind, bytes]), then the
sections back to back: JSON texts, NUL-separated strings, or arrays of C ints. No
pickle: a cache file is data, never code. A file is written under a temporary name and
renamed into place, so a reader sees a whole file or none; one that fails any check is
ignored (and rebuilt by the caller).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import zlib
from array import array
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from factstore.name_index import Coded, Postings, Progress, gc_paused
from factstore.resolver import AliasIndex, AliasTable

FORMAT = 3  # bump whenever AliasIndex.build or this layout changes what a file holds
MAGIC = b"factstore alias index\n"
KEEP = 3  # newest files kept per cache folder (the current commit and a few before it)
ABANDONED_AFTER_S = 3600  # a temporary file this old was left by a killed writer


def cache_path(folder: Path, commit: str) -> Path:
    return folder / f"aliases-{commit}.f{FORMAT}.idx"


def save(index: AliasIndex, folder: Path, commit: str, progress: Progress | None = None
         ) -> Path | None:
    """Write index as the cache of commit. None when the folder cannot be written (the cache
    only saves time: a read-only or full disk must not fail the command) or when the entity
    rows do not share one set of columns (never the case for rows read from a store)."""
    if progress:
        progress("caching the index", 0, 1)
    with gc_paused():
        sections = _sections(index)
    if sections is None:
        return None
    body = b"".join(data for _, _, data in sections)
    header = json.dumps({
        "format": FORMAT, "commit": commit, "byteorder": sys.byteorder,
        "int_bytes": array("i").itemsize,
        "crc32": zlib.crc32(body),
        "sections": [[name, kind, len(data)] for name, kind, data in sections],
    }).encode()
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
            tmp.write(MAGIC + len(header).to_bytes(8, "little") + header)
            tmp.write(body)
        os.replace(name, target)
    except OSError:
        Path(name).unlink(missing_ok=True)
        return None
    _prune(folder)
    if progress:
        progress("caching the index", 1, 1)
    return target


def load(folder: Path, commit: str) -> AliasIndex | None:
    """The cached index of commit, or None when there is none or it fails a check."""
    path = cache_path(folder, commit)
    try:
        data = path.read_bytes()
        with gc_paused():
            index = _from_sections(_read_sections(memoryview(data), commit))
    except FileNotFoundError:
        return None
    # Anything a damaged or foreign file can raise while being parsed: treat it as a miss.
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None
    index.origin = path
    return index


# -- layout -------------------------------------------------------------------------------------

Section = tuple[str, str, bytes]  # name, kind ("json" | "strings" | "ints"), data


def _json(name: str, value: Any) -> Section:
    return name, "json", json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _ints(name: str, values: array[int]) -> Section:
    return name, "ints", values.tobytes()


def _column(name: str, values: Sequence[Any]) -> list[Section]:
    """A column as a JSON list, or, when it has few distinct values (kinds, dates, statuses),
    as those values and one int per row (smaller, and read back without decoding)."""
    if isinstance(values, Coded):
        return [_json(f"{name}.values", values.values), _ints(name, values.codes)]
    if len(set(values[:1000])) > 250:  # names and ids: not worth counting them all
        return [_strings(name, values)]
    vocabulary = dict.fromkeys(values)
    if len(vocabulary) > len(values) // 4:
        return [_strings(name, values)]
    codes = {value: code for code, value in enumerate(vocabulary)}
    return [_json(f"{name}.values", list(codes)), _ints(name, array("i", map(codes.__getitem__,
                                                                             values)))]


def _strings(name: str, values: Sequence[Any]) -> Section:
    """Strings NUL-separated (several times faster to write and read than JSON; names hold
    no NUL), or JSON when some value is not a string or holds a NUL."""
    try:
        text = "\0".join(values)
    except TypeError:  # a None among them
        return _json(name, values)
    if len(values) < 2 or text.count("\0") != len(values) - 1:
        return _json(name, values)
    return name, "strings", text.encode()


def _postings(name: str, postings: Postings) -> list[Section]:
    return [_strings(f"{name}.keys", list(postings.slots)),
            _ints(f"{name}.starts", postings.starts), _ints(f"{name}.ids", postings.ids)]


def _sections(index: AliasIndex) -> list[Section] | None:
    """The index as sections; None when its entity rows do not share one set of columns."""
    rows = [index.entities[e] for e in index.entities]
    names = list(rows[0]) if rows else ["id"]
    if rows and not all(map(rows[0].keys().__eq__, map(dict.keys, rows))):
        return None
    columns = [_json("entities.columns", names)]
    for name in names:
        columns += _column(f"entities.{name}", [row[name] for row in rows])
    slot = index.by_entity.slots  # entity -> position, when it lists them in the same order
    if list(slot) != list(index.entities):
        slot = {entity: i for i, entity in enumerate(index.entities)}
    table = index.aliases
    by_entity = ([_json("by_entity.keys", None)] if slot is index.by_entity.slots
                 else [_strings("by_entity.keys", list(index.by_entity))])
    return [
        *columns, _ints("aliases.entity", array("i", map(slot.__getitem__, table.entity))),
        *_column("aliases.text", table.text), *_column("aliases.normalized", table.normalized),
        *_column("aliases.kind", table.kind), *_column("aliases.valid_from", table.valid_from),
        *_column("aliases.valid_to", table.valid_to),
        *_postings("exact", index.exact), *_postings("tokens", index.tokens),
        *_postings("grams", index.grams), *by_entity, *_postings("by_entity", index.by_entity)[1:],
        _json("relations", index.relations),
    ]


def _read_sections(data: memoryview, commit: str) -> dict[str, Any]:
    if data[:len(MAGIC)] != MAGIC:
        raise ValueError("not an alias index file")
    at = len(MAGIC) + 8
    size = int.from_bytes(data[len(MAGIC):at], "little")
    header = json.loads(bytes(data[at:at + size]))
    body = data[at + size:]
    if (header["format"], header["commit"], header["byteorder"], header["int_bytes"]) != (
            FORMAT, commit, sys.byteorder, array("i").itemsize):
        raise ValueError("cache file of another commit, format or machine")
    if len(body) != sum(n for _, _, n in header["sections"]) or zlib.crc32(body) != header[
            "crc32"]:
        raise ValueError("truncated or damaged cache file")
    sections: dict[str, Any] = {}
    start = 0
    for name, kind, length in header["sections"]:
        chunk = body[start:start + length]
        start += length
        if kind == "ints":
            sections[name] = array("i")
            sections[name].frombytes(chunk)
        elif kind == "strings":
            sections[name] = str(chunk, "utf-8").split("\0")
        else:
            sections[name] = json.loads(bytes(chunk))
    return sections


def _from_sections(s: dict[str, Any]) -> AliasIndex:
    def column(name: str) -> Sequence[Any]:
        if f"{name}.values" in s:
            return Coded(s[f"{name}.values"], s[name])
        if not isinstance(s[name], list):
            raise TypeError(f"{name}: not a list")
        return s[name]  # type: ignore[no-any-return]

    rows = {name: column(f"entities.{name}") for name in s["entities.columns"]}
    ids: list[str] = list(rows["id"])
    slot = dict(zip(ids, range(len(ids)), strict=True))
    table = AliasTable(Coded(ids, s["aliases.entity"]), column("aliases.text"),
                       column("aliases.normalized"), column("aliases.kind"),
                       column("aliases.valid_from"), column("aliases.valid_to"))
    columns = (table.entity, table.text, table.normalized, table.kind, table.valid_from,
               table.valid_to)
    if len({len(c) for c in columns}) != 1 or len({len(c) for c in rows.values()}) != 1:
        raise ValueError("columns of different lengths")

    def postings(name: str) -> Postings:
        keys = s[f"{name}.keys"]
        slots = slot if keys is None else dict(zip(keys, range(len(keys)), strict=True))
        return Postings(slots, s[f"{name}.starts"], s[f"{name}.ids"])

    return AliasIndex(StoredRows(slot, rows), table, postings("exact"), postings("tokens"),
                      postings("grams"), postings("by_entity"),
                      [(src, rel, dst) for src, rel, dst in s["relations"]])


class StoredRows(Mapping[str, dict[str, Any]]):
    """Entity rows kept as columns; a row is assembled when read (a resolve reads a handful,
    and a million row dicts would cost seconds to load)."""

    def __init__(self, slots: dict[str, int], columns: dict[str, Sequence[Any]]) -> None:
        self._slots, self._columns = slots, columns

    def __getitem__(self, entity: str) -> dict[str, Any]:
        at = self._slots[entity]
        return {name: values[at] for name, values in self._columns.items()}

    def __contains__(self, entity: object) -> bool:
        return entity in self._slots

    def __iter__(self) -> Iterator[str]:
        return iter(self._slots)

    def __len__(self) -> int:
        return len(self._slots)


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
    "ABANDONED_AFTER_S", "FORMAT", "KEEP", "MAGIC", "Section", "StoredRows", "cache_path", "load",
    "save"
]
