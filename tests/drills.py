"""Crash and load drills (issue #16.5), shared by tests/test_drills.py (a few trials) and
bench/drills.py (the full counts, with figures).

Crash drills kill -9 a writer at a random moment, then check the store:
- it opens;
- its working set holds no change that no commit has;
- every new commit is whole and says what it did: each row it changed (against its first
  parent) carries the commit's author as recorded_by and one more rev (a merge: a higher
  rev), none was removed; a correction changed exactly its row, from and to the values its
  message names; an import of version K changed every fact of the file, each to version K;
- every acknowledged write (exit 0) is in the history;
- the next write (on main and on the import's branch) gets its lock within LOCK_LIMIT_S;
- on odd trials, running the killed import again succeeds and leaves the file's version.

Load drills run many writer processes correcting one fact or each its own, with and without
--expect, and readers alongside: nothing acknowledged goes missing, a conflict exits 5, the
last acknowledged value of a shared fact is the one the store holds.

Writers and readers are separate processes running the `facts` command in a loop
(`python -m tests.drills loop|load|read …`, each iteration opening the store as the command
does); an import is `python -m factstore import …` itself.
"""

from __future__ import annotations

import factstore  # noqa: F401  (loads doltlite before sqlite3)

import json
import os
import random
import re
import select
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from factstore import FactStore, FactstoreError, init_store, open_store
from factstore.backends import versioning
from factstore.schema import COMMITTED, TABLES

ROOT = Path(__file__).resolve().parent.parent
LOCK_LIMIT_S = 5.0
LOAD_FILE = "load.jsonl"
LOAD_BRANCH = "imports/load-jsonl"
VERSION_STEP = 1_000_000  # fact:i of version K says K * VERSION_STEP + i
WORKERS = 16  # facts fact:w0 … for the load drill's writers on their own fact


def author(tag: str) -> str:
    return f"Drill {tag} <{tag}@drill.test>"


def facts_command(*args: str) -> list[str]:
    """The `facts` command, as this interpreter runs it."""
    return [sys.executable, "-m", "factstore", *args]


def _drill_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "tests.drills", *args]


# --- stores and files -------------------------------------------------------------------------


def seed_store(url: str, work: Path) -> str:
    """A new store holding the drill's own facts: fact:probe (the next write after a kill),
    fact:loop (the correction loop's), fact:shared and fact:w0… (the load drill's). Returns
    its head: the commit the drill's checks start after."""
    init_store(url, author=author("init")).close()
    seed = work / "seed.jsonl"
    ids = ["probe", "loop", "shared", *(f"w{i}" for i in range(WORKERS))]
    lines = [{"type": "source", "id": "src:drill", "title": "Drill", "kind": "expert",
              "authority": 50},
             {"type": "entity", "id": "drill", "kind": "customer", "name": "Drill Co"}]
    lines += [{"type": "fact", "id": f"fact:{i}", "subject": "drill", "predicate": f"p_{i}",
               "value": 0, "source": "src:drill"} for i in ids]
    seed.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    with open_store(url) as store:
        store.import_file(seed, author=author("seed"), reason="seed")
        return store.head()


def write_load_file(path: Path, facts: int, version: int) -> Path:
    """The import drill's file: `facts` facts over 1000 entities, fact:i saying
    version * VERSION_STEP + i, so a commit of version K shows in every row it wrote."""
    with path.open("w", encoding="utf-8") as out:
        out.write(json.dumps({"type": "source", "id": "src:load", "title": "Load",
                              "kind": "system_of_record", "authority": 90}) + "\n")
        for e in range(min(1000, facts)):
            out.write(json.dumps({"type": "entity", "id": f"e{e}", "kind": "customer",
                                  "name": f"Customer {e}"}) + "\n")
        for i in range(facts):
            out.write(json.dumps({"type": "fact", "id": f"fact:{i}",
                                  "subject": f"e{i % min(1000, facts)}", "predicate": "arr",
                                  "value": version * VERSION_STEP + i, "unit": "USD",
                                  "period": "FY26-Q3", "source": "src:load"}) + "\n")
    return path


# --- the check after a kill -------------------------------------------------------------------


def _correction_values(message: str) -> tuple[str, str] | None:
    found = re.search(r"^value: (.*) -> (.*)$", message, re.M)
    return (found.group(1), found.group(2)) if found else None


