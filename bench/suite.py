"""The measurements of `python -m bench`: one store per backend and size, built by the import
that is itself measured, then every operation on it, each beside its baseline in the same run.

A store of N facts has N/10 customers (generated company names, one alias each), ten facts
each (bench_context's predicates over two quarters), the terms of bench_context and a few
rules. Baselines: plain sqlite3 (a child process that never loads doltlite) for corrections
(UPDATE + COMMIT) and bulk insert (executemany); on a Dolt server, the server's own floor
(LOAD DATA LOCAL of the same rows, or a multi-row INSERT batch if refused); naive
`rapidfuzz.process.extractOne` over every name for a fuzzy resolve; a git repository of YAML
fact files (one per ten customers) for a correction (edit + `git commit`) and a quarter diff
(`git diff` between two tags); and for the command line, the interpreter's floor
`python -c "import doltlite, sqlite3, click, json"`.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench_context import PREDICATES, QUARTERS, TERMS
from bench_history import CHANGED
from bench_resolver import _company, _typo

AUTHOR = "Bench <bench@factstore.test>"
ROOT = Path(__file__).resolve().parent.parent
COLUMNS = ("id", "subject_id", "predicate", "value", "value_type", "unit", "period",
           "valid_from", "valid_to", "source_id", "quote", "confidence", "supersedes", "status",
           "recorded_by", "reason", "rev")
FLOOR = "import doltlite, sqlite3, click, json"
# baselines of the heavy reads: the engine scanning every fact (a count: no row leaves it), and
# every fact's row read into Python as a dict, as the store reads rows
ENGINE_READS = {"engine scan of every fact": "SELECT COUNT(*) AS n FROM facts WHERE quote > ''",
                "every fact row read": "SELECT * FROM facts"}


@dataclass
class Results:
    """Every figure of a run: (step, series, size) -> value, with its unit."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, step: str, series: str, size: int, value: float, unit: str = "ms",
            **extra: Any) -> None:
        self.rows.append({"step": step, "series": series, "size": size,
                          "value": round(value, 4), "unit": unit, **extra})


@dataclass
class Plan:
    sizes: list[int]
    server_sizes: list[int]
    backends: list[str]
    runs: int  # repetitions of a latency (medians)
    cli_runs: int
    quick: bool
    work: Path
    total: int = 0
    done: int = 0
    started: float = field(default_factory=time.perf_counter)
    progress: Callable[[Plan, str], None] | None = None

    def step(self, name: str) -> None:
        if self.progress:
            self.progress(self, name)
        self.done += 1


# --- data ------------------------------------------------------------------------------


def names(customers: int) -> list[str]:
    rng = random.Random(7)
    return [f"{_company(rng)} {i}" for i in range(customers)]


def fact_rows(customers: int) -> Iterator[dict[str, Any]]:
    for c in range(customers):
        for p in PREDICATES:
            for q in QUARTERS:
                value: Any = 1000 + c if p != "renewal_date" else f"2026-0{1 + c % 9}-15"
                yield {"type": "fact", "id": f"fact:c{c}-{p}-{q.lower()}", "subject": f"c{c}",
                       "predicate": p, "value": value, "period": q, "source": "src:crm",
                       "quote": f"{p} of customer {c} in {q}"}


