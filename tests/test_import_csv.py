"""CSV glossaries and fact tables: import, export and re-import to the same rows; one-line
errors naming the row and the column, nothing written; subjects resolved exactly.

The data is generated here, with a seeded random source: names and texts in several scripts,
with commas, quotes and line breaks, numbers written in several ways."""

from __future__ import annotations

import csv
import io
import json
import random
import uuid
from pathlib import Path

import pytest

import factstore
from factstore import FactStore, init_store
from factstore.importers import ImportOptions, load_file
from factstore.models import slug
from factstore.resolver import normalize

from .conftest import AUTHOR, Facts

WORDS = ["net", "revenue", "Umsatz", "churn", "logo", "bookings", "ARR", "Kündigung", "seat",
         "retention", "marge", "coût", "顧客", "収益", "доход", "клиент", "pipeline", "won",
         "quota", "renewal", "expansion", "café", "naïve", "Ørsted", "façade", "São", "Łódź"]
TEXT_BITS = ['includes "credits", refunds', "excludes one-off services, taxes",
             "counted at month end;\nrestated quarterly", "as in the board deck (v2)",
             "per contract, not per invoice", "see §4.2 — «gross»", "<b>not markup</b>",
             "50% of list, rounded", "=SUM(A1:A3) is not a formula here"]
BOOKKEEPING = ("recorded_by", "reason", "rev")


def _name(rng: random.Random, taken: set[str]) -> str:
    while True:
        parts = rng.sample(WORDS, rng.randint(1, 3))
        name = " ".join(parts)
        if rng.random() < 0.2:
            name += rng.choice([", Inc.", " & Co", " (EMEA)", " \"North\"", " #2"])
        keys = {normalize(name), slug(name)}  # a name, and a term's id, once each
        if not keys & taken:
            taken.update(keys)
            return name


def _glossary(rng: random.Random, n: int) -> list[dict[str, str]]:
    taken: set[str] = set()
    rows = []
    for i in range(n):
        scope = rng.choice(["", "finance", "sales", "cs_ops"])
        rows.append({
            "term": _name(rng, taken), "scope": scope,
            "definition": f"{rng.choice(TEXT_BITS)}, {rng.choice(TEXT_BITS)} [{i}]",
            "formula": rng.choice(["", "a / b", "SUM(x) - SUM(y), x > 0", "ΣARR ÷ 12"]),
            "owner": rng.choice(["", "Finance", "Zoë Müller <zoe@x.test>", "Sales, EMEA"]),
            "valid_from": rng.choice(["", "2025-02-01", "2024-12-31"]),
            "source": rng.choice(["", "src:wiki", "src:board"]),
        })
    return rows


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _entities_yaml(rng: random.Random, n: int) -> tuple[str, list[dict[str, str]]]:
    """A factstore file with n entities (names in several scripts, some with an alias) and two
    sources; the entities as (id, name, alias)."""
    taken: set[str] = set()
    entities = []
    for i in range(n):
        name = _name(rng, taken)
        alias = _name(rng, taken) if rng.random() < 0.3 else ""
        entities.append({"id": f"e{i}-{rng.randint(0, 999)}", "name": name, "alias": alias})
    doc = {"factstore": 1, "sources": [
        {"id": "src:wiki", "title": "Wiki", "kind": "wiki", "authority": 50},
        {"id": "src:board", "title": "Board deck", "kind": "policy", "authority": 90}],
        "entities": [{"id": e["id"], "kind": "customer", "name": e["name"],
                      "aliases": [{"alias": e["alias"]}] if e["alias"] else []}
                     for e in entities]}
    return json.dumps(doc, ensure_ascii=False), entities


def _value(rng: random.Random) -> str:
    return rng.choice([
        str(rng.randint(-10**6, 10**9)), f"{rng.uniform(0, 1000):.2f}", "1.50", "00123",
        "true", "false", "1e3", "0x1F", rng.choice(TEXT_BITS), "€ 1.200,50",
        f"{rng.randint(1, 99)}%", "2025-10-31", "  padded  "])


