"""From a question to a ranked, cited pack of the knowledge that applies.

    question -> mentions (factstore.question: entities through the resolver, names the store
                lacks, defined terms, periods, and the words left over)
             -> candidates: facts of the entities about what the question names (all of
                them when it names nothing), relations of the entities it asks about,
                definitions of the terms, the rules governing the entities (by id, by kind,
                or through a related entity: a parent, region, segment) that the question
                asks about, with their exceptions, and the names the entities go by
             -> labels (current / conflicting / outranked / superseded …) and priority
             -> what was not found, said in the pack (`missing`)
             -> trimmed to --max-tokens, numbered, rendered.

Everything is read at one commit, so a pack is a pure function of (commit, question,
options): that is what makes `facts replay` byte-identical.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from factstore.errors import InvalidInput
from factstore.results import ContextPack, Mention, PackItem, PackOptions, PackSource
from factstore.in_time import definitions_in_force, span_of, year_gaps
from factstore.periods import period_range
from factstore.periods import valid_on as valid_at_day
from factstore.alike import TYPE_WORDS, alike_root, alike_stem
from factstore.question import (
    FILLER,
    FOREIGN_FUNCTION_WORDS,
    GENERIC,
    OBLIGATION_ROOTS,
    RULE_ROOTS,
    Ask,
    Words,
    find_terms,
    initials_at,
    names_predicate,
    question_periods,
    root,
    runs,
    stem,
    worded_term,
)
from factstore.links import Links, validity
from factstore.mentions import find_entities, unique_mentions
from factstore.ranked import (
    KIND_ORDER,
    TIER_ALIAS,
    TIER_CONTEXT,
    TIER_DEFINITION,
    TIER_FACT,
    TIER_LOW,
    TIER_RULE,
    Found,
    Ranked,
    Row,
    Select,
)
from factstore.ranked import item_of as _item
from factstore.ranked import opt_text as _opt
from factstore.render import display_value, render, tokens
from factstore.resolver import AliasIndex, full_name, strip_legal_suffix
from factstore.schema import alias_spellings, authority_of, same_value
from factstore.text import clean_for_pack


CONTENT_MIN = 4  # shorter words ("arr", "pay") do not make a rule relevant on their own
# Words that ask for a name of an entity, by root, and the alias kinds they ask for (empty:
# any): "What is X's ticker?", "What was X called before?", "When was X renamed?". Not
# "name" itself: "the name of X's account manager" asks for another entity's.
NAME_WORDS = {root(w): frozenset(kinds.split()) for w, kinds in (
    ("ticker", "ticker"), ("symbol", "ticker"), ("code", "code"), ("abbreviation", "abbreviation"),
    ("acronym", "abbreviation"), ("former", "former"), ("formerly", "former"),
    ("renamed", "former"), ("called", ""), ("alias", ""), ("aliases", ""), ("aka", ""))}
CURRENCY = re.compile(r"^([A-Z]{3}|%)$")  # units that say nothing of what is counted




# --- building the pack -------------------------------------------------------------------




@dataclass
class Builder:
    """One pack's worth of reading and ranking. `select` reads the store at the pack's commit;
    `definitions` and `rules` are the (small) tables at that commit, cached by the caller."""

    select: Select
    index: AliasIndex
    definitions: list[Row]
    rules: list[Row]
    start_month: int
    sources: dict[str, Row] = field(default_factory=dict)

    def build(self, question: str, version: str, options: PackOptions) -> ContextPack:
        valid_at = date.fromisoformat(options.valid_at)
        words = Words.of(question)
        exact = find_entities(words, self.index, options.valid_at)
        terms = find_terms(words, self.definitions)
        words.take_periods(question)
        mentions = unique_mentions(
            exact + find_entities(words, self.index, options.valid_at, fuzzy=True))
        periods = question_periods(question, valid_at, self.start_month)
        subjects = [m.entity["id"] for m in mentions if m.entity]
        ask = Ask.of(words, terms, self.definitions)
        ask.worded = worded_term(words, self.definitions, _neutral(
            [self.index.entities[s]["kind"] for s in subjects], self.rules, self.definitions))
        found = Found()
        links = Links(self.select, self.index, subjects, valid_at, self.start_month,
                      [period_range(p, self.start_month) for p in periods], self.definitions,
                      f" in {', '.join(periods)}" if periods else "")
        facts = self._facts(subjects, ask, periods, valid_at, found)
        if ask.worded and not found.named:  # no predicate named in the question's own words:
            terms.append(ask.worded[0])  # the definition it was said in explains the pack
        relations = links.items(ask, found)
        members = _members(subjects, links, ask, found)
        facts += self._facts(members, ask, periods, valid_at, found)
        for subject in subjects:  # a place's or group's metric, answered by its members
            held = [m for m in links.members.get(subject, []) if m in found.answered]
            if held and subject not in found.answered:
                found.answered.add(subject)
                found.explained[subject] = set().union(
                    found.explained.get(subject, set()), *(found.explained[m] for m in held))
        found.beside = _beside(links, found, subjects)
        candidates = [*self._definitions(terms, options.scope, valid_at, periods), *facts,
                      *relations,
                      *self._rules(subjects, mentions, ask, valid_at, found, links),
                      *links.answers_wh(ask, found),
                      *self._aliases(subjects, mentions, options.valid_at, ask)]
        self._attach_sources(candidates)
        candidates.sort(key=lambda c: (c.tier, KIND_ORDER[c.item.kind], c.order))
        pack = ContextPack(hash="", version=version, question=question, options=options,
                           terms=terms, periods=periods, entities=mentions, items=[],
                           trimmed=[], text="", missing=not_found(
                               self.index.entities, subjects + members, mentions, ask, found),
                           fiscal_year_start_month=self.start_month)
        kept, trimmed = self._fit(pack, candidates, options.max_tokens)
        pack.items, pack.trimmed = _number(kept), [c.item.id for c in trimmed]
        pack.text = render(pack, options.format)
        pack.hash = hashlib.sha256(pack.text.encode()).hexdigest()
        return pack

    def _fit(self, pack: ContextPack, candidates: list[Ranked], budget: int | None
             ) -> tuple[list[Ranked], list[Ranked]]:
        """The most items, in priority order, whose rendered pack fits the token budget."""
        if budget is None:
            return candidates, []

        def fits(k: int) -> bool:
            pack.items = _number(candidates[:k])
            pack.trimmed = [c.item.id for c in candidates[k:]]
            return tokens(render(pack, pack.options.format)) <= budget

        if not fits(0):
            pack.items, pack.trimmed = [], []
            frame = tokens(render(pack, pack.options.format))
            raise InvalidInput(f"max-tokens: {budget} is less than the pack's frame alone "
                               f"({frame} tokens with no items)")
        low, high = 0, len(candidates)  # fits(low): find the largest k that fits
        while low < high:
            middle = (low + high + 1) // 2
            low, high = (middle, high) if fits(middle) else (low, middle - 1)
        return candidates[:low], candidates[low:]

    # -- definitions ----------------------------------------------------------------------

    def _definitions(self, terms: list[str], scope: str | None, valid_at: date,
                     periods: list[str]) -> list[Ranked]:
        """The terms' definitions in force (in_time.definitions_in_force); one proposed or
        deprecated is labelled so, never current."""
        found, rank = [], {t.casefold(): i for i, t in enumerate(terms)}
        for d in definitions_in_force(self.definitions, terms, periods, valid_at,
                                      self.start_month):
            in_scope = scope is None or d["scope"] in (None, scope)
            text = f"{d['term']} ({d['scope']}): {d['text']}" if d["scope"] else \
                f"{d['term']}: {d['text']}"
            if d.get("formula"):
                text += f" (formula: {d['formula']})"
            if d.get("owner"):  # who to ask, and who answers for it
                text += f" (owner: {d['owner']})"
            text += validity(d.get("valid_from"), d.get("valid_to"))
            status = "current" if d["status"] == "active" else d["status"]
            item = _item("definition", d["id"], status, text, d, scope=d["scope"])
            if not in_scope:
                item.note = f"other scope: {_token(d['scope'])}"
            found.append(Ranked(TIER_DEFINITION if in_scope else TIER_LOW,
                                (rank[d["term"].casefold()], status != "current", d["id"]),
                                item))
        return found

    # -- facts ----------------------------------------------------------------------------

    def _facts(self, subjects: list[str], ask: Ask, periods: list[str], valid_at: date,
               found: Found) -> list[Ranked]:
        """Facts of each mentioned entity about what the question names, in the periods it
        asks about; all of them when it names nothing ('Tell me about X'); none when it
        names something the entity has no fact for (a note says so, see not_found)."""
        if not subjects:
            return []
        marks = ",".join("?" * len(subjects))
        rows = self.select("facts", f"subject_id IN ({marks}) AND status <> 'retracted'",
                           subjects)
        superseded_by = {r["supersedes"]: r["id"] for r in sorted(rows, key=lambda r: r["id"],
                                                                   reverse=True)
                         if r["supersedes"] and r["status"] == "active"}
        by_subject: dict[str, list[Row]] = defaultdict(list)
        for r in rows:
            by_subject[r["subject_id"]].append(r)
        kept: list[Row] = []
        for subject in subjects:
            mine = by_subject[subject]
            found.metric[subject] = {root(w) for p in {r["predicate"] for r in mine}
                                     for w in p.split("_")}
            predicates, found.explained[subject], named = _predicates(
                mine, ask, self.index.entities[subject]["kind"])
            if named:
                found.named.add(subject)
            if predicates:
                found.answered.add(subject)
                mine = [r for r in mine if r["predicate"] in predicates]
            elif ask.specific:
                continue
            timely = self._in_time(mine, periods, valid_at)
            kept += timely
            name = self.index.entities[subject]["name"]
            when = f" in {', '.join(periods)}" if periods else f" valid on {valid_at}"
            found.missing += [f"no fact for {p.replace('_', ' ')} of {name}{when}"
                              for p in sorted(predicates - {r["predicate"] for r in timely})]
            found.missing += year_gaps(predicates, timely, periods, valid_at, name,
                                       self.start_month)
        self._load_sources({r["source_id"] for r in kept if r["source_id"]})
        groups: dict[tuple[str, str, str | None], list[Row]] = defaultdict(list)
        for r in kept:
            groups[(r["subject_id"], r["predicate"], r["period"])].append(r)
        ranked = []
        for (subject, predicate, period), group in groups.items():
            exact = 0 if not periods or period in periods else 1
            order = (subjects.index(subject), exact, predicate, period or "")
            ranked += self._rank_group(group, superseded_by, order, TIER_FACT)
        return ranked

    def _in_time(self, rows: list[Row], periods: list[str], valid_at: date) -> list[Row]:
        """Facts about the periods asked for; without one, what held at valid_at: the latest
        period that had started by then, per subject and predicate."""
        month = self.start_month
        if periods:
            asked = [period_range(p, month) for p in periods]
            return [r for r in rows if any(_overlaps(span_of(r, month), a) for a in asked)]
        day = valid_at.isoformat()
        latest: dict[tuple[str, str], str] = {}
        for r in rows:
            if r["period"]:
                start = span_of(r, month)[0].isoformat()
                key = (r["subject_id"], r["predicate"])
                if start <= day and start > latest.get(key, ""):
                    latest[key] = start
        kept = []
        for r in rows:
            if r["period"]:
                if span_of(r, month)[0].isoformat() == latest.get((r["subject_id"],
                                                                   r["predicate"])):
                    kept.append(r)
            elif valid_at_day(r, valid_at, self.start_month):
                kept.append(r)
        return kept

    def _rank_group(self, group: list[Row], superseded_by: dict[str, str],
                    order: tuple[Any, ...], tier: int) -> list[Ranked]:
        """Competing values for one subject, predicate and period: by source authority, then
        recency. Every one is kept, labelled."""
        def strength(r: Row) -> tuple[int, str, str]:
            s = self.sources.get(r["source_id"] or "", {})
            return (authority_of(s), r.get("captured_at") or s.get("captured_at") or "",
                    r["id"])

        live = sorted((r for r in group if r["id"] not in superseded_by
                       and r["status"] == "active"), key=strength, reverse=True)
        found = []
        for rank, r in enumerate(live):
            status, note, other = _label(r, live, lambda row: strength(row)[0])
            c = Ranked(tier if status in ("current", "conflicting") else TIER_LOW,
                       (*order, rank), self._fact_item(r, status),
                       {"other": other} if other else {})
            c.item.note = note
            found.append(c)
        for r in group:
            if r["id"] in superseded_by:
                c = Ranked(TIER_LOW, (*order, 100, r["id"]), self._fact_item(r, "superseded"),
                           {"other": superseded_by[r["id"]]})
                c.item.note = "superseded by {other}"
                found.append(c)
            elif r["status"] != "active":  # proposed or deprecated: never the value to use
                found.append(Ranked(TIER_LOW, (*order, 200, r["id"]),
                                    self._fact_item(r, r["status"])))
        return found

    def _fact_item(self, r: Row, status: str) -> PackItem:
        name = self.index.entities.get(r["subject_id"], {}).get("name", r["subject_id"])
        when = f" ({r['period']})" if r["period"] else ""
        text = f"{name} - {r['predicate'].replace('_', ' ')}{when}: " \
               f"{display_value(r['value'], r['value_type'], r['unit'])}"
        return _item("fact", r["id"], status, text, r, subject=r["subject_id"],
                     predicate=r["predicate"], period=r["period"], value=r["value"],
                     value_type=r["value_type"], unit=r["unit"])

    # -- rules ----------------------------------------------------------------------------

    def _rules(self, subjects: list[str], mentions: list[Mention], ask: Ask, valid_at: date,
               found: Found, links: Links) -> list[Ranked]:
        """Rules governing a mentioned entity (by its id, its kind `kind:K`, or an entity it
        is related to: its parent, region, segment, see Links.governing) when the question
        asks about rules (RULE_WORDS: 'What rules apply to X?', 'X's payment terms'; all of
        them when none shares a word with it) or shares two topic words with the rule or one
        of its exceptions (one, if it has only one, or when no fact of the entity answers
        and it names no metric: 'the delivery time for X'), ranked by how many, or names nothing
        ('Tell me about X'); with the exceptions that apply to that entity. A question about
        a fact the entity has ('What is X's ARR?') gets no rule unless it asks about rules.
        For a question that names no entity: general rules (`kind:K`) it shares two topic
        words with (one, when it asks about rules), `current`, with their exceptions for a
        group (_for_a_group); none when it names an entity the store lacks.
        A general rule is `overridden` only when every mentioned entity it governs has an
        exception; an exception is ranked before its general rule, so a token budget never
        shows the general rule without it."""
        live = [r for r in self.rules if valid_at_day(r, valid_at, self.start_month)]
        by_id = {r["id"]: r for r in live}
        family: dict[str, list[Row]] = defaultdict(list)  # general rule -> its exceptions
        for r in live:  # (a proposed or deprecated exception overrides nothing)
            if r["overrides"] in by_id and r["status"] == "active":
                family[r["overrides"]].append(r)
        heads = [r for r in live if r["overrides"] not in by_id or r["status"] != "active"]
        attribute = [i for i in ask.attribute(terms=bool(subjects) or ask.about_rules)
                     if len(ask.words.words[i]) >= CONTENT_MIN]
        # (subject, applies_to, topic, asks about its rules, obligation words to fall back on)
        targets: list[tuple[str, set[str], set[str], bool, set[str]]] = []
        # what an entity with no fact about it must or may do is its rules' to say
        obliged = {s for s in subjects if ask.obliged and s not in found.answered}
        if not subjects and not mentions:  # a name the store lacks: not every customer
            # "How long do customers have to pay?": the general rules on paying
            duties = {ask.root(i) for i in ask.attribute()
                      if ask.root(i) in OBLIGATION_ROOTS} if ask.obliged else set()
            targets.append(("", {r["applies_to"] for r in heads
                                 if r["applies_to"].startswith("kind:")},
                            {ask.root(i) for i in attribute} - OBLIGATION_ROOTS,
                            ask.about_rules, duties))
        elif ask.about_rules or obliged or attribute or not ask.specific:
            related = links.governing()
            for s in subjects:
                asks = ask.about_rules or s in obliged
                # "What must X do if its defect rate is above 0.5%?": a fact of X explains
                # the words, and a rule sharing two of them says what X must do
                topic = {ask.root(i) for i in attribute
                         if asks or ask.modal or i not in found.explained.get(s, set())}
                # "pay", "due": short, but what its rules are about when no rule shares
                # the question's other words ("must" alone is not a topic)
                duties = {ask.root(i) for i in ask.attribute()
                          if ask.root(i) in OBLIGATION_ROOTS} if s in obliged else set()
                topic -= OBLIGATION_ROOTS
                if topic or duties or asks or not ask.specific:
                    targets.append((s, {s, f"kind:{self.index.entities[s]['kind']}",
                                        *related.get(s, set())}, topic, ask.about_rules,
                                    duties))
        said: dict[str, set[str]] = {}

        def fit(rule: Row, topic: set[str]) -> int:
            if rule["id"] not in said:
                said[rule["id"]] = {root(w) for w in full_name(rule["text"]).split()}
            return len(topic & said[rule["id"]])

        governs: dict[str, list[str]] = defaultdict(list)  # general rule -> subjects under it
        excepted: dict[str, list[str]] = defaultdict(list)  # general rule -> exception ids
        place: dict[str, tuple[int, int]] = {}  # general rule -> (-fit, subject rank)
        for rank, (subject, applies, topic, asks, duties) in enumerate(targets):
            if not topic and not duties and not asks and (ask.specific or not subject):
                continue
            scores, need = _rule_fits(heads, family, applies, topic, subject, asks, fit)
            if duties and not any(v >= max(need, 1) for v in scores.values()):
                asks = True  # what it must do, in words no rule shares: its rules on duties
                scores, need = _rule_fits(heads, family, applies, topic | duties, subject,
                                          asks, fit)
            if asks and subject and not any(v >= need for v in scores.values()):
                need = 0  # asked about its rules, in words none of them uses: all of them
            elif (need > 1 and subject and subject not in found.answered
                  and not topic & found.metric.get(subject, set()) and not ask.words.term_of
                  and not any(v >= need for v in scores.values())):
                # no fact of its own answers ('the delivery time for X'): its rules that
                # share one of the question's words, unless it asks after a metric ('the
                # net revenue retention of X' is not about a rule on revenue)
                need = 1
            for rule_id, score in scores.items():
                if score < need:
                    continue
                r = by_id[rule_id]
                found.ruled.add(subject)
                place[rule_id] = min(place.get(rule_id, (0, rank)), (-score, rank))
                exceptions = [e for e in family[rule_id] if (
                    e["applies_to"] in applies and e["applies_to"] != r["applies_to"]
                    if subject else _for_a_group(e, r, self.index.entities))]
                if not exceptions or not subject:
                    governs[rule_id].append(subject)
                excepted[rule_id] += [e["id"] for e in exceptions]
        ranked: dict[str, Ranked] = {}
        for rule_id, (score, rank) in place.items():
            r, others = by_id[rule_id], list(dict.fromkeys(excepted.get(rule_id, [])))
            for e in others:
                ranked.setdefault(e, _rule(by_id[e], "exception", TIER_RULE,
                                                (score, rank, rule_id, 0), {"rule": rule_id}))
            if governs.get(rule_id):
                refs = {"rule": others[0]} if others else {}
                ranked[rule_id] = _rule(r, "current", TIER_RULE,
                                             (score, rank, rule_id, 1), refs)
            else:
                ranked[rule_id] = _rule(r, "overridden", TIER_CONTEXT,
                                             (score, rank, rule_id, 1), {"rule": others[0]})
        for rule_id in ranked:
            ask.cover(said.get(rule_id) or {root(w) for w in full_name(
                by_id[rule_id]["text"]).split()})
        self._load_sources({c.item.source.id for c in ranked.values() if c.item.source})
        return list(ranked.values())

    # -- aliases --------------------------------------------------------------------------

    def _aliases(self, subjects: list[str], mentions: list[Mention], on: str, ask: Ask
                 ) -> list[Ranked]:
        """Other names of the mentioned entities that explain the question: the name it
        used when that is not the entity's own, former names, and the names it asks for
        (NAME_WORDS: "What is X's ticker?", "What was X called before?": the words they are
        asked with are then explained, not a fact the entity lacks)."""
        if not subjects:
            return []
        asked = {i: NAME_WORDS[ask.root(i)] for i in ask.positions
                 if ask.root(i) in NAME_WORDS and i not in ask.words.term_of}
        said = {m.entity["id"]: m.text for m in mentions if m.entity}
        marks = ",".join("?" * len(subjects))
        rows = self.select("aliases", f"entity_id IN ({marks}) AND status <> 'retracted'",
                           subjects)
        found = []
        for row in rows:  # one item per alias row: its first spelling that explains
            for r in ({**row, **spelled} for spelled in alias_spellings(row)
                      if spelled["status"] != "retracted"):
                entity = self.index.entities[r["entity_id"]]
                used = r["normalized"] == strip_legal_suffix(said.get(r["entity_id"], ""))
                former = r["alias_kind"] == "former" or bool(r["valid_to"]
                                                             and r["valid_to"] < on)
                why = {i for i, kinds in asked.items()
                       if not kinds or r["alias_kind"] in kinds or (former and "former" in kinds)}
                if not (former or used or why) or r["normalized"] == strip_legal_suffix(
                        full_name(entity["name"])):
                    continue
                ask.covered |= why
                text = f"{entity['name']} is also known as \"{r['alias']}\""
                if former:
                    text += f" (former name until {r['valid_to']})" if r["valid_to"] else \
                        " (former name)"
                item = _item("alias", f"alias:{r['entity_id']}/{r['normalized']}",
                             "former" if former else "alias", text, r, subject=r["entity_id"])
                found.append(Ranked(TIER_ALIAS if not (used or why) else TIER_RULE,
                                    (subjects.index(r["entity_id"]), r["normalized"]), item))
                break
        return found

    # -- sources --------------------------------------------------------------------------

    def _load_sources(self, ids: set[str]) -> None:
        missing = sorted(ids - self.sources.keys())
        if missing:
            marks = ",".join("?" * len(missing))
            for s in self.select("sources", f"id IN ({marks})", missing):
                self.sources[s["id"]] = s

    def _attach_sources(self, candidates: list[Ranked]) -> None:
        self._load_sources({c.item.source.id for c in candidates if c.item.source})
        for c in candidates:
            if c.item.source:
                s = self.sources.get(c.item.source.id)
                if s is None:  # a dangling reference: show the id, not a guess
                    continue
                if s["status"] == "retracted":  # kept visible, ranked as no authority
                    c.item.note = f"{c.item.note}; source retracted" if c.item.note else \
                        "source retracted"
                c.item.source = PackSource(
                    id=s["id"], title=clean_for_pack(s["title"]), uri=_opt(s["uri"]),
                    kind=s["kind"], authority=s["authority"],
                    captured_at=_opt(c.item.source.captured_at or s["captured_at"]))


# --- what was not found -----------------------------------------------------------------


def not_found(names: Mapping[str, dict[str, Any]], subjects: list[str],
              mentions: list[Mention], ask: Ask, found: Found) -> list[str]:
    """What the question asks for that the store does not hold, said so that a model
    need not guess: a fact (or rule) an entity lacks, a period with no value, a
    question that names no entity. Names that resolve to nothing are the mentions'."""
    notes = list(found.missing)
    if ask.words.loose_term:
        notes.append(f"no definition of {ask.words.loose_term}: the definitions given are "
                     f"of terms that share its words")
    if not subjects and not mentions:
        notes.append("no entity named: the question names no company, person or other "
                     "entity the store holds")
    gaps = ask.attribute() if ask.specific else []
    for s in subjects if gaps else []:
        if s in found.beside and s not in found.answered:  # not asked about: placed an answer
            continue
        explained = found.explained.get(s, set())
        settled = s in found.answered or s in found.ruled
        mine = [i for i in gaps if i not in explained and (
            not settled or i in ask.words.term_of)]
        if not mine:
            continue
        what = ask.phrase([i for r in runs(ask.positions) if set(r) & set(mine) for i in r
                           if i in mine or i in ask.scoped])  # "credit limit": a scope's word
        if ask.about_rules and not any(i in ask.words.term_of for i in mine):
            notes.append(f"no rule about {what} for {names[s]['name']}")
        else:
            notes.append(f"no fact for {what} of {names[s]['name']}")
    return list(dict.fromkeys(clean_for_pack(n) for n in notes))


# --- helpers -----------------------------------------------------------------------------


def _beside(links: Links, found: Found, subjects: list[str]) -> set[str]:
    """The subjects an answered subject is related to: its town, region or port, named to
    place it ("Pellow's GMV in Bergen"), not asked about."""
    return {r["dst_id"] for r in links.outgoing()
            if r["src_id"] in found.answered and r["dst_id"] in subjects}


def _members(subjects: list[str], links: Links, ask: Ask, found: Found) -> list[str]:
    """The entities whose facts answer a metric asked of a place or group through the kind
    of its members ("What is the ARR of our Perth customers?": the customers related to
    Perth), for each subject that has no fact for it itself."""
    if not ask.specific:
        return []
    return list(dict.fromkeys(m for s in subjects if s not in found.answered
                              for m in links.members.get(s, []) if m not in subjects))


def _rule(r: Row, status: str, tier: int, order: tuple[Any, ...],
          refs: dict[str, str]) -> Ranked:
    """A rule's item; one proposed or deprecated is labelled so, never the rule to apply."""
    if r["status"] != "active":
        status, tier, refs = r["status"], TIER_CONTEXT, {}
    item = _item("rule", r["id"], status, r["text"], r, subject=r["applies_to"])
    c = Ranked(tier, (*order, r["id"]), item, refs)
    if refs:
        item.note = {"exception": "exception to {rule}",
                     "overridden": "overridden here by {rule}",
                     "current": "an exception applies to another entity here: {rule}"
                     }[status]
    return c


def _token(text: str | None) -> str:
    """An id or scope reduced to characters that mean nothing to any format: notes are the
    pack's own words and are rendered without escaping."""
    return re.sub(r"[^A-Za-z0-9_:@./-]", "", text or "")


def _number(kept: list[Ranked]) -> list[PackItem]:
    """Number the items 1..n in priority order and fill in their notes' references."""
    number = {c.item.id: i for i, c in enumerate(kept, 1)}
    items = []
    for i, c in enumerate(kept, 1):
        item = c.item.model_copy(update={"n": i})
        if c.refers_to and item.note:
            refs = {k: f"[{number[v]}]" if v in number else _token(v) + " (not in this pack)"
                    for k, v in c.refers_to.items()}
            item.note = item.note.format(**refs)
        items.append(item)
    return items


def _label(r: Row, live: list[Row], authority: Callable[[Row], int]
           ) -> tuple[str, str | None, str | None]:
    """(status, note, the id the note refers to) of one of a group's competing facts, `live`
    strongest first. Equal authority and different values is an open conflict: no winner."""
    best = live[0]
    if r is best:
        rivals = [o for o in live
                  if same_value(o) != same_value(r) and authority(o) == authority(r)]
        return ("conflicting", "conflicts with {other}", rivals[0]["id"]) if rivals else \
            ("current", None, None)
    if same_value(r) == same_value(best):
        status, _, _ = _label(best, live, authority)
        return status, "agrees with {other}", best["id"]
    if authority(r) == authority(best):
        return "conflicting", "conflicts with {other}", best["id"]
    return "outranked", "outranked by {other}", best["id"]


def _rule_fits(heads: list[Row], family: dict[str, list[Row]], applies: set[str],
               topic: set[str], subject: str, asks: bool, fit: Callable[[Row, set[str]], int]
               ) -> tuple[dict[str, int], int]:
    """How many topic words each rule governing `applies` shares with the question, and
    how many it must share. A family is relevant as a whole: "payment terms" may name the
    words of an exception only, and the general rule still governs the other entities."""
    scores = {r["id"]: max(fit(m, topic) for m in [r, *family[r["id"]]])
              for r in heads if r["applies_to"] in applies  # or an exception does: a
              or any(e["applies_to"] in applies for e in family[r["id"]])}  # segment asked of
    need = min(2, len(topic)) if subject else 2  # topic words a rule must share
    if not topic or asks:
        need = min(1, len(topic))
    return scores, need


def _for_a_group(exception: Row, general: Row, entities: Mapping[str, Row]) -> bool:
    """Does an exception to a rule on a kind apply to a group of its entities (another kind:
    a segment, a region, a parent; or a kind), not to one of them? A question that names no
    entity is about the group ("How long do customers have to pay?": 60 days, 90 for the
    automotive segment), not about one customer's own deal."""
    target = exception["applies_to"]
    if target.startswith("kind:"):
        return True
    entity = entities.get(target)
    return entity is not None and f"kind:{entity['kind']}" != general["applies_to"]


def _predicates(rows: list[Row], ask: Ask, kind: str = "") -> tuple[set[str], set[int], bool]:
    """Predicates the question names, the positions of the words that name them, and
    whether its words name one itself: written out ('health score', 'health scores'; a word
    in everyday words of the same meaning, WORDS_ALIKE: 'contract expiry date' for
    contract_end, 'headcount' for employees; with a word of its values' type, TYPE_WORDS:
    'the on-time delivery rate' of a percent),
    through a defined term ('ACV'), every word of the predicate somewhere in the
    question ('the date of renewal'), or the unit its values are counted in ('how many
    vehicles' for fleet_size in vehicles); failing those, in the words of a term's
    definition ('what is the contract worth per year' for acv, see worded_term), then a
    predicate's first word alone ('how much fuel'). A predicate that is only part of
    what the question names is not it: 'revenue' does not answer 'net revenue
    retention'."""
    words = ask.words
    usable = [i for i, took in enumerate(words.took) if took in ("", "term")]
    stems = [alike_stem(words.words[i]) for i in usable]  # "expiry" is "end" (WORDS_ALIKE)
    roots: dict[str, set[int]] = defaultdict(set)
    for i in usable:
        if words.words[i] not in FILLER:
            roots[alike_root(words.words[i])].add(i)
    typed: dict[str, set[str]] = defaultdict(set)  # predicate -> the words of its values' type
    for r in rows:
        typed[r["predicate"]] |= TYPE_WORDS.get(r.get("value_type") or "", frozenset())
    named: dict[str, set[int]] = defaultdict(set)  # term key -> its positions
    for i, term in words.term_of.items():
        named[" ".join(stem(w) for w in full_name(term).split())].add(i)
    units: dict[str, set[str]] = defaultdict(set)  # predicate -> units counted in
    for r in rows:
        if r["unit"] and not CURRENCY.match(r["unit"]):
            units[r["predicate"]].add(r["unit"])
    hits: dict[str, set[int]] = {}
    alike: set[str] = set()  # predicates named through a word of another (WORDS_ALIKE)
    for predicate in {r["predicate"] for r in rows}:
        key = full_name(predicate.replace("_", " ")).split()  # as the question's words
        keyed = [alike_stem(w) for w in key]
        at = {usable[j + k] for j in range(len(stems) - len(keyed) + 1)
              if stems[j:j + len(keyed)] == keyed for k in range(len(keyed))}
        for words_of in [key, *(full_name(u).split() for u in sorted(units[predicate]))]:
            need = {alike_root(w) for w in words_of if w not in FILLER and root(w) not in FILLER}
            if not at and need and need <= roots.keys():  # "how many vehicles": its unit
                at = set().union(*(roots[r] for r in need))
        at |= named.get(" ".join(stem(w) for w in key), set())
        at |= {i for i in usable if words.words[i] == predicate.lower()}  # "contract_end",
        #                                            as an agent copies it from a pack's JSON
        if not at:  # "annual recurring revenue" for arr, "ARR" for annual_recurring_revenue
            at = initials_at(key, [words.words[i] for i in usable], usable)
        if at and typed[predicate]:  # "the contract end date": 'date' says its type
            at |= {i for i in usable if words.words[i] in typed[predicate]}
        if at:
            hits[predicate] = at
            own_stems = {stem(w) for w in key}
            if any(stem(words.words[i]) not in own_stems
                   and alike_stem(words.words[i]) != stem(words.words[i]) for i in at):
                alike.add(predicate)
    # a predicate named in its own words outranks one named through a word alike: "sales
    # bookings" is sales_bookings, not revenue
    plain = set().union(*(at for p, at in hits.items() if p not in alike))
    hits = {p: at for p, at in hits.items() if p not in alike or not at <= plain}
    own = bool(hits)  # the question's own words name a predicate
    if not hits and ask.worded:  # the question says what a definition says
        term, at = ask.worded
        hits = {p: set(at) for p in {r["predicate"] for r in rows}
                if names_predicate(term, p)}
    if not hits:  # "how much fuel" for fuel_volume: a word alone in the question that
        hits = _heads(rows, ask, usable)  # begins one predicate's name only
        own = bool(hits)
    every = set().union(*hits.values())
    found = {p for p, at in hits.items() if not _longer(ask, at, every, _roots(kind))}
    return found, set().union(*(hits[p] for p in found)), own


def _longer(ask: Ask, at: set[int], every: set[int], kind: frozenset[str] = frozenset()
            ) -> bool:
    """Do the question's words make the predicate named at `at` part of a longer name ('net
    revenue retention' for revenue)? A word of the run of asking words it stands in that no
    predicate explains, is not generic, asks no rule and is not the entity's kind ('the Pune
    hospital's revenue'; unless counted: 'how many hospitals'); the run ends, for this, at
    an article or preposition of another language ('der GMV von X')."""
    words = ask.words

    def names_more(i: int) -> bool:
        return i not in every and ask.root(i) not in GENERIC and ask.root(i) not in RULE_ROOTS \
            and (ask.root(i) not in kind or i in ask.counted)

    for run in runs(ask.positions):
        mine = [k for k, i in enumerate(run) if i in at]
        if not mine:
            continue
        if any(map(names_more, run[mine[0]:mine[-1] + 1])):  # between its words
            return True
        for side in (run[mine[-1]:], run[mine[0]::-1]):  # rightwards, then leftwards
            for i in side:
                if (words.words[i] in FOREIGN_FUNCTION_WORDS
                        and not words.tokens[words.origin[i]].isupper()):
                    break
                if names_more(i):
                    return True
    return False


def _neutral(kinds: list[str], rules: list[Row], definitions: list[Row]) -> set[str]:
    """Words that say whom or whose a question asks about, not what: the kinds of the
    entities it names and those rules apply to, the scopes and owners of definitions
    ('customer', 'supplier', 'finance')."""
    texts = {*kinds, *(r["applies_to"][5:] for r in rules if r["applies_to"].startswith("kind:")),
             *(d.get(k) or "" for d in definitions for k in ("scope", "owner"))}
    return set().union(*map(_roots, texts))


def _heads(rows: list[Row], ask: Ask, usable: list[int]) -> dict[str, set[int]]:
    """Predicates named by their first or last word only ('fuel' of fuel_volume, 'fleet' of
    fleet_size, 'backlog' of order_backlog, 'sold' of units_sold), when that word stands
    alone among the question's words and begins or ends no other predicate of the
    entity."""
    first: dict[str, set[str]] = defaultdict(set)
    for predicate in {r["predicate"] for r in rows}:
        words = full_name(predicate.replace("_", " ")).split()
        for word in {words[0], words[-1]}:
            first[alike_stem(word)].add(predicate)
    alone = {r[0] for r in runs(ask.positions) if len(r) == 1}
    found: dict[str, set[int]] = {}
    for i in usable:
        named = first.get(alike_stem(ask.words.words[i]), set())
        if i in alone and len(named) == 1 and ask.words.words[i] not in FILLER:
            found[next(iter(named))] = {i}
    return found


@lru_cache(maxsize=4096)
def _roots(text: str) -> frozenset[str]:
    """The roots of a kind's, scope's or owner's words ('customer_success')."""
    return frozenset(root(w) for w in full_name(text.replace("_", " ")).split())


def _overlaps(a: tuple[date, date], b: tuple[date, date]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


__all__ = ["CONTENT_MIN", "CURRENCY", "NAME_WORDS", "Builder", "not_found"]
