"""Packs, the verifier and corrections for a German-speaking finance team (a user test):
Schäfer & Söhne, a Swabian machine builder with an October fiscal year and a Swiss
subsidiary that reports in CHF. Questions say "von" and "Q2 GJ26"; answers write numbers the
German way ("1.234.567,89 €", "1,2 Mio. EUR", "12,5 %", "CHF 4'500'000") and names without
their umlauts ("Mueller"); the SAP export's figures arrive as numbers with a currency unit.
Built once per module on each backend.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

import pytest

from factstore import FactStore
from factstore.errors import InvalidInput
from factstore.verify import verify

from .conftest import AUTHOR, assert_answers, loaded_store, pack_of

DACH = """
factstore: 1
calendar: {fiscal_year_start_month: 10}
default_source: src:sap
sources:
  - {id: src:sap, title: SAP CO-PA export, kind: system_of_record, authority: 95,
     uri: "sap://s4p/copa", captured_at: 2026-11-30}
  - {id: src:memo, title: Controlling-Memo Q4 GJ26, kind: expert, authority: 85,
     uri: "https://wiki.schaefer.test/memo", captured_at: 2026-11-15}
entities:
  - id: schaefer
    kind: company
    name: "Schäfer & Söhne Präzisionstechnik GmbH & Co. KG"
    aliases:
      - {alias: "Schäfer & Söhne", kind: name}
  - {id: schaefer-ch, kind: company, name: "Schäfer Präzision AG"}
  - {id: mueller-kaelte, kind: customer, name: "Müller Kältetechnik AG"}
  - {id: strassenbau-weiss, kind: customer, name: "Straßenbau Weiß GmbH"}
  - {id: vonstetten, kind: person, name: "Dr. Katharina von Stetten"}
  - {id: zuguttenberg, kind: person, name: "Maximilian zu Guttenberg"}
relations:
  - {src: schaefer-ch, rel: part_of, dst: schaefer}
  - {src: vonstetten, rel: works_for, dst: schaefer}
  - {src: zuguttenberg, rel: manages, dst: mueller-kaelte}
definitions:
  - {term: Umsatz, text: "Umsatzerlöse nach HGB § 277 Abs. 1. Englisch: revenue."}
facts:
  # as the SAP export's CSV gives them: a number with a currency unit
  - {id: "fact:mueller-umsatz-fy26q2", subject: mueller-kaelte, predicate: umsatz,
     value: 1234567.89, value_type: number, unit: EUR, period: FY26-Q2}
  - {id: "fact:mueller-umsatz-fy26q3", subject: mueller-kaelte, predicate: umsatz,
     value: 1410000, value_type: number, unit: EUR, period: FY26-Q3}
  - {id: "fact:weiss-umsatz-fy26q2", subject: strassenbau-weiss, predicate: umsatz,
     value: 880000, value_type: number, unit: EUR, period: FY26-Q2}
  - {id: "fact:schaefer-ch-umsatz-fy26", subject: schaefer-ch, predicate: umsatz,
     value: 4500000, value_type: money, unit: CHF, period: FY26, source: src:memo}
  - {id: "fact:mueller-db2-fy26q2", subject: mueller-kaelte, predicate: db_ii, value: 31.5,
     value_type: percent, period: FY26-Q2, source: src:memo}
  - {id: "fact:weiss-rahmenvertrag-ende", subject: strassenbau-weiss,
     predicate: rahmenvertrag_ende, value: 2027-09-30, value_type: date, source: src:memo}