def _facts_rows(rng: random.Random, entities: list[dict[str, str]], n: int
                ) -> list[list[str]]:
    rows, keys = [], set()
    predicates = ["arr", "seats", "region", "health_score", "segment", "nps", "owner_email"]
    periods = ["", "FY26-Q3", "FY26-Q4", "2025-10", "2025", "FY25"]
    while len(rows) < n:
        entity = rng.choice(entities)
        predicate, period = rng.choice(predicates), rng.choice(periods)
        if (entity["id"], predicate, period) in keys:
            continue
        keys.add((entity["id"], predicate, period))
        subject = rng.choice([entity["id"], entity["name"], entity["alias"] or entity["name"],
                              entity["name"].upper()])
        rows.append([subject, predicate, _value(rng), rng.choice(["", "EUR", "USD", "€"]),
                     period, rng.choice(["", "src:wiki", "src:board"]),
                     rng.choice(["", "from the QBR, \"verbatim\"", "línea 1\nlínea 2"])])
    return rows


def _rows(store: FactStore, table: str) -> list[dict[str, object]]:
    return [{k: v for k, v in r.items() if k not in BOOKKEEPING}
            for r in store.rows(table, status=None)]


def _fresh(url: str, tmp_path: Path, name: str) -> str:
    """Another empty store on the same backend as url."""
    other = str(tmp_path / f"{name}.db") if "://" not in url or url.startswith("doltlite") \
        else url.rsplit("/", 1)[0] + f"/{name}{uuid.uuid4().hex[:12]}"
    init_store(other, author=AUTHOR).close()
    return other


def test_a_glossary_of_200_terms_imports_exports_and_reimports_to_the_same_rows(
        facts: Facts, tmp_path: Path) -> None:
    rng = random.Random(17)
    sources = tmp_path / "sources.json"
    sources.write_text(_entities_yaml(rng, 0)[0], encoding="utf-8")
    facts("import", str(sources))
    glossary = _glossary(rng, 200)
    header = ["Term", "Scope", "Definition", "Formula", "Owner", "Valid From", "Source"]
    path = _write_csv(tmp_path / "glossary.csv", header,
                      [list(row.values()) for row in glossary])
    assert "200 changed" in facts("import", str(path)).output
    assert "Nothing changed" in facts("import", str(path)).output
    with factstore.open_store(facts.url) as store:
        first = _rows(store, "definitions")
    assert len(first) == 200
    by_term = {r["term"]: r for r in first}
    for row in glossary:
        stored = by_term[row["term"]]
        assert stored["text"] == row["definition"] and stored["scope"] == (row["scope"] or None)
        assert stored["owner"] == (row["owner"] or None)
    exported = tmp_path / "exported.csv"
    facts("export", "--format", "csv", "--table", "definitions", "-o", str(exported))
    other = Facts(_fresh(facts.url, tmp_path, "again"))
    other("import", str(sources))
    other("import", str(exported))
    with factstore.open_store(other.url) as store:
        assert _rows(store, "definitions") == first
    again = tmp_path / "again.csv"
    other("export", "--table", "definitions", "-o", str(again))  # format from the suffix
    assert again.read_bytes() == exported.read_bytes()


def test_ten_thousand_facts_import_by_name_export_and_reimport_to_the_same_rows(
        facts: Facts, tmp_path: Path) -> None:
    rng = random.Random(2026)
    text, entities = _entities_yaml(rng, 400)
    people = tmp_path / "entities.json"
    people.write_text(text, encoding="utf-8")
    facts("import", str(people))
    rows = _facts_rows(rng, entities, 10_000)
    path = _write_csv(tmp_path / "facts.csv", ["Account", "predicate", "value", "unit",
                                               "period", "source", "quote"], rows)
    facts("import", str(path), "--map", "Account=subject")
    with factstore.open_store(facts.url) as store:
        first = _rows(store, "facts")
    assert len(first) == 10_000
    ids = {e["name"]: e["id"] for e in entities}
    sample = next(r for r in rows if r[0] in ids and r[2] == "00123")
    stored = next(f for f in first if f["subject_id"] == ids[sample[0]]
                  and f["predicate"] == sample[1] and (f["period"] or "") == sample[4])
    assert stored["value"] == "00123" and stored["value_type"] == "text"  # a code, not 123
    assert {f["value_type"] for f in first} == {"number", "bool", "text"}
    exported = tmp_path / "out.csv"
    facts("export", "--format", "csv", "--table", "facts", "-o", str(exported))
    assert "Nothing changed" in facts("import", str(exported)).output
    other = Facts(_fresh(facts.url, tmp_path, "again"))
    other("import", str(people))
    other("import", str(exported))
    with factstore.open_store(other.url) as store:
        assert _rows(store, "facts") == first
    assert other("export", "--format", "csv", "--table", "facts").output == \
        exported.read_text(encoding="utf-8")


