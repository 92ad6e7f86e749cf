"""Resolving names to entities: which "Acme"?

Aliases go into an index (name_index.py: exact keys with other spellings, acronyms and ticker
symbols; word tokens; character trigrams) so a query never scans every alias. Each entity a
name may mean gathers evidence, every piece a weight in log-odds (evidence.py, tuned and
measured by bench/bench_resolver.py): how its best alias matches the name (exactly, with or
against a legal form, as an acronym, as the first words of a longer name, or by whole-name
similarity), whether the context names entities near it in the graph of relations or
another entity of a kind it has (another city), a kind other than the one asked for, a former
alias. With "nobody: the name is not in the store" as one more alternative, the weights give
each candidate a probability - its score. The best is `resolved` at the config's
`resolve_at`; otherwise the answer is `ambiguous` (the caller decides) or, when no candidate
is likely on its own, `unknown`. Every candidate says why it scored what it did.
"""

from __future__ import annotations

import math
import re
from array import array
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from itertools import pairwise
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from factstore import name_index
from factstore.name_index import (
    REPORT_EVERY, Postings, gc_paused, gram_postings, most_common, top_vectorised, trigrams,
)
from factstore.name_index import Progress as Progress  # the store's modules import it here
from factstore.name_keys import (  # (re-exported: the store's modules import them here)
    APOSTROPHE, APOSTROPHES, ASCII_NOT_WORD, DOTTED_LETTER, FOLD, FORM_RUN_SIZES, FORM_RUNS,
    LEGAL_FORMS, LEGAL_SUFFIXES, MORE_FORMS, NAME_PARTICLES, NOT_WORD, SHORT_CAPS, STOPWORDS,
    TRANSLITERATE,
    acronym, full_name, has_apostrophe, legal_form, match_key, normalize, normalize_0004,
    short_caps, spellings, split_form, strip_legal_suffix,
)
from factstore.context_kinds import said_by, said_with
from factstore.name_forms import forms_by_kind, weigh_form, written_as_form
from factstore.context_words import SLIP_NEIGHBOURS_MOST, proper_name, weigh_loose, weigh_unplaced
from factstore.name_likeness import SLIP_ALIKE_FROM, SLIP_FROM
from factstore.name_likeness import slip as _slip
from factstore.name_likeness import unlike as _unlike
from factstore.schema import alias_spellings

# factstore.evidence (and pydantic) is imported when a name is first resolved: a command that
# only normalises names (every exact lookup) starts without it.
if TYPE_CHECKING:
    from factstore.evidence import PRESETS as PRESETS
    from factstore.evidence import Candidate as Candidate
    from factstore.evidence import Evidence, ResolverConfig
    from factstore.evidence import Resolution as Resolution


