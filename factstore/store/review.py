"""Review: what a page about one row shows (an entity with its names, relations and labelled
facts; a term with every scope's definition), search across ids, terms and names, and the
proposal workflow on branches (who proposed, approve = merge by someone else, reject).

The review site (factstore.web) and anything else that presents the store read these; the
rules (no self-approval, labels of competing facts) live here, not in a page.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Literal

from pydantic import Field

from factstore.authors import check_author
from factstore.backends import versioning
from factstore.context import _label as label_of
from factstore.errors import InvalidInput, NotFound, Refused
from factstore.models import Commit, Result, WriteResult, authority_of
from factstore.resolver import AliasIndex, normalize
from factstore.schema import TABLES, Row, key_from_id, table_for_id
from factstore.store.core import RENDER_LOG_COMMIT, StoreCore
from factstore.store.names import Names
from factstore.store.sharing import IMPORTS, Sharing, check_branch_name
from factstore.store.timeline import Timeline

_LIVE = "status <> 'retracted'"
MAX_HITS = 20
CHUNK = 500  # ids per IN (...) list


class Hit(Result):
    """One thing a search found."""

    id: str
    label: str
    kind: str  # entity kind, or the table's singular (definition, fact, source…)
    matched_by: Literal["id", "term", "name", "alias", "resolver"]
    score: int | None = None  # the resolver's (0-100)
    former: bool = False  # found through a name the entity no longer goes by
    detail: str | None = None  # a definition's scope, the resolver's reasons


class Search(Result):
    query: str
    status: Literal["found", "choice", "none"]  # one hit, several to choose from, nothing
    hits: list[Hit]


class LabelledFact(Result):
    """A fact as a pack would present it among its competitors for one predicate and period:
    current, conflicting, outranked or superseded (or its own status: proposed, deprecated)."""

    row: dict[str, Any]
    label: str
    note: str | None = None
    other: str | None = None  # the fact the note is about
    source: dict[str, Any] | None = None


class FactGroup(Result):
    predicate: str
    period: str | None
    facts: list[LabelledFact]


class Link(Result):
    """A relation seen from one entity: the other side's id and name."""

    id: str  # the relation's id (rel:SRC/REL/DST)
    rel: str
    direction: Literal["out", "in"]
    other: str
    other_name: str
    row: dict[str, Any]


class ItemView(Result):
    """One row with what its page shows: for an entity its aliases, relations and facts
    grouped by predicate and period; for a definition every scope of its term."""

    id: str
    table: str
    row: dict[str, Any]
    source: dict[str, Any] | None = None
    aliases: list[dict[str, Any]] = Field(default_factory=list)
    links: list[Link] = Field(default_factory=list)
    groups: list[FactGroup] = Field(default_factory=list)
    # definitions of the same term, each with its "source"
    scopes: list[dict[str, Any]] = Field(default_factory=list)


class Proposal(Result):
    """A branch of proposed changes, seen from the branch it would be merged into."""

    name: str
    into: str
    base: str  # where it left `into`
    head: str
    commits: list[Commit]  # its own, oldest first
    author: str | None  # of its first commit: who proposed it
    open: bool  # it holds commits `into` does not have