@pytest.fixture
def accounts(facts: Facts, tmp_path: Path) -> Facts:
    """Three accounts, two of them both called 'Acme' by an alias."""
    path = tmp_path / "accounts.yaml"
    path.write_text("""\
factstore: 1
sources: [{id: "src:crm", title: CRM, kind: system_of_record, authority: 90}]
entities:
  - {id: acme-corp, kind: customer, name: Acme Corporation, aliases: [{alias: Acme}]}
  - {id: acme-gmbh, kind: customer, name: Acme GmbH (Köln), aliases: [{alias: ACME}]}
  - {id: tessaly, kind: customer, name: "Tessaly Foods, Ltd."}
""", encoding="utf-8")
    facts("import", str(path))
    return facts


BAD = {
    "date": ('Tessaly Foods, Ltd.,arr,410000,EUR,2026-02-30', "row 3, column 'valid_from'",
             "invalid date '2026-02-30' (day is out of range for month)"),
    "unknown": ("Tesaly Foods,arr,1,EUR,", "row 3, column 'Kunde'",
                "no entity has the id, name or alias 'Tesaly Foods'; did you mean tessaly?"),
    "nobody": ("Quillon Marine,arr,1,EUR,", "row 3, column 'Kunde'",
               "no entity has the id, name or alias 'Quillon Marine'"),
    "id typo": ("acme-crop,arr,1,EUR,", "row 3, column 'Kunde'",
                "no entity has the id, name or alias 'acme-crop'; did you mean acme-corp?"),
    "ambiguous": ("acme,arr,1,EUR,", "row 3, column 'Kunde'",
                  "'acme' names 2 entities (acme-corp, acme-gmbh); use the entity id"),
}


@pytest.mark.parametrize("problem", list(BAD))
def test_a_bad_row_exits_2_naming_row_and_column_and_writes_nothing(
        accounts: Facts, tmp_path: Path, problem: str) -> None:
    line, where, what = BAD[problem]
    path = tmp_path / "facts.csv"
    path.write_text(f'Kunde,predicate,value,unit,valid_from\n"Acme GmbH (Köln)",seats,300,,\n'
                    f'{_quoted(line)}\n', encoding="utf-8")
    head = accounts("log", "-n", "1", "--json").output
    result = accounts("import", str(path), "--map", "Kunde=subject", ok=False)
    assert result.exit_code == 2
    assert result.output == f"error: facts.csv: {where}: {what}\n"
    assert accounts("log", "-n", "1", "--json").output == head
    assert accounts("list", "facts", "--json").output.strip() == "[]"


def _quoted(line: str) -> str:
    """The first cell quoted when it holds a comma."""
    if line.startswith("Tessaly Foods, Ltd."):
        return '"Tessaly Foods, Ltd."' + line[len("Tessaly Foods, Ltd."):]
    return line


def test_all_three_problems_in_one_file_name_the_first_row(accounts: Facts,
                                                            tmp_path: Path) -> None:
    path = tmp_path / "facts.csv"
    path.write_text("subject,predicate,value,unit,valid_from\n"
                    "acme-corp,seats,1,,\nAcme,arr,1,EUR,\nnobody,arr,2,,\n"
                    '"Tessaly Foods, Ltd.",arr,3,,2026-13-01\n', encoding="utf-8")
    result = accounts("import", str(path), ok=False)
    assert result.exit_code == 2
    assert result.output == ("error: facts.csv: row 3, column 'subject': 'Acme' names 2 "
                             "entities (acme-corp, acme-gmbh); use the entity id\n")