def write_jsonl(path: Path, size: int) -> list[str]:
    """The store's content as a JSONL import file; the customers' names."""
    customers = max(size // (len(PREDICATES) * len(QUARTERS)), 1)
    who = names(customers)
    with path.open("w", encoding="utf-8") as out:
        out.write(json.dumps({"type": "source", "id": "src:crm", "title": "CRM export",
                              "kind": "system_of_record", "authority": 90}) + "\n")
        for i, name in enumerate(who):
            out.write(json.dumps({"type": "entity", "id": f"c{i}", "kind": "customer",
                                  "name": name, "source": "src:crm"}) + "\n")
            out.write(json.dumps({"type": "alias", "entity": f"c{i}", "alias": f"CUST {i}",
                                  "kind": "code"}) + "\n")
        for i, term in enumerate(TERMS):
            out.write(json.dumps({"type": "definition", "id": f"def:t{i}@finance", "term": term,
                                  "scope": "finance", "text": f"What {term} means.",
                                  "source": "src:crm"}) + "\n")
        for i in range(5):
            out.write(json.dumps({"type": "rule", "id": f"rule:r{i}",
                                  "applies_to": "kind:customer",
                                  "text": f"Rule {i} about discounts."}) + "\n")
        for row in fact_rows(customers):
            out.write(json.dumps(row) + "\n")
    return who


def quarter_change(path: Path, customers: int) -> list[str]:
    """A file that changes CHANGED facts spread over the store: the next quarter's import."""
    step = max(customers // CHANGED, 1)
    rows = [row for c, row in enumerate(fact_rows(customers)) if c % 10 == 0][::step][:CHANGED]
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps({**row, "value": 7, "quote": "restated"}) + "\n")
    return [row["id"] for row in rows]


# --- helpers ---------------------------------------------------------------------------


def timed(fn: Callable[[], Any], runs: int) -> float:
    """Median milliseconds of `runs` calls."""
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return statistics.median(out)


def child(args: list[str], env: Mapping[str, str | None] | None = None,
          ok: tuple[int, ...] = (0,)) -> tuple[float, float, str]:
    """Run a process: wall seconds, its own peak RSS in MiB, its stdout (env: variables to
    set, None to unset; ok: the exit codes that are not a failure)."""
    environ = {k: v for k, v in {**os.environ, **(env or {})}.items() if v is not None}
    t = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=environ, cwd=ROOT)
    out, err = proc.stdout.read(), proc.stderr.read()  # type: ignore[union-attr]
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in ok:
        raise RuntimeError(f"{' '.join(args[:4])}… failed: {err.decode()[-2000:]}")
    return wall, usage.ru_maxrss / 1024, out.decode()


IMPORT_CHILD = """
import factstore, json, sys, time
from pathlib import Path
url, path, author = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
factstore.init_store(url, author=author).close()
with factstore.open_store(url) as store:
    t = time.perf_counter()
    result = store.import_file(path, author=author, reason="bench")
    seconds = time.perf_counter() - t
print(json.dumps({"seconds": seconds, "rows": len(result.changed)}))
"""  # (its peak memory, with its reading process's, is TREE_PEAK's)

# a child's function for the Dolt server process's CPU time (user + system) in seconds, its
# pid in the child's `server` (0: no server); bench_health and bench_export time reads with it
SERVER_CPU = """
def server_cpu():
    if not server:
        return 0.0
    with open(f"/proc/{server}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
"""

# Runs a command and prints, last, its wall seconds (from its start to its exit, this process's
# own start-up left out) and the peak memory of it and every process it started (an import
# forks a reading process): the sum of each one's peak RSS (VmHWM), read every 50 ms, in KiB.
# An upper bound: the pages a fork shares with its parent are counted in both. (Their PSS,
# summed, would not count them twice, but reading it walks the page tables of a process that
# is allocating: it slowed a 100k-fact import by a tenth.)
TREE_PEAK = r"""
import os, subprocess, sys, time

def tree(pid):
    out = [pid]
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as children:
                out += [p for c in children.read().split() for p in tree(int(c))]
    except OSError:
        pass
    return out

def hwm(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return 0

start = time.perf_counter()
command = subprocess.Popen(sys.argv[1:])
peaks = {}
while command.poll() is None:
    for pid in tree(command.pid):
        peaks[pid] = max(peaks.get(pid, 0), hwm(pid))
    time.sleep(0.05)
print(f"\nwall {time.perf_counter() - start} peak {sum(peaks.values())}")
sys.exit(command.returncode)
"""


def tree_peak(args: list[str], env: Mapping[str, str | None] | None = None
              ) -> tuple[float, float, str]:
    """A command run under TREE_PEAK: its wall seconds, the peak memory (MiB) of it and the
    processes it started, its stdout before those figures."""
    _, _, out = child([python(), "-c", TREE_PEAK, *args], env)
    out, figures = out.rsplit("\nwall ", 1)
    wall, _, peak = figures.split()
    return float(wall), int(peak) / 1024, out


