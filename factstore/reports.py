"""Reports: what `facts verify`, `facts health` and `facts eval` return."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from factstore.models import Result

# --- answer verification (`facts verify`) -----------------------------------------------------

ProblemKind = Literal[
    "unknown_citation",  # [n] that is not an item of the pack
    "number",  # a number, amount or percentage no cited item states
    "currency",  # the cited amount is in another currency
    "date",  # a date no cited item states
    "entity",  # a name the cited items do not talk about
    "uncited",  # a numeric claim in a sentence without a citation
    "period",  # a period the cited items are not about
    "status",  # a non-current item (outranked, superseded …) given as the answer
]


class Problem(Result):
    kind: ProblemKind
    claim: str  # as written in the answer: "1.3M", "[7]", "Acme Corporation"
    reason: str  # one line: "1.3M does not match cited [2] (1,200,000 EUR)"


class SentenceCheck(Result):
    text: str
    citations: list[int]  # in the order written, ranges expanded
    claims: list[str]  # numbers, amounts, percentages and dates found, as written
    abstains: bool = False  # says the pack lacks what was asked
    problems: list[Problem] = Field(default_factory=list)


class VerifySummary(Result):
    sentences: int
    cited: int  # sentences with at least one citation
    claims: int
    failed: int  # sentences with at least one problem
    problems: int


class VerifyReport(Result):
    ok: bool
    abstained: bool  # some sentence says the pack lacks the answer
    sentences: list[SentenceCheck]
    summary: VerifySummary

    @property
    def failures(self) -> list[SentenceCheck]:
        return [s for s in self.sentences if s.problems]


# --- knowledge health (facts health) ------------------------------------------------------

HealthCheck = Literal["no_source", "no_quote", "stale_source", "conflict", "shared_alias",
                      "no_owner"]


class HealthFinding(Result):
    check: HealthCheck
    ids: list[str]  # the rows it is about: one, or every side of a conflict or shared name
    detail: str
    lag_days: int | None = None  # stale_source: days since the source was captured


class HealthReport(Result):
    commit: str
    valid_at: str  # the day freshness is measured against
    max_age_days: int
    counts: dict[str, int]  # every check, 0 included
    findings: list[HealthFinding]

    @property
    def ok(self) -> bool:
        return not self.findings


# --- golden-set evaluation (facts eval) ----------------------------------------------------


class EvalCaseResult(Result):
    index: int
    question: str
    ok: bool
    problems: list[str]
    version: str | None = None  # the commit the pack was read at
    items: int = 0


class EvalMetrics(Result):
    cases: int
    passed: int
    recall: float | None  # None when nothing was asked of it
    precision: float | None
    wrong_current_rate: float | None
    abstention_accuracy: float | None


class EvalReport(Result):
    metrics: EvalMetrics
    cases: list[EvalCaseResult]


__all__ = [
    "EvalCaseResult", "EvalMetrics", "EvalReport", "HealthCheck", "HealthFinding", "HealthReport",
    "Problem", "ProblemKind", "SentenceCheck", "VerifyReport", "VerifySummary"
]
