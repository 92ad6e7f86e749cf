"""The Markdown report and plots of one `python -m bench` run, from its JSON results.

Each step gets a table (a row per backend or baseline, a column per store size, every figure
beside its baseline's as a ratio) and a plot: latency against store size, log-log, one line
per backend and baseline (matplotlib, only here: the product never imports it).
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

# step -> the baselines its backends are compared with (first: the ratio column)
BASELINES = {
    "import": ("sqlite3 executemany", "dolt floor (LOAD DATA LOCAL, same rows)",
               "dolt floor (LOAD DATA LOCAL)", "dolt floor (multi-row INSERT)"),
    "correct": ("sqlite3 UPDATE+COMMIT", "git edit+commit"),
    "diff": ("git diff",),
    "resolve typo": ("naive rapidfuzz extractOne",),
}
HEAVY = ("health", "export (YAML text)", "export (JSONL text)", "export (JSON text)",
         "export (document)", "diff", "context --as-of", "replay")
# baselines of the heavy reads (suite.ENGINE_READS): the store's own reading of every fact
ENGINE_READS = ("engine scan of every fact", "every fact row read")
CLI_TARGETS = {"show by id": 2.5, "show by exact name": 3.0, "resolve exact": 3.0,
               "correct by id": 3.5, "context": 5.0}
BACKENDS = ("doltlite", "dolt")


def _fmt(ms: float) -> str:
    if ms >= 10_000:
        return f"{ms / 1000:,.0f} s"
    if ms >= 1000:
        return f"{ms / 1000:.2f} s"
    return f"{ms:.1f} ms" if ms >= 10 else f"{ms:.2f} ms"


def _table(data: dict[str, Any]) -> dict[str, dict[str, dict[int, dict[str, Any]]]]:
    out: dict[str, dict[str, dict[int, dict[str, Any]]]] = defaultdict(lambda: defaultdict(dict))
    for row in data["rows"]:
        out[row["step"]][row["series"]][row["size"]] = row
    return out


def plot(step: str, series: dict[str, dict[int, dict[str, Any]]], path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, ax = plt.subplots(figsize=(6, 4))
    for name, by_size in series.items():
        sizes = sorted(by_size)
        ax.plot(sizes, [by_size[s]["value"] for s in sizes], marker="o",
                linestyle="-" if name in BACKENDS else "--", label=name)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("store size (facts)")
    ax.set_ylabel("milliseconds (median)")
    ax.set_title(step)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return True


def render(data: dict[str, Any], out: Path, json_name: str) -> Path:
    """Write REPORT.md (and plots/) into `out`; returns the report's path."""
    steps = _table(data)
    sizes = sorted({row["size"] for row in data["rows"]})
    plots = out / "plots"
    plots.mkdir(parents=True, exist_ok=True)
    meta = data["meta"]
    lines = [
        "# factstore benchmarks",
        "",
        f"`{meta['command']}` on {meta['date']} ({meta['machine']}); the figures "
        f"are in [{json_name}]({json_name}). Every figure stands beside its baseline measured "
        "in the same run: on a shared machine the ratios are what counts, not the "
        "milliseconds. Latencies are medians.",
        "",
    ]
    lines += [f"- {note}" for note in data.get("notes", [])]
    lines += ["", *_must_show(steps, sizes), "", *_heavy(steps, sizes), "", *_imports(steps)]
    floor = steps.get("cli floor", {})
    for step, series in steps.items():
        if step == "cli floor":
            continue
        lines += ["", f"## {step}", ""]
        if step.startswith("cli "):
            lines += _cli_table(series, floor, sizes)
            series = {**series, **{f"floor ({b})": f for b, f in floor.items()}}
        else:
            lines += _step_table(step, series, sizes)
        slug = step.replace(" ", "-").replace("--", "")
        if plot(step, series, plots / f"{slug}.png"):
            lines += ["", f"![{step}](plots/{slug}.png)"]
    report = out / "REPORT.md"
    report.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return report


