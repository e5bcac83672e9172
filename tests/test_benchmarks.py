"""Every benchmark runs at a tiny size, so that none can break unnoticed.

A benchmark is a script in benchmarks/ that prints a table and, as its last line, its
figures as ``name=value`` pairs. Each script needs an entry in ``TINY``: the arguments of
a run of a few seconds and the names of the figures its last line must hold. A new script
without an entry fails here until it gets one.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.stock import stock_environment

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"

# script -> (tiny arguments, figures of its last line); a yes/no figure must say yes
TINY: dict[str, tuple[list[str], tuple[str, ...]]] = {
    "dashboards.py": (["--employees", "60", "--runs", "1", "--refill", "3"], ("cold_s", "preheated_s")),
    "feedback.py": (["--learners", "3"], ("single_s", "p95_3_s", "per_minute", "per_core_hour")),
    "grading.py": (
        ["--submissions", "4", "--executors", "dask", "utas"],
        ("nbgrader_s", "merit_s", "speedup", "speedup_dask_4", "speedup_utas_4", "scores_identical"),
    ),
    "item_analysis.py": (
        ["--learners", "20"],
        ("learners", "alpha", "alpha_model", "spearman", "miskey_flagged", "seconds"),
    ),
    "registry.py": (["--employees", "300", "--sync-rows", "200"], ("rank_sqlite_s", "rank_postgres_s", "sync_100k_s")),
}

FIGURE = re.compile(r"(\w+)=(-?\d+(?:\.\d+)?|yes|no)")


def figures(line: str) -> dict[str, str]:
    """``a=1.5 b=yes`` as a mapping; anything else in the line fails the parse."""
    pairs = line.split()
    parsed = [FIGURE.fullmatch(pair) for pair in pairs]
    assert pairs and all(parsed), f"last line is not name=value figures: {line!r}"
    return {match[1]: match[2] for match in parsed if match}


@pytest.mark.parametrize("script", sorted(p.name for p in BENCHMARKS.glob("*.py")))
def test_benchmark_runs_at_a_tiny_size(script: str) -> None:
    assert script in TINY, (
        f"benchmarks/{script} has no entry in TINY (tests/test_benchmarks.py): give it tiny arguments"
    )
    arguments, names = TINY[script]
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *arguments],
        capture_output=True,
        text=True,
        env=stock_environment(),
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    last = done.stdout.strip().splitlines()[-1]
    found = figures(last)
    assert tuple(found) == names, last
    assert [name for name, value in found.items() if value == "no"] == [], last


def test_every_entry_names_a_script() -> None:
    assert sorted(TINY.keys() - {p.name for p in BENCHMARKS.glob("*.py")}) == []