"""
ON = "2026-12-05"  # valid-at: FY27-Q1 (the fiscal year starts in October)


@pytest.fixture(scope="module", params=["doltlite", "dolt"])
def dach(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[FactStore]:
    yield from loaded_store(request, tmp_path_factory, "Dach", DACH)


_pack = partial(pack_of, valid_at=ON)


CASES: list[tuple[str, dict[str, str], set[str]]] = [
    # "von" is German's "of", not a sign of the person von Stetten (or zu Guttenberg)
    ("Wie hoch war der Umsatz von Müller Kältetechnik im FY26-Q2?",
     {"fact:mueller-umsatz-fy26q2": "current"}, {"fact:mueller-umsatz-fy26q3"}),
    # GJ (Geschäftsjahr) is the fiscal year: Q2 GJ26 is FY26-Q2, not this year's Q2
    ("Wie hoch war der Umsatz von Müller Kältetechnik im Q2 GJ26?",
     {"fact:mueller-umsatz-fy26q2": "current"}, {"fact:mueller-umsatz-fy26q3"}),
    ("umsatz mueller kaeltetechnik q2 gj26",
     {"fact:mueller-umsatz-fy26q2": "current"}, {"fact:mueller-umsatz-fy26q3"}),
    # umlauts written out in one word and not in the other
    ("Umsatz der Mueller Kältetechnik im FY26-Q2", {"fact:mueller-umsatz-fy26q2": "current"},
     set()),
    ("Umsatz der Schäfer Präzision AG im GJ26", {"fact:schaefer-ch-umsatz-fy26": "current"},
     set()),
]


@pytest.mark.parametrize("question,must,must_not", CASES, ids=[c[0] for c in CASES])
def test_a_german_question_gets_what_answers_it(dach: FactStore, question: str,
                                                must: dict[str, str], must_not: set[str]
                                                ) -> None:
    pack = _pack(dach, question)
    assert_answers(pack, must, must_not)
    assert pack.entities and all(m.status == "resolved" for m in pack.entities), pack.entities


MUELLER_Q2 = "Umsatz Müller Kältetechnik FY26-Q2"
CH = "Umsatz Schäfer Präzision AG GJ26"
DB2 = "DB II Müller Kältetechnik FY26-Q2"
END = "rahmenvertrag_ende Straßenbau Weiß"

# (question, answer as a German-writing model writes it)
RIGHT = [
    (MUELLER_Q2, "Der Umsatz von Müller Kältetechnik lag im Q2 bei 1.234.567,89 € [1]."),
    (MUELLER_Q2, "Der Umsatz von Müller Kältetechnik lag im Q2 GJ26 bei 1.234.567,89 EUR [1]."),
    (MUELLER_Q2, "Der Umsatz von Müller Kältetechnik lag im Q2 bei 1,2 Mio. EUR [1]."),
    (MUELLER_Q2, "Der Umsatz von Müller Kältetechnik lag bei rund 1,23 Millionen Euro [1]."),
    (MUELLER_Q2, "Der Umsatz von Mueller Kaeltetechnik lag im Q2 bei 1.234.567,89 € [1]."),
    (CH, "Der Umsatz der Schäfer Präzision AG lag im GJ26 bei CHF 4'500'000 [1]."),
    (CH, "Der Umsatz der Schäfer Präzision AG lag im GJ26 bei 4,5 Mio. CHF [1]."),
    (CH, "Der Umsatz der Schaefer Praezision AG lag im GJ26 bei 4,5 Mio. Franken [1]."),
    (DB2, "Der DB II von Müller Kältetechnik lag im Q2 bei 31,5 % [1]."),
    (DB2, "Der DB II von Müller Kältetechnik lag im Q2 bei 31,5 Prozent [1]."),
    # a German day is no sentence's end, and German months are months
    (END, "Der Rahmenvertrag mit Straßenbau Weiß läuft bis zum 30. September 2027 [1]."),
    (END, "Der Rahmenvertrag mit Straßenbau Weiß läuft bis 30. Sept. 2027 [1]."),
    (END, "Der Rahmenvertrag mit Straßenbau Weiß läuft bis zum 30.09.2027 [1]."),
]
# (question, wrong answer, the one kind of problem it has: nothing else may be found)
WRONG = [
    (MUELLER_Q2, "Der Umsatz von Müller Kältetechnik lag im Q2 bei 2.234.567,89 € [1].",
     "number"),
    (MUELLER_Q2, "Der Umsatz von Müller Kältetechnik lag im Q2 bei 1.234.567,98 € [1].",
     "number"),
    (MUELLER_Q2, "Der Umsatz von Müller Kältetechnik lag im Q2 bei 1,5 Mio. € [1].", "number"),
    (MUELLER_Q2, "Der Umsatz von Müller Kältetechnik lag im Q2 bei 1.234.567,89 CHF [1].",
     "currency"),
    (MUELLER_Q2, "Der Umsatz von Müller Kältetechnik lag im Q2 GJ25 bei 1.234.567,89 € [1].",
     "period"),
    (MUELLER_Q2, "Der Umsatz von Straßenbau Weiß lag im Q2 bei 1.234.567,89 € [1].", "entity"),
    (CH, "Der Umsatz der Schäfer Präzision AG lag im GJ26 bei CHF 4'600'000 [1].", "number"),
    (CH, "Der Umsatz der Schäfer Präzision AG lag im GJ26 bei 4,5 Mio. € [1].", "currency"),
    (DB2, "Der DB II von Müller Kältetechnik lag im Q2 bei 35,5 % [1].", "number"),
    (END, "Der Rahmenvertrag mit Straßenbau Weiß läuft bis zum 31. Dezember 2027 [1].", "date"),
    (END, "Der Rahmenvertrag mit Straßenbau Weiß endet im Oktober 2027 [1].", "date"),
]


@pytest.mark.parametrize("question,answer", RIGHT, ids=[a for _, a in RIGHT])
def test_a_right_german_answer_passes(dach: FactStore, question: str, answer: str) -> None:
    report = verify(answer, _pack(dach, question))
    assert report.ok, [p.reason for s in report.sentences for p in s.problems]


@pytest.mark.parametrize("question,answer,kind", WRONG, ids=[a for _, a, _ in WRONG])
def test_a_wrong_german_answer_fails_for_what_is_wrong(dach: FactStore, question: str,
                                                      answer: str, kind: str) -> None:
    report = verify(answer, _pack(dach, question))
    assert {p.kind for s in report.sentences for p in s.problems} == {kind}, report


def test_a_correction_takes_a_german_number_where_it_reads_no_other_way(dach: FactStore
                                                                        ) -> None:
    """'1.234.567,89' and '1.234,50' are German; '1,234' stays English thousands; a value
    that is no number, or a comma alone ('1,30': refused, not guessed), is refused, naming the
    field."""
    for typed, stored in [("1.300.000,50", "1300000.50"), ("1.250,75", "1250.75"),
                          ("1,234", "1234"), ("1.234.567,89", "1234567.89")]:
        dach.correct_fact("Mueller Kaeltetechnik", typed, predicate="umsatz",
                          period="FY26-Q3", author=AUTHOR, reason=f"Korrektur {typed}")
        assert dach.get("fact:mueller-umsatz-fy26q3")["value"] == stored
    for typo in ("1.2.3", "1,30"):
        with pytest.raises(InvalidInput, match=r"^value: "):
            dach.correct_fact("Müller Kältetechnik", typo, predicate="umsatz",
                              period="FY26-Q3", author=AUTHOR, reason="Tippfehler")


def test_one_dot_group_far_from_the_value_it_corrects_is_refused(dach: FactStore) -> None:
    """'1.300' reads as 1.3 (a decimal point, as in English); correcting a figure of 1250
    with it, the user most likely meant 1300 (a German thousands group): it is refused, with
    both ways to write it, and nothing is written; near the old value (1.2) it is taken."""
    fact = "fact:mueller-umsatz-fy26q3"
    dach.correct_fact("Müller Kältetechnik", "1250", predicate="umsatz", period="FY26-Q3",
                      author=AUTHOR, reason="in Tausend")
    before = dach.get(fact)
    with pytest.raises(InvalidInput, match=r"^value: '1\.300' reads as 1\.3 .*the 1250 it "
                                           r"corrects; write 1300 for a thousands group, or 1\.3$"):
        dach.correct_fact("Müller Kältetechnik", "1.300", predicate="umsatz", period="FY26-Q3",
                          author=AUTHOR, reason="Korrektur")
    assert dach.get(fact) == before  # nothing written
    dach.correct_fact("Müller Kältetechnik", "1300", predicate="umsatz", period="FY26-Q3",
                      author=AUTHOR, reason="Korrektur")
    dach.correct_fact("Müller Kältetechnik", "1.2", predicate="umsatz", period="FY26-Q3",
                      author=AUTHOR, reason="in Millionen")
    dach.correct_fact("Müller Kältetechnik", "1.300", predicate="umsatz", period="FY26-Q3",
                      author=AUTHOR, reason="in Millionen, genauer")
    assert dach.get(fact)["value"] == "1.300"
