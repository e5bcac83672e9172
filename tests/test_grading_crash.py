"""Kill `merit grade` with SIGKILL mid-batch, run it again: same state as one clean run.

Two data directories hold the same roster, course and submissions. In one, `merit
grade` runs once. In the other it is killed as soon as the first learners' results
are on disk, then run again. Gradebook, autograded folders and registry must agree.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from sqlalchemy import create_engine, text

from merit.content import load_content, register_content
from merit.demo.roster import synthetic_roster
from merit.grading.coursedir import BuiltCourse
from merit.grading.sandbox import Sandbox
from merit.people.roster import register_roster
from merit.registry.database import open_registry
from merit.settings import Settings
from tests.grading_support import MODULE, autograded_outline, demo_course, gradebook_dump

ROOT = Path(__file__).resolve().parents[1]
SIZE = 12
SLOW = 4  # learners whose answer waits 1.5 s, so the batch outlasts the kill


def _prepare(data: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, str], Settings]:
    """Roster in the registry, course built, submissions written: ready for `merit grade`."""
    monkeypatch.setenv("MERIT_ROOT", str(ROOT))
    monkeypatch.setenv("MERIT_DATA_DIR", str(data))
    monkeypatch.delenv("MERIT_DATABASE_URL", raising=False)
    settings = Settings()
    registry = open_registry(settings)
    with registry.session("test", "roster untuk uji crash") as session:
        register_content(session, load_content(settings))
        register_roster(session, synthetic_roster(SIZE, 11))
    registry.close()
    built, nips = demo_course(settings, SIZE, seed=11)
    for nip in nips[-SLOW:]:
        path = next(built.submission_dir(nip, MODULE).glob("*.ipynb"))
        nb = nbformat.read(path, as_version=4)
        cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "jawab_tepat_waktu")
        cell.source = "import time\ntime.sleep(1.5)\n" + cell.source
        nbformat.write(nb, path)
    return dict(os.environ), settings


def _grade(env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [str(Path(sys.executable).parent / "merit"), "grade", "tata-kelola", MODULE, "--pekerja", "2"]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)


def _registry_state(settings: Settings) -> tuple[list[tuple], list[tuple]]:
    engine = create_engine(settings.database_url)
    with engine.connect() as db:
        evidence = db.execute(
            text(
                "SELECT e.nip, v.competency_code, v.course_id, v.assignment, v.notebook, v.cell, v.score, "
                "v.max_score, v.needs_manual_grade, v.submitted_at "
                "FROM evidence v JOIN employee e ON e.id = v.employee_id"
            )
        ).all()
        levels = db.execute(
            text(
                "SELECT e.nip, l.competency_code, l.level "
                "FROM competency_level l JOIN employee e ON e.id = l.employee_id"
            )
        ).all()
    engine.dispose()
    return sorted(map(tuple, evidence)), sorted(map(tuple, levels))


def test_sigkill_mid_batch_then_rerun_equals_one_clean_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clean_env, clean_settings = _prepare(tmp_path / "bersih", monkeypatch)
    clean = _grade(clean_env)
    assert clean.wait(timeout=300) == 0, clean.stdout.read().decode()

    crash_env, crash_settings = _prepare(tmp_path / "crash", monkeypatch)
    killed = _grade(crash_env)
    autograded = crash_settings.workspace_dir / "tata-kelola" / "autograded"
    deadline = time.monotonic() + 120
    while len(list(autograded.glob(f"*/{MODULE}"))) < 3:
        assert killed.poll() is None, killed.stdout.read().decode()
        assert time.monotonic() < deadline, "no result appeared within 2 minutes"
        time.sleep(0.05)
    os.killpg(killed.pid, signal.SIGKILL)
    killed.wait()
    journal = crash_settings.workspace_dir / "tata-kelola" / ".merit" / "graded" / MODULE
    done_before_rerun = len(list(journal.glob("[0-9]*")))
    assert done_before_rerun < SIZE, "the run finished before it was killed: nothing was tested"

    rerun = _grade(crash_env)
    output = rerun.communicate(timeout=300)[0].decode()
    assert rerun.returncode == 0, output
    assert f"Dilewati (sudah dinilai, tidak berubah): {done_before_rerun}" in " ".join(output.split())
    assert f"Batas sumber daya: {Sandbox.detect().limit_mechanism()}" in " ".join(output.split())

    course = load_content(clean_settings).courses["tata-kelola"]
    clean_course = BuiltCourse(course, clean_settings.workspace_dir / "tata-kelola")
    crash_course = BuiltCourse(course, crash_settings.workspace_dir / "tata-kelola")
    assert gradebook_dump(crash_course, MODULE) == gradebook_dump(clean_course, MODULE)
    assert autograded_outline(crash_course, MODULE) == autograded_outline(clean_course, MODULE)
    assert not list(crash_course.root.glob("autograded/*/.*merit-tmp"))

    clean_evidence, clean_levels = _registry_state(clean_settings)
    crash_evidence, crash_levels = _registry_state(crash_settings)
    assert len(clean_evidence) == SIZE * 7  # one row per graded cell of the module
    assert len({row[:6] for row in crash_evidence}) == len(crash_evidence)  # no duplicates
    assert crash_evidence == clean_evidence
    assert crash_levels == clean_levels
