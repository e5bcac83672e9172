"""Gradebook → registry sync: whole or nothing, and idempotent under re-grading.

Uses the gradebook produced by the demo run in tests/test_demo.py (a copy of it, so
the demo's own assertions are not disturbed).
"""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from sqlalchemy import func, select

from merit.catalog import load_course
from merit.competency.levels import load_level_rule, recompute_levels
from merit.demo.roster import synthetic_roster
from merit.errors import ProblemsFound
from merit.people.roster import register_roster
from merit.registry import models
from merit.registry.database import Registry
from merit.registry.sync import open_gradebook, sync_assignment
from merit.registry.upsert import Change
from tests.conftest import SIZE

pytestmark = pytest.mark.e2e


@pytest.fixture
def copy_of_demo(demo_runs, tmp_path):
    data, _, _ = demo_runs
    shutil.copytree(data, tmp_path / "data")
    return tmp_path / "data"


@pytest.fixture
def course(root, framework):
    return load_course(root / "courses" / "tata-kelola", framework)


def test_unknown_learner_aborts_the_whole_sync(copy_of_demo, course, registry):
    roster = synthetic_roster(SIZE)
    with registry.session("pytest", "roster tanpa peserta terakhir") as session:
        register_roster(session, roster[:-1])  # the last learner is missing
    gradebook = f"sqlite:///{copy_of_demo / 'nbgrader' / 'tata-kelola' / 'gradebook.db'}"
    with pytest.raises(ProblemsFound) as caught:
        with registry.session("pytest", "sinkronisasi") as session:
            sync_assignment(session, course, gradebook, course.spec.modules[0].id)
    assert "NIP tidak terdaftar di registri" in str(caught.value)
    assert roster[-1].nip not in str(caught.value)  # the NIP is masked in the message
    with registry.session() as session:
        assert session.scalar(select(func.count()).select_from(models.Evidence)) == 0
        assert session.scalar(select(func.count()).select_from(models.AuditEntry)) == len(roster) - 1


def test_manual_grade_updates_evidence_and_level_without_duplicating(copy_of_demo, course, root):
    gradebook_url = f"sqlite:///{copy_of_demo / 'nbgrader' / 'tata-kelola' / 'gradebook.db'}"
    module = course.spec.modules[0].id
    written = next(c for c in course.cells if c.manual)
    learner = synthetic_roster(SIZE)[0].nip  # answered every cell with the model answer
    # The demo's trainer graded this learner's written answers already: take that grade back
    # first, so the test starts from a written answer waiting for the trainer.
    with open_gradebook(gradebook_url, course.id) as gradebook:
        grade = gradebook.find_grade(written.grade_id, written.notebook, module, learner)
        grade.manual_score = None
        grade.needs_manual_grade = True
        gradebook.db.commit()
    waiting = Registry.open(
        f"sqlite:///{copy_of_demo / 'registry.sqlite'}", (copy_of_demo / "audit.key").read_text().encode()
    )
    with waiting.session("widyaiswara", "penilaian ditarik untuk diulang") as session:
        changed = sync_assignment(session, course, gradebook_url, module).employees
        recompute_levels(
            session, {course.id: course}, load_level_rule(root / "assessments"), dt.date(2026, 11, 23), changed
        )
    waiting.close()
    with open_gradebook(gradebook_url, course.id) as gradebook:  # what formgrader does
        grade = gradebook.find_grade(written.grade_id, written.notebook, module, learner)
        grade.manual_score = written.points
        grade.needs_manual_grade = False
        gradebook.db.commit()

    registry = Registry.open(
        f"sqlite:///{copy_of_demo / 'registry.sqlite'}", (copy_of_demo / "audit.key").read_text().encode()
    )
    with registry.session("widyaiswara", "penilaian manual refleksi") as session:
        before = session.scalar(select(func.count()).select_from(models.Evidence))
        employee = session.scalars(select(models.Employee).filter_by(nip=learner)).one()
        # The autograded items of the same competency already gave this learner a level.
        held = session.get(models.CompetencyLevel, (employee.id, written.competency))
        score_before, max_before = held.score, held.max_score
        report = sync_assignment(session, course, gradebook_url, module)
        levels = recompute_levels(
            session, {course.id: course}, load_level_rule(root / "assessments"), dt.date(2026, 11, 23), report.employees
        )
        after = session.scalar(select(func.count()).select_from(models.Evidence))
        level = session.get(models.CompetencyLevel, (employee.id, written.competency))
    with registry.session() as session:
        audit = session.scalars(select(models.AuditEntry).order_by(models.AuditEntry.seq.desc())).first()
    registry.close()
    assert (audit.actor, audit.reason, audit.entity) == ("widyaiswara", "penilaian manual refleksi", "competency_level")
    assert report.counts[Change.UPDATED] == 1 and report.counts[Change.CREATED] == 0
    assert before == after
    assert levels.counts[Change.CREATED] == 0 and levels.counts[Change.UPDATED] == 1
    assert level.level == course.target_level(written.competency)
    # The written answer now counts: its points join both the score and the maximum.
    assert level.course_id == course.id
    assert (level.score, level.max_score) == (score_before + written.points, max_before + written.points)