SQLITE_CHILD = r"""
import json, random, sqlite3, statistics, sys, time
assert "doltlite" not in sys.modules
path, size, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
cols = sys.argv[4].split(",")
conn = sqlite3.connect(path, isolation_level=None)
conn.execute(f"CREATE TABLE facts ({', '.join(cols)}, PRIMARY KEY (id))")
conn.execute("CREATE INDEX facts_subject ON facts (subject_id, predicate)")
rows = [(f"fact:{i}", f"c{i // 10}", "arr", str(i), "number", None, "FY26-Q3", None, None,
         "src:crm", f"quote {i}", None, None, "active", "B <b@x>", "bench", 1)
        for i in range(size)]
t = time.perf_counter()
conn.execute("BEGIN")
conn.executemany(f"INSERT INTO facts VALUES ({', '.join('?' * len(cols))})", rows)
conn.execute("COMMIT")
insert = time.perf_counter() - t
rng, lat = random.Random(1), []
for i in range(runs):
    t = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("UPDATE facts SET value = ?, rev = rev + 1 WHERE id = ?",
                 (str(i), f"fact:{rng.randrange(size)}"))
    conn.execute("COMMIT")
    lat.append((time.perf_counter() - t) * 1000)
print(json.dumps({"insert_s": insert, "update_ms": statistics.median(lat)}))
"""


def python() -> str:
    return sys.executable


# --- the steps -------------------------------------------------------------------------


def run(plan: Plan, results: Results) -> None:
    from tests.doltserver import dolt_binary, running_server

    for size in plan.sizes:
        sqlite_baseline(plan, results, size)
        git_baseline(plan, results, size)
    for backend in plan.backends:
        if backend == "doltlite":
            for size in plan.sizes:
                one_store(plan, results, "doltlite", size,
                          lambda name: str(plan.work / f"{name}.db"))
            continue
        binary = dolt_binary()
        if binary is None:
            results.notes.append("dolt sql-server: skipped (no dolt binary; "
                                 "scripts/install-dolt.sh builds one)")
            continue
        with running_server(binary, plan.work / "dolt") as server:
            for size in plan.server_sizes:
                one_store(plan, results, "dolt", size, lambda name: f"{server.url}/{name}",
                          server_url=server.url)


def sqlite_baseline(plan: Plan, results: Results, size: int) -> None:
    plan.step(f"sqlite3 baseline, {size:,} rows")
    db = plan.work / f"plain{size}.sqlite"
    _, _, out = child([python(), "-c", SQLITE_CHILD, str(db), str(size), str(plan.runs * 3),
                       ",".join(COLUMNS)])
    db.unlink()
    base = json.loads(out)
    results.add("import", "sqlite3 executemany", size, base["insert_s"] * 1000,
                rate=size / base["insert_s"])
    results.add("correct", "sqlite3 UPDATE+COMMIT", size, base["update_ms"])