def _step_table(step: str, series: dict[str, dict[int, dict[str, Any]]], sizes: list[int]
                ) -> list[str]:
    base = next((b for b in BASELINES.get(step, ()) if b in series), None)
    head = "| series | " + " | ".join(f"{s:,}" for s in sizes) + " |"
    lines = [head, "|---" * (len(sizes) + 1) + "|"]
    for name, by_size in series.items():
        cells = []
        for size in sizes:
            row = by_size.get(size)
            if row is None:
                cells.append("")
                continue
            cell = _fmt(row["value"])
            if "rate" in row:
                cell += f" ({row['rate']:,.0f}/s)"
            if "rss_mb" in row:
                cell += f", {row['rss_mb']:,.0f} MiB"
            owns = [base]
            if step == "import" and name == "dolt":  # the server against its own floors
                owns = [b for b in BASELINES[step][1:] if b in series] or owns
            ratios = [f"{row['value'] / ref['value']:.2f}× {own}" for own in owns
                      if name != own and (ref := series.get(own or "", {}).get(size))]
            if ratios and name in BACKENDS:
                cell += " = " + ", ".join(ratios)
            cells.append(cell)
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def _cli_table(series: dict[str, dict[int, dict[str, Any]]],
               floor: dict[str, dict[int, dict[str, Any]]], sizes: list[int]) -> list[str]:
    lines = ["| backend | " + " | ".join(f"{s:,}" for s in sizes) + " |",
             "|---" * (len(sizes) + 1) + "|"]
    for name, by_size in series.items():
        cells = []
        for size in sizes:
            row, ref = by_size.get(size), floor.get(name, {}).get(size)
            cells.append("" if row is None else _fmt(row["value"]) + (
                f" = {row['value'] / ref['value']:.1f}× floor" if ref else ""))
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def _must_show(steps: dict[str, Any], sizes: list[int]) -> list[str]:
    """Issue #14's table: the commands a person types at 100k facts, against the floor."""
    at = 100_000 if 100_000 in sizes else max(s for s in sizes if s <= 100_000) \
        if any(s <= 100_000 for s in sizes) else sizes[0]
    lines = [f"## The command line at {at:,} facts (medians, against the floor in the same run)",
             "", "| command | backend | median | × floor | target | |", "|---|---|---|---|---|---|"]
    for backend in BACKENDS:
        floor = steps.get("cli floor", {}).get(backend, {}).get(at)
        if floor is None:
            continue
        lines.append(f"| `python -c \"import doltlite, sqlite3, click, json\"` | {backend} | "
                     f"{_fmt(floor['value'])} | 1.00× | | |")
        for label, target in CLI_TARGETS.items():
            row = steps.get(f"cli {label}", {}).get(backend, {}).get(at)
            if row:
                ratio = row["value"] / floor["value"]
                verdict = "ok" if ratio <= target else "missed"
                lines.append(f"| facts {label} | {backend} | {_fmt(row['value'])} | "
                             f"{ratio:.1f}× | ≤ {target}× | {verdict} |")
    cli_import = steps.get("import (CLI)", {}).get("doltlite", {}).get(at)
    if cli_import:
        rate = cli_import["rate"]
        lines.append(f"| facts import (JSONL, wall, start-up included) | doltlite | "
                     f"{_fmt(cli_import['value'])} | {rate:,.0f} facts/s | ≥ 50,000/s | "
                     f"{'ok' if rate >= 50_000 else 'missed'} |")
    return lines + _at_largest(steps, sizes, at)


def _at_largest(steps: dict[str, Any], sizes: list[int], at: int) -> list[str]:
    """The same commands at the largest size, each against its own figure at `at` (an
    import: its rate), within 1.5×."""
    big = max(sizes)
    if big <= at:
        return []
    lines = ["", f"At {big:,} facts each within 1.5× of its {at:,} figure:", "",
             f"| command | backend | {big:,} | × its {at:,} figure | target | |",
             "|---|---|---|---|---|---|"]
    for backend in BACKENDS:
        for label in [*CLI_TARGETS, "import"]:
            step = f"cli {label}" if label != "import" else "import (CLI)"
            by_size = steps.get(step, {}).get(backend, {})
            if big not in by_size or at not in by_size:
                continue
            row, ref = by_size[big], by_size[at]
            ratio = ref["rate"] / row["rate"] if "rate" in row else row["value"] / ref["value"]
            figure = f"{row['rate']:,.0f} facts/s" if "rate" in row else _fmt(row["value"])
            lines.append(f"| facts {label} | {backend} | {figure} | {ratio:.2f}× | ≤ 1.5× | "
                         f"{'ok' if ratio <= 1.5 else 'missed'} |")
    return lines


