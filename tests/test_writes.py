"""Writes are commits: import, add, correct, retract — on both backends."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from factstore import Conflict, Definition, Entity, Fact, FactStore, Refused, Source
from factstore.importers import load_file

from .conftest import AUTHOR, FIXTURES, Facts

SMALL = """
factstore: 1
calendar: {fiscal_year_start_month: 2}
sources:
  - {id: src:crm, title: CRM export, uri: "crm://accounts", kind: system_of_record,
     authority: 90, captured_at: 2025-11-05}
  - {id: src:glossary, title: Finance glossary v3, kind: policy, authority: 85}
entities:
  - id: acme-corp
    kind: customer
    name: Acme Corporation
    aliases:
      - {alias: ACME Inc., kind: name}
      - {alias: Acme Widgets, kind: former, valid_to: 2025-03-31}
    relations:
      - {rel: located_in, dst: amer, source: src:crm}
  - {id: amer, kind: region, name: Americas, aliases: [{alias: AMER, kind: abbreviation}]}
definitions:
  - {id: "def:acv@finance", term: ACV, scope: finance, text: "Annual contract value",
     owner: finance, source: src:glossary, valid_from: 2025-02-01}
  - {id: "def:acv@sales", term: ACV, scope: sales, text: "First-year contract value",
     owner: sales-ops, source: src:glossary}
facts:
  - {id: fact:acme-acv-fy26q3, subject: acme-corp, predicate: acv, value: 1200000,
     unit: USD, period: FY26-Q3, source: src:crm, quote: "ACV 1.2M"}
  - {id: fact:acme-seats-fy26q3, subject: acme-corp, predicate: seats, value: 420,
     period: FY26-Q3, source: src:crm}
