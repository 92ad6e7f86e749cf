"""`python -m bench --quick` runs end to end (tiny stores, doltlite only) and writes its
results, report and plots; the product never loads matplotlib. Figures are not asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_quick_bench_writes_results_report_and_plots(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, "-m", "bench", "--quick", "--out", str(tmp_path)],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "command line" in run.stderr  # the progress line names the running step
    (results,) = tmp_path.glob("*-quick.json")
    data = json.loads(results.read_text(encoding="utf-8"))
    steps = {(row["step"], row["series"]) for row in data["rows"]}
    assert {("import", "doltlite"), ("import", "sqlite3 executemany"),
            ("correct", "git edit+commit"), ("resolve typo", "naive rapidfuzz extractOne"),
            ("cli floor", "doltlite"), ("health", "doltlite"),
            ("engine scan of every fact", "doltlite"), ("every fact row read", "doltlite")
            } <= steps
    report = (tmp_path / "REPORT.md").read_text(encoding="utf-8")
    assert "## The command line at" in report and "## Heavy reads" in report
    heavy = report.split("## Heavy reads", 1)[1].split("\n## ", 1)[0]
    assert "| engine scan of every fact | doltlite |" in heavy  # the heavy reads' baselines
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return
    assert (tmp_path / "plots" / "import.png").stat().st_size > 0
    assert "![import](plots/import.png)" in report


def test_the_product_never_loads_matplotlib() -> None:
    code = ("import sys, factstore, factstore.cli, factstore.store, factstore.importers, "
            "factstore.context, factstore.health, factstore.export; "
            "assert 'matplotlib' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