def _import_version(message: str) -> int | None:
    found = re.search(r"drill version (\d+)", message)
    return int(found.group(1)) if found else None


def audit(store: FactStore, since: str | None, load_facts: int) -> list[str]:
    """Problems with the commits made after `since` (all of them for None) on the store's
    branch: see the module's docstring for what a whole commit is."""
    backend = store.backend
    head = store.head()
    new = versioning.commits_from(backend, head)
    for seen in versioning.commits_from(backend, since) if since else ():
        new.pop(seen, None)
    parents = versioning.parents(backend)
    problems = []
    for commit in new.values():
        first = parents.get(commit.commit, ())
        if not first:
            continue  # the repository's first commit, before the tables
        merge = len(first) > 1
        changed: list[tuple[str, dict[str, Any] | None, dict[str, Any]]] = []
        short = f"{commit.commit[:12]} ({commit.message.splitlines()[0][:60]})"
        for table in TABLES:
            for before, after, _kind in versioning.diff_rows(backend, table, first[0],
                                                            commit.commit):
                if after is None:
                    problems.append(f"{short}: removed a row of {table}")
                    continue
                changed.append((table, before, after))
                if after["recorded_by"] != commit.author:
                    problems.append(f"{short}: {after.get('id')} recorded by "
                                    f"{after['recorded_by']}, committed by {commit.author}")
                if before is not None and (after["rev"] <= before["rev"] if merge
                                           else after["rev"] != before["rev"] + 1):
                    problems.append(f"{short}: {after.get('id')} rev {before['rev']} -> "
                                    f"{after['rev']}")
        problems += _says_what_it_did(short, commit.message, changed, load_facts)
    return problems


def _says_what_it_did(short: str, message: str,
                      changed: list[tuple[str, dict[str, Any] | None, dict[str, Any]]],
                      load_facts: int) -> list[str]:
    values = _correction_values(message)
    if message.startswith("Correct ") and values:
        named = re.search(r"\((fact:[^)]+)\)$", message.splitlines()[0])
        rows = [(b, a) for t, b, a in changed if t == "facts"]
        if len(changed) != 1 or not named or rows[0][1]["id"] != named.group(1):
            return [f"{short}: a correction that changed {len(changed)} rows"]
        before, after = rows[0]
        if before is None or (str(before["value"]), str(after["value"])) != values:
            return [f"{short}: says value {values[0]} -> {values[1]}, the row says "
                    f"{before and before['value']} -> {after['value']}"]
        return []
    version = _import_version(message)
    if version is None:
        return []
    facts = [a for t, _, a in changed if t == "facts"]
    wrong = [a["id"] for a in facts
             if int(a["value"]) != version * VERSION_STEP + int(a["id"].split(":")[1])]
    if len(facts) != load_facts or wrong:
        return [f"{short}: import of version {version} changed {len(facts)} of {load_facts} "
                f"facts, {len(wrong)} to another version"]
    return []


@dataclass
class Check:
    problems: list[str]
    head: str
    lock_waits: list[float]  # seconds the next writes waited for their locks


def check_store(url: str, since: str, acked: Sequence[str], load_facts: int,
                tag: str) -> Check:
    """The store after a kill: opens, clean, whole commits, acknowledged commits present,
    and the next writes are not held up by a lock."""
    try:
        store = open_store(url)
    except FactstoreError as exc:
        return Check([f"the store does not open: {exc}"], since, [])
    with store:
        problems = []
        dirty = versioning.uncommitted_rows(store.backend, store.backend, COMMITTED)
        if dirty:
            problems.append(f"uncommitted changes after the kill: {dirty}")
        problems += audit(store, since, load_facts)
        head = store.head()
        history = versioning.commits_from(store.backend, head)
        problems += [f"acknowledged commit {c[:12]} is not in the history"
                     for c in acked if c not in history]
        problems += _load_rows_agree(store, load_facts)
        waits = []
        began = time.monotonic()
        try:
            store.correct_fact("fact:probe", str(random.randrange(1, 10**9)),
                               author=author(tag), reason="the next write after a kill")
        except FactstoreError as exc:
            problems.append(f"the next write failed: {exc}")
        waits.append(time.monotonic() - began)
        if versioning.has_branch(store.backend, LOAD_BRANCH):
            side = store.backend.on_branch(LOAD_BRANCH)
            began = time.monotonic()
            try:
                side.write(lambda tx: None, author(tag))  # takes the lock, commits nothing
            except FactstoreError as exc:
                problems.append(f"the import branch's lock: {exc}")
            finally:
                side.close()
            waits.append(time.monotonic() - began)
        problems += [f"the next write waited {w:.1f} s for a lock" for w in waits
                     if w > LOCK_LIMIT_S]
        return Check(problems, store.head(), waits)


