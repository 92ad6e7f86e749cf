"""Context packs on data nobody tuned them for (#13): rules reach a pack through the entities
they govern, relations are items, and a pack says what it did not find.

The store is Saltmarsh Logistics' (invented here, nothing like Northwind's fixtures): three
customers in two regions, one under a parent company and one in the public sector, a partner,
two account managers, and rules that govern by kind, by region, by segment and by parent,
worded without the words the questions use. Built once per module on each backend; every
test only reads.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from functools import partial

import pytest

from factstore import FactStore
from factstore.render import parse, parse_missing, presented
from factstore.verify import verify

from .conftest import AUTHOR, item_ids, loaded_store, pack_of, Facts

SALTMARSH = """
factstore: 1
default_source: src:ledger
sources:
  - {id: src:ledger, title: Ledgerline billing export, uri: "billing://ledgerline/accounts",
     kind: system_of_record, authority: 90, captured_at: 2025-10-02}
  - {id: src:handbook, title: Credit and collections handbook 2025, kind: policy,
     uri: "https://wiki.saltmarsh.test/credit", authority: 80, captured_at: 2025-06-30}
  - {id: src:roster, title: Account team roster, uri: "https://wiki.saltmarsh.test/roster",
     kind: wiki, authority: 50, captured_at: 2025-09-12}
entities:
  - {id: marrowgate, kind: customer, name: Marrowgate Provisions Ltd}
  - {id: ostrava-motors, kind: customer, name: Ostrava Motors}
  - {id: pelican-ridge, kind: customer, name: Pelican Ridge Hospital}
  - {id: vantor-holdings, kind: company, name: Vantor Holdings}
  - {id: quayside, kind: partner, name: Quayside Resellers}
  - {id: nordics, kind: region, name: Nordics}
  - {id: iberia, kind: region, name: Iberia}
  - {id: public-sector, kind: segment, name: Public sector}
  - {id: harlan-vale, kind: person, name: Harlan Vale}
  - {id: ines-duarte, kind: person, name: Ines Duarte}
relations:
  - {src: marrowgate, rel: managed_by, dst: harlan-vale, valid_from: 2025-04-01,
     source: src:roster}
  - {src: marrowgate, rel: located_in, dst: nordics}
  - {src: ostrava-motors, rel: located_in, dst: nordics}
  - {src: ostrava-motors, rel: managed_by, dst: harlan-vale, valid_to: 2025-03-31,
     source: src:roster}
  - {src: ostrava-motors, rel: managed_by, dst: ines-duarte, valid_from: 2025-04-01,
     source: src:roster}
  - {src: pelican-ridge, rel: located_in, dst: iberia}
  - {src: pelican-ridge, rel: part_of, dst: public-sector}
  - {src: vantor-holdings, rel: parent_of, dst: marrowgate, valid_from: 2024-11-15}
  - {src: quayside, rel: located_in, dst: nordics}
definitions:
  - {term: Net retention, scope: finance,
     text: "Revenue kept from last year's customers, expansions included, over last year's."}
facts:
  - {subject: marrowgate, predicate: revenue, value: 410000, value_type: money, unit: EUR,
     period: 2025-Q3, quote: "Q3 revenue 410k"}
  - {subject: ostrava-motors, predicate: revenue, value: 265000, value_type: money, unit: EUR,
     period: 2025-Q3}
  - {subject: ostrava-motors, predicate: fleet_size, value: 140, value_type: number,
     unit: vehicles, period: 2025-Q3}
  - {subject: pelican-ridge, predicate: revenue, value: 98000, value_type: money, unit: EUR,
     period: 2025-Q3}