def test_names_resolve_exactly_by_id_name_or_alias(accounts: Facts, tmp_path: Path) -> None:
    path = tmp_path / "facts.csv"
    path.write_text('subject,predicate,value,source\nacme-corp,seats,300,src:crm\n'
                    '"ACME GMBH (köln)",seats,120,\n"tessaly foods ltd",arr,1.50,\n',
                    encoding="utf-8")
    accounts("import", str(path))
    rows = json.loads(accounts("list", "facts", "--json").output)
    assert {(r["subject_id"], r["value"]) for r in rows} == {
        ("acme-corp", "300"), ("acme-gmbh", "120"), ("tessaly", "1.50")}


@pytest.mark.parametrize(("text", "options", "message"), [
    ("predicate,value\n", ImportOptions(table="facts"), "header: no subject column"),
    ("Name,Meaning\nx,y\n", ImportOptions(), "header: expected a glossary"),
    ("term,definition,notes\nx,y,z\n", ImportOptions(), "column 'notes': not a field of "
                                                        "definitions"),
    ("term,definition\nx,y\n", ImportOptions(columns=(("Begriff", "term"),)),
     "--map Begriff=term: no column 'Begriff' in the header"),
    ("term,definition,text\nx,y,z\n", ImportOptions(),
     "columns 'definition' and 'text' both give definition"),
    ("term,definition\nx,y,z\n", ImportOptions(), "row 2: 3 cells for 2 columns"),
    ("term,definition\nx,\n", ImportOptions(), "row 2, column 'definition': required field"),
    ('term,definition,status\n"x, y",z,gone\n', ImportOptions(), "row 2, column 'status':"),
    ("term,definition\nx,y\nX,z\n", ImportOptions(), "row 3: def:x@global appears twice "
                                                     "(also row 2)"),
    ("subject,predicate,value\nx,arr,1\n", ImportOptions(scope="finance"),
     "--scope applies to glossaries"),
    ("term,definition\nx," + "é" * 40_000 + "\n", ImportOptions(),
     "row 2, column 'definition': text is 80000 bytes; the limit is 64 KiB"),
    ("Begriff,definition\nx,y,\n", ImportOptions(columns=(("Begriff", "term"),)),
     "row 2: 3 cells for 2 columns"),
])
def test_bad_csv_is_one_line_naming_what_is_wrong(tmp_path: Path, text: str,
                                                   options: ImportOptions,
                                                   message: str) -> None:
    path = tmp_path / "in.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(factstore.errors.InvalidInput) as caught:
        load_file(path, options)
    assert str(caught.value).startswith("in.csv: ") and message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_map_renames_leaves_out_and_scope_fills_in(tmp_path: Path, store: FactStore) -> None:
    path = tmp_path / "Glossar.csv"
    path.write_text("\ufeffBegriff,Bedeutung,Notiz,Bereich\n"
                    '"Kündigung; fristlos","Ende, sofort",intern,\nARR,Annual run rate,,sales\n',
                    encoding="utf-8")
    with pytest.raises(factstore.errors.InvalidInput, match="header: expected a glossary"):
        load_file(path)
    with pytest.raises(factstore.errors.InvalidInput, match="no column 'Ende, sofort'"):
        load_file(path, ImportOptions(columns=(("Ende, sofort", "term"),)))
    options = ImportOptions(scope="finance", columns=(("Begriff", "term"),
                                                     ("bedeutung", "definition"),
                                                     ("Notiz", ""), ("Bereich", "scope")))
    store.import_file(path, author=AUTHOR, options=options)
    assert store.get("def:kundigung-fristlos@finance")["text"] == "Ende, sofort"
    assert store.get("def:arr@sales")["text"] == "Annual run rate"


def test_export_csv_needs_its_table_and_the_suffix(facts: Facts, tmp_path: Path) -> None:
    result = facts("export", "--format", "csv", ok=False)
    assert result.exit_code == 2 and "CSV needs --table" in result.output
    result = facts("export", "--table", "facts", "-o", str(tmp_path / "x.yaml"), ok=False)
    assert result.exit_code == 2 and "--table applies to CSV" in result.output
    out = facts("export", "--format", "csv", "--table", "facts").output
    assert list(csv.reader(io.StringIO(out))) == [[
        "id", "subject", "predicate", "value", "value_type", "unit", "period", "valid_from",
        "valid_to", "source", "quote", "confidence", "status", "supersedes"]]