def git_baseline(plan: Plan, results: Results, size: int) -> None:
    """A git repository of YAML fact files, one per ten customers: correction = edit +
    commit; quarter diff = `git diff` between two tags with CHANGED files changed."""
    git = shutil.which("git")
    if git is None:
        results.notes.append("git baseline skipped: no git")
        return
    plan.step(f"git baseline, {size:,} facts")
    repo = plan.work / f"git{size}"
    repo.mkdir()
    env = {"GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "b@x", "GIT_COMMITTER_NAME": "Bench",
           "GIT_COMMITTER_EMAIL": "b@x", "GIT_CONFIG_GLOBAL": "/dev/null"}

    def sh(*args: str) -> str:  # no background gc: it outlives the step
        return subprocess.run([git, "-c", "gc.auto=0", "-c", "maintenance.auto=false", *args],
                              cwd=repo, env={**os.environ, **env}, check=True,
                              capture_output=True, text=True).stdout

    customers = max(size // (len(PREDICATES) * len(QUARTERS)), 1)
    per: dict[int, list[dict[str, Any]]] = {}  # a file per ten customers (100 facts)
    for row in fact_rows(customers):
        per.setdefault(int(row["subject"][1:]) // 10, []).append(
            {k: v for k, v in row.items() if k != "type"})
    sh("init", "-q")
    for c, rows in per.items():  # written as yaml.safe_dump would, without its cost per file
        (repo / f"c{c}.yaml").write_text("facts:\n" + "".join(
            "- " + "  ".join(f"{k}: {v}\n" for k, v in row.items()) for row in rows),
            encoding="utf-8")
    sh("add", "-A")
    sh("commit", "-qm", "load")
    sh("tag", "q1")
    step = max(len(per) // CHANGED, 1)
    for c in list(per)[::step][:CHANGED]:
        path = repo / f"c{c}.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("value: ", "value: 7", 1),
                        encoding="utf-8")
    sh("commit", "-qam", "quarter")
    sh("tag", "q2")
    results.add("diff", "git diff", size, timed(lambda: sh("diff", "q1", "q2"), plan.runs))
    counter = iter(range(10**9))

    def correct() -> None:
        i = next(counter)
        path = repo / f"c{(i * 7919) % len(per)}.yaml"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("value: ", f"value: {i}", 1), encoding="utf-8")
        sh("commit", "-qam", "correction")

    results.add("correct", "git edit+commit", size, timed(correct, plan.runs))
    shutil.rmtree(repo, ignore_errors=True)


CLI_IMPORT_RUNS = 5  # `facts import` runs (each into a new store), after a small warm-up


def cli_import(plan: Plan, results: Results, backend: str, size: int, facts: int, data: Path,
               url_for: Callable[[str], str]) -> None:
    """`facts import` of the whole file, wall time start-up included, and the peak memory of
    its processes (TREE_PEAK): the median of CLI_IMPORT_RUNS imports into new stores (one
    over 100k facts), after a warm-up import of its first lines. Like the other commands
    (bench_cli), with bytecode written, as an installed package has it: a process compiling
    the package's sources again is not start-up."""
    import factstore

    env: dict[str, str | None] = {"FACTS_AUTHOR": AUTHOR, "PYTHONDONTWRITEBYTECODE": None}
    first = plan.work / "first-lines.jsonl"
    with data.open(encoding="utf-8") as whole:
        first.write_text("".join(itertools.islice(whole, 50)), encoding="utf-8")
    walls, peaks = [], []
    runs = CLI_IMPORT_RUNS if size <= 100_000 else 1
    for run, path in enumerate([first] + [data] * runs):
        cli_url = url_for(f"cli{size}-{run}")
        factstore.init_store(cli_url, author=AUTHOR).close()
        wall, peak, _ = tree_peak([python(), "-m", "factstore", "--url", cli_url, "import",
                                   str(path), "-m", "bench"], env)
        if run:
            walls.append(wall)
            peaks.append(peak)
        if backend == "doltlite" and run:  # (the runs' stores are not read again)
            shutil.rmtree(Path(cli_url), ignore_errors=True)
    wall = statistics.median(walls)
    results.add("import (CLI)", backend, size, wall * 1000, rate=facts / wall,
                rss_mb=max(peaks))


