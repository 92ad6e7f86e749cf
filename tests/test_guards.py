"""The store's guards (issue #12): what may create a branch, who may be an author, and writes
that would carry someone else's uncommitted change. Each refusal leaves the store as it was."""

from __future__ import annotations

import factstore  # noqa: F401  (loads doltlite before sqlite3: worker processes import this first)

import json
import multiprocessing
import sqlite3

import pytest

from factstore import FactStore, InvalidInput, Refused, open_store
from factstore.authors import check_author

from .conftest import AUTHOR, FIXTURES, Facts

OTHER = "Bo Lind <bo@northwind.test>"


@pytest.fixture
def no_default_author(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FACTS_AUTHOR", raising=False)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


# --- branches ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["main", "MAIN", "Main", "mAiN"])
def test_propose_refuses_main_in_any_case(facts: Facts, store: FactStore, name: str) -> None:
    before = store.branches()
    result = facts("propose", name, ok=False)
    assert result.exit_code == 4 and "protected branch main" in result.output
    with pytest.raises(Refused):
        store.propose(name)
    assert store.branches() == before


@pytest.mark.parametrize("name", ["ｍａｉｎ", "maın", "mаin", "main\u200b"])
def test_propose_refuses_non_ascii_branch_names(store: FactStore, name: str) -> None:
    with pytest.raises(InvalidInput, match="not a valid branch name"):
        store.propose(name)
    assert [b.name for b in store.branches()] == ["main"]


def test_propose_refuses_a_name_an_existing_branch_has_in_another_case(facts: Facts) -> None:
    facts("propose", "fix-acme")
    result = facts("propose", "FIX-acme", ok=False)
    assert result.exit_code == 2 and "'fix-acme' already exists" in result.output
    names = [b["name"] for b in json.loads(facts("branches", "--json").output)]
    assert names == ["fix-acme", "main"]


# --- authors ----------------------------------------------------------------------------------


@pytest.mark.parametrize("author", [
    "Ana\nRuiz <ana@northwind.test>", "Ana\u202eziuR <ana@northwind.test>",
    "\u200b <ana@northwind.test>", "Ana\u200d <ana@northwind.test>\u2028",
    "Ana Ruiz <>", "Ana Ruiz <ana>", "- <ana@northwind.test>", "Ana\tRuiz <ana@x.test>",
])
def test_an_author_with_hidden_characters_or_no_email_is_refused(author: str) -> None:
    with pytest.raises(InvalidInput, match="author"):
        check_author(author)


def test_a_write_by_a_refused_author_writes_nothing(facts: Facts, store: FactStore) -> None:
    head = store.head()
    result = facts("import", str(FIXTURES / "northwind.yaml"), "--by",
                   "Ana\u202e <ana@northwind.test>", ok=False)
    assert result.exit_code == 2 and "U+202E" in result.output
    assert store.head() == head


def test_tag_without_an_author_is_refused(facts: Facts, store: FactStore,
                                          no_default_author: None) -> None:
    result = facts("tag", "FY26-Q3", ok=False)
    assert result.exit_code == 4 and "no author" in result.output
    with pytest.raises(Refused):
        store.tag("FY26-Q3")
    assert store.tags() == []
    facts("tag", "FY26-Q3", "--by", AUTHOR)
    assert [t.tagger for t in store.tags()] == [AUTHOR]


# --- someone else's uncommitted change --------------------------------------------------------


def _update_without_commit(url: str, sql: str) -> None:
    """What a second SQL user does: change a row in the working set, with no Dolt commit."""
    if url.startswith("mysql://"):
        import pymysql

        from factstore.backends.dolt import parse_url

        params = parse_url(url)
        conn = pymysql.connect(host=params["host"], port=params["port"], user=params["user"],
                               password=params["password"], database=params["database"],
                               autocommit=True)
    else:
        conn = sqlite3.connect(url, isolation_level=None)  # type: ignore[assignment]
    try:
        conn.cursor().execute(sql)
    finally:
        conn.close()


def test_a_write_refuses_to_commit_a_row_someone_changed_without_committing(
        facts: Facts, store: FactStore, store_url: str) -> None:
    store.import_file(FIXTURES / "northwind.yaml", author=AUTHOR)
    head = store.head()
    _update_without_commit(store_url, "UPDATE facts SET value = '999' "
                                      "WHERE id = 'fact:acme-corp-acv-fy26q3'")
    result = facts("correct", "fact:acme-gmbh-acv-fy26q3", "--value", "1", "--reason", "r",
                   "--by", OTHER, ok=False)
    assert result.exit_code == 4
    assert ("uncommitted changes in facts (fact:acme-corp-acv-fy26q3); commit or discard them "
            "first") in result.output
    assert store.head() == head
    assert store.get("fact:acme-gmbh-acv-fy26q3")["value"] == "630000"
    assert store.get("fact:acme-corp-acv-fy26q3")["value"] == "999"  # theirs, left alone


def test_merge_refuses_while_someone_has_uncommitted_changes(facts: Facts, store: FactStore,
                                                             store_url: str) -> None:
    store.import_file(FIXTURES / "northwind.yaml", author=AUTHOR)
    facts("propose", "fix")
    Facts(store_url, "fix")("correct", "fact:acme-gmbh-acv-fy26q3", "--value", "1",
                            "--reason", "r", "--by", AUTHOR)
    head = store.head()
    _update_without_commit(store_url, "DELETE FROM rules WHERE id = 'rule:discount-approval'")
    result = facts("merge", "fix", "--by", "Rui Costa <rui@northwind.test>", ok=False)
    assert result.exit_code == 4 and "uncommitted changes in rules" in result.output
    assert store.head() == head


def test_pending_context_packs_do_not_stop_a_write(store: FactStore) -> None:
    store.import_file(FIXTURES / "northwind.yaml", author=AUTHOR)
    store.context("What was Acme GmbH's ACV in FY26-Q3?")
    result = store.correct_fact("fact:acme-gmbh-acv-fy26q3", "1", author=AUTHOR, reason="r")
    assert result.commit == store.head()
    assert store.log(2, all_commits=True)[1].message == "Record rendered context packs"


# --- the render log's flush under concurrent writers -----------------------------------------

FACT_IDS = ["fact:acme-gmbh-seats-fy26q3", "fact:acme-corp-acv-fy26q3",
            "fact:acme-gmbh-acv-fy26q3"]


def _correct_many(url: str, fact_id: str, times: int) -> list[str]:
    """Correct one fact `times` times; the errors seen."""
    errors = []
    with open_store(url) as store:
        for i in range(times):
            try:
                store.correct_fact(fact_id, str(1000 + i), author=AUTHOR, reason=f"r{i}")
            except Exception as exc:  # the bug: "nothing to commit" from a racing flush
                errors.append(f"{type(exc).__name__}: {exc}")
    return errors


def _build_packs(url: str, times: int) -> list[str]:
    errors = []
    with open_store(url) as store:
        for i in range(times):
            try:
                store.context(f"What was Acme GmbH's ACV in FY26-Q3? ({i})")
            except Exception as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
    return errors


def test_writers_never_fail_while_packs_are_logged_concurrently(store: FactStore,
                                                                store_url: str) -> None:
    store.import_file(FIXTURES / "northwind.yaml", author=AUTHOR)
    store.context("Who owns Acme GmbH?")  # pending when every writer starts: all flush
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(4) as pool:
        jobs = [pool.apply_async(_build_packs, (store_url, 40))] + [
            pool.apply_async(_correct_many, (store_url, f, 15)) for f in FACT_IDS]
        errors = [e for job in jobs for e in job.get(timeout=600)]
    assert errors == []
    assert [store.get(f)["rev"] for f in FACT_IDS] == [16, 16, 16]
    store.correct_fact(FACT_IDS[0], "1", author=AUTHOR, reason="flush what is left")
    assert len(store.packs()) == 41
    messages = [c.message.splitlines()[0] for c in store.log()]
    assert sum(m.startswith("Correct") for m in messages) == 46