rules:
  - {id: "rule:invoice-due", applies_to: "kind:customer", source: src:handbook,
     text: "Invoices fall due 45 days after issue; overdue invoices accrue 1% interest per
       month, and accounts above 250k revenue are reviewed quarterly."}
  - {id: "rule:invoice-due-public", applies_to: public-sector, overrides: "rule:invoice-due",
     source: src:handbook, text: "Public-sector buyers settle invoices within 60 days under
       statutory procurement terms; no interest is charged."}
  - {id: "rule:nordic-vat", applies_to: nordics, source: src:handbook,
     text: "Orders shipped to Nordic customers carry local VAT, stated on each invoice."}
  - {id: "rule:group-credit", applies_to: vantor-holdings, source: src:handbook,
     text: "Credit limits for Vantor Holdings companies are set at group level by treasury."}
  - {id: "rule:reseller-discount", applies_to: "kind:partner", source: src:handbook,
     text: "Partners resell at 18% below list price."}
"""
ON = "2025-10-15"  # valid-at of every pack here: inside 2025-Q4, after the roster change


@pytest.fixture(scope="module", params=["doltlite", "dolt"])
def saltmarsh(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[FactStore]:
    yield from loaded_store(request, tmp_path_factory, "Saltmarsh", SALTMARSH)


_pack = partial(pack_of, valid_at=ON)


# --- 1. rules by entity ----------------------------------------------------------------------


def test_rules_reach_an_entity_through_its_kind_region_and_parent(saltmarsh: FactStore) -> None:
    pack = _pack(saltmarsh, "What rules apply to Marrowgate Provisions?")
    assert set(item_ids(pack, "rule")) == {"rule:invoice-due", "rule:nordic-vat",
                                       "rule:group-credit"}, pack.text
    assert item_ids(pack, "fact") == []  # it asked about rules, not revenue


def test_rules_of_another_region_or_parent_never_reach_the_pack(saltmarsh: FactStore) -> None:
    pack = _pack(saltmarsh, "What rules apply to Pelican Ridge Hospital?")
    assert set(item_ids(pack, "rule")) == {"rule:invoice-due-public", "rule:invoice-due"}


def test_payment_terms_get_the_governing_rules_though_they_never_say_payment(
        saltmarsh: FactStore) -> None:
    pack = _pack(saltmarsh, "What are Ostrava Motors' payment terms?")
    assert set(item_ids(pack, "rule")) == {"rule:invoice-due", "rule:nordic-vat"}, pack.text
    assert pack.missing == []


def test_a_segment_exception_comes_with_its_general_rule_overridden(saltmarsh: FactStore
                                                                   ) -> None:
    pack = _pack(saltmarsh, "When must Pelican Ridge Hospital pay its invoices?")
    labels = {i.id: i.status for i in pack.items}
    assert labels == {"rule:invoice-due-public": "exception", "rule:invoice-due": "overridden"}
    assert pack.items[0].id == "rule:invoice-due-public"
    assert pack.items[0].note == "exception to [2]"


def test_a_metric_question_gets_no_rule_even_one_that_names_the_metric(
        saltmarsh: FactStore) -> None:
    pack = _pack(saltmarsh, "What was Ostrava Motors' revenue in 2025-Q3?")
    assert item_ids(pack) == ["fact:ostrava-motors-revenue-2025q3"]  # rule:invoice-due says revenue


def test_an_exception_is_ranked_before_its_general_rule_so_no_budget_splits_them(
        saltmarsh: FactStore) -> None:
    question = "Which invoice rules hold for Ostrava Motors and Pelican Ridge Hospital?"
    full = _pack(saltmarsh, question)
    labels = {i.id: i.status for i in full.items}
    assert labels["rule:invoice-due"] == "current"  # Ostrava has no exception
    assert labels["rule:invoice-due-public"] == "exception"
    order = item_ids(full)
    assert order.index("rule:invoice-due-public") < order.index("rule:invoice-due")
    for budget in range(500, 900, 25):
        kept = item_ids(_pack(saltmarsh, question, max_tokens=budget))  # type: ignore[arg-type]
        assert "rule:invoice-due" not in kept or "rule:invoice-due-public" in kept


def test_a_question_naming_no_entity_gets_general_rules_with_their_group_exceptions(
        saltmarsh: FactStore) -> None:
    # "45 days" alone is not true of public-sector buyers: an exception is never left out
    # while its general rule is shown; the Nordic VAT rule is no exception, and stays out
    pack = _pack(saltmarsh, "What is the invoice policy?")
    assert [(i.id, i.status) for i in pack.items] == [
        ("rule:invoice-due-public", "exception"), ("rule:invoice-due", "current")]


# --- 2. relations ------------------------------------------------------------------------------


def test_who_manages_an_account_is_a_cited_relation(saltmarsh: FactStore) -> None:
    pack = _pack(saltmarsh, "Who manages the Marrowgate Provisions account?")
    (item,) = pack.items
    assert (item.kind, item.id, item.status) == (
        "relation", "rel:marrowgate/managed_by/harlan-vale", "current")
    assert item.text == "Marrowgate Provisions Ltd is managed by Harlan Vale (from 2025-04-01)"
    assert item.source and item.source.title == "Account team roster"
    assert item.valid_from == "2025-04-01"


def test_customers_in_a_region_are_found_through_relations_into_it(saltmarsh: FactStore
                                                                  ) -> None:
    pack = _pack(saltmarsh, "Which customers are located in the Nordics?")
    assert item_ids(pack) == ["rel:marrowgate/located_in/nordics",
                          "rel:ostrava-motors/located_in/nordics"]  # not the partner



def test_a_metric_of_a_regions_customers_is_their_facts(saltmarsh: FactStore) -> None:
    """The revenue "of the customers in the Nordics" is each such customer's revenue (the
    region has none), with the relations that make them its customers; a member that lacks
    the metric is said, and the partner in the region is not a customer."""
    pack = _pack(saltmarsh, "What was the 2025-Q3 revenue of the customers located in the "
                            "Nordics?")
    assert item_ids(pack) == ["fact:marrowgate-revenue-2025q3",
                              "fact:ostrava-motors-revenue-2025q3",
                              "rel:marrowgate/located_in/nordics",
                              "rel:ostrava-motors/located_in/nordics"], pack.text
    assert pack.missing == []
    assert verify("In 2025-Q3 Marrowgate Provisions brought 410,000 EUR [1] and Ostrava "
                  "Motors 265,000 EUR [2].", pack).ok
    pack = _pack(saltmarsh, "What is the fleet size of customers in the Nordics?")
    assert item_ids(pack, "fact") == ["fact:ostrava-motors-fleet-size-2025q3"]
    assert pack.missing == ["no fact for fleet of Marrowgate Provisions Ltd"]
    pack = _pack(saltmarsh, "What revenue do Harlan Vale's customers bring?")
    assert item_ids(pack, "fact") == ["fact:marrowgate-revenue-2025q3"]  # Ostrava: not now


def test_a_metric_of_a_region_itself_is_not_its_members(saltmarsh: FactStore) -> None:
    pack = _pack(saltmarsh, "What is the Nordics' revenue?")  # names no kind of member
    assert item_ids(pack) == [] and pack.missing == ["no fact for revenue of Nordics"]

def test_who_owns_a_company_finds_its_parent(saltmarsh: FactStore) -> None:
    pack = _pack(saltmarsh, "Who owns Marrowgate Provisions?")
    assert "rel:vantor-holdings/parent_of/marrowgate" in item_ids(pack)
    item = next(i for i in pack.items if i.id == "rel:vantor-holdings/parent_of/marrowgate")
    assert item.text == "Vantor Holdings is parent of Marrowgate Provisions Ltd (from 2024-11-15)"


def test_a_relation_counts_only_while_it_holds(saltmarsh: FactStore) -> None:
    question = "Who is the account manager of Ostrava Motors?"
    assert item_ids(_pack(saltmarsh, question)) == ["rel:ostrava-motors/managed_by/ines-duarte"]
    assert item_ids(_pack(saltmarsh, question, valid_at="2025-02-01")) == [
        "rel:ostrava-motors/managed_by/harlan-vale"]


@pytest.mark.parametrize("fmt", ["md", "xml", "json"])
def test_relation_items_render_and_parse_back(saltmarsh: FactStore, fmt: str) -> None:
    pack = _pack(saltmarsh, "Who manages the Marrowgate Provisions account?", format=fmt)
    assert parse(pack.text, fmt) == [presented(i) for i in pack.items]  # type: ignore[arg-type]
    if fmt == "md":
        assert "[1] relation · current · Marrowgate Provisions Ltd is managed by" in pack.text


def test_an_answer_citing_a_relation_verifies_and_a_wrong_name_fails(saltmarsh: FactStore
                                                                    ) -> None:
    pack = _pack(saltmarsh, "Who manages the Marrowgate Provisions account?")
    assert verify("Harlan Vale manages Marrowgate Provisions since 2025-04-01 [1].", pack).ok
    wrong = verify("Ines Duarte manages Marrowgate Provisions [1].", pack)
    assert not wrong.ok
    assert [p.kind for s in wrong.sentences for p in s.problems] == ["entity"]


def test_a_pack_with_relations_and_not_found_statements_replays_byte_for_byte(
        saltmarsh: FactStore) -> None:
    for question in ("Which customers are located in the Nordics?",
                     "What is Ostrava Motors' churn rate?"):
        pack = saltmarsh.context(question, valid_at=ON, format="xml")
        assert saltmarsh.replay(pack.hash).text.encode() == pack.text.encode()


def test_cli_context_json_lists_the_relation(saltmarsh: FactStore) -> None:
    out = Facts(saltmarsh.url)("context", "Who manages the Marrowgate Provisions account?",
                               "--valid-at", ON, "--json").output
    pack = json.loads(out[:out.rindex("}") + 1])
    assert [(i["kind"], i["subject"], i["predicate"], i["value"]) for i in pack["items"]] == [
        ("relation", "marrowgate", "managed_by", "harlan-vale")]


# --- 3. what was not found --------------------------------------------------------------------


def test_an_unknown_company_is_listed_as_unknown_and_gets_no_general_rule(
        saltmarsh: FactStore) -> None:
    pack = _pack(saltmarsh, "What is Brackenfield Ltd's revenue?")
    assert [(m.text, m.status) for m in pack.entities] == [("Brackenfield Ltd", "unknown")]
    assert pack.items == []  # rule:invoice-due says revenue, but Brackenfield is no customer
    assert '"Brackenfield Ltd" is not in the store' in pack.text


@pytest.mark.parametrize("question", [
    "Please summarise the Net Revenue Retention of Ostrava Motors for the CFO in October 2025",
    "What did the Board decide about Ostrava Motors last quarter?",
    "Tell me about Ostrava Motors. Thanks",
])
def test_ordinary_capitalised_words_are_not_unknown_names(saltmarsh: FactStore, question: str
                                                          ) -> None:
    pack = _pack(saltmarsh, question)
    assert [(m.text, m.status) for m in pack.entities] == [("Ostrava Motors", "resolved")]


def test_a_misspelt_name_is_ambiguous_with_the_entity_it_may_mean(saltmarsh: FactStore
                                                                  ) -> None:
    pack = _pack(saltmarsh, "What is Ostrova Motorz' revenue?")
    (mention,) = pack.entities
    assert mention.status == "ambiguous"
    assert [c["id"] for c in mention.candidates] == ["ostrava-motors"]
    assert pack.items == []  # never guessed


def test_the_first_word_of_a_name_no_other_entity_has_names_it(saltmarsh: FactStore) -> None:
    pack = _pack(saltmarsh, "What is Ostrava's revenue?")
    (mention,) = pack.entities
    assert (mention.status, mention.entity["id"]) == ("resolved", "ostrava-motors")


def test_a_metric_the_entity_lacks_is_said_and_its_other_facts_left_out(saltmarsh: FactStore
                                                                       ) -> None:
    pack = _pack(saltmarsh, "What is Ostrava Motors' churn rate?")
    assert pack.missing == ["no fact for churn rate of Ostrava Motors"]
    assert pack.items == []


def test_a_fact_is_found_by_the_unit_it_is_counted_in(saltmarsh: FactStore) -> None:
    pack = _pack(saltmarsh, "How many vehicles does Ostrava Motors have?")
    assert item_ids(pack) == ["fact:ostrava-motors-fleet-size-2025q3"] and pack.missing == []


def test_a_fact_named_by_part_of_the_question_does_not_answer_it(saltmarsh: FactStore) -> None:
    pack = _pack(saltmarsh, "What is the Net Revenue Retention of Ostrava Motors?")
    assert item_ids(pack) == []  # its revenue is not its net revenue retention
    assert pack.missing == ["no fact for Net Revenue Retention of Ostrava Motors"]


def test_a_period_with_no_value_is_said(saltmarsh: FactStore) -> None:
    pack = _pack(saltmarsh, "What was Ostrava Motors' revenue in 2025-Q2?")
    assert pack.items == []
    assert pack.missing == ["no fact for revenue of Ostrava Motors in 2025-Q2"]


def test_a_question_naming_no_entity_gets_the_definition_and_says_so(saltmarsh: FactStore
                                                                     ) -> None:
    pack = _pack(saltmarsh, "What does net retention mean?")
    assert item_ids(pack) == ["def:net-retention@finance"]
    assert pack.missing == ["no entity named: the question names no company, person or other "
                            "entity the store holds"]



@pytest.mark.parametrize("question", [
    "What is the retention definition the finance team uses?",
    "What does retained net mean?",  # its words, another order
])
def test_a_definition_asked_for_in_part_of_its_terms_words(saltmarsh: FactStore,
                                                           question: str) -> None:
    """A question that asks what something means finds the term sharing most of its words,
    though it never writes the term whole ("Net retention")."""
    assert item_ids(_pack(saltmarsh, question)) == ["def:net-retention@finance"]


def test_a_question_not_about_meaning_is_not_given_a_definition_by_one_word(
        saltmarsh: FactStore) -> None:
    assert item_ids(_pack(saltmarsh, "What is our retention outlook?")) == []

@pytest.mark.parametrize("fmt", ["md", "xml", "json"])
def test_not_found_statements_are_shown_escaped_in_every_format(saltmarsh: FactStore, fmt: str
                                                                ) -> None:
    question = "What is Ostrava Motors' </not-found> [1] `x` | \\ ## Items <b>rating</b>?"
    pack = _pack(saltmarsh, question, format=fmt)
    (note,) = pack.missing
    assert note.startswith("no fact for") and note.endswith("of Ostrava Motors")
    assert parse_missing(pack.text, fmt) == pack.missing  # type: ignore[arg-type]
    assert parse(pack.text, fmt) == []  # type: ignore[arg-type]
    if fmt == "md":
        assert "\n## Not found\n\n- no fact for" in pack.text
        assert pack.text.count("\n## Items\n") == 1


def test_verify_refuses_a_pack_whose_not_found_list_was_edited(saltmarsh: FactStore,
                                                               tmp_path: Path) -> None:
    facts = Facts(saltmarsh.url)
    out = facts("context", "What is Ostrava Motors' churn rate?", "--json").output
    pack = json.loads(out[:out.rindex("}") + 1])
    pack["missing"] = []
    edited = tmp_path / "pack.json"
    edited.write_text(json.dumps(pack), encoding="utf-8")
    answer = tmp_path / "answer.txt"
    answer.write_text("I don't know.", encoding="utf-8")
    result = facts("verify", str(answer), "--pack", str(edited), ok=False)
    assert result.exit_code == 2 and "edited" in result.output


def test_a_relation_named_by_initials_answers_the_words_they_stand_for(
        store: FactStore, tmp_path: Path) -> None:
    """A relation called csm is what 'customer success manager' asks for: the pack lists it
    with no 'no relation named …' note, and 'account manager' is not it."""
    path = tmp_path / "moana.yaml"
    path.write_text("""\
factstore: 1
sources: [{id: "src:crm", title: CRM, kind: system_of_record, authority: 80}]
entities:
  - {id: moana, kind: customer, name: Moana Kelp Co}
  - {id: rangi, kind: person, name: Rangi Parata}
relations:
  - {src: moana, rel: csm, dst: rangi, source: "src:crm"}
""", encoding="utf-8")
    store.import_file(path, author=AUTHOR)
    pack = _pack(store, "Who is the customer success manager of Moana Kelp Co?")
    assert item_ids(pack) == ["rel:moana/csm/rangi"] and pack.missing == []
    pack = _pack(store, "Who is the account manager of Moana Kelp Co?")
    assert pack.missing == ["no relation of Moana Kelp Co is named 'manager': listed are "
                            "those that may say who"]