def one_store(plan: Plan, results: Results, backend: str, size: int,
              url_for: Callable[[str], str], server_url: str | None = None) -> None:
    from factstore import open_store

    data = plan.work / f"data{size}.jsonl"
    if not data.exists():
        write_jsonl(data, size)
    who = names(max(size // (len(PREDICATES) * len(QUARTERS)), 1))
    customers = len(who)
    facts = customers * len(PREDICATES) * len(QUARTERS)
    url = url_for(f"s{size}")
    plan.step(f"{backend} {size:,}: import (library)")
    # with bytecode written, as `facts import` is measured (cli_import); on doltlite up to
    # 100k facts the median of CLI_IMPORT_RUNS imports, the first making the store used below
    runs = CLI_IMPORT_RUNS if backend == "doltlite" and not plan.quick and size <= 100_000 \
        else 1
    # (its peak memory: of the import's processes, the reading one too: TREE_PEAK)
    done = [tree_peak([python(), "-c", IMPORT_CHILD, url_for(f"lib{size}-{run}") if run
                       else url, str(data), AUTHOR], {"PYTHONDONTWRITEBYTECODE": None})
            for run in range(runs)]
    seconds = statistics.median(json.loads(out)["seconds"] for _, _, out in done)
    results.add("import", backend, size, seconds * 1000, rate=facts / seconds,
                rss_mb=max(peak for _, peak, _ in done), rows=json.loads(done[0][2])["rows"])
    if server_url:
        plan.step(f"dolt {size:,}: server floor (LOAD DATA)")
        server_floor(results, server_url, size, plan.work)
        plan.step(f"dolt {size:,}: server floor (LOAD DATA, same rows)")
        server_floor_same_rows(results, server_url, size, facts, f"s{size}", plan.work)
    if backend == "doltlite" and not plan.quick:
        plan.step(f"{backend} {size:,}: import (CLI)")
        cli_import(plan, results, backend, size, facts, data, url_for)
    with open_store(url) as store:
        library(plan, results, backend, size, store, who)
    if not plan.quick or size == max(plan.sizes):
        plan.step(f"{backend} {size:,}: command line")
        command_line(plan, results, backend, size, url, who)


def server_floor(results: Results, server_url: str, size: int, work: Path) -> None:
    """The same rows into a fresh table of the same server, committed: LOAD DATA LOCAL, or
    a multi-row INSERT batch where the server refuses LOCAL."""
    import pymysql

    host, port = server_url.rsplit("@", 1)[1].split(":")
    conn = pymysql.connect(host=host, port=int(port), user="root", autocommit=True,
                           local_infile=True)
    name = f"floor{size}"
    customers = max(size // (len(PREDICATES) * len(QUARTERS)), 1)
    rows = [(r["id"], r["subject"], r["predicate"], str(r["value"]), "number", None, r["period"],
             None, None, "src:crm", r["quote"], None, None, "active", AUTHOR, "bench", 1)
            for r in fact_rows(customers)]
    tsv = work / f"{name}.tsv"
    with tsv.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write("\t".join("\\N" if v is None else str(v) for v in row) + "\n")
    with conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE {name}")
        cur.execute(f"USE {name}")
        cur.execute("CREATE TABLE facts (id VARCHAR(255) PRIMARY KEY, subject_id VARCHAR(255), "
                    "predicate VARCHAR(255), value MEDIUMTEXT, value_type VARCHAR(16), "
                    "unit VARCHAR(64), period VARCHAR(32), valid_from VARCHAR(10), "
                    "valid_to VARCHAR(10), source_id VARCHAR(255), quote MEDIUMTEXT, "
                    "confidence DOUBLE, supersedes VARCHAR(255), status VARCHAR(16), "
                    "recorded_by VARCHAR(255), reason MEDIUMTEXT, rev INT, "
                    "KEY facts_subject (subject_id, predicate))")
        with contextlib.suppress(pymysql.err.MySQLError):  # the server's own switch
            cur.execute("SET GLOBAL local_infile = 1")
        how = "LOAD DATA LOCAL"
        t = time.perf_counter()
        try:
            cur.execute("START TRANSACTION")
            cur.execute(f"LOAD DATA LOCAL INFILE %s INTO TABLE facts ({', '.join(COLUMNS)})",
                        (str(tsv),))
        except pymysql.err.MySQLError as exc:
            cur.execute("ROLLBACK")
            results.notes.append(f"dolt floor at {size:,}: LOAD DATA LOCAL refused ({exc}); "
                                 "a multi-row INSERT batch instead")
            how = "multi-row INSERT"
            t = time.perf_counter()
            cur.execute("START TRANSACTION")
            for start in range(0, len(rows), 50_000):
                cur.executemany(f"INSERT INTO facts VALUES ({', '.join(['%s'] * 17)})",
                                rows[start:start + 50_000])
        cur.execute("CALL DOLT_COMMIT('-Am', 'floor')")
        cur.execute("COMMIT")
        seconds = time.perf_counter() - t
        cur.execute(f"DROP DATABASE {name}")
    conn.close()
    tsv.unlink()
    results.add("import", f"dolt floor ({how})", size, seconds * 1000, rate=len(rows) / seconds)


SAME_ROWS = "dolt floor (LOAD DATA LOCAL, same rows)"


def server_floor_same_rows(results: Results, server_url: str, size: int, facts: int,
                           imported: str, work: Path) -> None:
    """Every row the import wrote (read back from its database `imported`), LOAD DATA LOCAL
    into a new store's own tables (factstore's schema: the same indexes), one table at a time
    in one transaction, committed once: the floor of that import on this server."""
    import pymysql

    from factstore import init_store
    from factstore.schema import BOOKKEEPING, TABLES

    host, port = server_url.rsplit("@", 1)[1].split(":")
    name = f"same{size}"
    init_store(f"{server_url}/{name}", author=AUTHOR).close()
    conn = pymysql.connect(host=host, port=int(port), user="root", autocommit=True,
                           local_infile=True, charset="utf8mb4")
    files, count = [], 0
    with conn.cursor() as cur:
        for table in TABLES.values():
            cols = (*table.columns, *BOOKKEEPING)
            cur.execute(f"SELECT {', '.join(cols)} FROM `{imported}`.{table.name}")
            rows = cur.fetchall()
            text = "".join("\t".join("\\N" if v is None else str(v) for v in row) + "\n"
                           for row in rows)
            assert text.count("\t") == len(rows) * (len(cols) - 1) and \
                text.count("\n") == len(rows) and "\\" not in text.replace("\\N", ""), \
                "the bench's rows have no text to escape"
            path = work / f"{name}-{table.name}.tsv"
            path.write_text(text, encoding="utf-8")
            files.append((table.name, cols, path))
            count += len(rows)
        cur.execute(f"USE `{name}`")
        t = time.perf_counter()
        cur.execute("START TRANSACTION")
        for table_name, cols, path in files:
            cur.execute(f"LOAD DATA LOCAL INFILE %s INTO TABLE {table_name} "
                        f"({', '.join(cols)})", (str(path),))
        cur.execute("CALL DOLT_COMMIT('-Am', 'floor')")
        cur.execute("COMMIT")
        seconds = time.perf_counter() - t
        cur.execute("SELECT COUNT(*) FROM facts")
        assert cur.fetchone()[0] == facts
        cur.execute(f"DROP DATABASE `{name}`")
    conn.close()
    for _, _, path in files:
        path.unlink()
    results.add("import", SAME_ROWS, size, seconds * 1000, rate=facts / seconds, rows=count)


def library(plan: Plan, results: Results, backend: str, size: int, store: Any,
            who: list[str]) -> None:
    from rapidfuzz import fuzz, process

    from factstore.resolver import normalize

    rng = random.Random(11)
    customers = len(who)
    runs = plan.runs
    # a quarter: tag, the next quarter's file imported, tag; diffs and heavy reads on it
    plan.step(f"{backend} {size:,}: quarter diff")
    store.tag("q1", author=AUTHOR)
    change = plan.work / f"quarter{size}-{backend}.jsonl"
    quarter_change(change, customers)
    store.import_file(change, author=AUTHOR, reason="next quarter")
    store.tag("q2", author=AUTHOR)
    results.add("diff", backend, size, timed(lambda: store.diff("q1", "q2"), runs))

    plan.step(f"{backend} {size:,}: corrections")
    ids = iter([f"fact:c{rng.randrange(customers)}-arr-fy26-q3" for _ in range(runs * 3)])
    counter = iter(range(10**9))
    results.add("correct", backend, size, timed(
        lambda: store.correct_fact(next(ids), next(counter), author=AUTHOR, reason="b"),
        runs * 3))

    plan.step(f"{backend} {size:,}: resolve")
    picks = [who[rng.randrange(customers)] for _ in range(runs * 2)]
    exact, typos = iter(picks), iter([_typo(p, rng) for p in picks])
    store.resolve(picks[0])  # the index built or loaded once per version, not per query
    results.add("resolve exact", backend, size, timed(lambda: store.resolve(next(exact)),
                                                      runs * 2))
    results.add("resolve typo", backend, size, timed(lambda: store.resolve(next(typos)),
                                                     runs * 2))
    if backend == plan.backends[0]:
        choices = [normalize(n) for n in who]
        naive = iter([normalize(_typo(p, rng)) for p in picks])
        results.add("resolve typo", "naive rapidfuzz extractOne", size, timed(
            lambda: process.extractOne(next(naive), choices, scorer=fuzz.WRatio),
            min(runs, 5)))

    plan.step(f"{backend} {size:,}: context packs")
    questions = iter([f"What was {who[rng.randrange(customers)]}'s {rng.choice(TERMS)} in "
                      f"{rng.choice(QUARTERS)}?" for _ in range(runs * 4)])
    results.add("context", backend, size, timed(
        lambda: store.context(next(questions), record=False), runs * 2))
    results.add("context --as-of", backend, size, timed(
        lambda: store.context(next(questions), as_of="q1", record=False), runs))

    plan.step(f"{backend} {size:,}: heavy reads")
    # medians of 7 (one at 1M: seconds each there): a 10k read takes milliseconds, and the
    # ratio of two medians of 3 moved by a tenth from run to run
    heavy = max(1, min(7, runs)) if size < 1_000_000 else 1
    pack = store.context(f"What was {who[0]}'s ARR in FY26-Q3?")
    results.add("replay", backend, size, timed(lambda: store.replay(pack.hash), heavy))
    results.add("health", backend, size, timed(store.health, heavy))
    results.add("export (document)", backend, size, timed(store.export, heavy))
    # what `facts export` writes: a format's text, made from the rows (YAML by default)
    for fmt in ("yaml", "jsonl", "json"):
        results.add(f"export ({fmt.upper()} text)", backend, size,
                    timed(lambda fmt=fmt: store.export_text(fmt).text, heavy))
    # the store's own cost of reading the facts at this size, beside them (report.py: the
    # heavy reads' table): a read that scans every fact cannot scale better than these
    for step, sql in ENGINE_READS.items():
        results.add(step, backend, size, timed(lambda sql=sql: store.backend.query(sql), heavy))


def command_line(plan: Plan, results: Results, backend: str, size: int, url: str,
                 who: list[str]) -> None:
    """The `facts` commands a person types, medians of cli_runs, beside the floor."""
    env = {"FACTS_AUTHOR": AUTHOR}
    base = [python(), "-m", "factstore", "--url", url]
    name = who[len(who) // 2]
    fact = f"fact:c{len(who) // 2}-acv-fy26-q3"
    counter = iter(range(10**9))
    commands: dict[str, Callable[[], list[str]]] = {
        "floor": lambda: [python(), "-c", FLOOR],
        "show by id": lambda: [*base, "show", fact, "--json"],
        "show by exact name": lambda: [*base, "show", name],
        "resolve exact": lambda: [*base, "resolve", name],
        "correct by id": lambda: [*base, "correct", fact, "--value", str(next(counter)),
                                  "--reason", "bench"],
        "context": lambda: [*base, "context", f"What was {name}'s ACV in FY26-Q3?"],
    }
    for label, argv in commands.items():
        out = []
        for _ in range(plan.cli_runs):
            wall, _, _ = child(argv(), env)
            out.append(wall * 1000)
        results.add(f"cli {label}", backend, size, statistics.median(out))
    # the first fuzzy command of a new commit: it finds no alias index cached for it (updated
    # from the last commit's file, or rebuilt before that could be done)
    typo = _typo(name, random.Random(len(who)))
    out = []
    for _ in range(plan.cli_runs):
        child(commands["correct by id"](), env)
        wall, _, _ = child([*base, "resolve", typo], env, ok=(0, 5))  # 5: ambiguous
        out.append(wall * 1000)
    results.add("cli resolve fuzzy after correct", backend, size, statistics.median(out))


__all__ = ["AUTHOR", "Plan", "Results", "run"]
