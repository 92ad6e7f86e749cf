"""From a question to a ranked, cited pack of the knowledge that applies.

    question -> mentions (entities through the resolver, defined terms, periods)
             -> candidates (facts of the entities, definitions of the terms, rules and the
                exceptions that apply, names the entities go by)
             -> labels (current / conflicting / outranked / superseded …) and priority
             -> trimmed to --max-tokens, numbered, rendered.

Everything is read at one commit, so a pack is a pure function of (commit, question,
options): that is what makes `facts replay` byte-identical.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from factstore.errors import InvalidInput
from factstore.periods import valid_on as valid_at_day
from factstore.models import (
    ContextPack,
    Mention,
    PackItem,
    PackOptions,
    PackSource,
    authority_of,
    same_value,
)
from factstore.periods import fiscal_quarter_of, fiscal_year_of, period_range
from factstore.render import display_value, render, tokens
from factstore.resolver import STOPWORDS, AliasIndex, full_name, strip_legal_suffix
from factstore.text import (
    GENERIC_QUESTION_WORDS,
    MONTH_NAMES,
    QUESTION_PERIODS,
    QUESTION_WORDS,
    clean_for_pack,
)

Row = dict[str, Any]
Select = Callable[[str, str, Sequence[Any]], list[Row]]  # (table, where, params) -> rows

MAX_GRAM = 5  # longest name looked up as one mention, in words
FUZZY_MENTION_AT = 80  # a capitalised span with no exact alias must resolve this well
CONTENT_MIN = 4  # shorter words do not make a rule relevant

# Priority tiers: lower is more important; --max-tokens drops the highest tiers first.
# The facts that answer come first: when a budget trims, a definition goes before the answer.
TIER_FACT, TIER_DEFINITION, TIER_RULE, TIER_CONTEXT, TIER_ALIAS, TIER_LOW = range(6)
KIND_ORDER = {"fact": 0, "definition": 1, "rule": 2, "alias": 3}  # within a tier


# --- periods the question mentions -------------------------------------------------------


def _fy(text: str) -> int:
    return int(text) % 100


def question_periods(question: str, valid_at: date, start_month: int) -> list[str]:
    """Periods a question names, as period labels: 'Q3 FY26' -> FY26-Q3, 'last quarter' ->
    the fiscal quarter before valid_at's, a bare 'Q3' -> Q3 of valid_at's fiscal year."""
    found: list[tuple[int, str]] = []
    taken = [False] * len(question)
    for pattern, how in QUESTION_PERIODS:
        for m in pattern.finditer(question):
            if any(taken[m.start():m.end()]):
                continue
            try:
                label = _period_label(m, how, valid_at, start_month)
                if label:
                    period_range(label, start_month)  # a period the calendar can place
            except (ValueError, InvalidInput):  # year 0, year 10000, 2025-02-30: written as a
                label = None  # period, but none the calendar has; its words are used up
            taken[m.start():m.end()] = [True] * (m.end() - m.start())
            if label:
                found.append((m.start(), label))
    return list(dict.fromkeys(label for _, label in sorted(found)))


def _period_label(m: re.Match[str], how: str, valid_at: date, start_month: int) -> str | None:
    g = [x.upper() if x else x for x in m.groups()]
    this_fy = fiscal_year_of(valid_at, start_month)
    if how == "fy-part":
        return f"FY{_fy(g[0]):02d}-{g[1]}"
    if how == "part-fy":
        return f"FY{_fy(g[1]):02d}-{g[0]}"
    if how == "year-part":
        return f"{g[0]}-{g[1]}"
    if how == "part-year":
        return f"{g[1]}-{g[0]}"
    if how == "day":
        try:
            return date(int(g[0]), int(g[1]), int(g[2])).isoformat()
        except ValueError:
            return None
    if how == "month":
        return f"{g[1]}-{MONTH_NAMES[g[0][:3].lower()]:02d}"
    if how == "fy":
        return f"FY{_fy(g[0]):02d}"
    if how == "year":
        return g[0]
    if how == "part":
        return f"FY{this_fy % 100:02d}-{g[0]}"
    which, unit = g[0].lower(), g[2].lower()
    back = which in ("last", "previous", "prior")
    if unit == "quarter":
        day = valid_at
        if back:
            start, _ = period_range(fiscal_quarter_of(valid_at, start_month), start_month)
            day = start - timedelta(days=1)
        return fiscal_quarter_of(day, start_month)
    return f"FY{(this_fy - back) % 100:02d}"


# --- words of the question ---------------------------------------------------------------

POSSESSIVE = re.compile(r"['’]s\b")
PERIODISH = re.compile(r"^(fy\d+|q[1-4]|h[12]|\d+)$")


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") \
        else word


def _root(word: str) -> str:
    """A crude stem for matching a question to rule text: approve/approval, discount(s)."""
    return _stem(word)[:6]


@dataclass
class Words:
    """The question as normalised words, each remembering whether it was capitalised."""

    words: list[str]
    capital: list[bool]
    origin: list[int]  # the whitespace-separated token of the question each word came from
    tokens: list[str]
    taken: list[bool] = field(default_factory=list)

    @classmethod
    def of(cls, question: str) -> Words:
        words, capital, origin = [], [], []
        tokens = POSSESSIVE.sub("", question).split()
        for i, token in enumerate(tokens):
            for word in full_name(token).split():
                words.append(word)
                capital.append(token[:1].isupper())
                origin.append(i)
        return cls(words, capital, origin, tokens, [False] * len(words))

    def around(self, start: int, end: int) -> str:
        """The question without words start..end: the context a name is resolved in (the
        name itself in it would count as context for itself)."""
        first, last = self.origin[start], self.origin[end - 1]
        return " ".join(self.tokens[:first] + self.tokens[last + 1:])

    def said(self, start: int, end: int) -> str:
        """The question's own text for words start..end, punctuation around it trimmed."""
        text = " ".join(self.tokens[self.origin[start]:self.origin[end - 1] + 1])
        return text.strip(" ?!.,;:'\"()[]")

    def grams(self, longest: int) -> Iterable[tuple[int, int, str]]:
        """(start, end, text) of every run of free words, longest first."""
        for size in range(min(longest, len(self.words)), 0, -1):
            for start in range(len(self.words) - size + 1):
                if not any(self.taken[start:start + size]):
                    yield start, start + size, " ".join(self.words[start:start + size])

    def take(self, start: int, end: int) -> None:
        self.taken[start:end] = [True] * (end - start)

    def stems(self) -> list[str]:
        return [_stem(w) for w in self.words]


