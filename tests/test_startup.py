"""A command loads only what it uses: `facts show --help` starts without the heavy modules."""

from __future__ import annotations

import re
import subprocess
import sys

HEAVY = ("networkx", "numpy", "rich", "mcp", "yaml", "factstore.importers")


def test_show_help_loads_none_of_the_heavy_modules() -> None:
    run = subprocess.run([sys.executable, "-X", "importtime", "-m", "factstore", "show",
                          "--help"], capture_output=True, text=True, timeout=60, check=True)
    loaded = set(re.findall(r"\|\s+([\w.]+)$", run.stderr, re.M))
    assert "factstore.cli" in loaded  # the report is real
    assert sorted(loaded & set(HEAVY)) == []