rules:
  - {id: rule:discount-approval, applies_to: "kind:customer", text: "Discounts over 15% need VP
     approval", source: src:glossary}
"""


@pytest.fixture
def small_file(tmp_path: Path) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(SMALL, encoding="utf-8")
    return path


@pytest.fixture
def loaded(store: FactStore, small_file: Path) -> FactStore:
    store.import_batch(load_file(small_file), author=AUTHOR, message="Import small.yaml",
                       reason="Q3 load")
    return store


def test_import_is_one_commit_with_author_reason_and_every_row(store: FactStore,
                                                              small_file: Path) -> None:
    before = len(store.log())
    result = store.import_batch(load_file(small_file), author=AUTHOR,
                                message="Import small.yaml", reason="Q3 load")
    log = store.log()
    assert len(log) == before + 1
    assert log[0].commit == result.commit
    assert log[0].author == AUTHOR
    assert log[0].message.startswith("Import small.yaml: ")
    assert "Reason: Q3 load" in log[0].message
    assert "alias:acme-corp/acme" in result.changed
    assert "rel:acme-corp/located_in/amer" in result.changed
    fact = store.get("fact:acme-acv-fy26q3")
    assert (fact["value"], fact["value_type"], fact["recorded_by"], fact["reason"]) == (
        "1200000", "number", AUTHOR, "Q3 load")


def test_reimporting_the_same_file_makes_no_commit(loaded: FactStore, small_file: Path) -> None:
    head = loaded.head()
    result = loaded.import_batch(load_file(small_file), author="Bo Lind <bo@northwind.test>",
                                 message="Import small.yaml")
    assert result.commit is None and result.changed == []
    assert loaded.head() == head
    assert loaded.get("acme-corp")["recorded_by"] == AUTHOR


def test_import_upserts_changed_rows_and_keeps_absent_ones(loaded: FactStore,
                                                         tmp_path: Path) -> None:
    update = tmp_path / "update.yaml"
    update.write_text(
        "factstore: 1\nfacts:\n  - {id: fact:acme-seats-fy26q3, subject: acme-corp, "
        "predicate: seats, value: 450, period: FY26-Q3, source: src:crm}\n", encoding="utf-8")
    result = loaded.import_batch(load_file(update), author=AUTHOR, message="Import update.yaml")
    assert result.changed == ["fact:acme-seats-fy26q3"]
    assert loaded.get("fact:acme-seats-fy26q3")["value"] == "450"
    assert loaded.get("fact:acme-seats-fy26q3")["rev"] == 2
    assert loaded.get("fact:acme-acv-fy26q3")["value"] == "1200000"


def test_write_without_author_is_refused_and_writes_nothing(loaded: FactStore) -> None:
    head = loaded.head()
    with pytest.raises(Refused):
        loaded.correct_definition("def:acv@finance", "x", author=None, reason="r")
    assert loaded.head() == head


def test_add_items_one_commit_each(store: FactStore) -> None:
    store.add(Source(id="src:wiki", title="Sales wiki", kind="wiki", authority=40),
              author=AUTHOR)
    store.add(Entity(id="globex", kind="customer", name="Globex"), author=AUTHOR)
    result = store.add(Fact(subject="globex", predicate="arr", value=5e5, period="FY26-Q3",
                            source="src:wiki"), author=AUTHOR, reason="from the wiki")
    assert result.changed == ["fact:globex-arr-fy26q3"]
    assert [c.message.splitlines()[0] for c in store.log(3)] == [
        "Add fact: facts +1", "Add entity: entities +1", "Add source: sources +1"]


def test_correct_definition_in_place_keeps_old_version_in_history(loaded: FactStore) -> None:
    result = loaded.correct_definition(
        "ACV", "Annualised value of recurring contract revenue, excl. one-off fees",
        scope="finance", author="Bo Lind <bo@northwind.test>",
        reason="Finance reclassified services", source="src:glossary")
    shown = loaded.show("def:acv@finance")
    assert shown.row["text"].startswith("Annualised value")
    assert shown.row["recorded_by"] == "Bo Lind <bo@northwind.test>"
    assert shown.last_change is not None and shown.last_change.commit == result.commit
    assert shown.last_change.author == "Bo Lind <bo@northwind.test>"
    message = loaded.log(1)[0].message
    assert message.splitlines()[0] == "Correct definition of ACV (finance) (def:acv@finance)"
    assert "Reason: Finance reclassified services" in message
    assert "Source: src:glossary" in message
    # superseded, not destroyed: the previous commit still has the old text
    source, params = loaded.backend.table_at("definitions", f"{result.commit}~1")
    old = loaded.backend.query(f"SELECT text FROM {source} WHERE id = ?",
                               [*params, "def:acv@finance"])
    assert old == [{"text": "Annual contract value"}]


def test_correct_by_ambiguous_term_lists_candidates(loaded: FactStore) -> None:
    from factstore import Ambiguous

    with pytest.raises(Ambiguous) as info:
        loaded.correct_definition("acv", "x", author=AUTHOR, reason="r")
    assert {c["id"] for c in info.value.candidates} == {"def:acv@finance", "def:acv@sales"}


def test_correct_fact_by_entity_alias_and_period(loaded: FactStore) -> None:
    loaded.correct_fact("ACME Inc.", "1300000", predicate="acv", period="FY26-Q3",
                        author=AUTHOR, reason="signed amendment", source="src:crm")
    assert loaded.get("fact:acme-acv-fy26q3")["value"] == "1300000"


def test_correcting_a_number_with_text_is_refused(loaded: FactStore) -> None:
    from factstore import InvalidInput

    with pytest.raises(InvalidInput, match="not a number"):
        loaded.correct_fact("fact:acme-acv-fy26q3", "lots", author=AUTHOR, reason="r")


def test_two_corrections_from_the_same_base_one_wins_none_lost(loaded: FactStore) -> None:
    base = loaded.head()
    first = loaded.correct_fact("fact:acme-acv-fy26q3", "1300000", author=AUTHOR,
                                reason="first", expect=base)
    with pytest.raises(Conflict):
        loaded.correct_fact("fact:acme-acv-fy26q3", "1250000", author=AUTHOR,
                            reason="second", expect=base)
    assert loaded.get("fact:acme-acv-fy26q3")["value"] == "1300000"
    assert loaded.head() == first.commit


def test_concurrent_correction_between_read_and_write_conflicts(store_url: str,
                                                               loaded: FactStore) -> None:
    """Two writers read rev 1; the slower one must not overwrite the faster one's value."""
    from factstore import open_store

    with open_store(store_url) as other:
        stale = loaded.get("fact:acme-seats-fy26q3")
        other.correct_fact("fact:acme-seats-fy26q3", "430", author=AUTHOR, reason="other")
        with pytest.raises(Conflict):
            loaded.correct_fact("fact:acme-seats-fy26q3", "440", author=AUTHOR,
                                reason="stale", expect=str(stale["rev"]))
    assert loaded.get("fact:acme-seats-fy26q3")["value"] == "430"


def test_retract_keeps_the_row_but_hides_it_from_lists(loaded: FactStore) -> None:
    loaded.retract("fact:acme-seats-fy26q3", author=AUTHOR, reason="double counted")
    assert loaded.get("fact:acme-seats-fy26q3")["status"] == "retracted"
    assert [f["id"] for f in loaded.rows("facts")] == ["fact:acme-acv-fy26q3"]
    assert loaded.log(1)[0].message.startswith("Retract fact:acme-seats-fy26q3")


def test_sql_metacharacters_are_data_stored_byte_for_byte(store: FactStore) -> None:
    nasty = "O'Brien \"Q3\"; DELETE FROM facts -- %s ? \\ \u202e \U0001f600"
    store.add(Entity(id="obrien", kind="person", name=nasty, description=nasty), author=AUTHOR)
    result = store.add(Definition(term=nasty, scope="sales", text=nasty), author=AUTHOR)
    assert store.get("obrien")["name"] == nasty
    shown = store.show(result.changed[0]).row
    assert (shown["term"], shown["text"]) == (nasty, nasty)
    assert store.rows("entities")[0]["description"] == nasty


def test_cli_demo_flow_json(facts: Facts, small_file: Path) -> None:
    out = facts("import", str(small_file), "--by", AUTHOR, "-m", "Q3 load", "--json")
    assert json.loads(out.output)["commit"]
    out = facts("correct", "ACV", "--scope", "finance", "--def", "Annualised value",
                "--reason", "reclass", "--by", "Bo Lind <bo@northwind.test>", "--json")
    commit = json.loads(out.output)["commit"]
    shown = json.loads(facts("show", "def:acv@finance", "--json").output)
    assert shown["row"]["text"] == "Annualised value"
    assert shown["source"]["id"] == "src:glossary"
    assert shown["last_change"]["commit"] == commit
    log = json.loads(facts("log", "--json").output)
    assert log[0] == {**log[0], "commit": commit, "author": "Bo Lind <bo@northwind.test>"}
    assert set(log[0]) == {"commit", "author", "date", "message"}


def test_cli_write_without_author_exits_4(facts: Facts, small_file: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FACTS_AUTHOR", raising=False)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    result = facts("import", str(small_file), ok=False)
    assert result.exit_code == 4
    assert "no author" in result.output


def test_cli_stale_expect_exits_5(facts: Facts, small_file: Path) -> None:
    facts("import", str(small_file), "--by", AUTHOR)
    base = json.loads(facts("log", "--json").output)[0]["commit"]
    args = ["correct", "fact:acme-acv-fy26q3", "--reason", "r", "--by", AUTHOR, "--expect", base]
    facts(*args, "--value", "1300000")
    result = facts(*args, "--value", "1250000", ok=False)
    assert result.exit_code == 5
    assert "changed since" in result.output
    shown = json.loads(facts("show", "fact:acme-acv-fy26q3", "--json").output)
    assert shown["row"]["value"] == "1300000"


def test_cli_unknown_name_exits_3_and_ambiguous_exits_2(facts: Facts, small_file: Path) -> None:
    facts("import", str(small_file), "--by", AUTHOR)
    assert facts("show", "Initech", ok=False).exit_code == 3
    ambiguous = facts("show", "ACV", ok=False)
    assert ambiguous.exit_code == 2
    assert "def:acv@finance" in ambiguous.output and "def:acv@sales" in ambiguous.output


def test_cli_add_each_kind_then_list_it(facts: Facts) -> None:
    by = ["--by", AUTHOR]
    facts("add", "source", "--id", "src:wiki", "--title", "Sales wiki", "--kind", "wiki",
          "--authority", "40", *by)
    facts("add", "entity", "--id", "globex", "--kind", "customer", "--name", "Globex", *by)
    facts("add", "entity", "--id", "emea", "--kind", "region", "--name", "EMEA", *by)
    facts("add", "alias", "--entity", "globex", "--alias", "Globex Corp.", "--kind", "name", *by)
    facts("add", "relation", "--src", "globex", "--rel", "located_in", "--dst", "emea", *by)
    facts("add", "definition", "--term", "Active customer", "--scope", "sales", "--text",
          "Has a paid subscription", *by)
    facts("add", "fact", "--subject", "globex", "--predicate", "seats", "--value", "12",
          "--period", "FY26-Q3", "--source", "src:wiki", *by)
    facts("add", "rule", "--id", "rule:net-30", "--applies-to", "kind:customer", "--text",
          "Invoices are due in 30 days", *by)
    seen = {t: [r for r in json.loads(facts("list", t, "--json").output)]
            for t in ("sources", "entities", "aliases", "relations", "definitions", "facts",
                      "rules")}
    assert seen["aliases"][0]["normalized"] == "globex"
    assert seen["definitions"][0]["id"] == "def:active-customer@sales"
    assert seen["facts"][0]["id"] == "fact:globex-seats-fy26q3"
    assert seen["facts"][0]["value"] == "12" and seen["facts"][0]["value_type"] == "number"
    assert len(json.loads(facts("log", "--json").output)) == 8 + 2


EXTRA = """
factstore: 1
entities:
  - {id: kestrel-labs, kind: customer, name: Kestrel Labs, source: src:crm,
     aliases: [{alias: KLabs, kind: abbreviation, valid_from: 2024-01-01}]}
facts:
  - {subject: kestrel-labs, predicate: is_strategic, value: true, source: src:crm}
  - {subject: kestrel-labs, predicate: nps, value: 41.5, period: FY26-Q3, confidence: 0.8,
     source: src:crm}
  - {subject: kestrel-labs, predicate: renewal_date, value: "2026-03-31", value_type: date,
     valid_from: 2025-04-01, valid_to: 2026-03-31, source: src:crm, status: proposed}
"""


def _as_jsonl(yaml_path: Path, out: Path) -> Path:
    """The same records as a JSONL file: one line each, `type` first, the default source
    written into every record that takes one, blank lines in between."""
    import yaml

    from factstore.importers import SOURCED, _Loader, _with_source
    from factstore.schema import SINGULAR

    doc = yaml.load(yaml_path.read_text(encoding="utf-8"), Loader=_Loader)
    kinds = {section: kind for kind, section in SINGULAR.items()}
    with out.open("w", encoding="utf-8") as lines:
        for section, kind in kinds.items():
            for record in doc.get(section, []):
                if doc.get("default_source") and section in SOURCED:
                    record = _with_source(record, doc["default_source"])
                lines.write(json.dumps({"type": kind, **record}) + "\n\n")
    return out


def _tables(store: FactStore) -> dict[str, list[str]]:
    return {t: sorted(json.dumps(r, sort_keys=True, default=str)
                      for r in store.backend.query(f"SELECT * FROM {t}"))
            for t in ("sources", "entities", "aliases", "relations", "definitions", "facts",
                      "rules")}


def test_yaml_and_jsonl_of_the_same_knowledge_store_the_same_rows(
    store: FactStore, store_url: str, tmp_path: Path
) -> None:
    """The YAML path (sections, default source, nested aliases) and the JSONL fast path (one
    validation pass over all lines) must agree row for row, values of every type included."""
    import factstore

    extra = tmp_path / "extra.yaml"
    extra.write_text(EXTRA, encoding="utf-8")
    files = [FIXTURES / "northwind.yaml", extra]
    for path in files:
        store.import_file(path, author=AUTHOR)
    other = (str(tmp_path / "other.db") if "://" not in store_url
             else store_url.rsplit("/", 1)[0] + "/j" + store_url.rsplit("/", 1)[1])
    factstore.init_store(other, author=AUTHOR).close()
    with factstore.open_store(other) as jsonl:
        for path in files:
            jsonl.import_file(_as_jsonl(path, tmp_path / f"{path.stem}.jsonl"), author=AUTHOR)
        assert _tables(jsonl) == _tables(store)
    facts = {r["predicate"]: r for r in store.backend.query(
        "SELECT * FROM facts WHERE subject_id = ?", ["kestrel-labs"])}
    assert [(facts[p]["value"], facts[p]["value_type"]) for p in sorted(facts)] == [
        ("true", "bool"), ("41.5", "number"), ("2026-03-31", "date")]
    assert facts["nps"]["id"] == "fact:kestrel-labs-nps-fy26q3"


def test_a_large_import_reports_its_progress(store_url: str, small_file: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import factstore
    from factstore.store import imports as store_module

    reports: list[tuple[str, int, int]] = []
    with factstore.open_store(store_url, progress=lambda *r: reports.append(r)) as store:
        store.import_file(small_file, author=AUTHOR)  # small: nothing to report
        assert reports == []
        monkeypatch.setattr(store_module, "IMPORT_PROGRESS_BYTES", 0)
        monkeypatch.setattr(store_module, "WRITE_CHUNK", 2)
        extra = tmp_path / "extra.yaml"
        extra.write_text(EXTRA, encoding="utf-8")
        store.import_file(extra, author=AUTHOR)
    assert reports == [("validating extra.yaml", 0, 1), ("validating extra.yaml", 1, 1),
                       ("writing entities", 1, 1), ("writing aliases", 1, 1),
                       ("writing facts", 2, 3), ("writing facts", 3, 3),
                       ("committing", 0, 1), ("committing", 1, 1)]


def test_values_typed_on_the_command_line_are_stored_as_typed(facts: Facts) -> None:
    facts("add", "entity", "--id", "veldt-mining", "--kind", "customer", "--name",
          "Veldt Mining", "--by", AUTHOR)
    facts("add", "fact", "--subject", "veldt-mining", "--predicate", "site_code", "--value",
          "00123", "--by", AUTHOR)
    facts("add", "fact", "--subject", "veldt-mining", "--predicate", "contract_value",
          "--value", "12345678901234567.89", "--value-type", "money", "--by", AUTHOR)
    code = facts.row("fact:veldt-mining-site-code")
    assert (code["value"], code["value_type"]) == ("00123", "text")
    facts("correct", "fact:veldt-mining-contract-value", "--value", "98765432109876543.21",
          "--reason", "amended", "--by", AUTHOR)
    money = facts.row("fact:veldt-mining-contract-value")
    assert (money["value"], money["value_type"]) == ("98765432109876543.21", "money")
    bad = facts("correct", "fact:veldt-mining-contract-value", "--value", "1_000", "--reason",
                "typo", "--by", AUTHOR, ok=False)
    assert bad.exit_code == 2
    # as a pack writes money ("1,300,000 USD"): the digits; a comma that groups no thousands
    # is refused, not guessed at
    facts("correct", "fact:veldt-mining-contract-value", "--value", "1,300,000.50",
          "--reason", "as the pack writes it", "--by", AUTHOR)
    assert facts.row("fact:veldt-mining-contract-value")["value"] == "1300000.50"
    bad = facts("correct", "fact:veldt-mining-contract-value", "--value", "1,30", "--reason",
                "typo", "--by", AUTHOR, ok=False)
    assert bad.exit_code == 2 and "'1,30' is not a number" in bad.output
    facts("add", "fact", "--subject", "veldt-mining", "--predicate", "headcount", "--value",
          "1,200", "--by", AUTHOR)
    facts("add", "fact", "--subject", "veldt-mining", "--predicate", "permit", "--value",
          "4,711", "--value-type", "text", "--by", AUTHOR)
    assert facts.row("fact:veldt-mining-headcount")["value"] == "1200"
    assert facts.row("fact:veldt-mining-permit")["value"] == "4,711"
    # thousands grouped by a space (185 000 zł), a no-break one, or an apostrophe (CHF)
    for typed, stored in (("1 300 000", "1300000"), ("1\u00a0300\u00a0000,25", "1300000.25"),
                          ("1'300'000.75", "1300000.75")):
        facts("correct", "fact:veldt-mining-contract-value", "--value", typed,
              "--reason", "as the invoice writes it", "--by", AUTHOR)
        assert facts.row("fact:veldt-mining-contract-value")["value"] == stored
    bad = facts("correct", "fact:veldt-mining-contract-value", "--value", "1 30 000",
                "--reason", "typo", "--by", AUTHOR, ok=False)
    assert bad.exit_code == 2 and "is not a number" in bad.output
    # German's way, where it reads no other way, in an added fact as in a correction
    facts("add", "fact", "--subject", "veldt-mining", "--predicate", "umsatz", "--value",
          "1.234.567,89", "--value-type", "money", "--unit", "EUR", "--by", AUTHOR)
    assert facts.row("fact:veldt-mining-umsatz")["value"] == "1234567.89"