def __getattr__(name: str) -> Any:
    """PRESETS, Candidate and Resolution, here as they were before evidence.py."""
    if name in ("PRESETS", "Candidate", "Resolution"):
        from factstore import evidence

        return getattr(evidence, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _default_config() -> ResolverConfig:
    from factstore.evidence import DEFAULT

    return DEFAULT


EXACT_LEVELS = frozenset({"exact_full", "exact", "legal_form_differs", "acronym"})
IDENTIFIERS = frozenset({"ticker", "code"})  # alias kinds that are symbols, not names
RARE_MOST = 3  # a word of the query at most this many aliases have is a rare one
ALIKE_FROM = 75  # similarity of two names of one kind that may be one name with a slip
# a word, and the hyphen or comma that joins it to the next ("Baker-Bates"; not "Gomes - ME")
COMPOUND_JOIN = re.compile(r"([^\W_](?:[^\s,\-]*[^\W_])?)(-(?=[^\W_])|,\s*[^\W_])?")
NEAR3_FROM_MOST = 1_000  # neighbours of a context entity looked through for a path of three
KINDS_FROM = 64  # names of a context word looked at to know which kinds of entity it names
# A word of the query is another name than the name's word it is most like ("charlotte" is
# not "charles", "christina" not "christopher") when the two begin alike (DIFFER_PREFIX
# letters) and then part: DIFFER_EDITS edits apart or more (a slip is one or two), and
# neither holds the other (an initial, a short form "chris", a word split in two).
DIFFER_EDITS = 3
DIFFER_PREFIX = 3


@dataclass
class _Alias:
    entity: str
    text: str
    normalized: str
    kind: str  # name, abbreviation, former, ticker, code, or "entity name"
    valid_from: str | None
    valid_to: str | None

    @property
    def full(self) -> str:
        """full_name(text): keeps the legal form (only exact hits need it)."""
        return full_name(self.text)


@dataclass
class AliasTable:
    """Every alias as columns; an _Alias is made only when one is read (a million objects
    would cost seconds to build and to load). Index i is the alias id used by the postings."""

    entity: Sequence[str]
    text: Sequence[str]
    normalized: Sequence[str]
    kind: Sequence[str]
    valid_from: Sequence[str | None]
    valid_to: Sequence[str | None]

    @classmethod
    def of(cls, rows: dict[str, dict[str, Any]], aliases: list[dict[str, Any]]) -> AliasTable:
        """Each entity's name, then the aliases of known entities, in order: every live
        spelling of an alias row (spellings of one name share its normalised key, so they
        are one key to the index, each with its own kind and dates)."""
        entities = list(rows.values())
        aliases = [a for a in aliases if a["entity_id"] in rows]
        if any(a.get("spellings") for a in aliases):
            aliases = [{**s, "entity_id": a["entity_id"], "normalized": a["normalized"]}
                       for a in aliases for s in alias_spellings(a)
                       if s["status"] != "retracted"]
        none: list[str | None] = [None] * len(entities)
        return cls([e["id"] for e in entities] + [a["entity_id"] for a in aliases],
                   [e["name"] for e in entities] + [a["alias"] for a in aliases],
                   [normalize(e["name"]) for e in entities] + [a["normalized"] for a in aliases],
                   ["entity name"] * len(entities) + [a["alias_kind"] for a in aliases],
                   none + [a["valid_from"] for a in aliases],
                   none + [a["valid_to"] for a in aliases])

    def __len__(self) -> int:
        return len(self.entity)

    def __getitem__(self, i: int) -> _Alias:
        text = self.text[i]
        return _Alias(self.entity[i], text, self.normalized[i], self.kind[i],
                      self.valid_from[i], self.valid_to[i])

    def __iter__(self) -> Iterator[_Alias]:
        return (self[i] for i in range(len(self)))


@dataclass
class AliasIndex:
    """Everything needed to resolve, built once per store version (and cached on disk by the
    store, see index_cache.py)."""

    entities: Mapping[str, dict[str, Any]]
    aliases: AliasTable
    exact: Postings  # every spelling of a name, acronym or ticker symbol -> alias ids
    tokens: Postings  # word -> alias ids
    grams: Postings  # character trigram of the normalised name -> alias ids
    by_entity: Postings  # entity id -> alias ids
    relations: Sequence[tuple[str, str, str]]  # (src_id, rel, dst_id)
    graph: Any = None  # networkx.Graph of relations, built on first use of context
    origin: Path | None = None  # the cache file it was loaded from (None: built here)
    config: ResolverConfig = field(default_factory=_default_config)
    number_kinds: dict[int, set[str]] | None = None  # digits -> numbers names have (on first use)
    implies: dict[tuple[str, str], bool] = field(default_factory=dict)  # kinds (on first use)
    forms: dict[str, tuple[int, set[str]]] | None = None  # kind -> names read, their legal
    #                                                        forms (on first use)

    @classmethod
    def build(cls, entities: list[dict[str, Any]], aliases: list[dict[str, Any]],
              relations: list[dict[str, Any]], progress: Progress | None = None) -> AliasIndex:
        rows = {e["id"]: e for e in entities}
        table = AliasTable.of(rows, aliases)
        with gc_paused():
            exact, tokens, by_entity = _key_postings(table, progress)
            grams = gram_postings(table.normalized, progress)
        return cls(rows, table, exact, tokens, grams, by_entity,
                   [(r["src_id"], r["rel"], r["dst_id"]) for r in relations])

    # -- shortlist and evidence -------------------------------------------------------------

    def shortlist(self, query: str, limit: int = 200, budget: int = 4_000) -> list[int]:
        """Aliases worth scoring: those sharing a token or the query's rarest trigrams.

        The work is bounded by `budget` postings, whatever the number of aliases: rare
        grams are read first, and common ones (which tell little) only while budget remains.
        """
        picked: list[tuple[Sequence[int], int]] = []  # (bucket, points per alias in it)
        for token in set(query.split()) - STOPWORDS:
            bucket = self.tokens.bucket(token)
            if 0 < len(bucket) <= budget // 4:  # a token everybody has tells nothing
                picked.append((bucket, 3))
        spent = 0
        for size, gram in sorted((self.grams.size(g), g) for g in trigrams(query)):
            if spent + size > budget:
                break
            if size:
                spent += size
                picked.append((self.grams.bucket(gram), 1))
        if len(self.aliases) >= name_index.VECTORISE_FROM:
            return top_vectorised(picked, limit)
        hits: Counter[int] = Counter()
        for bucket, points in picked:
            hits.update(dict.fromkeys(bucket, points) if points > 1 else bucket)
        return most_common(hits, limit)

    def resolve(self, query: str, *, context: str | None = None, kind: str | None = None,
                on: str | None = None, config: ResolverConfig | None = None,
                question: bool = False) -> Resolution:
        """Resolve one name. `on` is the date (YYYY-MM-DD) aliases are judged valid at;
        `config` weighs the evidence (default: the index's, PRESETS["default"]);
        `question`: the context is the rest of a question the name is in, not something
        said about it ("Umsatz" of "Umsatz Müller Kältetechnik FY26-Q2" is no town)."""
        from factstore.evidence import decide

        config = config or self.config
        found, unlisted = self.evidence(query, context=context, kind=kind, on=on,
                                        config=config, question=question)
        return decide(query, found, unlisted, config, self.entities)

    def evidence(self, query: str, *, context: str | None = None, kind: str | None = None,
                 on: str | None = None, config: ResolverConfig | None = None,
                 question: bool = False) -> tuple[dict[str, Evidence], int]:
        """Each entity the name may mean, with its evidence; and how many more aliases hold
        the query's rarest word than were looked at (each one more alternative)."""
        config = config or self.config
        q = normalize(query)
        found: dict[str, Evidence] = {}
        if not q:
            return found, 0
        form = legal_form(query)
        hit, full_hit = self._exact(found, query, q, form, on, config)
        caps = short_caps(query)
        # a short all-capitals token is an acronym, term or ticker: exact hits only, and never
        # a word of a longer name ("ARR" is not "Company ARR", nor inside "Sparrow")
        unlisted = 0 if caps else self._words(found, q, form, on, config)
        if not hit:
            self._fuzzy(found, q, form, self.shortlist(q), config.fuzzy_from, 20, on, config)
        mentioned, loose = self._read_context(context) if context else (set(), [])
        # Even after an exact hit the context may point at another entity (two people of one
        # name) - unless the query gave a full legal name that matched exactly: "Acme
        # Corporation" is that company, whatever short name a neighbour of the context has.
        if mentioned and not full_hit and not (caps and hit):
            self._fuzzy_near(found, q, form, mentioned, on, config)
        # a context that is one proper name ("Sainte Édith", "Carvalho") names a place or
        # party a candidate nothing of it is for is not next to (weigh_unplaced)
        said = context.strip() if context and not question and proper_name(context) else ""
        # an entity the context names is evidence, unless it is a candidate the name itself
        # may mean ("Merle-la-Forêt" for "Merle SA" is its town, whose name holds its word)
        self._weigh_context(found, mentioned - {e for e, ev in found.items()
                                                if ev.level not in ("leading_words", "words")},
                            [w for w in loose if w not in q.split()], kind, question,
                            bool(said) and not mentioned)
        if said:
            weigh_unplaced(self._graph().adj if self.relations else {}, self.entities, found,
                           said, mentioned)
        rivals: set[str] = set()  # longer names with the form: kept beside an exact hit
        if form:  # "Ribeiro Ltda." is no town; nor "Krupka sro" beside Krupka Nářadí s.r.o.
            self.forms = self.forms or forms_by_kind(self.entities.values())
            rivals = weigh_form(found, self.entities, self.forms, form, written_as_form(query))
        if hit:  # a name met exactly beats longer names holding it, unless the context
            for entity in [e for e, ev in found.items()  # points at one of them, or their
                           if ev.level in ("leading_words", "words")  # name has the form
                           and not any(d <= 2 for d, _, _ in ev.near) and e not in rivals]:
                del found[entity]
        if len(found) == 1 and not unlisted:
            next(iter(found.values())).alone = True
        _one_word(found, q, self.tokens, self.aliases.entity, config.words_most)
        return found, unlisted

    def _exact(self, found: dict[str, Evidence], query: str, q: str, form: str,
               on: str | None, config: ResolverConfig) -> tuple[bool, bool]:
        """Exact hits on any spelling of the name; (any hit, a hit with its legal form)."""
        from factstore.evidence import Evidence

        commonness: dict[str, float] = {}  # entity -> how common its name is
        hit = full_hit = False
        for key in spellings(query, q):
            for i in self.exact.bucket(key):
                hit = True
                alias = self.aliases[i]
                level, how = self._exact_level(key, form, alias)
                full_hit |= level == "exact_full"
                if alias.entity not in commonness:
                    commonness[alias.entity] = _commonness(self, match_key(key),
                                                           entity=alias.entity)
                self._offer(found, alias, Evidence(level, 100, how,
                                                   common=commonness[alias.entity]), on, config)
        return hit, full_hit

    def _exact_level(self, key: str, form: str, alias: _Alias) -> tuple[str, str]:
        if key in spellings(alias.text, alias.normalized):
            level, how = "exact", f"exact {alias.kind}"
        elif alias.kind == "ticker":  # its symbol
            level, how = "exact", "exact ticker"
        else:
            return "acronym", "exact acronym"
        theirs = self._form_of(alias)
        if form and theirs and form != theirs:  # the query names another legal form
            return "legal_form_differs", f"{how} {alias.text!r}, legal form differs"
        return ("exact_full" if form and theirs else level), how

    def _form_of(self, alias: _Alias) -> str:
        """The legal form of an alias, else of its entity's name."""
        return legal_form(alias.text) or legal_form(self.entities[alias.entity]["name"])

    def _forms(self, evidence: Evidence, form: str, alias: _Alias) -> Evidence:
        """A name that is not exact, whose legal form is another than the query's."""
        theirs = self._form_of(alias) if form else ""
        if theirs and theirs != form:
            evidence.form_differs = f"legal form {theirs}, not {form}"
        if form and evidence.level in ("leading_words", "words"):  # it said the whole name
            evidence.cut_short = f"the name asked for ends in {form}; {alias.text!r} is longer"
        return evidence

    def _words(self, found: dict[str, Evidence], q: str, form: str, on: str | None,
               config: ResolverConfig) -> int:
        """Longer names holding every word of the query: its first words ("Tern" for "Tern
        Systems") or others. Returns how many aliases hold the rarest word when there are
        too many to look at (a word many names share tells little)."""
        from factstore.evidence import Evidence

        said = q.split()
        words = set(said) - STOPWORDS
        if not words:
            return 0
        size, rarest = min((self.tokens.size(w), w) for w in words)
        if size > config.words_most:
            return size
        common = _commonness(self, match_key(q))
        for i in self.tokens.bucket(rarest):
            # as stored, or as matched ("lodz" of "Łódź Pharma"): the words the token index has
            theirs = next((t for t in map(str.split, self._keys_of(i))
                           if len(t) > len(said) and words <= set(t)), None)
            if theirs is None:
                continue
            alias = self.aliases[i]
            if alias.entity in found and found[alias.entity].level in EXACT_LEVELS:
                continue  # met exactly under another alias: a longer one adds nothing
            if theirs[:len(said)] == said and _compound_at(alias.text, said[-1]):
                # "Blanc" of the town Blanc-sur-Colin, "Brooks" of Brooks, Mason and Mccann:
                # the first part of a name made of several, not its short form
                evidence = Evidence("words", 100, f"the first part of {alias.text!r}")
            elif theirs[:len(said)] == said:
                evidence = Evidence("leading_words", 100, f"leading words of {alias.text!r}")
            elif said[0] == theirs[0] and _in_order(said[1:], theirs[1:]):
                evidence = Evidence("leading_words", 100,
                                    f"its first word, then words of {alias.text!r} in order")
            else:
                evidence = Evidence("words", 100, f"words of {alias.text!r}")
            evidence.common = common  # of the words it shares with the query
            self._offer(found, alias, self._forms(evidence, form, alias), on, config)
        return 0

    def _keys_of(self, i: int) -> list[str]:
        """Alias i's keys: as stored first, then as matched (letters folded, more forms
        dropped) and transliterated, when they differ."""
        key, text = self.aliases.normalized[i], self.aliases.text[i]
        if text.isascii() and not has_apostrophe(text):
            return [key]  # (more forms dropped would be shorter: no longer name)
        return spellings(text, key)

    def _fuzzy(self, found: dict[str, Evidence], q: str, form: str, ids: Sequence[int],
               floor: int, limit: int | None, on: str | None, config: ResolverConfig) -> None:
        """Whole-name similarity of the aliases ids: the better of plain and word-sorted
        (so "Smith John" is "John Smith"), never a part of a longer name ("ARR" in
        "Sparrow")."""
        from rapidfuzz import fuzz, process

        from factstore.evidence import Evidence

        kinds = self.aliases.kind  # a code or ticker is met exactly or not at all
        ids = [i for i in ids if kinds[i] not in IDENTIFIERS]
        if not ids:
            return
        key = match_key(q)
        choices = [match_key(self.aliases.normalized[i]) for i in ids]
        best: dict[int, float] = {}
        for scorer in (fuzz.ratio, fuzz.token_sort_ratio):
            for _, score, pos in process.extract(key, choices, scorer=scorer,
                                                 score_cutoff=floor, limit=limit):
                best[pos] = max(score, best.get(pos, 0.0))
        # the query's rare words: "Tesssil Shipping" is not "Weiß Shipping", however alike
        said = key.split()
        rare = [w for w in said if self.tokens.size(w) <= RARE_MOST] or [
            min(said, key=self.tokens.size)]
        common = [w for w in said if w not in rare]  # names many stored entities carry
        for pos, score in best.items():
            alias = self.aliases[ids[pos]]
            evidence = Evidence("fuzzy", round(score), f"fuzzy {round(score)} {alias.text!r}")
            theirs = choices[pos].split()
            if unlike := _unlike(rare, said, theirs, config.rare_word_from):
                evidence.rare_word = f"no word like {unlike[0]!r}"
            evidence.other_words = _unlike(common, said, theirs, config.rare_word_from)
            evidence.differs = _differs(said, theirs)
            shared = [w for w in said if w not in dict(evidence.differs)]
            evidence.common = _commonness(self, " ".join(shared), theirs, alone=shared != said)
            self._offer(found, alias, self._forms(evidence, form, alias), on, config)

    def _fuzzy_near(self, found: dict[str, Evidence], q: str, form: str, mentioned: set[str],
                    on: str | None, config: ResolverConfig) -> None:
        """Entities next to what the context names are candidates too, even when the name's
        spelling kept them off the shortlist (the context narrows the search). An entity
        with more than near_search_most neighbours narrows nothing and is skipped."""
        if not self.relations:
            return  # nothing is next to anything (and networkx need not be imported)
        graph = self._graph()
        for named in mentioned:
            if named not in graph or graph.degree(named) > config.near_search_most:
                continue
            ids = [i for entity in graph.neighbors(named) if entity not in found
                   for i in self.by_entity.bucket(entity)]
            self._fuzzy(found, q, form, ids, config.near_fuzzy_from, None, on, config)

    def _offer(self, found: dict[str, Evidence], alias: _Alias, evidence: Evidence,
               on: str | None, config: ResolverConfig) -> None:
        if alias.kind == "former" or (on and alias.valid_to and alias.valid_to < on):
            evidence.former = "former name" + (f" until {alias.valid_to}" if alias.valid_to
                                               else "")
        if on and alias.valid_from and on < alias.valid_from:
            evidence.not_yet_valid = f"alias only from {alias.valid_from}"
        best = found.get(alias.entity)
        if best is None or evidence.alias_weight(config) > best.alias_weight(config):
            found[alias.entity] = evidence

    def _graph(self) -> Any:
        import networkx as nx  # type: ignore[import-untyped]

        if self.graph is None:
            self.graph = nx.Graph()
            for src, rel, dst in self.relations:
                self.graph.add_edge(src, dst, rel=rel, src=src)
        return self.graph

    def _weigh_context(self, found: dict[str, Evidence], named: set[str], loose: list[str],
                       kind: str | None, question: bool = False, unheld: bool = False) -> None:
        """The kind asked for, and the context: each entity it names (other than candidates)
        within two relations of a candidate is evidence for it; a kind of entity the context
        names that the candidate is related to, but not to any named, is against it; so is a
        word of the context that names no entity but is a word of the names of a kind of
        entity the candidate is related to, none of which has it (a birth date the store has
        never seen, but not the candidate's). `unheld`: the context is one proper name the
        store does not hold (context_words.weigh_loose: `whole`)."""
        if kind:
            for entity, evidence in found.items():
                theirs = self.entities[entity]["kind"]
                if theirs != kind:
                    evidence.kind_differs = f"kind {theirs}, not {kind}"
        if not (named or loose) or not self.relations:
            return
        adjacent = self._graph().adj
        kinds_of = {word: self._kinds_with_word(word) for word in loose}
        for entity, evidence in found.items():
            mine = adjacent.get(entity)
            if mine:
                # what may be said against it: its neighbours; in a question, only those of
                # its own relations - its town, not a town's customers ("Sá da Bandeira
                # volume in Braga" names a customer beside Braga, not one Braga should have)
                own = [n for n in mine if n in self.entities
                       and (not question or mine[n]["src"] == entity)]
                self._weigh_named(evidence, mine, own, named)
                weigh_loose(self.entities, evidence, mine, own, kinds_of, unheld)

    def _weigh_named(self, evidence: Evidence, mine: Mapping[str, Any], theirs: list[str],
                     named: set[str]) -> None:
        adjacent = self.graph.adj
        near_kinds: set[str] = set()
        near_at: dict[str, tuple[int, str]] = {}  # a context entity near it -> (its place in
        #                                            evidence.near, the neighbour it is near by)
        by_kind: dict[str, list[str]] = {}
        implied = said_by(adjacent, self.entities, self.implies,
                          [t for t in named if t in mine])
        for target in sorted(named):
            by_kind.setdefault(self.entities[target]["kind"], []).append(target)
            via = target if target in mine else next(
                (n for n in mine if target in adjacent[n]), None)
            name = self.entities[target]["name"]
            if target in implied:  # said already by a context entity next to it
                evidence.implied.append(f"{name} goes with {implied[target]}, counted once")
                near_kinds.add(self.entities[target]["kind"])
            elif via is not None:
                hub = len(adjacent[target]) * (1 if via == target else len(adjacent[via]))
                near_at[target] = (len(evidence.near), via)
                evidence.near.append((1 if via == target else 2, round(math.log(hub), 2),
                                      f"near {name} via {mine[via]['rel']}"))
                near_kinds.add(self.entities[target]["kind"])
            elif target in adjacent and len(adjacent[target]) <= NEAR3_FROM_MOST:
                # three relations: the same country (an entity with no relation has none)
                path = next(((n, m) for m in adjacent[target] for n in mine
                             if m in adjacent[n]), None)
                if path:
                    evidence.near.append((3, 0.0, f"near {name} via {mine[path[0]]['rel']}, "
                                                  f"{adjacent[path[1]][target]['rel']}"))
        own: dict[str, list[str]] = {}  # the names of `theirs` (what may be said against it)
        for n in theirs:
            own.setdefault(self.entities[n]["kind"], []).append(self.entities[n]["name"])
        for other, targets in by_kind.items():
            if other in own and other not in near_kinds:
                said = [self.entities[t]["name"] for t in targets]
                reason = f"the context names {', '.join(said)}, not its {other}"
                if _alike(said, own[other]):  # "4605" for its "4650": a slip, perhaps
                    evidence.slips.append(f"{reason} {', '.join(own[other])}")
                else:
                    evidence.contradicts.append(reason)
                    evidence.partial += _parts(said, [self.entities[t]["name"] for t in named
                                                      if t in mine])
                    said_with(adjacent, self.entities, self.implies, evidence, targets,
                              near_at)

    def _kinds_with_word(self, word: str) -> set[str]:
        """The kinds of entity whose names have this word (from the first few of them); for
        a number no name has, those whose names have numbers of as many digits (a postcode
        the store has never seen is still a postcode)."""
        entity, entities = self.aliases.entity, self.entities
        bucket = self.tokens.bucket(word)
        if not bucket and word.isdigit():
            if self.number_kinds is None:
                self.number_kinds = {}
                for key in self.tokens:
                    if key.isdigit() and len(self.number_kinds.setdefault(len(key), set())
                                             ) < KINDS_FROM:
                        self.number_kinds[len(key)].add(key)
            return set().union(*(self._kinds_with_word(w) for w in self.number_kinds.get(
                len(word), ())))
        return {entities[entity[i]]["kind"] for i in bucket[:KINDS_FROM]}

    def _read_context(self, text: str) -> tuple[set[str], list[str]]:
        """The entities a context names exactly (word n-grams), and its words left over."""
        words = normalize(text).split()
        found: set[str] = set()
        covered: set[int] = set()
        for size in (3, 2, 1):
            for start in range(len(words) - size + 1):
                gram = words[start:start + size]
                if all(w in STOPWORDS or len(w) < 2 for w in gram):  # "of" is no mention
                    continue  # (even if it is the acronym of Orbital Freight)
                key = " ".join(gram)  # a name or ticker, not the acronym of a name ("US"
                hits = {self.aliases.entity[i] for i in self.exact.bucket(key)  # of Uiwang-si)
                        if self.aliases.kind[i] == "ticker" or key in spellings(
                            self.aliases.text[i], self.aliases.normalized[i])}
                if hits:
                    found |= hits
                    covered.update(range(start, start + size))
        loose = [w for i, w in enumerate(words) if i not in covered and w not in STOPWORDS
                 and w not in NAME_PARTICLES and len(w) > 1]
        # a word split in two ("moun t isa", "findo n") is also the word the store knows
        loose += [a + b for i, (a, b) in enumerate(pairwise(words))
                  if not covered & {i, i + 1} and self.tokens.size(a + b)]
        return found, list(dict.fromkeys(loose))


def _compound_at(text: str, last: str) -> bool:
    """Is the first word of the text that folds to `last` joined to the next by a hyphen or
    a comma ("Baker-Bates", "Brooks, Mason and Mccann")?"""
    for match in COMPOUND_JOIN.finditer(text):
        if normalize(match.group(1)) == last:
            return bool(match.group(2))
    return False


def _commonness(index: AliasIndex, name: str, theirs: Sequence[str] = (), alone: bool = False,
                entity: str | None = None) -> float:
    """log of how many aliases would hold every word of the query's name if words fell
    at random (as often as they do in the store): "Peter Koch" is common, "Vexora
    Plover" is not, and a common name is more likely someone the store does not hold. A
    word the store does not know counts as the word of theirs (a candidate's name) it is
    like, if any. A name of one word has no chance combination: the names holding it
    are candidates themselves (or counted as not looked at) - unless it is `alone`:
    the words a fuzzy match shares with the query, those that are another name set aside
    ("charlotte orchard" for "charles orchard" is as rare as "orchard" alone). The
    aliases of `entity` (a candidate met exactly) holding a word count as one ("Granite
    Point" and "Granite Point Corp" are one holder of "granite", not two)."""
    words = set(name.split()) - STOPWORDS
    if len(words) < 2 and not alone:
        return 0.0
    total = max(2, len(index.aliases))
    expected = math.log(total)
    for word in words:
        size = index.tokens.size(word)
        if entity is not None and size > 1:
            size -= max(0, _holds(index, entity, word) - 1)
        if not size and theirs:
            from rapidfuzz import fuzz, process  # (only then: an exact name needs none)

            like = process.extractOne(word, theirs, scorer=fuzz.ratio, score_cutoff=80)
            size = index.tokens.size(like[0]) if like else 0
        expected += math.log(max(1, size) / total)
    return round(max(-6.0, min(6.0, expected)), 2)


def _holds(index: AliasIndex, entity: str, word: str) -> int:
    """How many aliases of an entity hold a word (as the token index has them)."""
    texts, keys = index.aliases.text, index.aliases.normalized
    return sum(word in " ".join(spellings(texts[i], keys[i])).split()
               for i in index.by_entity.bucket(entity))


def _key_postings(table: AliasTable, progress: Progress | None
                  ) -> tuple[Postings, Postings, Postings]:
    """Exact keys (every spelling, acronyms of names, ticker symbols), word tokens (of every
    spelling) and each entity's aliases."""
    exact: dict[str, int] = {}
    tokens: dict[str, int] = {}
    exact_keys, exact_ids, token_keys, token_ids = (array("i") for _ in range(4))
    total = len(table)
    texts, kinds = table.text, table.kind
    for i, key in enumerate(table.normalized):
        text = texts[i]
        names = spellings(text, key) if not text.isascii() or "'" in text or "`" in text \
            else [key, match_key(key)]
        words = [w for w in key.split() if w not in STOPWORDS]
        keys = dict.fromkeys(names)
        if len(words) > 1:
            if kinds[i] == "ticker":  # "NYSE: ACME" is also "ACME"
                keys[words[-1]] = None
            elif kinds[i] not in IDENTIFIERS:
                keys["".join(w[0] for w in words)] = None  # acronym(key)
        for k in keys:
            exact_keys.append(exact.setdefault(k, len(exact)))
            exact_ids.append(i)
        for token in {w for name in names for w in name.split()} - STOPWORDS:
            token_keys.append(tokens.setdefault(token, len(tokens)))
            token_ids.append(i)
        if progress and i % REPORT_EVERY == 0:
            progress("indexing names", i, total)
    entities = {entity: slot for slot, entity in enumerate(dict.fromkeys(table.entity))}
    by_entity = Postings.group(entities, array("i", map(entities.__getitem__, table.entity)),
                               None)
    if progress:
        progress("indexing names", total, total)
    return (Postings.group(exact, exact_keys, exact_ids),
            Postings.group(tokens, token_keys, token_ids), by_entity)


def _one_word(found: dict[str, Evidence], q: str, tokens: Postings, entity: Sequence[str],
              most: int) -> None:
    """A name of one word met as a word (not fuzzily): log of how many entities have it in a
    name (of how many aliases, when more than `most` do): "jack" alone may be any of many."""
    words = set(q.split()) - STOPWORDS
    if len(words) != 1 or not found:
        return
    bucket = tokens.bucket(next(iter(words)))
    holders = len(bucket) if len(bucket) > most else len({entity[i] for i in bucket})
    for evidence in found.values():
        if evidence.level != "fuzzy":
            evidence.common_word = round(math.log(max(1, holders)), 2)


def _in_order(said: Sequence[str], theirs: Sequence[str]) -> bool:
    """Whether the words said stand in theirs in the same order, others between them
    ("jayanagar" in "hospital jayanagar")."""
    rest = iter(theirs)
    return all(word in rest for word in said)


def _differs(said: Sequence[str], theirs: Sequence[str]) -> list[tuple[str, str]]:
    """The words of the query that are other words like the name's (DIFFER_EDITS), each
    with the word of the name it is most like."""
    from rapidfuzz import fuzz
    from rapidfuzz.distance import OSA

    found = []
    for word in said:
        if word in theirs or word in STOPWORDS:
            continue
        like = max(theirs, key=lambda t: fuzz.ratio(word, t), default="")
        if (like and word not in like and like not in word
                and word[:DIFFER_PREFIX] == like[:DIFFER_PREFIX]
                and OSA.distance(word, like, score_cutoff=DIFFER_EDITS) >= DIFFER_EDITS):
            found.append((word, like))
    return found


def _parts(said: Sequence[str], near: Sequence[str]) -> int:
    """How many names next to a candidate the context names (`near`) are words of a name it
    says against it (`said`): the year 1969 of a birth date 1969-07-17 that is not its own
    agrees only as a part of what disagrees."""
    words = [set(normalize(s).split()) for s in said]
    return sum(any(n != s and set(normalize(n).split()) <= w
                   for s, w in zip(said, words, strict=True)) for n in near)


def _alike(names: Sequence[str], others: Sequence[str]) -> bool:
    """Whether some name is spelled like some other: the same but for a slip or two; a
    number (a postcode, a date) but for one digit, or two neighbours swapped (_slip):
    2001-09-30 is not 2001-05-03, however many characters they share."""
    from rapidfuzz import fuzz

    for a, b in ((normalize(a), normalize(b)) for a in names for b in others):
        digits = a.replace(" ", ""), b.replace(" ", "")
        if (_slip(*digits) if digits[0].isdigit() and digits[1].isdigit()
                else fuzz.ratio(a, b) >= ALIKE_FROM):
            return True
    return False


__all__ = [
    "ALIKE_FROM", "APOSTROPHE", "APOSTROPHES", "ASCII_NOT_WORD", "COMPOUND_JOIN", "DIFFER_EDITS",
    "DIFFER_PREFIX", "DOTTED_LETTER", "EXACT_LEVELS", "FOLD", "FORM_RUNS", "FORM_RUN_SIZES",
    "IDENTIFIERS", "KINDS_FROM", "LEGAL_FORMS",
    "LEGAL_SUFFIXES", "MORE_FORMS", "NEAR3_FROM_MOST", "NOT_WORD", "RARE_MOST", "SHORT_CAPS",
    "SLIP_ALIKE_FROM", "SLIP_FROM", "SLIP_NEIGHBOURS_MOST", "STOPWORDS", "TRANSLITERATE",
    "AliasIndex", "AliasTable", "acronym", "full_name", "has_apostrophe", "legal_form",
    "match_key", "normalize",
    "normalize_0004",
    "short_caps", "spellings", "split_form", "strip_legal_suffix"
]