def test_a_tsv_glossary_reads_tabs(tmp_path: Path) -> None:
    path = tmp_path / "terms.tsv"
    path.write_text("term\tdefinition\nNet revenue, adjusted\tAfter refunds, credits\n",
                    encoding="utf-8")
    [row] = load_file(path).definitions
    assert (row["term"], row["text"]) == ("Net revenue, adjusted", "After refunds, credits")


def test_a_spreadsheet_saved_with_decimal_commas_reads_its_semicolons_and_numbers(
        accounts: Facts, tmp_path: Path) -> None:
    """A spreadsheet in a locale whose decimal mark is a comma saves its CSV separated by
    ';', its numbers grouped by '.': they are numbers, not text; a value said to be text
    stays as written."""
    path = tmp_path / "Kennzahlen.csv"
    path.write_text("\ufeffKunde;Kennzahl;Wert;Typ\r\n"
                    "acme-corp;arr;1.234.567,50;\r\n"
                    "tessaly;fill_rate;0,94;\r\n"
                    "acme-gmbh;seats;85;\r\n"
                    "acme-gmbh;contract_no;4.711,0;text\r\n", encoding="utf-8")
    accounts("import", str(path), "--map", "Kunde=subject", "--map", "Kennzahl=predicate",
             "--map", "Wert=value", "--map", "Typ=value_type")
    rows = json.loads(accounts("list", "facts", "--json").output)
    assert {(r["subject_id"], r["value"], r["value_type"]) for r in rows} == {
        ("acme-corp", "1234567.50", "number"), ("tessaly", "0.94", "number"),
        ("acme-gmbh", "85", "number"), ("acme-gmbh", "4.711,0", "text")}


@pytest.mark.parametrize("value", ["1.234.567,5O", "1,234,567.50", "n/d"])
def test_a_money_value_that_is_not_a_number_exits_2_naming_row_and_column(
        accounts: Facts, tmp_path: Path, value: str) -> None:
    """A value said to be money (or a number or percent) must read as one: a letter O for a
    zero, a US grouping in a file whose decimal mark is the comma, 'n/d' were stored as text
    with value_type money (a pack then showed '1.234.567,5O BRL' as an amount). As `add` and
    `correct` already refuse it, so does an import: the row and the column, nothing written."""
    path = tmp_path / "faturamento.csv"
    path.write_text("Cliente;Indicador;Valor;Tipo\r\n"
                    "tessaly;receita_liquida;6.105.970,50;money\r\n"
                    f"acme-corp;receita_liquida;{value};money\r\n", encoding="utf-8")
    head = accounts("log", "-n", "1", "--json").output
    result = accounts("import", str(path), "--map", "Cliente=subject", "--map",
                      "Indicador=predicate", "--map", "Valor=value", "--map", "Tipo=value_type",
                      ok=False)
    assert result.exit_code == 2
    assert result.output == (f"error: faturamento.csv: row 3, column 'Valor': {value!r} is not "
                             "a number (value_type money)\n")
    assert accounts("log", "-n", "1", "--json").output == head


def test_grouped_thousands_in_a_comma_csv_are_numbers(tmp_path: Path) -> None:
    path = tmp_path / "arr.csv"
    path.write_text('subject,predicate,value\nx,arr,"1,234,567.50"\nx,seats,"1,5"\n',
                    encoding="utf-8")
    first, second = load_file(path).facts
    assert (first["value"], first["value_type"]) == ("1234567.50", "number")
    assert (second["value"], second["value_type"]) == ("1,5", "text")  # not a grouping


