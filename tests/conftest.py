"""Fixtures: a fresh store per test on each backend.

`store` is parametrised over the embedded doltlite store and a real `dolt sql-server`, started
once per session on a free loopback port with a temporary data dir and HOME. Without a dolt
binary the server cases skip, except under CI=true, where that is a failure.
"""

from __future__ import annotations

import factstore  # noqa: F401  (first: loads doltlite before anything imports sqlite3)

import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from factstore import FactStore, init_store
from factstore.cli import cli

AUTHOR = "Ana Ruiz <ana@northwind.test>"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _dolt_binary() -> str | None:
    candidates = [os.environ.get("DOLT_BIN"), shutil.which("dolt"),
                  str(Path.home() / "go" / "bin" / "dolt")]
    return next((c for c in candidates if c and Path(c).is_file()), None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_server(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    import pymysql

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"dolt sql-server exited: {log.read_text()[-2000:]}")
        try:
            pymysql.connect(host="127.0.0.1", port=port, user="root", password="").close()
            return
        except pymysql.err.OperationalError:
            time.sleep(0.1)
    raise RuntimeError(f"dolt sql-server did not start in 60 s: {log.read_text()[-2000:]}")


@dataclass(frozen=True)
class DoltServer:
    url: str  # mysql://root@127.0.0.1:PORT, without a database
    data_dir: Path
    binary: str
    env: dict[str, str]

    def cli(self, database: str, *args: str) -> str:
        """Run the real dolt CLI on one database of the server's data dir."""
        out = subprocess.run([self.binary, *args], cwd=self.data_dir / database, env=self.env,
                             capture_output=True, text=True, check=True)
        return out.stdout


@pytest.fixture(scope="session")
def dolt_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DoltServer]:
    """A real dolt sql-server for this session, on a free loopback port."""
    binary = _dolt_binary()
    if binary is None:
        message = "no dolt binary (run scripts/install-dolt.sh)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " — required under CI=true")
        pytest.skip(message)
    root = tmp_path_factory.mktemp("dolt")
    env = {**os.environ, "HOME": str(root / "home"), "DOLT_DISABLE_EVENT_FLUSH": "1"}
    (root / "home").mkdir()
    (root / "data").mkdir()
    for key, value in (("user.name", "factstore tests"), ("user.email", "tests@factstore.test")):
        subprocess.run([binary, "config", "--global", "--add", key, value], env=env, check=True,
                       capture_output=True)
    port = _free_port()
    log = root / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [binary, "sql-server", "-H", "127.0.0.1", "-P", str(port),
             "--data-dir", str(root / "data")],
            cwd=root / "data", env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        _wait_for_server(port, proc, log)
        yield DoltServer(f"mysql://root@127.0.0.1:{port}", root / "data", binary, env)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(params=["doltlite", "dolt"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """URL of a freshly initialised, empty store on each backend."""
    if request.param == "doltlite":
        url = str(tmp_path / "facts.db")
    else:
        server = request.getfixturevalue("dolt_server")
        url = f"{server.url}/t{uuid.uuid4().hex[:12]}"
    init_store(url, author=AUTHOR).close()
    return url


@pytest.fixture
def store(store_url: str) -> Iterator[FactStore]:
    with factstore.open_store(store_url) as opened:
        yield opened


@pytest.fixture
def facts(store_url: str) -> "Facts":
    return Facts(store_url)


class Facts:
    """Runs the `facts` CLI in-process against one store, as a user would type it."""

    def __init__(self, url: str) -> None:
        self.url = url

    def __call__(self, *args: str, ok: bool = True) -> Result:
        result = CliRunner().invoke(cli, ["--url", self.url, *args], catch_exceptions=False)
        if ok and result.exit_code != 0:
            raise AssertionError(f"facts {' '.join(args)} -> {result.exit_code}:\n"
                                 f"{result.output}")
        return result
