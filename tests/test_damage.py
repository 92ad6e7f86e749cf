"""A damaged store or a failing system gives one line and the documented exit code, and
leaves the store as it was (issue #12): a store file that lost commits, a full disk, a
read-only store, odd remote and clone URLs, a symlink loop, a Dolt server that went away.

The embedded store's checks (its HEAD record, its file system) are tested on doltlite only: a
Dolt server keeps its own durability.
Tests that need a small or read-only file system mount a tmpfs, and skip (saying why) where
mounting is not allowed.
"""

from __future__ import annotations

import factstore  # noqa: F401  (loads doltlite before sqlite3)

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from factstore import FactStore, FactstoreError, init_store, open_store

from .conftest import AUTHOR, FIXTURES, Facts
from .doltserver import dolt_binary, running_server, server_pid


def _one_line_error(output: str) -> str:
    """The CLI's answer to a failure: exactly one line, starting 'error:'."""
    lines = output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), output
    assert "Traceback" not in output
    return lines[0]


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[tuple[Facts, FactStore, Path]]:
    """An embedded store with Northwind and two corrections: five commits."""
    db = tmp_path / "store" / ".facts" / "facts.db"
    init_store(str(db), author=AUTHOR).close()
    with open_store(str(db)) as store:
        store.import_file(FIXTURES / "northwind.yaml", author=AUTHOR)
        for value in ("301", "302"):
            store.correct_fact("fact:acme-gmbh-seats-fy26q3", value, author=AUTHOR,
                               reason="recount")
        yield Facts(str(db)), store, db