def _heavy(steps: dict[str, Any], sizes: list[int]) -> list[str]:
    small = 10_000 if 10_000 in sizes else sizes[0]
    lines = [f"## Heavy reads (each ≤ 1 s at 100,000 facts and ≤ 10× its {small:,} time)", "",
             "The last rows are baselines, the store's own reading of every fact at each size: "
             "the engine scanning them (`SELECT COUNT(*) … WHERE quote > ''`: no row leaves "
             "it) and every fact's row read into Python as a dict, as the store reads rows "
             "(`SELECT * FROM facts`). A read that goes over every fact scales no better than "
             "they do.", "",
             "| read | backend | " + " | ".join(f"{s:,}" for s in sizes) + " |",
             "|---|---|" + "---|" * len(sizes)]
    for step in (*HEAVY, *ENGINE_READS):
        for backend in BACKENDS:
            by_size = steps.get(step, {}).get(backend)
            if not by_size or small not in by_size:
                continue
            first = by_size[small]["value"]
            cells = [f"{_fmt(by_size[s]['value'])} ({by_size[s]['value'] / first:.1f}×)"
                     if s in by_size else "" for s in sizes]
            lines.append(f"| {step} | {backend} | " + " | ".join(cells) + " |")
    return lines


def _imports(steps: dict[str, Any]) -> list[str]:
    lines = ["## Import (JSONL, one commit): rate and peak memory", "",
             "Peak memory: the sum of the peak RSS of the import's processes (its reading "
             "process too), read every 50 ms; an upper bound, as the pages the reading process "
             "shares with its parent since the fork count in both.", "",
             "| series | size | facts/s | peak memory | × its floor |", "|---|---|---|---|---|"]
    for step in ("import", "import (CLI)"):
        for name, by_size in steps.get(step, {}).items():
            for size, row in sorted(by_size.items()):
                floor = None
                for base in BASELINES["import"]:
                    if (name == "doltlite") == (base.startswith("sqlite3")):
                        floor = floor or steps["import"].get(base, {}).get(size)
                ratio = f"{row['value'] / floor['value']:.2f}×" \
                    if floor and name in BACKENDS else ""
                rss = f"{row['rss_mb']:,.0f} MiB" if "rss_mb" in row else ""
                label = name + (" (CLI)" if step != "import" else "")
                lines.append(f"| {label} | {size:,} | {row['rate']:,.0f} | {rss} | {ratio} |")
    return lines


def merge(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Several runs as one report (e.g. doltlite and the server run side by side on a busy
    machine): every figure of the first run, then each later run's own backends' figures
    (its baselines are the first run's: a figure another run already has is kept from it)."""
    first = runs[0]
    seen = {(r["step"], r["series"], r["size"]) for r in first["rows"]}
    rows, notes = list(first["rows"]), list(first.get("notes", []))
    commands = [first["meta"]["command"]]
    for run in runs[1:]:
        commands.append(run["meta"]["command"])
        notes += run.get("notes", [])
        for row in run["rows"]:
            key = (row["step"], row["series"], row["size"])
            if key not in seen:
                seen.add(key)
                rows.append(row)
    meta = {**first["meta"], "command": "` and `".join(commands),
            "machine": "; ".join(r["meta"]["machine"] for r in runs)}
    if len(runs) > 1:
        notes.append("The runs were measured at the same time on the same machine; each "
                     "backend's figures stand beside the baselines of its own run where the "
                     "step has one (the Dolt floor, the command-line floor), else the first "
                     "run's.")
    return {"meta": meta, "notes": notes, "rows": rows}


def main() -> None:
    """python bench/report.py RESULTS.json [MORE.json …] --out DIR: the report again, or
    several runs' results as one."""
    import argparse

    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("results", type=Path, nargs="+")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    runs = [json.loads(p.read_text(encoding="utf-8")) for p in args.results]
    data = merge(runs)
    args.out.mkdir(parents=True, exist_ok=True)
    name = args.results[0].name
    (args.out / name).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(render(data, args.out, name))


if __name__ == "__main__":
    main()


__all__ = ["BASELINES", "merge", "render"]
