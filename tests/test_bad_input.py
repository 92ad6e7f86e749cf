"""Bad input exits 2 with one line naming the record and field, and writes nothing."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from factstore.errors import InvalidInput
from factstore.importers import load_file

from .conftest import AUTHOR, Facts

GOOD = """factstore: 1
sources:
  - {id: src:crm, title: CRM, kind: system_of_record, authority: 90}
entities:
  - {id: acme-corp, kind: customer, name: Acme Corporation}
definitions:
  - {id: "def:acv@finance", term: ACV, scope: finance, text: Annual contract value}
facts:
  - {id: fact:a, subject: acme-corp, predicate: acv, value: 1, source: src:crm}
"""

RULES = """rules:
  - {id: rule:base, applies_to: "kind:customer", text: Discounts need approval}
  - {id: rule:exception, applies_to: acme-corp, overrides: rule:base, text: Pre-approved}
"""

# (name, file text, words the one-line error must contain)
CASES = [
    ("malformed yaml", GOOD + "  - {id: fact:b, subject: [unclosed\n", ["malformed YAML", "line"]),
    ("unknown field", GOOD.replace("value: 1,", "value: 1, colour: red,"),
     ["facts[0] (fact:a)", "colour", "unknown field"]),
    ("missing subject", GOOD.replace("subject: acme-corp", "subject: initech"),
     ["facts[0] (fact:a)", "subject", "initech"]),
    ("missing source", GOOD.replace("source: src:crm}", "source: src:nope}"),
     ["facts[0] (fact:a)", "source", "src:nope"]),
    ("impossible date", GOOD.replace("text: Annual", "valid_from: 2026-02-30, text: Annual"),
     ["definitions[0] (def:acv@finance)", "valid_from", "2026-02-30"]),
    ("impossible date in an alias", GOOD.replace(
        "name: Acme Corporation}",
        "name: Acme Corporation, aliases: [{alias: ACME, valid_from: 2025-02-30}]}"),
     ["entities[0] (acme-corp)", "aliases[0].valid_from", "2025-02-30"]),
    ("dates out of order", GOOD.replace(
        "text: Annual", "valid_from: 2026-01-01, valid_to: 2025-01-01, text: Annual"),
     ["definitions[0] (def:acv@finance)", "after valid_to"]),
    ("empty term", GOOD.replace("term: ACV", "term: ''"),
     ["definitions[0] (def:acv@finance)", "term", "empty"]),
    ("1 MB value", GOOD.replace("value: 1,", "value: '" + "x" * 1_000_000 + "',"),
     ["facts[0] (fact:a)", "value", "64 KiB"]),
    ("NUL in text", GOOD.replace("name: Acme Corporation", 'name: "Acme\\0"'),
     ["entities[0] (acme-corp)", "name", "NUL"]),
    ("duplicate id", GOOD + "  - {id: fact:a, subject: acme-corp, predicate: arr, value: 2}\n",
     ["facts[1]", "fact:a", "twice"]),
    ("wrong version", GOOD.replace("factstore: 1", "factstore: 2"), ["factstore"]),
    ("bad authority", GOOD.replace("authority: 90", "authority: 900"),
     ["sources[0] (src:crm)", "authority"]),
    ("record not a mapping", GOOD + "  - 42\n", ["facts[1]", "expected a record"]),
    ("bad status", GOOD.replace("name: Acme Corporation", "name: Acme, status: gone"),
     ["entities[0] (acme-corp)", "status"]),
    # ids hold printable ASCII only: nothing invisible can make two ids print alike
    ("NUL in a fact id", GOOD.replace("id: fact:a,", 'id: "fact:a\\0",'),
     ["facts[0] ('fact:a\\x00')", "id", "U+0000", "printable ASCII"]),
    ("zero-width space in a fact id", GOOD.replace("id: fact:a,", 'id: "fact:a\\u200b",'),
     ["facts[0] ('fact:a\\u200b')", "id", "U+200B (ZERO WIDTH SPACE)"]),
    ("tag character in a source id", GOOD.replace("id: src:crm,", 'id: "src:crm\\U000E0041",'),
     ["sources[0] ('src:crm\\U000e0041')", "id", "U+E0041 (TAG LATIN CAPITAL LETTER A)"]),
    ("word joiner in a definition id",
     GOOD.replace('"def:acv@finance"', '"def:acv\\u2060@finance"'),
     ["definitions[0]", "id", "U+2060 (WORD JOINER)"]),
    ("soft hyphen in a source reference",
     GOOD.replace("source: src:crm}", 'source: "src:c\\xadrm"}'),
     ["facts[0] (fact:a)", "source", "U+00AD (SOFT HYPHEN)"]),
    ("lookalike letter in a supersedes",
     GOOD.replace("source: src:crm}", 'supersedes: "fact:\\u0430"}'),
     ["facts[0] (fact:a)", "supersedes", "U+0430 (CYRILLIC SMALL LETTER A)"]),
    ("fullwidth bracket in a rule id", GOOD + 'rules:\n  - {id: "rule:\\uff3b1\\uff3d", '
     "applies_to: acme-corp, text: x}\n", ["rules[0]", "id", "U+FF3B"]),
    ("BOM in an overrides", GOOD + "rules:\n  - {id: rule:a, applies_to: acme-corp, text: x, "
     'overrides: "rule:b\\ufeff"}\n', ["rules[0] (rule:a)", "overrides", "U+FEFF"]),
    ("zero-width joiner in an entity id", GOOD.replace("id: acme-corp,", 'id: "acme\\u200d-corp",'),
     ["entities[0] ('acme\\u200d-corp')", "id", "U+200D"]),
    ("space in applies_to", GOOD + "rules:\n  - {id: rule:a, applies_to: acme corp, text: x}\n",
     ["rules[0] (rule:a)", "applies_to", "U+0020"]),
    # a number, money or percent fact's value is a number, as add and correct require
    ("money written with a letter", GOOD.replace("value: 1,", "value: '1O', value_type: money,"),
     ["facts[0] (fact:a)", "value: '1O' is not a number (value_type money)"]),
    ("percent written with a decimal comma",
     GOOD.replace("value: 1,", "value: '93,4', value_type: percent,"),
     ["facts[0] (fact:a)", "value: '93,4' is not a number (value_type percent)"]),
    # a typo in a reference says what it may mean
    ("misspelt subject", GOOD.replace("subject: acme-corp", "subject: acme-crop"),
     ["facts[0] (fact:a)", "subject", "no entity 'acme-crop'", "did you mean acme-corp?"]),
    # supersedes and overrides name rows that exist: a typo would silently unlink them
    ("unknown supersedes", GOOD + "  - {id: fact:b, subject: acme-corp, predicate: acv, "
     "value: 2, supersedes: fact:aa}\n",
     ["facts[1] (fact:b)", "supersedes", "no fact 'fact:aa'", "did you mean fact:a?"]),
    ("unknown overrides", GOOD + RULES.replace("overrides: rule:base", "overrides: rule:bse"),
     ["rules[1] (rule:exception)", "overrides", "no rule 'rule:bse'", "did you mean rule:base?"]),
    ("rule for a misspelt kind", GOOD + RULES.replace("kind:customer", "kind:custmer"),
     ["rules[0] (rule:base)", "applies_to", "no entity is of kind 'custmer'",
      "did you mean kind:customer?"]),
]


@pytest.mark.parametrize("name,text,words", CASES, ids=[c[0] for c in CASES])
def test_bad_file_exits_2_names_the_field_and_writes_nothing(
    facts: Facts, tmp_path: Path, name: str, text: str, words: list[str]
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    log_before = facts("log", "--json").output
    result = facts("import", str(path), "--by", AUTHOR, ok=False)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: bad.yaml: ")
    for word in words:
        assert word in lines[0]
    assert len(lines[0]) < 300
    assert facts("log", "--json").output == log_before
    assert json.loads(facts("list", "entities", "--json").output) == []


def test_a_rule_for_a_kind_nothing_is_close_to_and_a_restored_old_link_are_kept(
        facts: Facts, tmp_path: Path) -> None:
    """A rule may come before the first entity of its kind (kind:supplier, nothing spelled
    like it); a restore loads an export as it was made, even a supersedes an earlier release
    let dangle."""
    path = tmp_path / "good.yaml"
    path.write_text(GOOD + RULES.replace("kind:customer", "kind:supplier"), encoding="utf-8")
    facts("import", str(path), "--by", AUTHOR)
    assert facts.row("rule:base")["applies_to"] == "kind:supplier"
    old = tmp_path / "old-export.yaml"
    old.write_text(GOOD.replace("source: src:crm}", "source: src:crm, supersedes: fact:gone}"),
                   encoding="utf-8")
    restored = Facts(str(tmp_path / "restored" / "facts.db"))
    restored("init")
    restored("import", str(old), "--restore", "--by", AUTHOR)
    assert restored.row("fact:a")["supersedes"] == "fact:gone"


def test_jsonl_date_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"type": "entity", "id": "a", "kind": "customer", "name": "A"}\n'
                    '{"type": "fact", "subject": "a", "predicate": "arr", "value": 1, '
                    '"valid_to": "2025-13-01"}\n', encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"line 2: valid_to: invalid date .2025-13-01."):
        load_file(path)


def test_jsonl_text_over_64_kib_of_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    record = {"type": "fact", "subject": "a", "predicate": "motto", "value": "\U0001F600" * 17_000}
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"line 1: value: text is 68000 bytes"):
        load_file(path)


def test_records_built_in_python_are_checked_on_construction() -> None:
    from pydantic import ValidationError

    from factstore.models import Entity, Fact

    with pytest.raises(ValidationError, match=r"valid_from: invalid date"):
        Fact(subject="acme", predicate="arr", value=1, valid_from="2025-02-30")
    with pytest.raises(ValidationError, match=r"aliases\.0\n.*valid_to: invalid date"):
        Entity(id="acme", kind="customer", name="Acme",
               aliases=[{"alias": "ACME", "valid_to": "2025-13-01"}])


def test_jsonl_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"type": "entity", "id": "a", "kind": "customer", "name": "A"}\n'
                    '{"type": "planet", "id": "b"}\n', encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"bad.jsonl: line 2: type"):
        load_file(path)


def test_bad_author_format_exits_2(facts: Facts, tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text(GOOD, encoding="utf-8")
    result = facts("import", str(path), "--by", "just a name", ok=False)
    assert result.exit_code == 2
    assert "author" in result.output


def test_add_with_bad_field_exits_2(facts: Facts) -> None:
    result = facts("add", "source", "--id", "src:x", "--title", "X", "--kind", "rumour",
                   "--authority", "10", "--by", AUTHOR, ok=False)
    assert result.exit_code == 2
    assert "kind" in result.output
    assert json.loads(facts("list", "sources", "--json").output) == []


def test_jsonl_records_are_routed_by_their_own_type_key(tmp_path: Path) -> None:
    path = tmp_path / "ok.jsonl"
    tricky = 'said \\"type\\": \\"rule\\" twice'
    path.write_text(
        '{"id": "src:crm", "title": "CRM", "kind": "system_of_record", "authority": 90, '
        '"type": "source"}\n'
        '{"type": "entity", "id": "acme", "kind": "customer", "name": "Acme"}\n'
        f'{{"quote": "{tricky}", "id": "fact:a", "subject": "acme", "predicate": "arr", '
        '"value": 1, "source": "src:crm", "type": "fact"}\n', encoding="utf-8")
    batch = load_file(path)
    assert [f["quote"] for f in batch.facts] == ['said "type": "rule" twice']
    assert batch.facts[0]["subject_id"] == "acme" and batch.facts[0]["value"] == "1"
    assert [s["id"] for s in batch.sources] == ["src:crm"] and batch.rules == []


ENTITY_LINE = '{"type": "entity", "id": "a", "kind": "customer", "name": "A"}\n'


@pytest.mark.parametrize("line,words", [
    ('{"type": "fact", "subject": "a"\n"predicate": "p", "value": 1}',
     "line 2: malformed JSON"),  # one record over two lines
    ('{"type": "fact", "subject": "a", "predicate": "p", "value": 1}, '
     '{"type": "fact", "subject": "a", "predicate": "q", "value": 2}',
     "line 2: more than one record on the line"),
    ('{"type": "fact", "subject": "a", "predicate": "p", "value": 1}],['
     '{"type": "fact", "subject": "a", "predicate": "q", "value": 2}',
     "line 2: malformed JSON"),  # closes the importer's own wrapping and opens another
    ('{"type": "entity", "id": "b", "kind": "c", "name": "B", "aliases": ["x"]}',
     "line 2: aliases.0: expected a record"),
    ('[1, 2]', "line 2: expected a JSON object"),
])
def test_jsonl_is_one_record_per_line(tmp_path: Path, line: str, words: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(ENTITY_LINE + line + "\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match=re.escape(words)):
        load_file(path)


def test_jsonl_keeps_unicode_line_separators_inside_strings(tmp_path: Path) -> None:
    """JSON allows U+2028, U+2029 and U+0085 raw in a string; they are not line ends."""
    value = "l\u2028r\u2029s\x85t\x0bu\x1cv"
    record = {"type": "fact", "subject": "a", "predicate": "motto", "value": value}
    path = tmp_path / "ok.jsonl"
    path.write_text(ENTITY_LINE.replace("\n", "\r\n") + json.dumps(record, ensure_ascii=False)
                    + "\n", encoding="utf-8")
    assert [f["value"] for f in load_file(path).facts] == [value]


def test_a_long_text_in_a_record_split_over_lines_is_still_refused(tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    big = json.dumps({"type": "fact", "subject": "a", "predicate": "big", "value": "é" * 40_000},
                     ensure_ascii=False)
    path.write_text(ENTITY_LINE + big + "\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"line 2: value: text is 80000 bytes"):
        load_file(path)


def test_a_derived_id_too_long_for_its_column_is_refused(facts: Facts, tmp_path: Path) -> None:
    """A fact id derived from a 200-character subject and a 64-character predicate would not
    fit VARCHAR(255): refused as bad input on both backends, not a storage error."""
    subject = "s" * 200
    path = tmp_path / "long.yaml"
    path.write_text(f"factstore: 1\nentities: [{{id: {subject}, kind: customer, name: S}}]\n"
                    f"facts: [{{subject: {subject}, predicate: {'p' * 64}, value: 1, "
                    "period: FY26-Q3}]\n", encoding="utf-8")
    result = facts("import", str(path), "--by", AUTHOR, ok=False)
    assert result.exit_code == 2
    assert "facts[0]: id: 'fact:sss" in result.output and "over the 255" in result.output
    assert json.loads(facts("list", "entities", "--json").output) == []


def test_nul_is_refused_in_every_text_field(tmp_path: Path) -> None:
    for field, line in [("owner", '{"type": "definition", "term": "ACV", "text": "x", '
                                  '"owner": "fin\\u0000ance"}'),
                        ("unit", '{"type": "fact", "subject": "a", "predicate": "p", '
                                 '"value": 1, "unit": "US\\u0000D"}')]:
        path = tmp_path / "nul.jsonl"
        path.write_text(ENTITY_LINE + line + "\n", encoding="utf-8")
        with pytest.raises(InvalidInput, match=rf"line 2: {field}: text may not contain NUL"):
            load_file(path)


@pytest.mark.parametrize("suffix", [".yaml", ".json", ".jsonl"])
def test_a_byte_order_mark_is_not_content(tmp_path: Path, suffix: str) -> None:
    text = {".yaml": "factstore: 1\nentities: [{id: a, kind: customer, name: A}]\n",
            ".json": '{"factstore": 1, "entities": [{"id": "a", "kind": "customer", '
                     '"name": "A"}]}',
            ".jsonl": ENTITY_LINE}[suffix]
    path = tmp_path / f"bom{suffix}"
    path.write_text("\ufeff" + text, encoding="utf-8")
    assert [e["id"] for e in load_file(path).entities] == ["a"]


def test_reading_before_the_schema_existed_is_not_found(facts: Facts) -> None:
    result = facts("list", "facts", "--as-of", "HEAD~1", ok=False)
    assert result.exit_code == 3 and "first commit" in result.output


def _refused_in_one_line(facts: Facts, path: Path) -> str:
    log_before = facts("log", "--json").output
    result = facts("import", str(path), "--by", AUTHOR, ok=False)
    assert result.exit_code == 2, result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: {path.name}: ") and result.stdout == ""
    assert facts("log", "--json").output == log_before
    return line


def test_an_anchor_repeated_past_64_times_the_file_is_refused(facts: Facts, tmp_path: Path
                                                              ) -> None:
    """A 60 KB anchor repeated 20,000 times: 1.2 GB of text from a 1.4 MB file."""
    path = tmp_path / "bomb.yaml"
    path.write_text(GOOD + f"  - {{id: fact:b, subject: acme-corp, predicate: q, value: 0, "
                    f"quote: &q '{'x' * 60_000}'}}\n" + "".join(
                        f"  - {{subject: acme-corp, predicate: q{i}, value: {i}, quote: *q}}\n"
                        for i in range(20_000)), encoding="utf-8")
    line = _refused_in_one_line(facts, path)
    assert "aliases repeat more text than 64 times the file's size or 64 MiB" in line


def test_nested_aliases_and_an_alias_inside_itself_are_refused(facts: Facts, tmp_path: Path
                                                              ) -> None:
    laughs = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"] + [
        f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    path = tmp_path / "laughs.yaml"
    path.write_text("factstore: 1\n" + "\n".join(laughs) + "\n", encoding="utf-8")
    assert "aliases repeat more text" in _refused_in_one_line(facts, path)
    path = tmp_path / "loop.yaml"
    path.write_text("factstore: 1\nfacts: &a [*a]\n", encoding="utf-8")
    assert "line 2: an alias refers to a node that contains it" in \
        _refused_in_one_line(facts, path)


def test_an_anchor_reused_a_little_imports(facts: Facts, tmp_path: Path) -> None:
    path = tmp_path / "reuse.yaml"
    path.write_text(GOOD.replace("source: src:crm}", "source: &crm src:crm}") + "".join(
        f"  - {{subject: acme-corp, predicate: p{i}, value: {i}, source: *crm}}\n"
        for i in range(50)), encoding="utf-8")
    facts("import", str(path), "--by", AUTHOR)
    assert len(json.loads(facts("list", "facts", "--json").output)) == 51


@pytest.mark.parametrize("suffix,words", [
    (".json", "nested too deeply"), (".jsonl", "line 2: malformed JSON: nested too deeply"),
    (".yaml", "exceeded maximum nesting depth")])
def test_a_file_nested_thousands_deep_is_one_line_exit_2(facts: Facts, tmp_path: Path,
                                                         suffix: str, words: str) -> None:
    deep = "[" * 5_000 + "]" * 5_000
    text = {".json": f'{{"factstore": 1, "facts": [{{"subject": "a", "value": {deep}}}]}}',
            ".jsonl": ENTITY_LINE + f'{{"type": "fact", "subject": "a", "value": {deep}}}\n',
            ".yaml": f"factstore: 1\nfacts: [{{subject: a, value: {deep}}}]\n"}[suffix]
    path = tmp_path / f"deep{suffix}"
    path.write_text(text, encoding="utf-8")
    assert words in _refused_in_one_line(facts, path)