def _mount_tmpfs(where: Path, size: str) -> None:
    where.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a tmpfs (a small or read-only file system)")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB file system of the test's own, unmounted afterwards."""
    where = tmp_path / "tmpfs"
    _mount_tmpfs(where, "2m")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def _fill(folder: Path) -> Path:
    """Fill a file system to the last byte; returns the filler file."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        for chunk in (1 << 16, 1 << 12, 1):
            try:
                while True:
                    os.write(fd, b"\0" * chunk)
            except OSError:
                continue
    finally:
        os.close(fd)
    return filler


# --- a store file that lost commits -----------------------------------------------------------


def test_a_store_cut_to_half_refuses_to_open_naming_the_lost_commit(
        embedded: tuple[Facts, FactStore, Path]) -> None:
    facts, store, db = embedded
    head = store.head()
    store.close()
    size = db.stat().st_size
    os.truncate(db, size // 2)
    result = facts("log", ok=False)
    line = _one_line_error(result.output)
    assert result.exit_code == 1
    assert "lost commits" in line and f"last committed at {head[:12]}" in line
    assert "now holds" in line and "facts clone" in line and "facts import" in line
    assert db.stat().st_size == size // 2  # opening changed nothing


def test_a_store_whose_last_8_kb_are_zeroed_refuses_to_open(
        embedded: tuple[Facts, FactStore, Path]) -> None:
    facts, store, db = embedded
    head = store.head()
    store.close()
    with db.open("r+b") as out:
        out.seek(-8192, os.SEEK_END)
        out.write(b"\0" * 8192)
    result = facts("show", "fact:acme-gmbh-seats-fy26q3", ok=False)
    assert result.exit_code == 1
    assert f"last committed at {head[:12]}" in _one_line_error(result.output)
    with pytest.raises(FactstoreError, match="lost commits"):
        open_store(str(db))


def test_an_empty_store_file_is_refused_not_made_a_new_store(
        embedded: tuple[Facts, FactStore, Path]) -> None:
    facts, store, db = embedded
    store.close()
    os.truncate(db, 0)
    result = facts("list", "facts", ok=False)
    assert result.exit_code == 1 and "empty (0 bytes)" in _one_line_error(result.output)
    assert db.stat().st_size == 0


def test_a_file_without_the_schema_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "facts.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY)")
    conn.close()
    result = Facts(str(db))("log", ok=False)
    assert result.exit_code == 1 and "no factstore (no schema)" in _one_line_error(result.output)


def test_a_store_others_committed_to_since_opens(embedded: tuple[Facts, FactStore, Path]
                                                 ) -> None:
    """Commits made without factstore (so not recorded) descend from the record: fine."""
    facts, store, db = embedded
    store.close()
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("UPDATE facts SET quote = 'seen' WHERE id = 'fact:acme-gmbh-acv-fy26q3'")
    conn.execute("SELECT dolt_commit('-am', 'by hand', '--author', 'Bo <bo@x.test>')")
    conn.close()
    assert "by hand" in facts("log", "-n", "1").output


def test_deleting_the_head_record_accepts_a_store_as_it_is(
        embedded: tuple[Facts, FactStore, Path]) -> None:
    facts, store, db = embedded
    head = store.head()
    store.close()
    os.truncate(db, db.stat().st_size // 2)
    assert facts("log", ok=False).exit_code == 1
    (db.parent / "facts.db.head").unlink()
    with open_store(str(db)) as damaged:  # opens, at the older commit the file still holds
        assert damaged.head() != head


def test_the_head_record_follows_commits_on_every_branch_and_merges(
        embedded: tuple[Facts, FactStore, Path]) -> None:
    facts, store, db = embedded
    record = db.parent / "facts.db.head"
    assert json.loads(record.read_text())["branches"] == {
        b.name: b.commit for b in store.branches(all=True)}  # main and the import's branch
    assert json.loads(record.read_text())["branches"]["main"] == store.head()
    facts("propose", "fix")
    Facts(str(db), "fix")("correct", "fact:acme-gmbh-acv-fy26q3", "--value", "1", "--reason",
                          "r", "--by", AUTHOR)
    facts("merge", "fix", "--by", "Rui Costa <rui@northwind.test>")  # not the proposer
    heads = {b.name: b.commit for b in store.branches(all=True)}
    assert json.loads(record.read_text())["branches"] == heads
    assert heads["main"] == store.head() != heads["fix"]


# --- file systems: full, read-only ------------------------------------------------------------


def test_a_failed_init_on_a_full_disk_leaves_no_empty_store_behind(tmpfs: Path) -> None:
    _fill(tmpfs)
    result = Facts(str(tmpfs / ".facts"))("init", ok=False)
    assert result.exit_code == 1 and "full" in _one_line_error(result.output)
    assert not (tmpfs / ".facts").exists()


def _store_on(folder: Path) -> tuple[Facts, str]:
    db = folder / ".facts" / "facts.db"
    init_store(str(db), author=AUTHOR).close()
    return Facts(str(db)), str(db)


def test_a_correction_and_an_import_on_a_full_disk_fail_in_one_line(tmpfs: Path) -> None:
    facts, url = _store_on(tmpfs)
    facts("import", str(FIXTURES / "northwind.yaml"), "--by", AUTHOR)
    with open_store(url) as store:
        head, rows = store.head(), store.rows("facts")
    filler = _fill(tmpfs)
    corrected = facts("correct", "fact:acme-gmbh-seats-fy26q3", "--value", "1", "--reason",
                      "r", "--by", AUTHOR, ok=False)
    imported = facts("import", str(FIXTURES / "northwind-q4.yaml"), "--by", AUTHOR, ok=False)
    for result in (corrected, imported):
        assert result.exit_code == 1 and "full" in _one_line_error(result.output)
    filler.unlink()
    with open_store(url) as store:
        assert store.head() == head and store.rows("facts") == rows


def test_a_write_to_a_read_only_store_fails_in_one_line(tmpfs: Path) -> None:
    facts, _ = _store_on(tmpfs)
    facts("import", str(FIXTURES / "northwind.yaml"), "--by", AUTHOR)
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    result = facts("correct", "fact:acme-gmbh-seats-fy26q3", "--value", "1", "--reason", "r",
                   "--by", AUTHOR, ok=False)
    assert result.exit_code == 1 and "readonly" in _one_line_error(result.output)


# --- remotes and clones -----------------------------------------------------------------------


@pytest.mark.parametrize("url", ["file:///proc/self/x", "file:///sys/kernel/x",
                                 "file:///dev/shm/x", "file://elsewhere/x"])
def test_remote_add_refuses_system_folders(facts: Facts, url: str) -> None:
    result = facts("remote", "add", "o", url, ok=False)
    assert result.exit_code == 2 and "remote" in _one_line_error(result.output)
    assert facts("remote").output == ""


def test_remote_add_refuses_a_file_that_is_not_a_folder(tmp_path: Path) -> None:
    db = tmp_path / "facts.db"
    init_store(str(db), author=AUTHOR).close()
    result = Facts(str(db))("remote", "add", "o", "file:///etc/passwd", ok=False)
    assert result.exit_code == 2 and "not a folder" in _one_line_error(result.output)


def test_remote_add_creates_no_folder_above_the_one_it_names(tmp_path: Path) -> None:
    db = tmp_path / "facts.db"
    init_store(str(db), author=AUTHOR).close()
    facts = Facts(str(db))
    missing = tmp_path / "missing" / "deeper"
    result = facts("remote", "add", "o", f"file://{missing}", ok=False)
    assert result.exit_code == 3 and "no folder" in _one_line_error(result.output)
    assert not (tmp_path / "missing").exists()
    facts("remote", "add", "o", f"file://{tmp_path / 'shared'}")
    assert (tmp_path / "shared").is_dir()


@pytest.mark.parametrize("url", ["file:///etc/passwd", "file:///proc/self"])
def test_clone_of_a_file_or_system_folder_fails_and_leaves_nothing(
        tmp_path: Path, url: str) -> None:
    target = tmp_path / "T"
    result = Facts(str(tmp_path / "unused.db"))("clone", url, str(target), ok=False)
    assert result.exit_code == 2 and "remote" in _one_line_error(result.output)
    assert not target.exists() and not Path("/etc/passwd/facts.db").exists()


def test_clone_from_a_system_folder_into_a_server_creates_no_database(dolt_server: Any
                                                                     ) -> None:
    target = f"{dolt_server.url}/c{uuid.uuid4().hex[:8]}"
    result = Facts(target)("clone", "file:///proc/self", target, ok=False)
    assert result.exit_code == 2 and "/proc" in _one_line_error(result.output)
    assert Facts(target)("log", ok=False).exit_code == 3


def test_a_failed_clone_removes_what_it_made_and_only_that(tmp_path: Path) -> None:
    remote = tmp_path / "remote"
    remote.mkdir()
    shutil.copy("/etc/passwd", remote / "facts.db")  # a file named like a store, not one
    fresh, existing = tmp_path / "fresh", tmp_path / "existing"
    existing.mkdir()
    (existing / "keep.txt").write_text("mine", encoding="utf-8")
    facts = Facts(str(tmp_path / "unused.db"))
    for target in (fresh, existing):
        result = facts("clone", f"file://{remote}", str(target), ok=False)
        assert result.exit_code == 1 and "clone" in _one_line_error(result.output)
    assert not fresh.exists()
    assert [p.name for p in existing.iterdir()] == ["keep.txt"]


def test_init_into_a_symlink_loop_fails_in_one_line(tmp_path: Path) -> None:
    loop = tmp_path / ".facts"
    loop.symlink_to(".facts")
    result = Facts(str(loop))("init", ok=False)
    assert result.exit_code == 1 and "symlink" in _one_line_error(result.output)
    assert loop.is_symlink()


# --- a Dolt server that went away -------------------------------------------------------------


@pytest.mark.dolt_server
def test_a_server_killed_mid_command_gives_one_line(tmp_path: Path) -> None:
    binary = dolt_binary()
    if binary is None:
        pytest.skip("no dolt binary (run scripts/install-dolt.sh)")
    with running_server(binary, tmp_path / "own-server") as server:
        url = f"{server.url}/k{uuid.uuid4().hex[:8]}"
        init_store(url, author=AUTHOR).close()
        store = open_store(url)
        store.import_file(FIXTURES / "northwind.yaml", author=AUTHOR)
        _kill_server(server.data_dir)
        with pytest.raises(FactstoreError, match="lost the connection to the Dolt server"):
            store.correct_fact("fact:acme-gmbh-seats-fy26q3", "1", author=AUTHOR, reason="r")
        with pytest.raises(FactstoreError, match="lost the connection"):
            store.backend.write(lambda tx: "nothing", AUTHOR)
        store.close()
        store.close()  # closing a dropped connection twice is fine too
        result = Facts(url)("log", ok=False)
        assert result.exit_code == 1 and "cannot reach" in _one_line_error(result.output)


@pytest.mark.dolt_server
def test_a_correction_on_a_server_whose_disk_is_full_fails_in_one_line(tmp_path: Path) -> None:
    """Dolt 1.86 stops (a panic in its journal writer) when its disk fills mid-commit; the
    client says so in one line, and the commit is not there when Dolt reads the data again."""
    binary = dolt_binary()
    if binary is None:
        pytest.skip("no dolt binary (run scripts/install-dolt.sh)")
    root = tmp_path / "server-disk"
    _mount_tmpfs(root, "48m")
    try:
        with running_server(binary, root) as server:
            database = f"f{uuid.uuid4().hex[:8]}"
            url = f"{server.url}/{database}"
            init_store(url, author=AUTHOR).close()
            with open_store(url) as store:
                store.import_file(FIXTURES / "northwind.yaml", author=AUTHOR)
                head = store.head()
            filler = _fill(root)
            result = Facts(url)("correct", "fact:acme-gmbh-seats-fy26q3", "--value", "1",
                                "--reason", "r", "--by", AUTHOR, ok=False)
            assert result.exit_code == 1 and "Dolt" in _one_line_error(result.output)
            filler.unlink()
            _kill_server(server.data_dir, missing_ok=True)
            found = server.cli(database, "sql", "-r", "csv", "-q",
                               "SELECT HASHOF('HEAD') AS h").split()
        assert found == ["h", head]  # read by Dolt itself, the server gone
    finally:
        subprocess.run(["umount", "-l", str(root)], check=False)


def _kill_server(data_dir: Path, missing_ok: bool = False) -> None:
    """SIGKILL the dolt sql-server serving data_dir, and wait until it is gone."""
    pid = server_pid(data_dir)
    if not pid:
        if not missing_ok:
            raise AssertionError(f"no dolt sql-server for {data_dir}")
        return
    os.kill(pid, signal.SIGKILL)
    entry = Path("/proc") / str(pid)
    while (entry / "cmdline").exists() and (entry / "stat").read_text().split()[2] != "Z":
        pass
