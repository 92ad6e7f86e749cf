"""Fixtures: a fresh store per test on each backend.

`store` is parametrised over the embedded doltlite store and a real `dolt sql-server`, started
once per session on a free loopback port with a temporary data dir and HOME. Without a dolt
binary the server cases skip, except under CI=true, where that is a failure.
"""

from __future__ import annotations

import factstore

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from factstore import FactStore, init_store
from factstore.cli import cli
from factstore.models import ContextPack

from .doltserver import DoltServer, dolt_binary, running_server

AUTHOR = "Ana Ruiz <ana@northwind.test>"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
# two facts of one customer from one source: the smallest store a merge or a reload can change
TWO = """factstore: 1
sources: [{id: src:crm, title: CRM, kind: system_of_record, authority: 90}]
entities: [{id: acme, kind: customer, name: Acme}]
facts:
  - {id: fact:acv, subject: acme, predicate: acv, value: 100, period: FY26-Q3, source: src:crm}
  - {id: fact:seats, subject: acme, predicate: seats, value: 10, period: FY26-Q3, source: src:crm}
"""


@pytest.fixture(scope="session")
def dolt_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DoltServer]:
    """A real dolt sql-server for this session, on a free loopback port."""
    binary = dolt_binary()
    if binary is None:
        message = "no dolt binary (run scripts/install-dolt.sh)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " — required under CI=true")
        pytest.skip(message)
    with running_server(binary, tmp_path_factory.mktemp("dolt")) as server:
        yield server


@pytest.fixture(params=["doltlite", "dolt"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """URL of a freshly initialised, empty store on each backend."""
    return new_store(request, tmp_path, "t")


def new_store(request: pytest.FixtureRequest, folder: Path, letter: str) -> str:
    """URL of a new, initialised, empty store on the backend the fixture's param names: a
    file in folder, or a new database (named from letter) on the session's Dolt server."""
    if request.param == "doltlite":
        url = str(folder / "facts.db")
    else:
        server = request.getfixturevalue("dolt_server")
        url = f"{server.url}/{letter}{uuid.uuid4().hex[:12]}"
    init_store(url, author=AUTHOR).close()
    return url


@pytest.fixture(scope="module", params=["doltlite", "dolt"])
def northwind(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[FactStore]:
    """Northwind's FY26-Q3 load (tag FY26-Q3) and FY26-Q4 changes (tag FY26-Q4), on each
    backend, once per module: for tests that only read."""
    url = new_store(request, tmp_path_factory.mktemp("northwind"), "n")
    with factstore.open_store(url) as store:
        store.import_file(FIXTURES / "northwind.yaml", author=AUTHOR)
        store.tag("FY26-Q3", author=AUTHOR)
        store.import_file(FIXTURES / "northwind-q4.yaml", author=AUTHOR)
        store.tag("FY26-Q4", author=AUTHOR)
        yield store


@pytest.fixture
def store(store_url: str) -> Iterator[FactStore]:
    with factstore.open_store(store_url) as opened:
        yield opened


@pytest.fixture
def facts(store_url: str) -> Facts:
    return Facts(store_url)


def loaded_store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                 name: str, text: str) -> Iterator[FactStore]:
    """A module fixture's store on the backend its request names ("doltlite" or "dolt": a
    new database on the session's server), loaded from one YAML text as `NAME load`."""
    folder = tmp_path_factory.mktemp(name.lower())
    url = new_store(request, folder, name[0].lower())
    data = folder / f"{name.lower()}.yaml"
    data.write_text(text, encoding="utf-8")
    with factstore.open_store(url) as store:
        store.import_file(data, author=AUTHOR, reason=f"{name} load")
        yield store


def pack_of(store: FactStore, question: str, **options: Any) -> ContextPack:
    """The pack a question gets, not written to the render log (a module's packs are asked
    on its own day: `_pack = partial(pack_of, valid_at=ON)`)."""
    return store.context(question, record=False, **options)


def assert_answers(pack: ContextPack, must: dict[str, str], must_not: set[str]) -> None:
    """The pack holds each `must` item with its label, and none of `must_not` (a module's
    table of user questions)."""
    labels = {i.id: i.status for i in pack.items}
    assert {k: labels.get(k) for k in must} == must, pack.text
    assert not must_not & labels.keys(), pack.text


def item_ids(pack: ContextPack, kind: str | None = None) -> list[str]:
    """The ids of a pack's items, in order (of one kind)."""
    return [i.id for i in pack.items if kind is None or i.kind == kind]


class Facts:
    """Runs the `facts` CLI in-process against one store, as a user would type it."""

    def __init__(self, url: str, branch: str | None = None) -> None:
        self.url = url
        self.branch = branch

    def __call__(self, *args: str, ok: bool = True) -> Result:
        where = ["--url", self.url] + (["--branch", self.branch] if self.branch else [])
        result = CliRunner().invoke(cli, [*where, *args], catch_exceptions=False)
        if ok and result.exit_code != 0:
            raise AssertionError(f"facts {' '.join(args)} -> {result.exit_code}:\n"
                                 f"{result.output}")
        return result

    def row(self, item_id: str) -> dict[str, Any]:
        """The row `facts show ITEM --json` prints."""
        return dict(json.loads(self("show", item_id, "--json").output)["row"])


# --- CI guard: under CI=true the run fails unless Dolt-server tests actually ran and passed ---

_SERVER_PASSED: list[str] = []


def _uses_server(item: pytest.Item) -> bool:
    callspec = getattr(item, "callspec", None)
    params = callspec.params.values() if callspec else ()
    return "dolt_server" in getattr(item, "fixturenames", ()) or "dolt" in params


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.when == "call" and report.passed and _uses_server(item):
        _SERVER_PASSED.append(item.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("CI", "").lower() == "true" and not _SERVER_PASSED and exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    terminalreporter.write_line(f"dolt-server tests passed: {len(_SERVER_PASSED)}")