def find_entities(words: Words, index: AliasIndex, on: str, *, fuzzy: bool = False
                  ) -> list[tuple[int, Mention]]:
    """Entities named in the question, with the word they start at: exact names and aliases
    (longest first); with fuzzy, capitalised spans left over that resolve by fuzzy match.
    Ambiguous names are kept as such."""
    found: list[tuple[int, Mention]] = []
    spans = _capital_runs(words) if fuzzy else [
        (start, end) for start, end, gram in list(words.grams(MAX_GRAM))
        if not _not_a_name(gram) and strip_legal_suffix(gram) in index.exact]
    for start, end in spans:
        if any(words.taken[start:end]):
            continue
        answer = index.resolve(" ".join(words.words[start:end]),
                               context=words.around(start, end), on=on)
        if answer.status == "unknown" or (fuzzy and not (
                answer.status == "resolved" and answer.candidates[0].score >= FUZZY_MENTION_AT)):
            continue
        words.take(start, end)
        found.append((start, _mention(words.said(start, end), answer)))
    return found


def unique_mentions(found: list[tuple[int, Mention]]) -> list[Mention]:
    """In question order, each entity (or ambiguous name) once."""
    mentions: dict[str, Mention] = {}
    for _, m in sorted(found, key=lambda x: x[0]):
        mentions.setdefault(m.entity["id"] if m.entity else "?" + m.text, m)
    return list(mentions.values())


def _not_a_name(gram: str) -> bool:
    words = gram.split()
    return all(w in STOPWORDS or w in QUESTION_WORDS or len(w) < 2 or PERIODISH.match(w)
               for w in words)


def _capital_runs(words: Words) -> list[tuple[int, int]]:
    runs, start = [], None
    for i, word in enumerate([*words.words, ""]):
        ok = (i < len(words.words) and words.capital[i] and not words.taken[i]
              and word not in QUESTION_WORDS and word not in STOPWORDS
              and not PERIODISH.match(word))
        if ok and start is None:
            start = i
        elif not ok and start is not None:
            runs.append((start, i))
            start = None
    return runs


