"""Learners submit through nbgrader's exchange; `merit grade` collects with nbgrader's collect."""

from __future__ import annotations

import subprocess
from contextlib import chdir
from pathlib import Path

from merit.content import load_content
from merit.grading.coursedir import build_course
from merit.grading.engine import grade_assignment
from merit.grading.sandbox import Sandbox
from merit.settings import Settings
from tests.grading_support import MODULE
from tests.stock import NBGRADER, stock_environment

LEARNERS = ("199001012015031001", "198805052010012002")


def test_submissions_in_the_exchange_are_collected_then_graded(settings: Settings, tmp_path: Path) -> None:
    built = build_course(load_content(settings).courses["tata-kelola"], settings.workspace_dir)
    with chdir(built.root):
        assert built.api().release_assignment(MODULE)["success"]
    exchange = f"--Exchange.root={built.root / 'exchange'}"
    for nip in LEARNERS:
        home = tmp_path / nip
        home.mkdir()
        for verb in (["fetch_assignment"], ["submit", "--student", nip]):
            subprocess.run(
                [NBGRADER, verb[0], MODULE, "--course", "tata-kelola", *verb[1:], exchange],
                cwd=home,
                env=stock_environment(),
                check=True,
                capture_output=True,
            )

    run = grade_assignment(built, MODULE, Sandbox.detect())

    assert run.collected == len(LEARNERS)
    assert sorted(r.student for r in run.graded) == sorted(LEARNERS)
    for nip in LEARNERS:
        assert (built.root / "submitted" / nip / MODULE / "timestamp.txt").is_file()
        assert (built.root / "autograded" / nip / MODULE / "prinsip_tata_kelola.ipynb").is_file()
    # Released stubs: the autograded items score zero, nothing fails.
    assert all(
        score == 0 for r in run.graded for s in r.notebooks for k, score in s.scores.items() if k.startswith("uji")
    )
