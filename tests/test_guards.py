"""The store's guards (issue #12): what may create a branch, who may be an author, and writes
that would carry someone else's uncommitted change. Each refusal leaves the store as it was."""

from __future__ import annotations

import json

import pytest

from factstore import FactStore, InvalidInput, Refused
from factstore.authors import check_author

from .conftest import AUTHOR, FIXTURES, Facts


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
