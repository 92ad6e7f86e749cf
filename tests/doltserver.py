"""Start a real `dolt sql-server` on a free loopback port (tests and benchmarks share this)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


def dolt_binary() -> str | None:
    """DOLT_BIN, else dolt on PATH, else the one scripts/install-dolt.sh builds."""
    candidates = [os.environ.get("DOLT_BIN"), shutil.which("dolt"),
                  str(Path.home() / "go" / "bin" / "dolt")]
    return next((c for c in candidates if c and Path(c).is_file()), None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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


def _wait_until_up(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
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


@contextmanager
def running_server(binary: str, root: Path) -> Iterator[DoltServer]:
    """A dolt sql-server with its data dir and HOME under root, stopped on exit.

    Dolt wants user.name/email configured before it creates a database; a private HOME keeps
    that away from the user's own config.
    """
    env = {**os.environ, "HOME": str(root / "home")}
    (root / "home").mkdir(parents=True, exist_ok=True)
    (root / "data").mkdir(parents=True, exist_ok=True)
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
        _wait_until_up(port, proc, log)
        yield DoltServer(f"mysql://root@127.0.0.1:{port}", root / "data", binary, env)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


class RestartableServer:
    """A dolt sql-server on a fixed loopback port and data dir that a drill may kill -9 and
    start again (the crash drills); `running_server` is the one to use otherwise."""

    def __init__(self, binary: str, root: Path) -> None:
        self.binary = binary
        self.root = root
        self.env = {**os.environ, "HOME": str(root / "home")}
        (root / "home").mkdir(parents=True, exist_ok=True)
        (root / "data").mkdir(parents=True, exist_ok=True)
        for key, value in (("user.name", "factstore tests"),
                           ("user.email", "tests@factstore.test")):
            subprocess.run([binary, "config", "--global", "--add", key, value], env=self.env,
                           check=True, capture_output=True)
        self.port = _free_port()
        self.url = f"mysql://root@127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> float:
        """Start the server and wait until it takes connections; returns the seconds that
        took."""
        began = time.monotonic()
        self.starts += 1
        log = self.root / f"server-{self.starts}.log"
        with log.open("wb") as out:
            self.proc = subprocess.Popen(
                [self.binary, "sql-server", "-H", "127.0.0.1", "-P", str(self.port),
                 "--data-dir", str(self.root / "data")],
                cwd=self.root / "data", env=self.env, stdout=out, stderr=subprocess.STDOUT,
            )
        _wait_until_up(self.port, self.proc, log)
        return time.monotonic() - began

    def kill(self) -> None:
        """SIGKILL the server and reap it."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@contextmanager
def restartable_server(binary: str, root: Path) -> Iterator[RestartableServer]:
    """A started RestartableServer, stopped on exit."""
    server = RestartableServer(binary, root)
    server.start()
    try:
        yield server
    finally:
        server.stop()
