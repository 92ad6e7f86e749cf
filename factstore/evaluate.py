"""`facts eval GOLDEN.yaml`: how well context packs answer a golden set.

Each case is a question (with the pack options: as_of, valid_at, scope, max_tokens) and what
its pack must show:

    must        ids the pack contains
    must_not    ids it must not contain at all (another entity's, another period's, retracted)
    status      id -> the label it must carry (current, superseded, exception, former …)
    first       the id numbered [1]
    entities    entity ids the question resolves to: all of them, in order
    ambiguous   mention -> its candidate ids: the resolver must abstain with exactly these
    unknown     names of the question the pack must list as unknown (not in the store)
    missing     what the pack must say it did not find: each a part of one of its "not found"
                statements ("no fact for churn risk of Acme GmbH", "no entity named")

A case the store cannot run (an unknown as_of ref or scope) stops the run with its index:
the file does not fit the store, which is not a score.

Metrics over the whole set:

    recall              must ids found / must ids
    precision           of the pack items the set judges (must or must_not), the share in must
    wrong_current_rate  cases whose pack shows as `current` an id the set says is not (a
                        must_not id, or one whose expected status is another label) / cases
    abstention_accuracy ambiguous, unknown and missing expectations met / such expectations
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from factstore.errors import InvalidInput, NotFound
from factstore.models import ContextPack, ItemStatus
from factstore.reports import EvalCaseResult, EvalMetrics, EvalReport


class EvalCase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    question: str = Field(min_length=1)
    as_of: str | None = None
    valid_at: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    scope: str | None = None
    max_tokens: int | None = Field(default=None, ge=1)
    must: list[str] = []
    must_not: list[str] = []
    status: dict[str, ItemStatus] = {}
    first: str | None = None
    entities: list[str] = []
    ambiguous: dict[str, list[str]] = {}
    unknown: list[str] = []
    missing: list[str] = []

    @model_validator(mode="after")
    def _check(self) -> EvalCase:
        if self.valid_at:
            try:
                date.fromisoformat(self.valid_at)
            except ValueError:
                raise ValueError(f"valid_at: {self.valid_at!r} is not a real day") from None
        for said in [*self.ambiguous, *self.unknown]:
            if said not in self.question:
                raise ValueError(f"{said!r} is not in the question")
        both = sorted(set(self.must) & set(self.must_not))
        if both:
            raise ValueError(f"{', '.join(both)} is in both must and must_not")
        return self

    def options(self) -> dict[str, Any]:
        return {k: v for k, v in (("as_of", self.as_of), ("valid_at", self.valid_at),
                                  ("scope", self.scope), ("max_tokens", self.max_tokens))
                if v is not None}


class GoldenSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cases: list[EvalCase] = Field(min_length=1)


def load_golden(path: Path) -> list[EvalCase]:
    """The cases of a golden file (YAML or JSON), validated; one line naming the case and
    field on a bad file."""
    from factstore.importers import _describe, read_document

    try:
        return GoldenSet.model_validate(read_document(path)).cases
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = list(err["loc"])
        if loc[:1] == ["cases"] and len(loc) > 1:
            raise InvalidInput(f"{path.name}: " + _describe(f"cases[{loc[1]}]: ", loc[2:], err)
                               ) from None
        raise InvalidInput(f"{path.name}: " + _describe("", loc, err)) from None


def check(case: EvalCase, pack: ContextPack) -> tuple[list[str], dict[str, int]]:
    """(what is wrong with this pack for this case, the counts the metrics add up)."""
    problems: list[str] = []
    shown = {item.id: item.status for item in pack.items}
    found = [i for i in case.must if i in shown]
    problems += [f"missing {i}" for i in case.must if i not in shown]
    problems += [f"must not contain {i} (shown as {shown[i]})" for i in case.must_not
                 if i in shown]
    for item_id, label in case.status.items():
        if item_id in shown and shown[item_id] != label:
            problems.append(f"{item_id} is {shown[item_id]}, expected {label}")
        elif item_id not in shown and item_id not in case.must:
            problems.append(f"missing {item_id} (expected {label})")
    if case.first and (not pack.items or pack.items[0].id != case.first):
        problems.append(f"[1] is {pack.items[0].id if pack.items else 'nothing'}, expected "
                        f"{case.first}")
    resolved = [m.entity["id"] for m in pack.entities if m.entity]
    if case.entities and resolved != case.entities:
        problems.append(f"resolved {resolved or 'nothing'}, expected {case.entities}")
    abstained = 0
    for said, candidates in case.ambiguous.items():
        mention = next((m for m in pack.entities if m.text == said), None)
        got = sorted(c["id"] for c in mention.candidates) if mention and mention.candidates \
            else None
        if mention is None or mention.status != "ambiguous" or got != sorted(candidates):
            problems.append(f"{said!r} should be ambiguous between {sorted(candidates)}, got "
                            f"{mention.status if mention else 'no mention'}"
                            + (f" {got}" if got else ""))
        else:
            abstained += 1
    for said in case.unknown:
        mention = next((m for m in pack.entities if m.text == said), None)
        if mention is not None and mention.status == "unknown":
            abstained += 1
        else:
            problems.append(f"{said!r} should be listed as unknown, got "
                            f"{mention.status if mention else 'no mention'}")
    for words in case.missing:
        if any(words in note for note in pack.missing):
            abstained += 1
        else:
            problems.append(f"should say not found: {words!r}, says {pack.missing or 'nothing'}")
    not_current = set(case.must_not) | {i for i, label in case.status.items()
                                        if label != "current"}
    wrong_current = any(shown.get(i) == "current" for i in not_current)
    judged = [i for i in shown if i in case.must or i in case.must_not]
    counts = {"must": len(case.must), "found": len(found), "judged": len(judged),
              "judged_relevant": sum(i in case.must for i in judged),
              "wrong_current": int(wrong_current),
              "abstain_expected": len(case.ambiguous) + len(case.unknown) + len(case.missing),
              "abstained": abstained}
    return problems, counts


def evaluate(context: Any, cases: list[EvalCase]) -> EvalReport:
    """Build each case's pack with `context` (FactStore.context without logging) and check it."""
    results, totals = [], dict.fromkeys(
        ("must", "found", "judged", "judged_relevant", "wrong_current", "abstain_expected",
         "abstained"), 0)
    for index, case in enumerate(cases):
        try:
            pack = context(case.question, record=False, **case.options())
        except InvalidInput as exc:  # the case asks for what this store cannot give
            raise InvalidInput(f"cases[{index}]: {exc}") from None
        except NotFound as exc:
            raise NotFound(f"cases[{index}]: {exc}") from None
        problems, counts = check(case, pack)
        for key, value in counts.items():
            totals[key] += value
        results.append(EvalCaseResult(index=index, question=case.question, ok=not problems,
                                      problems=problems, version=pack.version,
                                      items=len(pack.items)))

    def ratio(part: int, whole: int) -> float | None:
        return round(part / whole, 4) if whole else None

    metrics = EvalMetrics(
        cases=len(cases), passed=sum(r.ok for r in results),
        recall=ratio(totals["found"], totals["must"]),
        precision=ratio(totals["judged_relevant"], totals["judged"]),
        wrong_current_rate=ratio(totals["wrong_current"], len(cases)),
        abstention_accuracy=ratio(totals["abstained"], totals["abstain_expected"]))
    return EvalReport(metrics=metrics, cases=results)


__all__ = [
    "EvalCase", "GoldenSet", "check", "evaluate", "load_golden"
]
