"""Reads of the knowledge: one row, a table's rows, settings, and the whole-store reads built
on them (health, export). Every read takes as_of (transaction time: any ref) and the listing
reads valid_at (valid time: what was true on that day).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, get_args

from factstore.errors import InvalidInput
from factstore.periods import parse_day, valid_on
from factstore.results import ExportText, Listing, ShowResult
from factstore.schema import CONFIG, TABLES, Row, SourceKind, Status
from factstore.store import DEFAULT_MAX_SOURCE_AGE as DEFAULT_MAX_SOURCE_AGE
from factstore.store.core import StoreCore
from factstore.store.names import INDEXED_NAMES, Names
from factstore.store.timeline import Timeline

if TYPE_CHECKING:
    from factstore.export import ExportFormat, Writer
    from factstore.reports import HealthReport

STATUSES = get_args(Status)
# What str.strip() removes, written out: computing it scans all of Unicode (65 ms at import);
# tests/test_health_reads.py checks the list against str.isspace.
WHITESPACE = list("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003"
                  "\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
EXPORT_PROGRESS_ROWS = 50_000  # rows from which an export reports its progress
SHARED_AT_MOST = 5000  # subjects with a shared subject/predicate/period group, read by subject
FLAGGED_AT_MOST = 5000  # facts with a provenance finding or a supersedes, read by id
SOURCE_KINDS = get_args(SourceKind)
# the columns health's shared_alias check reads of an entity and of an alias
ENTITY_NAMES = "id, name, status, normalized"
ALIAS_NAMES = "entity_id, normalized, alias, status"
# backends whose engine picks the names health reads (_shared_keys). A Dolt server spends
# more on the grouping (110 against 90 ms of its CPU for a 10k-fact health) than it saves
# sending every name, which its client parses (9 ms at 10k, 80 at 100k) while it works
NAMES_GROUPED = ("doltlite",)
# doltlite's test of a quote led by white space: its first character's code point, only the
# few past ASCII's looked up (SUBSTR's character, looked up among all of WHITESPACE, was a
# third of the scan: 20 -> 15 ms at 100k facts). It takes every control character too:
# health strips the quotes of the facts it reads, exactly
BEYOND_ASCII = [ord(c) for c in WHITESPACE if ord(c) > 0x20]
LED_BY_SPACE = (f"(UNICODE(quote) <= 32 OR (UNICODE(quote) >= {min(BEYOND_ASCII)} AND "
                f"UNICODE(quote) IN ({', '.join('?' * len(BEYOND_ASCII))})))")


def _flagged(led_by_space: str) -> str:
    return ("status = 'active' AND (source_id IS NULL OR source_id = '' OR quote IS NULL OR "
            f"quote = '' OR {led_by_space} OR supersedes IS NOT NULL)")


# the active facts health reads whole: no source, a quote empty or led by white space, or
# superseding another (its parameters: WHITESPACE; on doltlite FLAGGED_DOLTLITE, BEYOND_ASCII)
FLAGGED = _flagged(f"SUBSTR(quote, 1, 1) IN ({', '.join('?' * len(WHITESPACE))})")
FLAGGED_DOLTLITE = _flagged(LED_BY_SPACE)


class Reads:
    def __init__(self, core: StoreCore, names: Names, timeline: Timeline) -> None:
        self.core = core
        self.names = names
        self.timeline = timeline

    def get(self, item_id: str, *, as_of: str | None = None) -> Row:
        return self.names.get(item_id, self.core.at(as_of), as_of)

    def show(self, name: str, *, as_of: str | None = None) -> ShowResult:
        commit = self.core.at(as_of)
        found = self.names.lookup(name, commit, fuzzy=True)
        table, row = found.table, found.row
        source = None
        if row.get("source_id"):
            rows = self.core.select("sources", "id = ?", [row["source_id"]], commit)
            source = rows[0] if rows else None
        return ShowResult(id=found.id, table=table.name, row=row, source=source,
                          last_change=self.timeline.last_change(table, row, commit),
                          matched_by=found.matched_by, matched_name=found.matched_name,
                          match_score=found.match_score)

    def rows(self, table: str, *, kind: str | None = None, subject: str | None = None,
             status: str | None = None, as_of: str | None = None,
             valid_at: str | None = None) -> list[Row]:
        return self.listing(table, kind=kind, subject=subject, status=status, as_of=as_of,
                            valid_at=valid_at).rows

    def listing(self, table: str, *, kind: str | None = None, subject: str | None = None,
                status: str | None = None, as_of: str | None = None,
                valid_at: str | None = None) -> Listing:
        """Rows of a table. An unknown status or kind is an error, never an empty list;
        `subject` is an entity id, name or alias, or a name the resolver is sure of (the
        listing says how it matched)."""
        if table not in TABLES:
            raise InvalidInput(f"table: expected one of {', '.join(TABLES)}, got {table!r}")
        spec, at = TABLES[table], self.core.at(as_of)
        where, params = [], []
        if status is not None and status not in STATUSES:
            raise InvalidInput(f"status: expected one of {', '.join(STATUSES)}, got {status!r}")
        if kind is not None:
            if "kind" not in spec.columns:
                raise InvalidInput(f"--kind does not apply to {table}")
            if table == "sources" and kind not in SOURCE_KINDS:
                raise InvalidInput(f"kind: expected one of {', '.join(SOURCE_KINDS)}, got "
                                   f"{kind!r}")
            where.append("kind = ?")
            params.append(kind)
        match = None
        if subject is not None:
            if table != "facts":
                raise InvalidInput("--subject applies to facts only")
            match = self.names.entity(subject, at, fuzzy=True).match()
            where.append("subject_id = ?")
            params.append(match.id)
        where.append("status = ?" if status else "status <> 'retracted'")
        params += [status] if status else []
        rows = self.core.select(table, " AND ".join(where), params, at, ", ".join(spec.key))
        if not rows and kind is not None and table != "sources":
            self._check_kind(table, kind, at)
        if valid_at is not None:
            day, month = parse_day(valid_at, "valid-at"), self.core.fiscal_start_month()
            rows = [r for r in rows if valid_on(r, day, month)]
        return Listing(rows=rows, subject=match)

    def _check_kind(self, table: str, kind: str, at: str | None) -> None:
        """Entity kinds are any word: one no row has (retracted ones included) is a typo."""
        if not self.core.select(table, "kind = ? LIMIT 1", [kind], at):
            known = sorted({r["kind"] for r in self.core.select(table, "1 = 1", [], at)})
            raise InvalidInput(f"kind: no {table} of kind {kind!r} (known: "
                               f"{', '.join(known) or 'none yet'})")

    def config(self) -> dict[str, str]:
        return {r["name"]: r["value"] for r in self.core.select(CONFIG, "1 = 1", [], None)}

    def health(self, *, as_of: str | None = None, valid_at: str | None = None,
               max_age_days: int = DEFAULT_MAX_SOURCE_AGE) -> HealthReport:
        from factstore.health import CHECKS, findings
        from factstore.reports import HealthReport

        if max_age_days < 0:
            raise InvalidInput(f"max-age-days: must be 0 or more, got {max_age_days}")
        at = self.core.at(as_of)
        day = parse_day(valid_at, "valid-at") if valid_at else self.core.commit_day(at)
        # names only: a wide row costs a Dolt server several times a narrow one
        named = self.core.has_migration(INDEXED_NAMES, at)  # entities.normalized
        # every statement reads one commit (on a server: each on a connection of its own,
        # concurrently; the slowest are the scans of facts, listed first)
        pinned = self.core.backend.pin(at)
        sql = self.core.select_sql
        scans = self._facts_scans(pinned, _stale_before(day, max_age_days))
        # the names: only the keys several entities may share (_shared_keys), when every
        # entity's key is stored; else every name, whole
        grouped = named and self.core.backend.kind in NAMES_GROUPED
        names = [self._shared_keys(pinned)] if grouped else self._names(pinned, named)
        read = self.core.select_all([
            *scans, sql("sources", "1 = 1", [], pinned), sql("definitions", "1 = 1", [], pinned),
            *names], pinned)
        tables = {"sources": read[len(scans)], "definitions": read[len(scans) + 1]}
        if grouped:
            keys = [r["k"] for r in read[-1]]
            entities, aliases = (self._names_of(pinned, keys) if all(keys) else
                                 self.core.select_all(self._names(pinned, named), pinned))
        else:
            entities, aliases = read[-2:]
        tables["entities"], tables["aliases"] = entities, aliases
        tables["facts"], oldest = self._facts_to_check(pinned, *read[:len(scans)])
        found = findings(tables, day, max_age_days, oldest)
        counts = {check: sum(f.check == check for f in found) for check in CHECKS}
        return HealthReport(commit=at or pinned or self.core.head(), valid_at=day.isoformat(),
                            max_age_days=max_age_days, counts=counts, findings=found)

    def _names(self, at: str | None, named: bool) -> list[tuple[str, list[Any]]]:
        """Reads of every entity's name and every alias, as health's shared_alias check
        takes them (a commit made before entities.normalized existed has none)."""
        sql = self.core.select_sql
        return [sql("entities", "1 = 1", [], at,
                    columns=ENTITY_NAMES if named else "id, name, status"),
                sql("aliases", "1 = 1", [], at, columns=ALIAS_NAMES)]

    def _shared_keys(self, at: str | None) -> tuple[str, list[Any]]:
        """The statement of the normalised names (`k`) health's shared_alias check can find
        shared: those two active entities use, as a name or an active alias, the engine
        grouping them (reading every name into Python was a third of a 100k-fact health). An
        alias of an entity not active counts here, and health.findings leaves it out; a
        null or empty key (an entity's key not stored) is returned too: the caller then reads
        every name (health.findings computes those keys itself)."""
        backend = self.core.backend
        (entities, first), (aliases, second) = (
            ((name, []) if at is None else backend.table_at(name, at))
            for name in ("entities", "aliases"))
        return (f"SELECT k FROM (SELECT normalized AS k, id AS e FROM {entities} "
                "WHERE status = 'active' UNION ALL SELECT normalized AS k, entity_id AS e "
                f"FROM {aliases} WHERE status = 'active' AND normalized <> '') u "
                "GROUP BY k HAVING MIN(e) <> MAX(e) OR k IS NULL OR k = ''", [*first, *second])

    def _names_of(self, at: str | None, keys: list[str]) -> tuple[list[Row], list[Row]]:
        """The rows health's shared_alias check reads for these keys (_shared_keys): the
        entities and aliases under each key, and the entities of those aliases (whether
        they are active). health.findings finds in them what it finds in every name."""
        if not keys:
            return [], []
        named = self._in("entities", "normalized", keys, at, columns=ENTITY_NAMES)
        read = self.core.select_all(
            [*named, *self._in("aliases", "normalized", keys, at, columns=ALIAS_NAMES)], at)
        entities = {r["id"]: r for part in read[:len(named)] for r in part}
        aliases = [r for part in read[len(named):] for r in part]
        more = sorted({r["entity_id"] for r in aliases} - entities.keys())
        for part in self.core.select_all(self._in("entities", "id", more, at,
                                                  columns=ENTITY_NAMES), at):
            entities.update((r["id"], r) for r in part)
        return list(entities.values()), aliases

    def _facts_scans(self, at: str | None, stale_before: str) -> list[tuple[str, list[Any]]]:
        """The scans of facts health starts with (see _facts_to_check): each reads only the
        columns it tests, and returns ids or a few aggregates: on a Dolt server a wide row
        (the MEDIUMTEXT quote, value and reason) costs several times a narrow one, and a
        group per subject a fraction of one per subject, predicate and period."""
        sql = self.core.select_sql
        # a source is as fresh as its earliest-captured active fact (health); '' and NULL
        # are no day, and a fact with no source dates none (the engine's MIN skips NULLs).
        # Only a fact captured before stale_before can make its source stale, and then the
        # earliest of those is its earliest: only they are grouped (the engine sorts what it
        # groups; every fact of a fresh 100k-fact store was 15 ms of a 130 ms health)
        oldest = sql("facts", "status = 'active' AND captured_at > '' AND captured_at < ? "
                     "GROUP BY source_id", [stale_before], at,
                     columns="source_id AS s, MIN(captured_at) AS d")
        # the subjects with a shared group (a period left out is one to health.findings,
        # null or empty). doltlite sorts what it groups: by the three columns (a subject
        # once for each of its shared groups) it sorts no string made for each fact, as
        # a count of each subject's distinct keys does (44 -> 35 ms at 100k facts); a Dolt
        # server takes a group per subject for a fraction of one per key (320 ms against
        # 530), and a key it takes for another (a separator in a name) only adds a subject
        shared = (sql("facts", "status = 'active' GROUP BY subject_id, predicate, "
                      "COALESCE(period, '') HAVING COUNT(*) > 1", [], at,
                      columns="subject_id AS s")
                  if self.core.backend.kind == "doltlite" else
                  sql("facts", "status = 'active' GROUP BY subject_id HAVING COUNT(*) > "
                      "COUNT(DISTINCT CONCAT(predicate, '|', COALESCE(period, '')))", [], at,
                      columns="subject_id AS s"))
        flagged = sql("facts", *self._flagged(), at, columns="id")
        return [shared, flagged, oldest]

    def _flagged(self) -> tuple[str, list[Any]]:
        """FLAGGED and its parameters, as the backend's engine tests it fastest."""
        if self.core.backend.kind == "doltlite":
            return FLAGGED_DOLTLITE, BEYOND_ASCII
        return FLAGGED, WHITESPACE

    def _facts_to_check(self, at: str | None, shared: list[Row], flagged: list[Row],
                        oldest: list[Row]) -> tuple[list[Row], dict[str, str]]:
        """The active facts health can find something about, the engine choosing them from
        the rest (most of a large store): those without a source, whose quote is empty or
        starts with white space (health strips it), that supersede another, or whose subject
        has two facts of one predicate and period (every fact of such a subject: a shared
        group, or more); and each source's earliest captured_at among its active facts (the
        engine's MIN, not a read of its facts). health.findings gives the same findings from
        these as from every fact. From the rows of _facts_scans: the subjects with a shared
        group, the ids of the flagged facts, each source's earliest day (if it is one that
        makes the source stale)."""
        days = {r["s"]: str(r["d"]) for r in oldest if r["s"]}
        subjects = sorted({r["s"] for r in shared})
        if len(subjects) > SHARED_AT_MOST:  # many: reading every fact is cheaper
            return self.core.select("facts", "status = 'active'", [], at), days
        ids = [r["id"] for r in flagged]
        sql = self.core.select_sql
        if len(ids) > FLAGGED_AT_MOST:  # many: one read of them all beats reads by id
            reads = [sql("facts", *self._flagged(), at)]
        else:
            reads = self._facts_in("id", sorted(ids), at)
        by_subject = self._facts_in("subject_id", subjects, at)
        found = self.core.select_all([*reads, *by_subject], at)
        rows = {r["id"]: r for part in found[:len(reads)] for r in part}
        # all their subjects' facts: health.findings groups them itself, exactly
        rows.update((r["id"], r) for part in found[len(reads):] for r in part)
        return list(rows.values()), days

    def _facts_in(self, column: str, values: list[str], at: str | None
                  ) -> list[tuple[str, list[Any]]]:
        """Reads of the active facts whose `column` (id or subject_id: both lead an index)
        is one of values, whole, a chunk of values each."""
        return self._in("facts", column, values, at, where="status = 'active' AND ")

    def _in(self, table: str, column: str, values: list[str], at: str | None, *,
            where: str = "", columns: str = "*") -> list[tuple[str, list[Any]]]:
        """Reads of the rows of `table` whose `column` is one of values (after `where`, a
        condition ending in AND), a chunk of 500 values each."""
        return [self.core.select_sql(
            table, f"{where}{column} IN ({', '.join('?' * len(chunk))})", chunk, at,
            columns=columns) for chunk in (values[start:start + 500]
                                           for start in range(0, len(values), 500))]

    def export(self, *, as_of: str | None = None) -> dict[str, Any]:
        from factstore.name_index import gc_paused

        # an export is a few hundred thousand small dicts and tuples, none in a cycle: the
        # cyclic GC scanning them again and again was a third of a 100k-fact export's time
        with gc_paused():
            at = self.core.backend.pin(self.core.at(as_of))  # one commit, on a server
            found = self._export_rows(at)
            return self._export_whole(at) if found is None else _filled(*found)

    def export_text(self, fmt: ExportFormat = "yaml", *, table: str | None = None,
                    as_of: str | None = None, write: Writer | None = None) -> ExportText:
        """The export as `facts export` writes it: `dump(export(), fmt)`'s text (CSV: one
        table's, `dump_csv`), made straight from the rows (factstore.export.yaml_pieces,
        json_pieces), a block of them at a time, with no document of dicts. With `write`,
        each block's text is handed to it as it is made (the text returned is empty): a 1M-fact
        export then holds a block, not the text of every row."""
        from factstore.name_index import gc_paused

        if (fmt == "csv") != (table is not None):
            raise InvalidInput("table: CSV holds one table (definitions or facts), and only "
                               "CSV is of one table")
        with gc_paused():
            at = self.core.backend.pin(self.core.at(as_of))  # one commit, on a server
            doc, pieces, counts = self._export_pieces(fmt, table, at)
            if write is None:
                text = "".join(pieces)
            else:
                text = ""
                for piece in pieces:
                    write(piece)
        return ExportText(text=text, counts=counts, fiscal_year_start_month=_month(doc))

    def _export_pieces(self, fmt: ExportFormat, table: str | None, at: str | None
                       ) -> tuple[dict[str, Any], Iterator[str], dict[str, int]]:
        """The export's document header, its text in pieces, and each section's count of
        records (filled in as the pieces are taken)."""
        from factstore.export import dump, json_pieces, records, spelled, yaml_pieces
        from factstore.import_csv import dump_csv

        found = self._export_rows(at)
        if found is None:  # a commit made before a column existed: every row whole
            doc = self._export_whole(at)
            text = dump(doc, fmt) if table is None else dump_csv(doc[table], table)
            return doc, iter([text]), {name: len(doc[name])
                                       for name in (TABLES if table is None else (table,))}
        doc, sections = found
        counts = dict.fromkeys(TABLES if table is None else (table,), 0)
        report = self._export_progress(at, counts)

        def counted(name: str, blocks: Iterator[list[tuple[Any, ...]]]
                    ) -> Iterator[list[tuple[Any, ...]]]:
            for rows in blocks:
                if report is not None:
                    report(len(rows))
                rows = spelled(rows) if name == "aliases" else rows
                counts[name] += len(rows)
                yield rows

        if table is not None:  # its header, then a block of rows at a time
            blocks = counted(table, sections[table])
            return doc, itertools.chain([dump_csv([], table)], (
                dump_csv(records(table, rows), table, header=False) for rows in blocks)), counts
        rows = {name: counted(name, blocks) for name, blocks in sections.items()}
        if fmt == "json" or fmt == "jsonl":  # (mypy narrows this, not `in`)
            return doc, json_pieces(doc, rows, fmt), counts
        return doc, yaml_pieces(doc, rows), counts

    def _export_progress(self, at: str | None, tables: Iterable[str]
                         ) -> Callable[[int], None] | None:
        """For an export of EXPORT_PROGRESS_ROWS rows or more, when the store reports
        progress: a function of the rows each block read, reporting ("exporting", rows so
        far, the tables' rows)."""
        progress = self.core.progress
        if progress is None:
            return None
        total = sum(rows[0]["n"] for rows in self.core.select_all(
            [self.core.select_sql(name, "1 = 1", [], at, columns="COUNT(*) AS n")
             for name in tables], at))
        if total < EXPORT_PROGRESS_ROWS:
            return None
        done = [0]

        def report(rows: int) -> None:
            done[0] += rows
            progress("exporting", done[0], total)

        return report

    def _export_rows(self, at: str | None
                     ) -> tuple[dict[str, Any], dict[str, Iterator[list[tuple[Any, ...]]]]] | None:
        """The export document with its sections left empty, and each section's rows of its
        record's columns, as tuples (a dict per row, and a loop over its fields, was most of
        a 100k-fact export), in blocks read as they are taken (Backend.query_blocks); an
        alias row ends with its `spellings` (factstore.export.spelled gives a row for each).
        Every statement is run here, in order, before any row is read. None for a commit
        made before a column existed: every row whole then."""
        from factstore.errors import FactstoreError
        from factstore.export import BLOCK, columns, document

        try:
            sections: dict[str, Iterator[list[tuple[Any, ...]]]] = {}
            for name, table in TABLES.items():
                source, params = ((name, []) if at is None
                                  else self.core.backend.table_at(name, at))
                more = ", spellings" if name == "aliases" else ""
                sections[name] = self.core.backend.query_blocks(
                    f"SELECT {', '.join(columns(name))}{more} FROM {source} "
                    f"ORDER BY {', '.join(table.key)}", params, BLOCK)
        except FactstoreError:
            return None
        doc = document({name: [] for name in sections}, self.core.start_month(at))
        return doc, sections

    def _export_whole(self, at: str | None) -> dict[str, Any]:
        from factstore.export import document

        tables = {name: self.core.select(name, "1 = 1", [], at, ", ".join(table.key))
                  for name, table in TABLES.items()}
        return document(tables, self.core.start_month(at))


def _filled(doc: dict[str, Any], sections: dict[str, Iterator[list[tuple[Any, ...]]]]
            ) -> dict[str, Any]:
    """The export document with its sections' records made from their rows."""
    from factstore.export import records, spelled

    for name, blocks in sections.items():
        out = doc[name]
        for rows in blocks:  # each block's tuples freed before the next is read
            out += records(name, spelled(rows) if name == "aliases" else rows)
    return doc


def _month(doc: dict[str, Any]) -> int | None:
    """The export document's calendar's first month, if it sets one."""
    return doc["calendar"]["fiscal_year_start_month"] if "calendar" in doc else None


def _stale_before(day: date, max_age_days: int) -> str:
    """The ISO day a source or fact captured before is stale on `day` (health._stale: more
    than max_age_days before it); a string compares to captured_at's as the days do."""
    try:
        return (day - timedelta(days=max_age_days)).isoformat()
    except OverflowError:  # before the first day there is: nothing is that old
        return date.min.isoformat()


__all__ = [
    "ALIAS_NAMES", "BEYOND_ASCII", "DEFAULT_MAX_SOURCE_AGE", "ENTITY_NAMES",
    "EXPORT_PROGRESS_ROWS", "FLAGGED", "FLAGGED_AT_MOST", "FLAGGED_DOLTLITE", "LED_BY_SPACE",
    "NAMES_GROUPED", "SHARED_AT_MOST", "SOURCE_KINDS", "STATUSES", "WHITESPACE", "Reads"
]
