"""A course's completion rule decides completion; completion records the JP, audited (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from merit.catalog import load_courses
from merit.people.completion import evaluate, read_progress, refresh_completions
from merit.registry import models
from merit.registry.upsert import Change
from tests.completion_data import evidence, roster


def _audit(session, entity="course_completion"):
    return list(session.scalars(select(models.AuditEntry).where(models.AuditEntry.entity == entity)))


def test_completion_rule_records_jp_only_when_every_condition_holds(registry, root, framework):
    courses = load_courses(root / "courses", framework)
    course = courses["tata-kelola"]
    first_module = course.spec.modules[0].id
    with registry.session("widyaiswara", "uji kelulusan") as session:
        people = roster(session, 4)
        ids = [e for e, _, _ in people]
        evidence(session, course, ids[0], 0.9)  # complete, above the pass mark
        evidence(session, course, ids[1], 0.5)  # below the pass mark
        evidence(session, course, ids[2], 1.0, pending=True)  # manual grading not done
        evidence(session, course, ids[3], 1.0, skip_module=first_module)  # one module not submitted
        counts = refresh_completions(session, courses)
    assert counts[Change.CREATED] == 1

    with registry.session() as session:
        rows = list(session.scalars(select(models.CourseCompletion)))
        assert [(r.employee_id, r.course_id, r.jp, r.completed_on) for r in rows] == [
            (ids[0], "tata-kelola", course.spec.jp, dt.date(2026, 11, 2))
        ]
        assert rows[0].score_pct == 90.0 and rows[0].pass_mark == course.spec.pass_mark
        [entry] = _audit(session)
        assert (entry.action, entry.actor, entry.entity_key) == ("create", "widyaiswara", f"{ids[0]}/tata-kelola")
        assert f'"jp":{course.spec.jp}' in (entry.after or "")
        verdicts = {p.employee_id: evaluate(course, p) for p in read_progress(session, courses)}
    assert verdicts[ids[0]].completed
    assert "di bawah nilai lulus" in verdicts[ids[1]].reasons[0]
    assert "menunggu penilaian manual" in verdicts[ids[2]].reasons[0]
    assert verdicts[ids[3]].reasons[0] == f"modul belum dikumpulkan lengkap: {first_module}"


def test_refresh_is_idempotent_and_a_lowered_grade_withdraws_the_completion(registry, root, framework):
    courses = load_courses(root / "courses", framework)
    course = courses["tata-kelola"]
    with registry.session("widyaiswara", "uji kelulusan") as session:
        [(employee, _, _)] = roster(session, 1)
        evidence(session, course, employee, 1.0)
        refresh_completions(session, courses, [employee])
    with registry.session("widyaiswara", "sinkron ulang") as session:
        again = refresh_completions(session, courses, [employee])
    assert again == {Change.CREATED: 0, Change.UPDATED: 0, Change.UNCHANGED: 1}
    with registry.session() as session:
        assert len(_audit(session)) == 1  # nothing changed, nothing recorded

    manual = next(c for c in course.cells if c.manual)
    with registry.session("widyaiswara", "nilai manual diturunkan") as session:
        session.execute(
            update(models.Evidence)
            .where(models.Evidence.employee_id == employee, models.Evidence.cell == manual.grade_id)
            .values(score=0.0)
        )
        for cell in course.cells[: len(course.cells) // 2]:
            session.execute(
                update(models.Evidence)
                .where(models.Evidence.employee_id == employee, models.Evidence.cell == cell.grade_id)
                .values(score=0.0)
            )
        refresh_completions(session, courses, [employee])
    with registry.session() as session:
        assert session.scalars(select(models.CourseCompletion)).all() == []
        actions = [(e.action, e.reason) for e in _audit(session)]
    assert actions == [("create", "uji kelulusan"), ("delete", "nilai manual diturunkan")]
