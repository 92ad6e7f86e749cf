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


def server_pid(data_dir: Path) -> int:
    """The pid of the dolt sql-server serving data_dir (0 if there is none)."""
    for proc in Path("/proc").iterdir():
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"sql-server" in argv and str(data_dir).encode() in argv:
            return int(proc.name)
    return 0


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


def _allow_local_infile(port: int) -> None:
    import pymysql

    conn = pymysql.connect(host="127.0.0.1", port=port, user="root", password="")
    try:
        with conn.cursor() as cur:
            cur.execute("SET GLOBAL local_infile = 1")
    finally:
        conn.close()


@contextmanager
def running_server(binary: str, root: Path, extra_env: dict[str, str] | None = None, *,
                   local_infile: bool = True) -> Iterator[DoltServer]:
    """A dolt sql-server with its data dir and HOME under root, stopped on exit.

    Dolt wants user.name/email configured before it creates a database; a private HOME keeps
    that away from the user's own config. extra_env: more environment for the server (say
    DOLT_REMOTE_PASSWORD, which its dolt_push/dolt_clone use). local_infile: the server
    allows LOAD DATA LOCAL (Dolt's default is not to), as docs/ tells an operator to set it,
    so that an import takes its bulk path (factstore/backends/loaddata.py).
    """
    env = {**os.environ, "HOME": str(root / "home"), **(extra_env or {})}
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
        if local_infile:
            _allow_local_infile(port)
        yield DoltServer(f"mysql://root@127.0.0.1:{port}", root / "data", binary, env)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def _dolt_home(binary: str, home: Path, env: dict[str, str]) -> None:
    """A private DOLT_ROOT_PATH (and HOME) with the committer Dolt wants before it makes a
    database: one per server, as a cluster needs (a shared one makes both primaries)."""
    home.mkdir(parents=True, exist_ok=True)
    for key, value in (("user.name", "factstore tests"), ("user.email", "tests@factstore.test")):
        subprocess.run([binary, "config", "--global", "--add", key, value], env=env, check=True,
                       capture_output=True)


@dataclass
class ClusterNode:
    """One dolt sql-server of a cluster: its SQL port, its cluster remotesapi port, and (the
    primary's) a plain remotesapi port that serves clones."""

    name: str
    port: int
    cluster_port: int
    remotesapi_port: int | None
    root: Path
    proc: subprocess.Popen[bytes] | None = None

    def url(self, database: str = "", user: str = "root", password: str = "") -> str:
        auth = f"{user}:{password}" if password else user
        return f"mysql://{auth}@127.0.0.1:{self.port}" + (f"/{database}" if database else "")


def _node_config(node: ClusterNode, peer: ClusterNode, role: str) -> str:
    lines = [f"listener: {{host: 127.0.0.1, port: {node.port}}}",
             f"data_dir: {node.root / 'data'}",
             "cluster:",
             "  standby_remotes:",
             f"  - {{name: {peer.name}, remote_url_template: "
             f"\"http://127.0.0.1:{peer.cluster_port}/{{database}}\"}}",
             f"  bootstrap_role: {role}",
             "  bootstrap_epoch: 1",
             f"  remotesapi: {{address: 127.0.0.1, port: {node.cluster_port}}}"]
    if node.remotesapi_port:
        lines.append(f"remotesapi: {{port: {node.remotesapi_port}}}")
    return "\n".join(lines) + "\n"


@contextmanager
def running_cluster(binary: str, root: Path) -> Iterator[tuple[ClusterNode, ClusterNode]]:
    """A primary and a standby (`dolt sql-server` cluster mode) on free loopback ports, each
    with its own DOLT_ROOT_PATH; stopped on exit. Yields (primary, standby) as bootstrapped:
    after a failover the roles are the other way round."""
    ports = [_free_port() for _ in range(5)]
    nodes = (ClusterNode("one", ports[0], ports[1], ports[4], root / "one"),
             ClusterNode("two", ports[2], ports[3], None, root / "two"))
    try:
        for node, peer, role in ((nodes[0], nodes[1], "primary"),
                                 (nodes[1], nodes[0], "standby")):
            env = {**os.environ, "HOME": str(node.root / "home"),
                   "DOLT_ROOT_PATH": str(node.root / "home")}
            _dolt_home(binary, node.root / "home", env)
            (node.root / "data").mkdir(parents=True, exist_ok=True)
            config = node.root / "config.yaml"
            config.write_text(_node_config(node, peer, role))
            log = node.root / "server.log"
            with log.open("wb") as out:
                node.proc = subprocess.Popen(
                    [binary, "sql-server", "--config", str(config)], cwd=node.root / "data",
                    env=env, stdout=out, stderr=subprocess.STDOUT)
        for node in nodes:
            assert node.proc is not None
            _wait_until_up(node.port, node.proc, node.root / "server.log")
        yield nodes
    finally:
        for node in nodes:
            if node.proc is not None:
                node.proc.terminate()
        for node in nodes:
            if node.proc is not None:
                try:
                    node.proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    node.proc.kill()


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