def _mention(text: str, answer: Any) -> Mention:
    if answer.status == "resolved":
        return Mention(text=clean_for_pack(text), status="resolved",
                       entity={k: clean_for_pack(v) for k, v in answer.entity.items()})
    return Mention(text=clean_for_pack(text), status="ambiguous",
                   candidates=[{"id": c.id, "name": clean_for_pack(c.name), "kind": c.kind,
                                "score": c.score} for c in answer.candidates])


def find_terms(words: Words, definitions: list[Row]) -> list[str]:
    """Defined terms the question uses ('active customers' finds 'Active customer')."""
    by_key: dict[str, str] = {}
    for d in definitions:
        key = " ".join(_stem(w) for w in strip_legal_suffix(full_name(d["term"])).split())
        by_key.setdefault(key, d["term"])
    stems = words.stems()
    found: list[str] = []
    for size in range(min(MAX_GRAM, len(stems)), 0, -1):
        for start in range(len(stems) - size + 1):
            if any(words.taken[start:start + size]):
                continue
            term = by_key.get(" ".join(stems[start:start + size]))
            if term is not None:
                words.take(start, start + size)
                found.append(term)
    return list(dict.fromkeys(found))


# --- building the pack -------------------------------------------------------------------


@dataclass
class Ranked:
    """A pack item with its place in the ranking: tier first, then order within the tier
    (the public resolver.Candidate is something else: an entity a name may mean)."""

    tier: int
    order: tuple[Any, ...]
    item: PackItem  # n is set when the pack is numbered
    refers_to: dict[str, str] = field(default_factory=dict)  # note template: {name: item id}


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
        mentions = unique_mentions(
            exact + find_entities(words, self.index, options.valid_at, fuzzy=True))
        periods = question_periods(question, valid_at, self.start_month)
        subjects = [m.entity["id"] for m in mentions if m.entity]
        content = {_root(w) for w, taken in zip(words.words, words.taken, strict=True)
                   if not taken and len(w) >= CONTENT_MIN and w not in GENERIC_QUESTION_WORDS
                   and w not in QUESTION_WORDS and not PERIODISH.match(w)}
        candidates = [*self._definitions(terms, options.scope, valid_at),
                      *self._facts(subjects, words, terms, periods, valid_at, content),
                      *self._rules(subjects, content, terms, valid_at),
                      *self._aliases(subjects, mentions, options.valid_at)]
        self._attach_sources(candidates)
        candidates.sort(key=lambda c: (c.tier, KIND_ORDER[c.item.kind], c.order))
        pack = ContextPack(hash="", version=version, question=question, options=options,
                           terms=terms, periods=periods, entities=mentions, items=[],
                           trimmed=[], text="")
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

    def _definitions(self, terms: list[str], scope: str | None, valid_at: date
                     ) -> list[Ranked]:
        found = []
        wanted = {t.casefold(): i for i, t in enumerate(terms)}
        for d in self.definitions:
            rank = wanted.get(d["term"].casefold())
            if rank is None or not valid_at_day(d, valid_at, self.start_month):
                continue
            in_scope = scope is None or d["scope"] in (None, scope)
            text = f"{d['term']} ({d['scope']}): {d['text']}" if d["scope"] else \
                f"{d['term']}: {d['text']}"
            if d.get("formula"):
                text += f" (formula: {d['formula']})"
            item = _item("definition", d["id"], "current", text, d, scope=d["scope"])
            if not in_scope:
                item.note = f"other scope: {_token(d['scope'])}"
            found.append(Ranked(TIER_DEFINITION if in_scope else TIER_LOW,
                                (rank, d["id"]), item))
        return found

    # -- facts ----------------------------------------------------------------------------

    def _facts(self, subjects: list[str], words: Words, terms: list[str], periods: list[str],
               valid_at: date, content: set[str]) -> list[Ranked]:
        """Facts of the mentioned entities about what the question names (all of them when
        it names nothing), in the periods it asks about."""
        if not subjects:
            return []
        marks = ",".join("?" * len(subjects))
        rows = self.select("facts", f"subject_id IN ({marks}) AND status <> 'retracted'",
                           subjects)
        superseded_by = {r["supersedes"]: r["id"] for r in sorted(rows, key=lambda r: r["id"],
                                                                   reverse=True)
                         if r["supersedes"] and r["status"] == "active"}
        predicates = self._predicates(rows, words, terms)
        if predicates:
            rows = [r for r in rows if r["predicate"] in predicates]
        # A question about something else (a discount, a process) still gets the entity's
        # facts, after the rules it is about.
        tier = TIER_FACT if predicates or not content else TIER_CONTEXT
        rows = self._in_time(rows, periods, valid_at)
        self._load_sources({r["source_id"] for r in rows if r["source_id"]})
        groups: dict[tuple[str, str, str | None], list[Row]] = defaultdict(list)
        for r in rows:
            groups[(r["subject_id"], r["predicate"], r["period"])].append(r)
        found = []
        for (subject, predicate, period), group in groups.items():
            exact = 0 if not periods or period in periods else 1
            order = (subjects.index(subject), exact, predicate, period or "")
            found += self._rank_group(group, superseded_by, order, tier)
        return found

    def _predicates(self, rows: list[Row], words: Words, terms: list[str]) -> set[str]:
        """Predicates the question names, in its words or through a defined term."""
        text = " " + " ".join(words.stems()) + " "
        named = {" ".join(_stem(w) for w in full_name(t).split()) for t in terms}
        found = set()
        for predicate in {r["predicate"] for r in rows}:
            key = " ".join(_stem(w) for w in predicate.split("_"))
            if f" {key} " in text or key in named:
                found.add(predicate)
        return found

    def _in_time(self, rows: list[Row], periods: list[str], valid_at: date) -> list[Row]:
        """Facts about the periods asked for; without one, what held at valid_at: the latest
        period that had started by then, per subject and predicate."""
        if periods:
            asked = [period_range(p, self.start_month) for p in periods]
            return [r for r in rows if any(_overlaps(self._span(r), a) for a in asked)]
        day = valid_at.isoformat()
        latest: dict[tuple[str, str], str] = {}
        for r in rows:
            if r["period"]:
                start = self._span(r)[0].isoformat()
                key = (r["subject_id"], r["predicate"])
                if start <= day and start > latest.get(key, ""):
                    latest[key] = start
        kept = []
        for r in rows:
            if r["period"]:
                if self._span(r)[0].isoformat() == latest.get((r["subject_id"], r["predicate"])):
                    kept.append(r)
            elif valid_at_day(r, valid_at, self.start_month):
                kept.append(r)
        return kept

    def _span(self, row: Row) -> tuple[date, date]:
        if row.get("period"):
            return period_range(row["period"], self.start_month)
        return (date.fromisoformat(row["valid_from"]) if row["valid_from"] else date.min,
                date.fromisoformat(row["valid_to"]) if row["valid_to"] else date.max)

    def _rank_group(self, group: list[Row], superseded_by: dict[str, str],
                    order: tuple[Any, ...], tier: int) -> list[Ranked]:
        """Competing values for one subject, predicate and period: by source authority, then
        recency. Every one is kept, labelled."""
        def strength(r: Row) -> tuple[int, str, str]:
            s = self.sources.get(r["source_id"] or "", {})
            return (authority_of(s), s.get("captured_at") or "", r["id"])

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

    def _rules(self, subjects: list[str], content: set[str], terms: list[str], valid_at: date
               ) -> list[Ranked]:
        """Rules that apply to a mentioned entity (by id or by its kind) and that the question
        is about, with the exceptions that apply to that entity; for a question that names
        no entity, general rules the question is about. A general rule is `overridden` only
        when every mentioned entity it applies to has an exception."""
        specific = not (terms or content)
        live = [r for r in self.rules if valid_at_day(r, valid_at, self.start_month)]
        by_id = {r["id"]: r for r in live}
        family: dict[str, list[Row]] = defaultdict(list)  # general rule -> its exceptions
        for r in live:
            if r["overrides"]:
                family[r["overrides"]].append(r)

        def relevant(rule: Row, subject: str) -> bool:
            about = content & {_root(w) for w in full_name(rule["text"]).split()}
            return len(about) >= min(2, len(content)) and bool(about or (specific and subject))

        targets = [(s, {s, f"kind:{self.index.entities[s]['kind']}"}) for s in subjects] \
            or [("", {r["applies_to"] for r in live if r["applies_to"].startswith("kind:")})]
        governs: dict[str, list[str]] = defaultdict(list)  # general rule -> subjects under it
        excepted: dict[str, list[str]] = defaultdict(list)  # general rule -> exception ids
        found: dict[str, Ranked] = {}
        ranks: dict[str, int] = {}
        for rank, (subject, applies) in enumerate(targets):
            for r in live:
                if r["applies_to"] not in applies or r["overrides"]:
                    continue
                exceptions = [e for e in family[r["id"]]
                              if e["applies_to"] in applies and e["applies_to"] != r["applies_to"]]
                # a family is relevant as a whole: "payment terms" names the words of Kestrel's
                # exception, not of the general rule, and the general rule still governs Acme
                if not (relevant(r, subject) or any(relevant(e, subject) for e in family[r["id"]])):
                    continue
                ranks.setdefault(r["id"], rank)
                if not exceptions:
                    governs[r["id"]].append(subject)
                for e in exceptions:
                    excepted[r["id"]].append(e["id"])
                    found.setdefault(e["id"], self._rule(e, "exception", TIER_RULE, rank,
                                                         {"rule": r["id"]}))
        for rule_id, rank in ranks.items():
            r, others = by_id[rule_id], excepted.get(rule_id, [])
            if governs.get(rule_id):
                refs = {"rule": others[0]} if others else {}
                found[rule_id] = self._rule(r, "current", TIER_RULE, rank, refs)
            else:
                found[rule_id] = self._rule(r, "overridden", TIER_CONTEXT, rank,
                                            {"rule": others[0]})
        self._load_sources({c.item.source.id for c in found.values() if c.item.source})
        return list(found.values())

    def _rule(self, r: Row, status: str, tier: int, rank: int, refs: dict[str, str]
              ) -> Ranked:
        item = _item("rule", r["id"], status, r["text"], r, subject=r["applies_to"])
        c = Ranked(tier, (rank, r["id"]), item, refs)
        if refs:
            item.note = {"exception": "exception to {rule}",
                         "overridden": "overridden here by {rule}",
                         "current": "an exception applies to another entity here: {rule}"
                         }[status]
        return c

    # -- aliases --------------------------------------------------------------------------

    def _aliases(self, subjects: list[str], mentions: list[Mention], on: str
                 ) -> list[Ranked]:
        """Other names of the mentioned entities that explain the question: the name it
        used when that is not the entity's own, and former names."""
        if not subjects:
            return []
        said = {m.entity["id"]: m.text for m in mentions if m.entity}
        marks = ",".join("?" * len(subjects))
        rows = self.select("aliases", f"entity_id IN ({marks}) AND status <> 'retracted'",
                           subjects)
        found = []
        for r in rows:
            entity = self.index.entities[r["entity_id"]]
            used = r["normalized"] == strip_legal_suffix(said.get(r["entity_id"], ""))
            former = r["alias_kind"] == "former" or bool(r["valid_to"] and r["valid_to"] < on)
            if not (former or used) or r["normalized"] == strip_legal_suffix(
                    full_name(entity["name"])):
                continue
            text = f"{entity['name']} is also known as \"{r['alias']}\""
            if former:
                text += f" (former name until {r['valid_to']})" if r["valid_to"] else \
                    " (former name)"
            item = _item("alias", f"alias:{r['entity_id']}/{r['normalized']}",
                         "former" if former else "alias", text, r, subject=r["entity_id"])
            found.append(Ranked(TIER_ALIAS if not used else TIER_RULE,
                                (subjects.index(r["entity_id"]), r["normalized"]), item))
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
                    kind=s["kind"], authority=s["authority"], captured_at=_opt(s["captured_at"]))


# --- helpers -----------------------------------------------------------------------------


def _token(text: str | None) -> str:
    """An id or scope reduced to characters that mean nothing to any format: notes are the
    pack's own words and are rendered without escaping."""
    return re.sub(r"[^A-Za-z0-9_:@./-]", "", text or "")


def _opt(value: Any) -> str | None:
    text = clean_for_pack(str(value)) if value is not None else ""
    return text or None


def _item(kind: str, item_id: str, status: str, text: str, row: Row, **extra: Any
          ) -> PackItem:
    source = PackSource(id=row["source_id"], title=row["source_id"]) \
        if row.get("source_id") else None
    return PackItem(n=0, kind=kind, id=clean_for_pack(item_id), status=status,  # type: ignore[arg-type]
                    text=clean_for_pack(text), quote=_opt(row.get("quote")),
                    recorded_by=_opt(row.get("recorded_by")),
                    valid_from=row.get("valid_from"), valid_to=row.get("valid_to"),
                    source=source, **{k: _opt(v) for k, v in extra.items()})


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


def _overlaps(a: tuple[date, date], b: tuple[date, date]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]