class Review:
    def __init__(self, core: StoreCore, names: Names, timeline: Timeline,
                 sharing: Sharing) -> None:
        self.core = core
        self.names = names
        self.timeline = timeline
        self.sharing = sharing
        self._into: tuple[AliasIndex, dict[str, set[str]]] | None = None

    # -- search ---------------------------------------------------------------------------

    def search(self, query: str) -> Search:
        """Ids, defined terms, and names through the resolver (exact names and aliases score
        highest; former names are marked). Several hits are a choice, never a guess."""
        query = query.strip()
        if not query:
            raise InvalidInput("q: type a name, term or id")
        hits: list[Hit] = []
        table = table_for_id(query)
        try:
            rows = self.core.select(table.name, table.where_key(), key_from_id(query), None)
        except InvalidInput:
            rows = []
        if rows:
            kind = rows[0]["kind"] if table.name == "entities" else table.singular
            hits.append(Hit(id=table.item_id(rows[0]), label=_label(table.name, rows[0]),
                            kind=str(kind), matched_by="id"))
        for d in self.names.terms(query):
            hits.append(Hit(id=d["id"], label=d["term"], kind="definition", matched_by="term",
                            detail=f"scope {d['scope']}" if d["scope"] else None))
        answer = self.names.resolve(query)
        for c in answer.candidates:
            if any(h.id == c.id for h in hits):
                continue
            former = any(r.startswith("former name") for r in c.reasons)
            how: Literal["name", "alias", "resolver"] = "resolver"
            if c.reasons and c.reasons[0] == "exact entity name":
                how = "name"
            elif c.reasons and c.reasons[0].startswith("exact "):
                how = "alias"
            hits.append(Hit(id=c.id, label=c.name, kind=c.kind, matched_by=how, score=c.score,
                            former=former, detail="; ".join(c.reasons)))
        hits = hits[:MAX_HITS]
        status: Literal["found", "choice", "none"] = (
            "none" if not hits else "found" if len(hits) == 1 else "choice")
        return Search(query=query, status=status, hits=hits)

    # -- one row's page -------------------------------------------------------------------

    def item(self, item_id: str) -> ItemView:
        table = table_for_id(item_id)
        rows = self.core.select(table.name, table.where_key(), key_from_id(item_id), None)
        if not rows:
            raise NotFound(f"no {table.singular} {item_id!r}")
        row = rows[0]
        sources = self._sources([row.get("source_id")])
        view = ItemView(id=table.item_id(row), table=table.name, row=row,
                        source=sources.get(row.get("source_id") or ""))
        if table.name == "entities":
            self._entity(view)
        elif table.name == "definitions":
            wanted = normalize(row["term"])
            scopes = [d for d in self.core.select("definitions", _LIVE, [], None, "id")
                      if normalize(d["term"]) == wanted]
            if row["status"] == "retracted":
                scopes.append(row)
            found = self._sources([d["source_id"] for d in scopes])
            view.scopes = [{**d, "source": found.get(d["source_id"] or "")} for d in scopes]
        return view

    def _entity(self, view: ItemView) -> None:
        ident = view.id
        view.aliases = self.core.select("aliases", "entity_id = ?", [ident], None,
                                        "alias_kind, alias")
        out = self.core.select("relations", f"src_id = ? AND {_LIVE}", [ident], None,
                               "rel, dst_id")
        into = self._incoming(ident)
        others = {r["dst_id"] for r in out} | {r["src_id"] for r in into}
        names = self._names(others)
        rel = TABLES["relations"]
        view.links = [Link(id=rel.item_id(r), rel=r["rel"], direction="out", other=r["dst_id"],
                           other_name=names.get(r["dst_id"]) or r["dst_id"], row=r) for r in out]
        view.links += [Link(id=rel.item_id(r), rel=r["rel"], direction="in", other=r["src_id"],
                            other_name=names.get(r["src_id"]) or r["src_id"], row=r)
                       for r in into]
        facts = self.core.select("facts", f"subject_id = ? AND {_LIVE}", [ident], None,
                                 "predicate, period, id")
        view.groups = self.label_facts(facts)

    def _incoming(self, ident: str) -> list[Row]:
        """Live relations into an entity. Relations are keyed by their source: the alias
        index's list of them (read once per store version) says which sources to look up."""
        index = self.names.index(self.core.head())
        if self._into is None or self._into[0] is not index:
            into: dict[str, set[str]] = defaultdict(set)
            for src, _, dst in index.relations:
                into[dst].add(src)
            self._into = (index, into)
        sources = sorted(self._into[1].get(ident, ()))
        found: list[Row] = []
        for start in range(0, len(sources), CHUNK):
            part = sources[start:start + CHUNK]
            found += self.core.select(
                "relations", f"src_id IN ({','.join('?' * len(part))}) AND dst_id = ? AND "
                f"{_LIVE}", [*part, ident], None)
        return sorted(found, key=lambda r: (r["rel"], r["src_id"]))

    def label_facts(self, facts: list[Row]) -> list[FactGroup]:
        """Facts grouped by predicate and period, each labelled as a context pack labels it:
        by source authority, then recency; equal authority and another value conflicts."""
        sources = self._sources([r["source_id"] for r in facts])
        superseded_by = {r["supersedes"]: r["id"] for r in facts
                         if r["supersedes"] and r["status"] == "active"}

        def strength(r: Row) -> tuple[int, str, str]:
            s = sources.get(r["source_id"] or "")
            return (authority_of(s), (s or {}).get("captured_at") or "", r["id"])

        groups: dict[tuple[str, str], list[Row]] = defaultdict(list)
        for r in facts:
            groups[(r["predicate"], r["period"] or "")].append(r)
        found = []
        for (predicate, period), group in sorted(groups.items()):
            live = sorted((r for r in group if r["id"] not in superseded_by
                           and r["status"] == "active"), key=strength, reverse=True)
            labelled = []
            for r in live:
                status, note, other = label_of(r, live, lambda row: strength(row)[0])
                labelled.append(LabelledFact(row=r, label=status, note=note, other=other,
                                             source=sources.get(r["source_id"] or "")))
            for r in group:
                if r["id"] in superseded_by:
                    labelled.append(LabelledFact(row=r, label="superseded",
                                                 note="superseded by {other}",
                                                 other=superseded_by[r["id"]],
                                                 source=sources.get(r["source_id"] or "")))
                elif r["status"] != "active":
                    labelled.append(LabelledFact(row=r, label=r["status"],
                                                 source=sources.get(r["source_id"] or "")))
            for f in labelled:
                f.note = f.note.format(other=f.other) if f.note else None
            found.append(FactGroup(predicate=predicate, period=period or None, facts=labelled))
        return found

    def _sources(self, ids: list[Any]) -> dict[str, Row]:
        wanted = sorted({i for i in ids if i})
        if not wanted:
            return {}
        marks = ",".join("?" * len(wanted))
        return {r["id"]: r for r in self.core.select("sources", f"id IN ({marks})", wanted,
                                                      None)}

    def _names(self, ids: set[str]) -> dict[str, str]:
        wanted = sorted(ids)
        if not wanted:
            return {}
        marks = ",".join("?" * len(wanted))
        return {r["id"]: r["name"] for r in self.core.select(
            "entities", f"id IN ({marks})", wanted, None)}

    # -- proposals ------------------------------------------------------------------------

    def proposals(self, into: str = "main") -> list[Proposal]:
        """Every branch but `into` and the import branches, newest first."""
        theirs, line = self._reachable(into), self._own_line(into)
        found = [self.proposal(b.name, into=into, theirs=theirs, line=line)
                 for b in self.sharing.branches()
                 if b.name != into and not b.name.startswith(IMPORTS)]
        return sorted(found, key=lambda p: p.commits[-1].date if p.commits else "",
                      reverse=True)

    def proposal(self, name: str, *, into: str = "main", theirs: set[str] | None = None,
                 line: set[str] | None = None) -> Proposal:
        """Branch `name` as a proposal into `into`: its own commits are those on its line
        that `into` does not hold (`theirs`: every commit reachable from into), so a
        proposal that took `into` in (a merge of main, to settle a conflict) does not count
        into's commits, the history before it included, as its own. Once merged, into holds
        them all: they are then those before its line meets into's own (`line`: into's
        first-parent line), beside which the approval merged them."""
        if name == into or name.startswith(IMPORTS) or not versioning.has_branch(
                self.core.backend, name):
            raise NotFound(f"no proposal {name!r}")
        base = versioning.merge_base(self.core.backend, into, name)
        head = versioning.branch_head(self.core.backend, name) or base
        if head == base:  # merged, or nothing proposed yet
            theirs = self._own_line(into) if line is None else line
        else:
            theirs = ({base} | self._reachable(into)) if theirs is None else {base} | theirs
        own = []
        for c in self.timeline.line(head).commits:
            if c.commit in theirs:
                break
            if not c.message.startswith(RENDER_LOG_COMMIT):
                own.append(c)
        own.reverse()
        return Proposal(name=name, into=into, base=base, head=head, commits=own,
                        author=own[0].author if own else None, open=head != base)

    def _own_line(self, branch: str) -> set[str]:
        head = versioning.branch_head(self.core.backend, branch)
        return {c.commit for c in self.timeline.line(head).commits} if head else set()

    def _reachable(self, branch: str) -> set[str]:
        head = versioning.branch_head(self.core.backend, branch)
        return set(versioning.commits_from(self.core.backend, head)) if head else set()

    def approve(self, name: str, *, author: str | None, prefer: str | None = None
                ) -> WriteResult:
        """Merge a proposal into this branch, by someone who made none of its commits."""
        who = check_author(author)
        found = self.proposal(name, into=self.core.branch)
        if not found.open:
            raise Refused(f"proposal {name!r} holds nothing {self.core.branch} does not have")
        own = [c.author for c in found.commits if same_person(c.author, who)]
        if own:
            raise Refused(f"{who} made commits of proposal {name!r}; someone else must "
                          "approve it")
        return self.sharing.merge(name, author=who, prefer=prefer)

    def reject(self, name: str) -> None:
        """Delete a proposal's branch (its commits stay in the repository's history only)."""
        check_branch_name(name)
        if name == self.core.branch:
            raise Refused(f"branch {name!r} is the one this store reads and writes")
        self.proposal(name, into=self.core.branch)
        versioning.delete_branch(self.core.backend, name)


def same_person(one: str | None, other: str | None) -> bool:
    """Two authors are one person when their emails match (case aside)."""
    def email(author: str | None) -> str:
        text = (author or "").strip()
        return text[text.rfind("<") + 1:].rstrip(">").strip().casefold() if "<" in text \
            else text.casefold()

    return bool(one and other) and email(one) == email(other)


def _label(table: str, row: Row) -> str:
    for key in ("name", "term", "title", "alias"):
        if row.get(key):
            return str(row[key])
    return TABLES[table].item_id(row)


__all__ = [
    "CHUNK", "MAX_HITS", "FactGroup", "Hit", "ItemView", "LabelledFact", "Link", "Proposal",
    "Review", "Search", "same_person"
]
