"""A write acts only on the row it names (an id, or exactly a term, entity name or alias);
reads may follow a name the resolver is sure of and say so; provenance follows every change.
On both backends."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from factstore import Ambiguous, Fact, FactStore, InvalidInput, NotFound, Refused
from factstore.importers import load_file

from .conftest import AUTHOR, Facts

BANKS = """
factstore: 1
sources:
  - {id: src:crm, title: CRM export, kind: system_of_record, authority: 90,
     captured_at: 2025-11-05}
  - {id: src:board, title: Board deck, kind: policy, authority: 90, captured_at: 2025-10-01}
entities:
  - {id: tern-bank, kind: customer, name: Tern Bank}
  - {id: fern-bank, kind: customer, name: Fern Bank}
  - id: acme-corp
    kind: customer
    name: Acme Corporation
    aliases: [{alias: ACME Inc., kind: name}]
definitions:
  - {id: "def:acv@finance", term: ACV, scope: finance, text: "Annual contract value"}
facts:
  - {id: fact:tern-acv, subject: tern-bank, predicate: acv, value: 100, value_type: money,
     unit: USD, period: FY26-Q3, source: src:crm, quote: "ACV 100"}
  - {id: fact:fern-acv, subject: fern-bank, predicate: acv, value: 200, period: FY26-Q3,
     source: src:crm}
  - {id: fact:acme-acv, subject: acme-corp, predicate: acv, value: 1200000, unit: USD,
     period: FY26-Q3, source: src:crm, quote: "ACV 1.2M"}
  - {id: fact:acme-acv-board, subject: acme-corp, predicate: acv, value: 1250000, unit: USD,
     period: FY26-Q3, source: src:board}
