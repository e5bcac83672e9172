"""JP (jam pelajaran) of competency development per ASN per calendar year.

Every ASN is entitled to at least 20 JP a year (PP 11/2017 as amended by PP 17/2020);
1 JP = 45 minutes (PerLAN 5/2018). A course's JP counts in the year it is *completed*:
every graded cell of the course has evidence, none is waiting for manual grading, and the
total score reaches the course's pass mark. The completion date is the last submission.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from sqlalchemy import Integer, cast, func, select
from sqlalchemy.orm import Session

from merit.catalog import Course
from merit.people import MINIMUM_JP
from merit.registry import models


@dataclass(frozen=True)
class Shortfall:
    unit: str
    nip: str
    name: str
    jp: int


def _completions(
    session: Session, courses: Mapping[str, Course], year: int, employee_id: int | None = None
) -> Iterator[tuple[int, str]]:
    """(employee id, course id) of every course completed in ``year``, optionally by one employee."""
    ev = models.Evidence
    stmt = select(
        ev.employee_id,
        ev.course_id,
        func.sum(ev.score),
        func.sum(ev.max_score),
        func.sum(cast(ev.needs_manual_grade, Integer)),
        func.count(),
        func.max(ev.submitted_at),
    ).group_by(ev.employee_id, ev.course_id)
    if employee_id is not None:
        stmt = stmt.where(ev.employee_id == employee_id)
    for employee, course_id, score, max_score, pending, cells, last in session.execute(stmt):
        course = courses.get(course_id)
        if course is None or last is None or last.year != year:
            continue
        complete = cells == len(course.cells) and not pending and max_score
        if complete and 100 * score / max_score >= course.spec.pass_mark:
            yield employee, course_id


def jp_by_employee(session: Session, courses: Mapping[str, Course], year: int) -> dict[int, int]:
    """employee id -> JP from courses completed in ``year`` (employees with none are absent)."""
    totals: dict[int, int] = defaultdict(int)
    for employee_id, course_id in _completions(session, courses, year):
        totals[employee_id] += courses[course_id].spec.jp
    return dict(totals)


def courses_counted(session: Session, courses: Mapping[str, Course], year: int, employee_id: int) -> list[str]:
    """The courses whose JP count for one employee in ``year``, by id."""
    return sorted(course_id for _, course_id in _completions(session, courses, year, employee_id))


def shortfalls(session: Session, courses: Mapping[str, Course], year: int, below: int = MINIMUM_JP) -> list[Shortfall]:
    """Employees with fewer than ``below`` JP in ``year``, ordered by unit, then name."""
    earned = jp_by_employee(session, courses, year)
    rows = session.execute(select(models.Employee.id, models.Employee.unit, models.Employee.nip, models.Employee.name))
    short = [
        Shortfall(unit, nip, name, earned.get(employee_id, 0))
        for employee_id, unit, nip, name in rows
        if earned.get(employee_id, 0) < below
    ]
    return sorted(short, key=lambda s: (s.unit, s.name, s.nip))
