"""Hostile import files, generated from a fixed seed: every one is either imported exactly as
the case says, or refused through `facts import` with exit 2 and ONE line on stderr naming the
file (and the record and field where there is one), leaving `facts log` as it was. Never a
traceback, never a partial write.

The cases are built by `hostile_files()` out of a small valid document, one kind of damage at
a time: malformed YAML/JSON/JSONL, deep nesting, NUL raw and escaped, invisible characters in
ids, invalid UTF-8, 1 MB strings, YAML tags, alias bombs, unknown fields and references,
invalid dates, YAML 1.1 traps, NaN and infinities, huge numbers, duplicate ids, wrong types.
All run on doltlite; every SERVER_EVERY-th also on a Dolt server.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from factstore import init_store

from .conftest import AUTHOR, Facts

SEED = 20251203
SERVER_EVERY = 8


@dataclass
class Case:
    name: str  # the file's name: what the error line must start with
    data: bytes
    words: list[str] = field(default_factory=list)  # the one error line must hold each
    stored: dict[str, tuple[str, str]] | None = None  # imports: fact id -> (value, value_type)

    @property
    def refused(self) -> bool:
        return self.stored is None


SOURCE = {"id": "src:crm", "title": "CRM", "kind": "system_of_record", "authority": 90}
ENTITY = {"id": "acme", "kind": "customer", "name": "Acme"}


def _fact(n: int, **fields: object) -> dict[str, object]:
    return {"id": f"fact:f{n}", "subject": "acme", "predicate": f"p{n}", "value": n,
            "source": "src:crm", **fields}


def _json(facts: list[dict[str, object]], **extra: object) -> str:
    return json.dumps({"factstore": 1, "sources": [SOURCE], "entities": [ENTITY], "facts": facts,
                       **extra}, ensure_ascii=False)


def _jsonl(facts: list[dict[str, object]]) -> str:
    lines = [{"type": "source", **SOURCE}, {"type": "entity", **ENTITY},
             *({"type": "fact", **f} for f in facts)]
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)


def _yaml(facts_yaml: list[str], head: str = "") -> str:
    return ("factstore: 1\n" + head +
            "sources:\n  - {id: src:crm, title: CRM, kind: system_of_record, authority: 90}\n"
            "entities:\n  - {id: acme, kind: customer, name: Acme}\n"
            "facts:\n" + "".join(f"  - {f}\n" for f in facts_yaml))


def _yaml_fact(n: int, rest: str = "") -> str:
    return f"{{id: 'fact:f{n}', subject: acme, predicate: p{n}, value: {n}, source: src:crm{rest}}}"


def _yaml_quoted(text: str) -> str:
    """A YAML double-quoted scalar that writes every character outside printable ASCII as an
    escape (the file stays plain ASCII)."""
    return '"' + "".join(
        ch if " " <= ch <= "~" and ch not in '"\\' else
        f"\\u{ord(ch):04x}" if ord(ch) < 0x10000 else f"\\U{ord(ch):08x}" for ch in text) + '"'


HIDDEN = ["\x00", "\x01", "\x1b", "\x7f", "\x85", "\u00a0", "\u00ad", "\u034f", "\u061c",
          "\u115f", "\u180e", "\u200b", "\u200c", "\u200d", "\u200e", "\u2028", "\u202e",
          "\u2060", "\u2063", "\u2066", "\u3000", "\u3164", "\ufe0f", "\ufeff", "\uff3b",
          "\U000e0001", "\U000e0041", "\U000e007f", "\u0430", "\u00e9", " "]
BAD_UTF8 = [b"\xff", b"\xfe\xfe", b"\xc3\x28", b"\xa0\xa1", b"\xe2\x28\xa1", b"\xed\xa0\x80",
            b"\xc0\xaf", b"\xf8\x88\x80\x80\x80", b"\xf4\x90\x80\x80", b"\x80"]
TRAPS = {  # YAML 1.1 reads these as other things; here each is text exactly as written
    "00123": "00123", "0777": "0777", "1:20": "1:20", "190:20:30": "190:20:30", "yes": "yes",
    "No": "No", "ON": "ON", "off": "off", "y": "y", "n": "n", "1_000": "1_000",
    "0b1010": "0b1010", "2025-10-31": "2025-10-31", "2001-12-14t21:59:43.10-05:00":
    "2001-12-14t21:59:43.10-05:00", "=": "=", "'<<'": "<<", "1e": "1e", "+.5.": "+.5.",
}
NUMBERS = {  # YAML 1.2 numbers, stored with the digits written
    "1.50": "1.50", "12345678901234567.89": "12345678901234567.89", "0x1F": "31",
    "0o17": "15", "-0.0": "-0.0", "6.02e23": "6.02e23", "+12": "+12", "TRUE": "true",
}
BAD_DATES = ["2025-02-30", "2025-13-01", "2025-00-10", "2025-04-31", "2023-02-29", "2025-1-1",
             "25-01-01", "2025/01/01", "2025-01-01T00:00", "yesterday", "0000-00-00"]
TAGS = ["!!python/object:os.system []", "!!python/name:os.system", "!!python/tuple [1]",
        "!!binary aGVsbG8=", "!!set {a, b}", "!!omap [{a: 1}]", "!!pairs [[a, 1]]",
        "!!timestamp 2025-01-01", "!custom x", "!<tag:example.com,2000:x> y", "!!float abc",
        "!!int 0x1G", "!!int 00123", "!!bool maybe", "!!merge x", "!!value x"]


def hostile_files(rng: random.Random) -> Iterator[Case]:
    n = 0

    def name(suffix: str) -> str:
        nonlocal n
        n += 1
        return f"h{n:03d}{suffix}"

    good = [_fact(1), _fact(2)]
    # --- malformed syntax ------------------------------------------------------------------
    for _ in range(10):
        text = _json(good)
        cut = rng.randrange(1, len(text) - 1)
        yield Case(name(".json"), text[:cut].encode(), ["malformed JSON"])
        lines = _jsonl(good).splitlines()
        i = rng.randrange(2, len(lines))
        line = lines[i]
        broken = rng.choice([line[: rng.randrange(1, len(line) - 1)], line + line,
                             line.replace(":", "=", 1), line[:-1] + ",}", line + ", " + line])
        lines[i] = broken
        yield Case(name(".jsonl"), ("\n".join(lines) + "\n").encode(), [f"line {i + 1}"])
        yaml_text = _yaml([_yaml_fact(1), _yaml_fact(2)])
        bad = rng.choice(["  - {id: fact:x, subject: [unclosed\n", "\t- tab: indented\n",
                          " - {id: fact:x}\n", "  - {a: 1}}\n", "  - 'unterminated\n",
                          "  - {a: 1, a: }: x\n", "  - [1, 2\n", "- top: level\n  bad\n"])
        yield Case(name(".yaml"), (yaml_text + bad).encode(), ["YAML"])
    for text, suffix in [("", ".yaml"), ("", ".json"), ("   \n", ".yaml"), ("[]", ".json"),
                         ("null", ".json"), ("42", ".yaml"), ("\ufeff", ".json"),
                         ("---\nfactstore: 1\n---\nfactstore: 1\n", ".yaml"),
                         ('{"factstore": 1}{"x": 2}', ".json"), ("[1, 2]\n", ".jsonl"),
                         ('"text"\n', ".jsonl"), ("{}\n", ".jsonl"), ("factstore: 2\n", ".yaml"),
                         ('{"factstore": "1"}', ".json"), ("factstore: 1\nfacts: {}\n", ".yaml")]:
        yield Case(name(suffix), text.encode(), [])
    # --- deep nesting ----------------------------------------------------------------------
    for _ in range(6):
        depth = rng.choice([1_100, 3_000, 20_000, 100_000])
        deep = "[" * depth + "]" * depth
        yield Case(name(".json"), _json(good).replace('"value": 1', f'"value": {deep}').encode(),
                   ["nested too deeply"])
        yield Case(name(".jsonl"), _jsonl(good).replace('"value": 1', f'"value": {deep}')
                   .encode(), ["line 3", "nested too deeply"])
        yield Case(name(".yaml"), _yaml([_yaml_fact(1, f", quote: {deep}")]).encode(),
                   ["nesting depth"])
        obj = '{"a": ' * depth + "1" + "}" * depth
        yield Case(name(".json"), f'{{"factstore": 1, "facts": [{obj}]}}'.encode(),
                   ["nested too deeply"])
    for _ in range(4):  # deep, but within what the parsers read: an ordinary field error
        depth = rng.randrange(20, 190)
        deep = "[" * depth + "]" * depth
        yield Case(name(".json"), _json(good).replace('"value": 1', f'"value": {deep}').encode(),
                   ["facts[0] (fact:f1)", "value"])
        yield Case(name(".yaml"), _yaml([_yaml_fact(1, f", quote: {deep}")]).encode(),
                   ["facts[0] (fact:f1)", "quote"])
    # --- NUL, raw and escaped ----------------------------------------------------------------
    for where in ("quote", "unit", "value", "predicate"):
        yield Case(name(".json"), _json([_fact(1, **{where: "a\x00b"})]).encode(),
                   ["facts[0] (fact:f1)", where])
        yield Case(name(".jsonl"), _jsonl([_fact(1, **{where: "a\x00b"})]).encode(),
                   ["line 3", where])
    yield Case(name(".json"), _json(good).replace('"CRM"', '"C\\u0000"').encode(),
               ["sources[0] (src:crm)", "title", "NUL"])
    yield Case(name(".yaml"), _yaml([_yaml_fact(1, ', quote: "x\\0y"')]).encode(),
               ["facts[0] (fact:f1)", "quote", "NUL"])
    yield Case(name(".yaml"), _yaml([_yaml_fact(1, ', unit: "U\\x00SD"')]).encode(),
               ["facts[0] (fact:f1)", "unit", "NUL"])
    for suffix in (".yaml", ".json", ".jsonl"):
        text = {".yaml": _yaml([_yaml_fact(1, ", quote: ab")]),
                ".json": _json([_fact(1, quote="ab")]),
                ".jsonl": _jsonl([_fact(1, quote="ab")])}[suffix]
        raw = text.replace("ab", "a\x00b").encode()
        yield Case(name(suffix), raw, [])
    # --- invisible and foreign characters in ids -----------------------------------------------
    id_fields = [("id", "fact:f1"), ("subject", "acme"), ("source", "src:crm"),
                 ("supersedes", "fact:f2")]
    for hidden in HIDDEN:
        where, value = rng.choice(id_fields)
        start = 0 if where == "subject" else value.index(":") + 1
        at = rng.randrange(start, len(value) + 1)
        fact = _fact(1, **{where: value[:at] + hidden + value[at:]})
        suffix = rng.choice([".json", ".jsonl"])
        text = _json([fact, _fact(2)]) if suffix == ".json" else _jsonl([fact, _fact(2)])
        code = f"U+{ord(hidden):04X}"
        yield Case(name(suffix), text.encode(), [where, code])
        sly = _yaml_quoted(f"fact:f{hidden}1")
        yield Case(name(".yaml"), _yaml([_yaml_fact(1).replace("'fact:f1'", sly)]).encode(),
                   ["facts[0]", "id", code])
    for hidden in rng.sample(HIDDEN[2:], 6):  # in text, invisible characters are data
        yield Case(name(".json"), _json([_fact(1, quote=f"a{hidden}b")]).encode(), stored={
            "fact:f1": ("1", "number")})
    # --- invalid UTF-8 -----------------------------------------------------------------------
    for bad in BAD_UTF8:
        for suffix in (".yaml", ".json", ".jsonl"):
            text = {".yaml": _yaml([_yaml_fact(1, ", quote: MARK")]),
                    ".json": _json([_fact(1, quote="MARK")]),
                    ".jsonl": _jsonl([_fact(1, quote="MARK")])}[suffix].encode()
            yield Case(name(suffix), text.replace(b"MARK", b"a" + bad + b"b"),
                       ["cannot read", "utf-8"])
    # --- 1 MB strings ------------------------------------------------------------------------
    big = "x" * 1_000_000
    for where, words in [("quote", ["facts[0] (fact:f1)", "quote", "64 KiB"]),
                         ("value", ["facts[0] (fact:f1)", "value", "64 KiB"]),
                         ("unit", ["facts[0] (fact:f1)", "unit"]),
                         ("id", ["facts[0]", "id"]), ("subject", ["facts[0]", "subject"]),
                         ("predicate", ["facts[0]", "predicate"]),
                         (big, ["facts[0]", "unknown field"])]:
        fact = _fact(1, **{where: ("fact:" + big) if where == "id" else big})
        yield Case(name(".json"), _json([fact]).encode(), words)
        yield Case(name(".jsonl"), _jsonl([fact]).encode(), ["line 3", *words[1:]])
    yield Case(name(".yaml"), _yaml([_yaml_fact(1, f", quote: '{big}'")]).encode(),
               ["facts[0] (fact:f1)", "quote", "64 KiB"])
    yield Case(name(".yaml"), _yaml([_yaml_fact(1).replace("value: 1", "value: 1" + "0" * 70_000)
                                     ]).encode(), ["facts[0] (fact:f1)", "value"])
    # --- YAML tags ---------------------------------------------------------------------------
    for tag in TAGS:
        where = rng.choice(["quote", "value", "unit", "valid_from"])
        text = _yaml([_yaml_fact(1).replace("value: 1", f"value: 1, {where}: {tag}")
                      if where != "value" else _yaml_fact(1).replace("value: 1", f"value: {tag}")])
        yield Case(name(".yaml"), text.encode(), ["YAML"])
    yield Case(name(".yaml"), _yaml([_yaml_fact(1).replace("value: 1", "value: !!str 0x1F")])
               .encode(), stored={"fact:f1": ("0x1F", "text")})
    # --- alias bombs and amplification -----------------------------------------------------------
    for _ in range(8):
        fan, depth = rng.randrange(5, 12), rng.randrange(6, 10)
        lines = ["factstore: 1", "sources: []", f"x0: &a0 [{', '.join(['lol'] * fan)}]"]
        lines += [f"x{d}: &a{d} [{', '.join([f'*a{d - 1}'] * fan)}]" for d in range(1, depth)]
        lines.append(f"facts: *a{depth - 1}")
        yield Case(name(".yaml"), ("\n".join(lines) + "\n").encode(), ["aliases repeat"])
        size, repeats = rng.randrange(6_000, 30_000), rng.randrange(300, 2_000)
        facts = [_yaml_fact(1, f", quote: &q '{'q' * size}'")] + [
            _yaml_fact(i, ", quote: *q") for i in range(2, repeats)]
        yield Case(name(".yaml"), _yaml(facts).encode(), ["aliases repeat"])
    # the reported one: a 1.4 MB file repeating a 60 KB anchor 20,000 times (1.2 GB of text)
    facts = [_yaml_fact(1, f", quote: &q '{'q' * 60_000}'")] + [
        f"{{subject: acme, predicate: p{i}, value: {i}, quote: *q}}" for i in range(2, 20_000)]
    yield Case(name(".yaml"), _yaml(facts).encode(), ["aliases repeat", "64 MiB"])
    for cyclic in ["facts: &a [*a]", "facts: [&r {id: fact:a, subject: acme, value: *r}]",
                   "x: &m {k: [*m]}\nfacts: []", "facts: *undefined"]:
        yield Case(name(".yaml"), f"factstore: 1\n{cyclic}\n".encode(), [])
    small_reuse = _yaml([_yaml_fact(1).replace("source: src:crm", "source: &s src:crm")] +
                        [_yaml_fact(i).replace("source: src:crm", "source: *s")
                         for i in range(2, 40)])
    yield Case(name(".yaml"), small_reuse.encode(),
               stored={f"fact:f{i}": (str(i), "number") for i in range(1, 40)})
    # --- unknown fields and references -------------------------------------------------------
    for _ in range(8):
        word = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz_") for _ in range(rng.randrange(
            3, 12)))
        yield Case(name(".json"), _json([_fact(1, **{word: 1})]).encode(),
                   ["facts[0] (fact:f1)", word, "unknown field"])
        yield Case(name(".jsonl"), _jsonl([_fact(1, **{word: "x"})]).encode(),
                   ["line 3", word, "unknown field"])
        yield Case(name(".yaml"), _yaml([_yaml_fact(1)], head=f"{word}: 1\n").encode(),
                   [word, "unknown field"])
        ref, bad = rng.choice([("subject", "ghost-co"), ("source", "src:ghost")])
        yield Case(name(".json"), _json([_fact(1, **{ref: bad})]).encode(),
                   ["facts[0] (fact:f1)", ref, bad])
    yield Case(name(".yaml"), _yaml([_yaml_fact(1, ", <<: {unit: USD}")]).encode(),
               ["facts[0] (fact:f1)", "<<", "unknown field"])
    # --- dates ---------------------------------------------------------------------------------
    for bad in BAD_DATES:
        where = rng.choice(["valid_from", "valid_to"])
        yield Case(name(".yaml"), _yaml([_yaml_fact(1, f", {where}: {bad}")]).encode(),
                   ["facts[0] (fact:f1)", where])
        yield Case(name(".jsonl"), _jsonl([_fact(1, **{where: bad})]).encode(),
                   ["line 3", where])
    yield Case(name(".yaml"), _yaml([_yaml_fact(1, ", valid_from: 2024-02-29")]).encode(),
               stored={"fact:f1": ("1", "number")})
    # --- YAML 1.1 traps and 1.2 numbers: imported exactly -----------------------------------------
    for written, value in TRAPS.items():
        yield Case(name(".yaml"), _yaml([_yaml_fact(1).replace("value: 1", f"value: {written}")
                                         ]).encode(), stored={"fact:f1": (value, "text")})
    for written, value in NUMBERS.items():
        kind = "bool" if value in ("true", "false") else "number"
        yield Case(name(".yaml"), _yaml([_yaml_fact(1).replace("value: 1", f"value: {written}")
                                         ]).encode(), stored={"fact:f1": (value, kind)})
    # --- NaN, infinities, numbers out of range ------------------------------------------------
    for written in [".nan", ".NaN", ".inf", "-.Inf", "+.INF", "1e309", "-2e400", "!!float .nan"]:
        yield Case(name(".yaml"), _yaml([_yaml_fact(1).replace("value: 1", f"value: {written}")
                                         ]).encode(), ["facts[0] (fact:f1)", "value", "finite"])
    for written in ["NaN", "Infinity", "-Infinity", "1e309", "-1E+999"]:
        yield Case(name(".json"), _json(good).replace('"value": 1', f'"value": {written}')
                   .encode(), ["facts[0] (fact:f1)", "value", "finite"])
        yield Case(name(".jsonl"), _jsonl(good).replace('"value": 1', f'"value": {written}')
                   .encode(), ["line 3", "value", "finite"])
    huge = "9" * 5_000
    yield Case(name(".json"), _json(good).replace('"value": 1', f'"value": {huge}').encode(),
               ["facts[0] (fact:f1)", "value", "finite"])
    yield Case(name(".jsonl"), _jsonl(good).replace('"value": 1', f'"value": {huge}').encode(),
               ["line 3"])
    yield Case(name(".yaml"), _yaml([_yaml_fact(1).replace("value: 1", f"value: {huge}")])
               .encode(), ["facts[0] (fact:f1)", "value", "finite"])
    yield Case(name(".json"), _json([_fact(1, authority=1)]).replace(
        '"authority": 90', f'"authority": {huge}').encode(), ["sources[0] (src:crm)", "authority"])
    # --- duplicates and wrong types -----------------------------------------------------------
    yield Case(name(".json"), _json([_fact(1), _fact(1)]).encode(), ["facts[1]", "twice"])
    yield Case(name(".jsonl"), _jsonl([_fact(1), _fact(1)]).encode(), ["twice"])
    for where, value in [("value", [1, 2]), ("value", {"a": 1}), ("value", None),
                         ("predicate", 5), ("confidence", "high"), ("confidence", 2),
                         ("status", "gone"), ("period", "Q5"), ("subject", ["acme"])]:
        fact = _fact(1, **{where: value})
        yield Case(name(".json"), _json([fact]).encode(), ["facts[0] (fact:f1)", where])
        yield Case(name(".jsonl"), _jsonl([fact]).encode(), ["line 3", where])


CASES = list(hostile_files(random.Random(SEED)))


def test_the_corpus_is_large_and_mixed() -> None:
    assert len(CASES) >= 300
    assert sum(not c.refused for c in CASES) >= 30
    assert {c.name[-5:] for c in CASES} >= {".yaml", ".json", "jsonl"}


def _run(facts: Facts, tmp_path: Path, cases: list[Case]) -> None:
    for case in cases:
        path = tmp_path / case.name
        path.write_bytes(case.data)
        before = facts("log", "--json").output
        result = facts("import", str(path), "--by", AUTHOR, ok=False)
        assert "Traceback" not in result.output, case.name
        if case.refused:
            assert result.exit_code == 2, (case.name, result.output[:300])
            lines = result.stderr.splitlines()
            assert len(lines) == 1 and lines[0].startswith(f"error: {case.name}: "), \
                (case.name, result.stderr[:300])
            assert all(word in lines[0] for word in case.words), (case.name, lines[0][:300])
            assert len(lines[0]) < 400, case.name
            assert result.stdout == "" and facts("log", "--json").output == before, case.name
        else:
            assert result.exit_code == 0, (case.name, result.output[:300])
            rows = {r["id"]: (r["value"], r["value_type"])
                    for r in json.loads(facts("list", "facts", "--json").output)}
            assert case.stored is not None
            assert {k: rows.get(k) for k in case.stored} == case.stored, case.name


def test_every_hostile_file_is_refused_in_one_line_or_imported_exactly(tmp_path: Path) -> None:
    url = str(tmp_path / "facts.db")
    init_store(url, author=AUTHOR).close()
    _run(Facts(url), tmp_path, CASES)


@pytest.mark.dolt_server
def test_a_sample_of_hostile_files_on_a_dolt_server(dolt_server: object, tmp_path: Path) -> None:
    url = f"{dolt_server.url}/hostile"  # type: ignore[attr-defined]
    init_store(url, author=AUTHOR).close()
    _run(Facts(url), tmp_path, CASES[::SERVER_EVERY])
