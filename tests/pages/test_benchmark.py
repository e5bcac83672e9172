"""benchmarks/dashboards.py runs end to end at a tiny size and ends with its line of figures."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.pages.conftest import python_env

pytestmark = pytest.mark.e2e


def test_dashboard_benchmark_runs_at_a_tiny_size(root):
    result = subprocess.run(
        [
            sys.executable,
            str(root / "benchmarks" / "dashboards.py"),
            "--employees",
            "60",
            "--runs",
            "1",
            "--refill",
            "3",
        ],
        capture_output=True,
        text=True,
        env=python_env(),
        timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert re.fullmatch(r"cold_s=\d+\.\d\d preheated_s=\d+\.\d\d", lines[-1]), lines[-1]
    assert any("kembali" in line for line in lines)  # the returning-visit rows