"""
BY = ("--by", AUTHOR)


@pytest.fixture
def banks_file(tmp_path: Path) -> Path:
    path = tmp_path / "banks.yaml"
    path.write_text(BANKS, encoding="utf-8")
    return path


@pytest.fixture
def banks(store: FactStore, banks_file: Path) -> FactStore:
    store.import_batch(load_file(banks_file), author=AUTHOR, message="Import banks")
    return store


@pytest.fixture
def cli(facts: Facts, banks_file: Path) -> Facts:
    facts("import", str(banks_file), *BY)
    return facts


def _head(facts: Facts) -> str:
    return str(json.loads(facts("log", "-n", "1", "--json").output)[0]["commit"])


# -- 1. a write acts only on the row named ----------------------------------------------------


def test_correct_by_a_misspelt_name_exits_2_with_did_you_mean_and_writes_nothing(
        cli: Facts) -> None:
    head = _head(cli)
    result = cli("correct", "Tern Bnak", "--predicate", "acv", "--value", "5", "--reason", "r",
                 *BY, ok=False)
    assert result.exit_code == 2
    assert "did you mean" in result.output and "tern-bank" in result.output
    assert _head(cli) == head
    assert cli.row("fact:tern-acv")["value"] == "100"


def test_a_name_the_resolver_calls_ambiguous_with_one_candidate_is_no_match(
        store: FactStore) -> None:
    from factstore import Entity

    store.add(Entity(id="tern-bank", kind="customer", name="Tern Bank"), author=AUTHOR)
    store.add(Fact(subject="tern-bank", predicate="seats", value=10), author=AUTHOR)
    answer = store.resolve("Tern Bnk")  # a typo: one weak candidate, not sure enough
    assert answer.status == "ambiguous" and [c.id for c in answer.candidates] == ["tern-bank"]
    head = store.head()
    with pytest.raises(Ambiguous):
        store.correct_fact("Tern Bnk", "11", predicate="seats", author=AUTHOR, reason="r")
    with pytest.raises(Ambiguous):
        store.show("Tern Bnk")
    assert store.head() == head


def test_correct_by_an_exact_alias_in_another_spelling_acts_on_its_entity(
        banks: FactStore) -> None:
    banks.correct_fact("acme inc", "1300000", predicate="acv", source="src:crm",
                       author=AUTHOR, reason="amendment")
    assert banks.get("fact:acme-acv")["value"] == "1300000"
    assert banks.get("fact:acme-acv-board")["value"] == "1250000"


def test_a_name_with_another_legal_form_is_not_exact_for_a_write(banks: FactStore) -> None:
    head = banks.head()
    with pytest.raises(Ambiguous, match="did you mean acme-corp"):
        banks.correct_fact("Acme GmbH", "1", predicate="acv", source="src:crm",
                           author=AUTHOR, reason="r")
    assert banks.head() == head


def test_a_name_said_without_its_legal_form_names_the_company_stored_with_it(
        banks: FactStore) -> None:
    """"Østerbro Sport" is how people write Østerbro Sport A/S, as "Acme" is Acme GmbH; a
    company stored under the bare name is still the one the bare name names, and a name
    giving another legal form names neither."""
    from factstore.models import Entity

    banks.add(Entity(id="osterbro", kind="customer", name="Østerbro Sport A/S"), author=AUTHOR)
    banks.add(Fact(id="fact:osterbro-seats", subject="osterbro", predicate="seats", value=12,
                   period="FY26-Q3", source="src:crm"), author=AUTHOR)
    banks.correct_fact("Østerbro Sport", "14", predicate="seats", author=AUTHOR, reason="r")
    assert banks.get("fact:osterbro-seats")["value"] == "14"
    banks.add(Entity(id="osterbro-club", kind="customer", name="Østerbro Sport"),
              author=AUTHOR)
    banks.add(Fact(id="fact:club-seats", subject="osterbro-club", predicate="seats", value=3,
                   period="FY26-Q3", source="src:crm"), author=AUTHOR)
    banks.correct_fact("Østerbro Sport", "4", predicate="seats", author=AUTHOR, reason="r")
    assert (banks.get("fact:club-seats")["value"], banks.get("fact:osterbro-seats")["value"]
            ) == ("4", "14")
    head = banks.head()
    with pytest.raises(Ambiguous):
        banks.correct_fact("Østerbro Sport ApS", "15", predicate="seats", author=AUTHOR,
                           reason="r")
    assert banks.head() == head


PARTNERS = """
factstore: 1
sources: [{id: src:erp, title: ERP, kind: system_of_record, authority: 80}]
entities:
  - {id: bageriet, kind: customer, name: Bageriet Nørrebro I/S}
  - {id: havneskib, kind: customer, name: Havneskib Rederi K/S}
  - {id: pacifico, kind: customer, name: "Comercializadora Pacífico, S.A. de C.V."}
  - {id: mezcal, kind: customer, name: Mezcalera Oaxaca S. de R.L. de C.V.}
  - {id: dalessio, kind: customer, name: Trattoria D’Alessio}
  - {id: obrien, kind: person, name: Gráinne O'Brien}
facts:
  - {id: fact:bageriet, subject: bageriet, predicate: seats, value: 8, source: src:erp}
  - {id: fact:havneskib, subject: havneskib, predicate: seats, value: 4, source: src:erp}
  - {id: fact:pacifico, subject: pacifico, predicate: seats, value: 30, source: src:erp}
  - {id: fact:mezcal, subject: mezcal, predicate: seats, value: 12, source: src:erp}
  - {id: fact:dalessio, subject: dalessio, predicate: seats, value: 6, source: src:erp}
  - {id: fact:obrien, subject: obrien, predicate: quota, value: 90, source: src:erp}
"""


@pytest.fixture
def partners(facts: Facts, tmp_path: Path) -> Facts:
    path = tmp_path / "partners.yaml"
    path.write_text(PARTNERS, encoding="utf-8")
    facts("import", str(path), *BY)
    return facts


@pytest.mark.parametrize("said,fact", [
    ("Bageriet Nørrebro", "fact:bageriet"), ("havneskib rederi", "fact:havneskib"),
    ("Comercializadora Pacífico", "fact:pacifico"), ("Mezcalera Oaxaca", "fact:mezcal"),
])
def test_a_partnership_or_sociedad_is_corrected_by_its_bare_name(partners: Facts, said: str,
                                                                fact: str) -> None:
    partners("correct", said, "--predicate", "seats", "--value", "99", "--reason", "count",
             *BY)
    assert partners.row(fact)["value"] == "99"


def test_a_bare_name_with_another_form_corrects_nothing(partners: Facts) -> None:
    head = _head(partners)
    result = partners("correct", "Comercializadora Pacífico S. de R.L.", "--predicate", "seats",
                      "--value", "1", "--reason", "r", *BY, ok=False)
    assert result.exit_code == 2 and "pacifico" in result.output
    assert _head(partners) == head


@pytest.mark.parametrize("said,fact", [
    ("Trattoria DAlessio", "fact:dalessio"), ("trattoria d'alessio", "fact:dalessio"),
    ("Grainne OBrien", "fact:obrien"), ("Gráinne O’Brien", "fact:obrien"),
])
def test_a_name_written_without_its_apostrophe_or_accent_is_exact(partners: Facts, said: str,
                                                                   fact: str) -> None:
    predicate = "quota" if fact == "fact:obrien" else "seats"
    partners("correct", said, "--predicate", predicate, "--value", "7", "--reason", "r", *BY)
    assert partners.row(fact)["value"] == "7"
    shown = json.loads(partners("show", said, "--json").output)
    assert shown["matched_by"] == "name" and shown["match_score"] is None


FOLDED = """
factstore: 1
sources: [{id: src:erp, title: ERP, kind: system_of_record, authority: 80}]
entities:
  - {id: lodz, kind: customer, name: Łódź Pharma sp. z o.o.}
  - {id: mueller, kind: supplier, name: Müller Kältetechnik GmbH}
  - {id: soeby, kind: customer, name: Søby Værft A/S}
  - {id: sobyhus, kind: customer, name: Sobyhus ApS}
facts:
  - {id: fact:lodz, subject: lodz, predicate: seats, value: 340, source: src:erp}
  - {id: fact:mueller, subject: mueller, predicate: seats, value: 12, source: src:erp}
  - {id: fact:soeby, subject: soeby, predicate: seats, value: 40, source: src:erp}
"""


@pytest.mark.parametrize("said,fact", [
    ("Lodz Pharma", "fact:lodz"), ("lodz pharma sp. z o.o.", "fact:lodz"),
    ("Mueller Kaeltetechnik", "fact:mueller"), ("Muller Kaltetechnik GmbH", "fact:mueller"),
    ("Soby Vaerft", "fact:soeby"), ("Soeby Vaerft A/S", "fact:soeby"),
])
def test_a_name_written_without_its_stroked_letters_or_umlauts_is_exact(
        facts: Facts, tmp_path: Path, said: str, fact: str) -> None:
    """"Lodz Pharma" is Łódź Pharma sp. z o.o. for a write as for `resolve` (exact, score
    100): ł ø æ are letters NFKD keeps whole and ü is also written ue, so the stored key
    keeps them and the alias index, which matches under both spellings, is asked."""
    path = tmp_path / "folded.yaml"
    path.write_text(FOLDED, encoding="utf-8")
    facts("import", str(path), *BY)
    facts("correct", said, "--predicate", "seats", "--value", "7", "--reason", "r", *BY)
    assert facts.row(fact)["value"] == "7"
    head = _head(facts)
    other = facts("correct", "Lodz Pharma S.A.", "--predicate", "seats", "--value", "1",
                  "--reason", "r", *BY, ok=False)  # another form names nothing
    assert other.exit_code == 2 and _head(facts) == head


def test_the_alias_index_lookup_retries_a_bare_name_with_a_kept_form(
        store: FactStore, tmp_path: Path) -> None:
    """A commit from before the normalised-name columns is looked up in the alias index: a
    bare name finds the company stored with a form normalize() keeps there too."""
    path = tmp_path / "partners.yaml"
    path.write_text(PARTNERS, encoding="utf-8")
    store.import_file(path, author=AUTHOR)
    names, head = store._names, store.head()
    for said in ("Bageriet Nørrebro", "Havneskib Rederi", "Comercializadora Pacífico",
                 "Mezcalera Oaxaca", "Nobody Nowhere", "Comercializadora Pacífico S.A.",
                 "Bageriet Nørrebro ApS"):
        by_sql = [(f.id, f.matched_by) for f in names._exact_entities(said, head)]
        by_index = [(f.id, f.matched_by) for f in names._exact_in_index(said, head)]
        assert by_index == by_sql, said
    assert [f.id for f in names._exact_in_index("Havneskib Rederi", head)] == ["havneskib"]


def test_retract_by_a_misspelt_name_exits_2_and_writes_nothing(cli: Facts) -> None:
    head = _head(cli)
    result = cli("retract", "Fern Bnak", "--reason", "gone", *BY, ok=False)
    assert result.exit_code == 2 and "did you mean" in result.output
    assert _head(cli) == head


def test_revert_by_a_misspelt_name_exits_2_and_writes_nothing(cli: Facts) -> None:
    cli("correct", "fact:tern-acv", "--value", "101", "--reason", "typo", *BY)
    head = _head(cli)
    result = cli("revert", "Tern Bnak", "--reason", "undo", *BY, ok=False)
    assert result.exit_code == 2 and "tern-bank" in result.output
    assert _head(cli) == head


def test_correct_definition_by_a_misspelt_term_suggests_the_term(banks: FactStore) -> None:
    head = banks.head()
    with pytest.raises(Ambiguous, match="did you mean def:acv@finance"):
        banks.correct_definition("ACVV", "x", author=AUTHOR, reason="r")
    assert banks.head() == head


def test_correct_fact_with_a_misspelt_predicate_or_period_suggests_the_fact(
        cli: Facts) -> None:
    """An expert's typo in --predicate or --period (acvv, FY26Q3) used to be "not found"
    (exit 3) with nothing to go on; it is refused like a misspelt name: exit 2, the facts it
    may mean, nothing written. A predicate nothing is close to is still not found."""
    head = _head(cli)
    for predicate, period in (("acvv", "FY26-Q3"), ("acv", "FY26Q3"), ("ACV", "fy26-q3")):
        result = cli("correct", "Tern Bank", "--predicate", predicate, "--period", period,
                     "--value", "110", "--reason", "r", *BY, ok=False)
        assert result.exit_code == 2, result.output
        assert "did you mean fact:tern-acv?" in result.output
        assert "candidate: fact:tern-acv  acv = 100 USD, source src:crm" in result.output
    result = cli("correct", "Tern Bank", "--predicate", "ebitda", "--value", "1", "--reason",
                 "r", *BY, ok=False)
    assert result.exit_code == 3
    assert _head(cli) == head


def test_correct_definition_in_a_misspelt_scope_suggests_its_scopes(banks: FactStore) -> None:
    head = banks.head()
    with pytest.raises(Ambiguous, match=r"in scope 'financ'.*did you mean def:acv@finance"):
        banks.correct_definition("ACV", "x", scope="financ", author=AUTHOR, reason="r")
    assert banks.head() == head


@pytest.mark.parametrize(("name", "flag", "said"), [
    ("def:acv@finance", "--value", "def:acv@finance is a definition, not a fact: correct it "
                                   "with --def"),
    ("fact:tern-acv", "--def", "fact:tern-acv is a fact, not a definition: correct it with "
                               "--value"),
    ("src:crm", "--value", "src:crm is a source, not a fact: change it with `facts add source "
                           "--id src:crm --update`"),
])
def test_correct_given_the_id_of_another_kind_says_what_it_is(
        cli: Facts, name: str, flag: str, said: str) -> None:
    """`facts correct def:… --value` used to say "no definition 'def:…'" (exit 3) of a
    definition that exists; the wrong kind of id is bad usage (exit 2) and says how that row
    is changed."""
    head = _head(cli)
    result = cli("correct", name, flag, "9", "--reason", "r", *BY, ok=False)
    assert (result.exit_code, result.output.strip()) == (2, f"error: {said}")
    assert _head(cli) == head


def test_add_fact_about_a_misspelt_subject_id_exits_2_and_writes_nothing(cli: Facts) -> None:
    head = _head(cli)
    result = cli("add", "fact", "--subject", "tern-bnak", "--predicate", "seats", "--value",
                 "3", *BY, ok=False)
    assert result.exit_code == 2 and "no entity 'tern-bnak'" in result.output
    result = cli("add", "alias", "--entity", "tern-bnak", "--alias", "Tern", *BY, ok=False)
    assert result.exit_code == 2
    assert _head(cli) == head


def test_add_with_a_misspelt_link_or_name_suggests_the_id_and_writes_nothing(
        cli: Facts) -> None:
    """`add rule --overrides rule:discont` used to be written: the exception then
    overrode nothing and both rules read as current. A subject given by an entity's name
    (acme, as Acme Corporation or ACME Inc. normalise), not its id, is refused with the id."""
    cli("add", "rule", "--id", "rule:discount", "--applies-to", "kind:customer", "--text",
        "Discounts above 15% need approval", *BY)
    head = _head(cli)
    for args, said in (
            (("rule", "--id", "rule:tern-discount", "--applies-to", "tern-bank", "--overrides",
              "rule:discont", "--text", "Tern: 20% pre-approved"),
             "overrides: no rule 'rule:discont' in the file or the store; did you mean "
             "rule:discount?"),
            (("rule", "--id", "rule:x", "--applies-to", "kind:custmer", "--text", "x"),
             "applies_to: no entity is of kind 'custmer'; did you mean kind:customer?"),
            (("fact", "--subject", "fern-bank", "--predicate", "acv", "--value", "1",
              "--supersedes", "fact:fern-acvv"),
             "supersedes: no fact 'fact:fern-acvv' in the file or the store; did you mean "
             "fact:fern-acv"),
            (("fact", "--subject", "acme", "--predicate", "seats", "--value", "3"),
             "subject: no entity 'acme' in the file or the store; did you mean acme-corp?")):
        result = cli("add", *args, *BY, ok=False)
        assert result.exit_code == 2, result.output
        assert said in result.output
    assert _head(cli) == head


def test_a_correction_from_a_misspelt_source_exits_2_and_writes_nothing(cli: Facts) -> None:
    """--source is recorded as the new value's source: `--source src:cmr` used to be written,
    leaving the fact (or definition) naming a source that does not exist."""
    head = _head(cli)
    for args in (("fact:tern-acv", "--value", "110"), ("ACV", "--def", "Annual value")):
        result = cli("correct", *args, "--source", "src:cmr", "--reason", "r", *BY, ok=False)
        assert result.exit_code == 2
        assert result.output.strip() == ("error: source: no source 'src:cmr' in the store; "
                                         "did you mean src:crm?")
    assert _head(cli) == head


def test_an_unknown_id_with_a_prefix_is_not_found_not_guessed(cli: Facts) -> None:
    assert cli("show", "fact:tern-acvv", ok=False).exit_code == 3
    assert cli("retract", "fact:tern-acvv", "--reason", "r", *BY, ok=False).exit_code == 3


# -- reads follow a sure match and say so -------------------------------------------------------


def test_show_follows_a_sure_fuzzy_match_and_says_so(cli: Facts) -> None:
    shown = json.loads(cli("show", "Tern Bank Ltd", "--json").output)  # not exact: no Ltd
    assert shown["id"] == "tern-bank"
    assert shown["matched_by"] == "fuzzy" and shown["matched_name"] == "Tern Bank"
    assert shown["match_score"] >= 98
    text = cli("show", "Tern Bank Ltd").output
    assert f"matched 'Tern Bank' (fuzzy, score {shown['match_score']})" in text


def test_show_says_whether_it_matched_by_id_term_name_or_alias(banks: FactStore) -> None:
    assert banks.show("tern-bank").matched_by == "id"
    assert banks.show("acv").matched_by == "term"
    assert (banks.show("tern bank").matched_by, banks.show("tern bank").matched_name) == (
        "name", "Tern Bank")
    assert (banks.show("Acme Inc").matched_by, banks.show("Acme Inc").id) == ("alias",
                                                                             "acme-corp")


def test_show_of_a_name_the_resolver_is_unsure_of_lists_candidates_and_exits_2(
        cli: Facts) -> None:
    result = cli("show", "Hern Bank", ok=False)
    assert result.exit_code == 2
    assert "tern-bank" in result.output and "fern-bank" in result.output


def test_history_follows_a_sure_fuzzy_match_and_says_so(cli: Facts) -> None:
    history = json.loads(cli("history", "Tern Bank Ltd", "--json").output)
    assert (history["id"], history["matched_by"]) == ("tern-bank", "fuzzy")
    assert "matched 'Tern Bank' (fuzzy" in cli("history", "Tern Bank Ltd").output


def test_list_subject_by_a_sure_fuzzy_name_says_so(cli: Facts) -> None:
    result = cli("list", "facts", "--subject", "Tern Bank Ltd")
    assert "matched 'Tern Bank' (fuzzy" in result.output
    assert "fact:tern-acv" in result.output and "fact:fern-acv" not in result.output


# -- 2. add refuses an existing id; values fit their type; corrections need a reason -----------


def test_add_of_an_existing_id_exits_4_and_keeps_the_row(cli: Facts) -> None:
    head = _head(cli)
    result = cli("add", "fact", "--id", "fact:tern-acv", "--subject", "tern-bank",
                 "--predicate", "acv", "--value", "", *BY, ok=False)
    assert result.exit_code == 4
    assert "fact:tern-acv exists; use `facts correct`, or `facts add fact … --update`" in \
        result.output
    assert _head(cli) == head and cli.row("fact:tern-acv")["value"] == "100"


def test_the_library_refuses_to_add_an_existing_id(banks: FactStore) -> None:
    head = banks.head()
    with pytest.raises(Refused):
        banks.add(Fact(id="fact:fern-acv", subject="fern-bank", predicate="acv", value=1),
                  author=AUTHOR)
    assert banks.head() == head and banks.get("fact:fern-acv")["value"] == "200"


def test_add_update_replaces_the_row(banks: FactStore) -> None:
    result = banks.add(Fact(id="fact:fern-acv", subject="fern-bank", predicate="acv",
                            value=250, period="FY26-Q3", source="src:board"),
                       author=AUTHOR, update=True)
    assert result.changed == ["fact:fern-acv"]
    row = banks.get("fact:fern-acv")
    assert (row["value"], row["source_id"]) == ("250", "src:board")
    assert banks.log(1)[0].message.startswith("Update fact")


def test_add_update_keeps_the_fields_it_leaves_out_and_an_explicit_none_clears(
        banks: FactStore) -> None:
    banks.add(Fact(id="fact:tern-acv", subject="tern-bank", predicate="acv", value=110),
              author=AUTHOR, update=True)
    row = banks.get("fact:tern-acv")
    assert (row["value"], row["value_type"], row["unit"], row["period"], row["source_id"],
            row["quote"]) == ("110", "money", "USD", "FY26-Q3", "src:crm", "ACV 100")
    banks.add(Fact(id="fact:tern-acv", subject="tern-bank", predicate="acv", value=110,
                   quote=None), author=AUTHOR, update=True)
    assert banks.get("fact:tern-acv")["quote"] is None


def test_add_update_by_id_keeps_the_required_fields_it_leaves_out(cli: Facts) -> None:
    """An expert correcting a rule's text (`facts correct` takes facts and definitions)
    was told `applies_to: required field is missing`: --update kept only optional fields
    left out, so the rule's target had to be typed again. A required field left out is now
    the stored row's, found by --id; without --update it is still required."""
    cli("add", "rule", "--id", "rule:discount", "--applies-to", "kind:customer", "--text",
        "Discounts above 15% need approval", *BY)
    cli("add", "rule", "--id", "rule:tern-discount", "--applies-to", "tern-bank",
        "--overrides", "rule:discount", "--text", "Tern: 12% pre-approved", *BY)
    cli("add", "rule", "--id", "rule:tern-discount", "--update", "--text",
        "Tern: 10% pre-approved", "--reason", "contract renewed", *BY)
    row = cli.row("rule:tern-discount")
    assert (row["applies_to"], row["overrides"], row["text"], row["reason"]) == (
        "tern-bank", "rule:discount", "Tern: 10% pre-approved", "contract renewed")
    cli("add", "fact", "--id", "fact:tern-acv", "--update", "--value", "120", *BY)
    row = cli.row("fact:tern-acv")
    assert (row["subject_id"], row["predicate"], row["value"], row["value_type"]) == (
        "tern-bank", "acv", "120", "money")
    head = _head(cli)
    result = cli("add", "rule", "--id", "rule:new", "--text", "x", *BY, ok=False)
    assert (result.exit_code, result.output) == (
        2, "error: applies_to: required field is missing\n")
    assert _head(cli) == head


@pytest.mark.parametrize("value", ["", "  ", "1.2M", "n/a", "nan"])
def test_a_money_fact_refuses_an_empty_or_non_numeric_value(banks: FactStore,
                                                           value: str) -> None:
    head = banks.head()
    with pytest.raises(InvalidInput, match="value: "):
        banks.add(Fact(subject="fern-bank", predicate="arr", value=value, value_type="money"),
                  author=AUTHOR)
    with pytest.raises(InvalidInput, match="value: "):
        banks.add(Fact(id="fact:tern-acv", subject="tern-bank", predicate="acv", value=value),
                  author=AUTHOR, update=True)
    with pytest.raises(InvalidInput, match="value: "):
        banks.correct_fact("fact:tern-acv", value, author=AUTHOR, reason="r")
    assert banks.head() == head


def test_a_fact_refuses_an_empty_value_whatever_its_type(cli: Facts) -> None:
    result = cli("add", "fact", "--subject", "fern-bank", "--predicate", "segment",
                 "--value", " ", *BY, ok=False)
    assert result.exit_code == 2 and "value: empty" in result.output


def test_correct_without_a_reason_exits_2_and_writes_nothing(cli: Facts) -> None:
    head = _head(cli)
    result = cli("correct", "fact:tern-acv", "--value", "120", *BY, ok=False)
    assert result.exit_code == 2 and "needs --reason" in result.output
    result = cli("correct", "ACV", "--def", "x", *BY, ok=False)
    assert result.exit_code == 2
    assert _head(cli) == head


def test_the_library_refuses_a_correction_without_a_reason(banks: FactStore) -> None:
    with pytest.raises(InvalidInput, match="needs --reason"):
        banks.correct_fact("fact:tern-acv", "120", author=AUTHOR, reason=None)
    with pytest.raises(InvalidInput, match="needs --reason"):
        banks.correct_definition("def:acv@finance", "x", author=AUTHOR, reason=" ")


# -- 3. provenance follows the change -----------------------------------------------------------


def test_a_corrected_value_without_a_quote_drops_the_old_quote(banks: FactStore) -> None:
    banks.correct_fact("fact:acme-acv", "1300000", author=AUTHOR, reason="amendment")
    row = banks.get("fact:acme-acv")
    assert (row["value"], row["quote"]) == ("1300000", None)


def test_a_corrected_value_with_a_quote_records_the_new_quote(banks: FactStore) -> None:
    banks.correct_fact("fact:acme-acv", "1300000", quote="ACV 1.3M after amendment",
                       author=AUTHOR, reason="amendment")
    assert banks.get("fact:acme-acv")["quote"] == "ACV 1.3M after amendment"


def test_correcting_only_the_quote_keeps_the_value(banks: FactStore) -> None:
    banks.correct_fact("fact:acme-acv", "1200000", quote="ACV $1.2M", author=AUTHOR,
                       reason="exact wording")
    row = banks.get("fact:acme-acv")
    assert (row["value"], row["quote"]) == ("1200000", "ACV $1.2M")


# -- 4. facts that differ only by source ----------------------------------------------------


def test_facts_that_differ_only_by_source_are_listed_with_value_and_source(cli: Facts) -> None:
    result = cli("correct", "Acme Corporation", "--predicate", "acv", "--value", "1", "--reason",
                 "r", *BY, ok=False)
    assert result.exit_code == 2
    assert "fact:acme-acv  acv = 1200000 USD, source src:crm" in result.output
    assert "fact:acme-acv-board  acv = 1250000 USD, source src:board" in result.output


def test_source_picks_among_facts_that_differ_only_by_source(cli: Facts) -> None:
    cli("correct", "Acme Corporation", "--predicate", "acv", "--source", "src:board",
        "--value", "1260000", "--reason", "board update", *BY)
    assert cli.row("fact:acme-acv-board")["value"] == "1260000"
    assert cli.row("fact:acme-acv")["value"] == "1200000"


def test_a_source_none_of_the_facts_has_writes_nothing(banks: FactStore, tmp_path: Path
                                                       ) -> None:
    head = banks.head()
    with pytest.raises(InvalidInput, match="no source 'src:wiki' in the store"):
        banks.correct_fact("Acme Corporation", "1", predicate="acv", source="src:wiki",
                           author=AUTHOR, reason="r")
    assert banks.head() == head
    wiki = tmp_path / "wiki.yaml"
    wiki.write_text("factstore: 1\nsources: [{id: src:wiki, title: Wiki, kind: wiki, "
                    "authority: 40}]\n", encoding="utf-8")
    banks.import_file(wiki, author=AUTHOR)
    head = banks.head()
    with pytest.raises(Ambiguous, match="none is from src:wiki"):
        banks.correct_fact("Acme Corporation", "1", predicate="acv", source="src:wiki",
                           author=AUTHOR, reason="r")
    assert banks.head() == head


# -- 5. filters and names that fail loudly ----------------------------------------------------


def test_list_with_an_unknown_status_exits_2(cli: Facts) -> None:
    result = cli("list", "facts", "--status", "bogus", ok=False)
    assert result.exit_code == 2 and "status: expected one of active" in result.output


def test_list_with_an_unknown_kind_exits_2(cli: Facts) -> None:
    assert cli("list", "entities", "--kind", "custmer", ok=False).exit_code == 2
    assert cli("list", "sources", "--kind", "crm", ok=False).exit_code == 2
    assert "tern-bank" in cli("list", "entities", "--kind", "customer").output


def test_list_subject_takes_an_exact_entity_name(cli: Facts) -> None:
    result = cli("list", "facts", "--subject", "Acme Corporation", "--json")
    rows = json.loads(result.stdout)
    assert [r["id"] for r in rows] == ["fact:acme-acv", "fact:acme-acv-board"]
    assert "matched 'Acme Corporation' (name)" in result.stderr


def test_retract_takes_an_exact_entity_name(cli: Facts) -> None:
    cli("retract", "Fern Bank", "--reason", "churned", *BY)
    assert cli.row("fern-bank")["status"] == "retracted"


def test_revert_takes_an_exact_entity_name(banks: FactStore) -> None:
    from factstore import Entity

    banks.add(Entity(id="fern-bank", kind="customer", name="Fern Bank",
                     description="regional"), author=AUTHOR, update=True)
    banks.revert("Fern Bank", author=AUTHOR, reason="undo")
    assert banks.get("fern-bank")["description"] is None


def test_retract_of_a_name_nothing_is_close_to_is_not_found(banks: FactStore) -> None:
    with pytest.raises(NotFound):
        banks.retract("Zyxwvut", author=AUTHOR, reason="r")


def test_a_retired_definition_among_the_candidates_says_so(cli: Facts) -> None:
    """Two definitions of ACV, one retired: the candidates of a correction by the term say
    which is which (status, validity), so the expert picks the current one."""
    cli("add", "definition", "--id", "def:acv-fy25", "--term", "ACV", "--scope", "finance",
        "--text", "Annual contract value (FY25 rules)", "--valid-to", "2025-06-30",
        "--status", "deprecated", *BY)
    head = _head(cli)
    result = cli("correct", "ACV", "--def", "x", "--reason", "r", *BY, ok=False)
    assert result.exit_code == 2, result.output
    assert "candidate: def:acv-fy25  ACV (finance, deprecated, valid …..2025-06-30)" \
        in result.output
    assert "candidate: def:acv@finance  ACV (finance)\n" in result.output
    assert _head(cli) == head