def test_digits_grouped_by_spaces_are_numbers_only_where_the_type_says_so(tmp_path: Path
                                                                           ) -> None:
    """Polish, French or Swiss exports group thousands with a (no-break) space or an
    apostrophe: a money value reads as its number, and so does any value of a file that
    writes decimal commas; elsewhere a value of no stated type keeps its text (a phone number
    is not a number)."""
    path = tmp_path / "obroty.csv"
    path.write_text("subject,predicate,value,value_type\n"
                    "x,mrr,185\u00a0000,money\nx,arr,\"2 190 000,50\",money\n"
                    "x,fee,1'250.75,money\nx,phone,22 555 0100,\n", encoding="utf-8")
    mrr, arr, fee, phone = load_file(path).facts
    assert (mrr["value"], arr["value"], fee["value"]) == ("185000", "2190000.50", "1250.75")
    assert (phone["value"], phone["value_type"]) == ("22 555 0100", "text")
    # an export that writes decimal commas (so ';' between cells) groups thousands so too
    path.write_text("subject;predicate;value;unit\nx;arr;2 190 000,50;PLN\nx;seats;41 250;\n"
                    "x;phone;22 555 0100;\n", encoding="utf-8")
    arr, seats, phone = load_file(path).facts
    assert (arr["value"], arr["value_type"]) == ("2190000.50", "number")
    assert (seats["value"], phone["value"]) == ("41250", "22 555 0100")


def test_a_misspelt_source_or_a_period_written_otherwise_says_what_is_meant(
        accounts: Facts, tmp_path: Path) -> None:
    path = tmp_path / "facts.csv"
    path.write_text("subject,predicate,value,source\nacme-corp,seats,1,src:cmr\n",
                    encoding="utf-8")
    result = accounts("import", str(path), ok=False)
    assert (result.exit_code, result.output) == (2, "error: facts.csv: row 2, column "
                                                    "'source': no source 'src:cmr' in the "
                                                    "store; did you mean src:crm?\n")
    path.write_text("subject,predicate,value,period\nacme-corp,seats,1,FY26Q2\n",
                    encoding="utf-8")
    result = accounts("import", str(path), ok=False)
    assert result.exit_code == 2
    assert result.output == ("error: facts.csv: row 2, column 'period': expected a period "
                             "such as FY26-Q3, FY26-H1, FY26, 2026-Q1, 2026-H2, 2026-03, "
                             "2026-03-31 or 2026, got 'FY26Q2'\n")
    assert accounts("list", "facts", "--json").output.strip() == "[]"


def test_source_names_the_source_of_rows_that_name_none(accounts: Facts, tmp_path: Path
                                                          ) -> None:
    """An ERP export has no source column: --source says where its rows come from (a row
    that names its own keeps it); an unknown one is refused like a misspelt cell, and the
    option is refused for a file that is not a CSV."""
    path = tmp_path / "sap.csv"
    path.write_text("subject;predicate;period;value;unit\nacme-corp;arr;FY26-Q3;1.200,50;EUR\n"
                    "tessaly;arr;FY26-Q3;980;EUR\n", encoding="utf-8")
    head = accounts("log", "-n", "1", "--json").output
    bad = accounts("import", str(path), "--source", "src:cmr", ok=False)
    assert bad.exit_code == 2 and "src:crm" in bad.output
    assert accounts("log", "-n", "1", "--json").output == head
    wrong = accounts("import", str(path), "--source", "crm", ok=False)
    assert wrong.exit_code == 2 and "source: 'crm' is not a source id" in wrong.output
    accounts("import", str(path), "--source", "src:crm")
    rows = {r["subject_id"]: r for r in json.loads(accounts("list", "facts", "--json").output)}
    assert {s: r["source_id"] for s, r in rows.items()} == {"acme-corp": "src:crm",
                                                          "tessaly": "src:crm"}
    mixed = tmp_path / "crm.csv"
    mixed.write_text("subject,predicate,value,source\nacme-gmbh,seats,12,\n"
                     "acme-gmbh,users,40,src:board\n", encoding="utf-8")
    board = tmp_path / "board.yaml"
    board.write_text('factstore: 1\nsources: [{id: "src:board", title: Board, kind: policy, '
                     'authority: 95}]\n', encoding="utf-8")
    accounts("import", str(board))
    accounts("import", str(mixed), "--source", "src:crm")
    rows = {r["predicate"]: r for r in json.loads(accounts("list", "facts", "--json").output)
            if r["subject_id"] == "acme-gmbh"}
    assert (rows["seats"]["source_id"], rows["users"]["source_id"]) == ("src:crm", "src:board")
    yaml_file = tmp_path / "x.yaml"
    yaml_file.write_text("factstore: 1\n", encoding="utf-8")
    other = accounts("import", str(yaml_file), "--source", "src:crm", ok=False)
    assert other.exit_code == 2 and "--source apply to CSV files" in other.output