def audit_since(url: str, since: str, load_facts: int) -> list[str]:
    """The audit of what was committed after the last check (an import run again)."""
    with open_store(url) as store:
        return audit(store, since, load_facts) + _load_rows_agree(store, load_facts)


def _load_rows_agree(store: FactStore, load_facts: int) -> list[str]:
    """The import file's facts all say one version: the last import merged into the
    branch."""
    if not load_facts:
        return []
    rows = store.backend.query("SELECT id, value FROM facts WHERE source_id = ?", ["src:load"])
    versions = {(int(r["value"]) - int(r["id"].split(":")[1])) // VERSION_STEP for r in rows}
    if rows and (len(rows) != load_facts or len(versions) != 1):
        return [f"the file's {len(rows)} facts are at versions {sorted(versions)[:5]}"]
    return []


# --- figures ----------------------------------------------------------------------------------


def pct(values: Sequence[float], q: int) -> float:
    """The q-th percentile in ms (0 for fewer than two values)."""
    if len(values) < 2:
        return values[0] * 1000 if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000


@dataclass
class Figures:
    name: str
    trials: int = 0
    failures: list[str] = field(default_factory=list)
    lost: int = 0
    killed_running: int = 0  # kills that found the writer still running
    unmerged: int = 0  # kills after an import's commit on its branch, before the merge
    acked: int = 0
    conflicts: int = 0
    latencies: list[float] = field(default_factory=list)
    lock_waits: list[float] = field(default_factory=list)
    reads: int = 0
    read_errors: int = 0

    def line(self) -> str:
        parts = [f"{self.name:50}", f"trials {self.trials:3}",
                 f"failures {len(self.failures)}", f"lost updates {self.lost}"]
        if self.killed_running:
            parts.append(f"killed mid-run {self.killed_running}")
        if self.unmerged:
            parts.append(f"between branch commit and merge {self.unmerged}")
        if self.acked or self.conflicts:
            parts.append(f"acked {self.acked} conflicts(exit 5) {self.conflicts}")
        if self.latencies:
            parts.append(f"p50 {pct(self.latencies, 50):.0f} ms p95 "
                         f"{pct(self.latencies, 95):.0f} ms")
        if self.lock_waits:
            parts.append(f"next write max {max(self.lock_waits) * 1000:.0f} ms")
        if self.reads:
            parts.append(f"reads {self.reads} errors {self.read_errors}")
        return "  ".join(parts)


# --- children ---------------------------------------------------------------------------------


def _spawn(command: list[str], out: Any = subprocess.PIPE) -> subprocess.Popen[str]:
    """A child in its own process group (so kill -9 takes its children too), run from the
    repository's root (so `-m tests.drills` imports)."""
    return subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def _kill(child: subprocess.Popen[str]) -> bool:
    """kill -9 the child's process group; True if it was still running."""
    running = child.poll() is None
    with suppress(ProcessLookupError):
        os.killpg(child.pid, signal.SIGKILL)
    child.wait()
    return running


def _first_line(child: subprocess.Popen[str], timeout: float = 300) -> str:
    """Wait until a looping child printed its first line (it got past its start-up and
    writes now); returns that line."""
    assert child.stdout is not None
    ready, _, _ = select.select([child.stdout], [], [], timeout)
    return child.stdout.readline() if ready else ""


def _acks(text: str) -> list[str]:
    return [line.split()[1] for line in text.splitlines() if line.startswith("ack ")]


def _run_cli(args: Sequence[str]) -> tuple[int, str, float]:
    """Run `facts ARGS` in this process as the command would run: (exit code, output,
    seconds)."""
    from click.testing import CliRunner

    from factstore.cli import cli

    began = time.monotonic()
    result = CliRunner().invoke(cli, list(args), catch_exceptions=True)
    took = time.monotonic() - began
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        return 99, f"{type(result.exception).__name__}: {result.exception}", took
    return result.exit_code, result.output, took


def correction_loop(url: str, fact: str, tag: str, start: int) -> None:
    """`facts correct` in a loop until killed, printing `ack COMMIT VALUE` for each exit 0."""
    value = start
    while True:
        value += 1
        code, out, _ = _run_cli(["--url", url, "correct", fact, "--value", str(value),
                                 "--reason", "loop", "--by", author(tag), "--json"])
        if code == 0:
            print(f"ack {json.loads(out)['commit']} {value}", flush=True)
        else:
            print(f"exit {code} {out.strip().splitlines()[-1] if out.strip() else ''}",
                  flush=True)
            time.sleep(0.05)


def load_worker(url: str, fact: str, count: int, expect: bool, tag: str, base: int) -> None:
    """`count` corrections of fact (with --expect: of the rev `facts show` read), printing
    one JSON line each: exit code, commit, value, seconds."""
    for i in range(count):
        value = base + i + 1
        args = ["--url", url, "correct", fact, "--value", str(value), "--reason", "load",
                "--by", author(tag), "--json"]
        if expect:
            code, out, _ = _run_cli(["--url", url, "show", fact, "--json"])
            if code != 0:
                print(json.dumps({"code": code, "error": out.strip()[-300:]}), flush=True)
                continue
            args += ["--expect", str(json.loads(out)["row"]["rev"])]
        code, out, took = _run_cli(args)
        line: dict[str, Any] = {"code": code, "value": value, "s": took}
        if code == 0:
            line["commit"] = json.loads(out)["commit"]
        else:
            line["error"] = out.strip()[-300:]
        print(json.dumps(line), flush=True)


READS = (["show", "fact:shared"], ["list", "facts"], ["log", "-n", "5"],
         ["history", "fact:shared"], ["context", "what is p_shared of Drill Co"])


def reader(url: str, stop_file: str) -> None:
    """Read commands in turn until stop_file exists; one JSON line: reads, errors, the
    first few error lines."""
    reads, errors = 0, []
    while not Path(stop_file).exists():
        args = READS[reads % len(READS)]
        code, out, _ = _run_cli(["--url", url, *args])
        reads += 1
        if code != 0:
            errors.append(f"{' '.join(args)} -> {code}: {out.strip()[-200:]}")
    print(json.dumps({"reads": reads, "errors": len(errors), "first": errors[:3]}), flush=True)


# --- crash drills -----------------------------------------------------------------------------


def import_kill_drill(url: str, work: Path, trials: int, load_facts: int,
                      rng: random.Random, name: str) -> Figures:
    """kill -9 `facts import` of a load_facts-fact file at a random moment, `trials` times."""
    figures = Figures(name)
    since = seed_store(url, work)
    path = work / LOAD_FILE
    write_load_file(path, load_facts, 0)
    began = time.monotonic()
    done = subprocess.run(facts_command("--url", url, "import", str(path), "-m",
                                        "drill version 0", "--by", author("v0")),
                          cwd=ROOT, capture_output=True, text=True)
    full = time.monotonic() - began
    if done.returncode != 0:
        figures.failures.append(f"the first import failed: {done.stderr.strip()}")
        return figures
    for trial in range(1, trials + 1):
        write_load_file(path, load_facts, trial)
        child = _spawn(facts_command("--url", url, "import", str(path), "-m",
                                     f"drill version {trial}", "--by", author(f"v{trial}")))
        time.sleep(rng.uniform(0.05, full))
        running = _kill(child)
        figures.killed_running += running
        figures.unmerged += _branch_ahead(url)
        acked = [] if running or child.returncode != 0 else ["(import)"]
        check = check_store(url, since, [], load_facts, f"probe{trial}")
        figures.trials += 1
        if acked:  # it finished: its version must be the one the rows say
            check.problems += _load_version_is(url, trial)
        elif trial % 2:  # odd trials: running the killed import again completes it
            began = time.monotonic()
            check.problems += _import_again(url, path, trial)
            full = max(full, time.monotonic() - began)  # kills spread over a whole import
        figures.failures += [f"trial {trial}: {p}" for p in check.problems]
        figures.lock_waits += check.lock_waits
        since = check.head
    figures.failures += [f"at the end: {p}" for p in audit_since(url, since, load_facts)]
    return figures


def _branch_ahead(url: str) -> bool:
    """Did the kill leave a commit on the import's branch that the store's branch lacks?"""
    with open_store(url) as store:
        head = versioning.branch_head(store.backend, LOAD_BRANCH)
        return head is not None and not versioning.on_branch(store.backend, head)


def _import_again(url: str, path: Path, version: int) -> list[str]:
    """Run the import a kill interrupted again, to the end: it must succeed and leave the
    file's version in the store."""
    done = subprocess.run(facts_command("--url", url, "import", str(path), "-m",
                                        f"drill version {version}", "--by",
                                        author(f"v{version}")),
                          cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        return [f"importing version {version} again after the kill exited {done.returncode}: "
                f"{done.stderr.strip()[-300:]}"]
    return _load_version_is(url, version)


def _load_version_is(url: str, version: int) -> list[str]:
    with open_store(url) as store:
        row = store.get("fact:0")
    if int(row["value"]) // VERSION_STEP != version:
        return [f"the import of version {version} exited 0, the store holds {row['value']}"]
    return []


def correction_kill_drill(url: str, work: Path, trials: int, rng: random.Random, name: str,
                          window: tuple[float, float] = (0.0, 1.5)) -> Figures:
    """kill -9 a loop of `facts correct` at a random moment once it is writing (`window`
    seconds after its first correction), `trials` times."""
    figures = Figures(name)
    since = seed_store(url, work)
    for trial in range(1, trials + 1):
        child = _spawn(_drill_command("loop", url, "fact:loop", f"loop{trial}",
                                      str(trial * 100_000)))
        first = _first_line(child)
        time.sleep(rng.uniform(*window))
        figures.killed_running += _kill(child)
        assert child.stdout is not None
        acked = _acks(first + child.stdout.read())
        figures.acked += len(acked)
        check = check_store(url, since, acked, 0, f"probe{trial}")
        figures.trials += 1
        figures.lost += sum("acknowledged" in p for p in check.problems)
        figures.failures += [f"trial {trial}: {p}" for p in check.problems]
        figures.lock_waits += check.lock_waits
        since = check.head
    return figures


def server_kill_drill(server: Any, work: Path, trials: int, load_facts: int,
                      rng: random.Random, name: str) -> Figures:
    """kill -9 the Dolt server while a correction loop and an import write, `trials` times;
    after each restart the store is checked as after a client's kill. `server` is a
    tests.doltserver.RestartableServer."""
    figures = Figures(name)
    url = f"{server.url}/drill"
    since = seed_store(url, work)
    path = work / LOAD_FILE
    write_load_file(path, load_facts, 0)
    subprocess.run(facts_command("--url", url, "import", str(path), "-m", "drill version 0",
                                 "--by", author("v0")), cwd=ROOT, check=True,
                   capture_output=True)
    for trial in range(1, trials + 1):
        write_load_file(path, load_facts, trial)
        loop = _spawn(_drill_command("loop", url, "fact:loop", f"loop{trial}",
                                     str(trial * 100_000)))
        load = _spawn(facts_command("--url", url, "import", str(path), "-m",
                                    f"drill version {trial}", "--by", author(f"v{trial}")))
        first = _first_line(loop)
        time.sleep(rng.uniform(0.0, 2.0))
        server.kill()
        figures.killed_running += load.poll() is None
        time.sleep(0.2)
        _kill(load)
        _kill(loop)
        assert loop.stdout is not None
        acked = _acks(first + loop.stdout.read())
        figures.acked += len(acked)
        server.start()
        figures.unmerged += _branch_ahead(url)
        check = check_store(url, since, acked, load_facts, f"probe{trial}")
        if trial % 2:
            check.problems += _import_again(url, path, trial)
        figures.trials += 1
        figures.lost += sum("acknowledged" in p for p in check.problems)
        figures.failures += [f"trial {trial}: {p}" for p in check.problems]
        figures.lock_waits += check.lock_waits
        since = check.head
    figures.failures += [f"at the end: {p}" for p in audit_since(url, since, load_facts)]
    return figures


# --- load drill -------------------------------------------------------------------------------


@contextmanager
def _readers(url: str, count: int, work: Path, figures: Figures) -> Iterator[None]:
    stop = work / f"stop-{time.monotonic_ns()}"
    children = [_spawn(_drill_command("read", url, str(stop))) for _ in range(count)]
    try:
        yield
    finally:
        stop.touch()
        for child in children:
            out, err = child.communicate(timeout=300)
            try:
                summary = json.loads(out.strip().splitlines()[-1])
            except (ValueError, IndexError):
                figures.failures.append(f"a reader died: {err.strip()[-300:]}")
                continue
            figures.reads += summary["reads"]
            figures.read_errors += summary["errors"]
            figures.failures += [f"reader: {e}" for e in summary["first"]]


def load_drill(url: str, work: Path, processes: int, each: int, *, same_fact: bool,
               expect: bool, readers: int, name: str) -> Figures:
    """`processes` writers × `each` corrections (one shared fact, or each its own), with or
    without --expect, and `readers` readers meanwhile."""
    figures = Figures(name)
    start = seed_store(url, work)
    children = []
    with _readers(url, readers, work, figures):
        for p in range(processes):
            fact = "fact:shared" if same_fact else f"fact:w{p}"
            children.append(_spawn(_drill_command(
                "load", url, fact, str(each), "1" if expect else "0", f"w{p}",
                str((p + 1) * 10_000))))
        lines = []
        for child in children:
            out, err = child.communicate(timeout=1800)
            if child.returncode != 0:
                figures.failures.append(f"a writer died: {err.strip()[-300:]}")
            lines += [json.loads(x) for x in out.splitlines() if x.strip()]
    figures.trials = len(lines)
    acked = {x["commit"]: x["value"] for x in lines if x["code"] == 0}
    figures.acked = len(acked)
    figures.conflicts = sum(x["code"] == 5 for x in lines)
    figures.latencies = [x["s"] for x in lines if x["code"] == 0]
    figures.failures += [f"exit {x['code']}: {x.get('error')}" for x in lines
                         if x["code"] not in (0, 5)]
    if not expect and not same_fact and figures.conflicts:
        figures.failures.append(f"{figures.conflicts} conflicts on facts no one else wrote")
    problems = _load_history(url, start, acked, same_fact, processes)
    figures.lost = sum("lost" in p for p in problems)
    figures.failures += problems
    return figures


def _load_history(url: str, start: str, acked: dict[str, int], same_fact: bool,
                  processes: int) -> list[str]:
    """Every acknowledged correction is in the history, each commit whole; each fact holds
    the value of its last correction in commit order, and that one was acknowledged."""
    with open_store(url) as store:
        problems = audit(store, start, 0)
        backend = store.backend
        head = store.head()
        history = versioning.commits_from(backend, head)
        problems += [f"lost: acknowledged commit {c[:12]} is not in the history"
                     for c in acked if c not in history]
        parents = versioning.parents(backend)
        line = _first_parent_line(parents, head, start)
        facts = ["fact:shared"] if same_fact else [f"fact:w{p}" for p in range(processes)]
        for fact in facts:
            ours = [c for c in line if f"({fact})" in history[c].message.splitlines()[0]]
            stored = store.get(fact)
            if not ours:
                continue
            last = ours[0]
            values = _correction_values(history[last].message)
            if values is None or values[1] != str(stored["value"]):
                problems.append(f"lost: {fact} holds {stored['value']}, its last commit "
                                f"{last[:12]} says {values}")
            elif last not in acked:
                problems.append(f"{fact}: its last commit {last[:12]} was not acknowledged")
            elif acked[last] != int(stored["value"]):
                problems.append(f"lost: {fact} holds {stored['value']}, the last "
                                f"acknowledged value was {acked[last]}")
            if int(stored["rev"]) != 1 + len(ours):
                problems.append(f"lost: {fact} is at rev {stored['rev']} after {len(ours)} "
                                "corrections")
        return problems


def _first_parent_line(parents: dict[str, tuple[str, ...]], head: str, stop: str
                       ) -> list[str]:
    """Commits from head back to stop (excluded) along first parents, newest first."""
    line, commit = [], head
    while commit != stop and parents.get(commit):
        line.append(commit)
        commit = parents[commit][0]
    return line


def _main(argv: list[str]) -> None:
    what, *args = argv
    if what == "loop":
        correction_loop(args[0], args[1], args[2], int(args[3]))
    elif what == "load":
        load_worker(args[0], args[1], int(args[2]), args[3] == "1", args[4], int(args[5]))
    elif what == "read":
        reader(args[0], args[1])
    else:
        raise SystemExit(f"unknown drill child {what!r}")


if __name__ == "__main__":
    _main(sys.argv[1:])
