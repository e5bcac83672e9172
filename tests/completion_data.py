"""Learners with evidence for a course, written straight into the registry, for completion tests."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert
from sqlalchemy.orm import Session

from merit.catalog import Course
from merit.demo.roster import synthetic_roster
from merit.people.roster import register_roster
from merit.registry import models


def roster(session: Session, count: int) -> list[tuple[int, str, str]]:
    """(employee id, NIP, name) of ``count`` synthetic ASN, registered."""
    people = synthetic_roster(count)
    ids = sorted(register_roster(session, people).employees)
    return [(e, p.nip, p.name) for p, e in zip(people, ids, strict=True)]


def evidence(
    session: Session,
    course: Course,
    employee_id: int,
    share: float = 1.0,
    when: dt.datetime = dt.datetime(2026, 11, 2, 10, 0),
    pending: bool = False,
    skip_module: str | None = None,
) -> None:
    """One graded row per cell of ``course`` scoring ``share`` of its points."""
    session.execute(
        insert(models.Evidence),
        [
            {
                "employee_id": employee_id,
                "competency_code": c.competency,
                "course_id": course.id,
                "assignment": c.module,
                "notebook": c.notebook,
                "cell": c.grade_id,
                "nbgrader_grade_id": c.grade_id,
                "score": c.points * share,
                "max_score": c.points,
                "needs_manual_grade": pending and c.manual,
                "submitted_at": when,
                "recorded_at": when,
            }
            for c in course.cells
            if c.module != skip_module
        ],
    )
