"""JP (jam pelajaran) of competency development per ASN per calendar year.

Every ASN is entitled to at least 20 JP a year (PP 11/2017 as amended by PP 17/2020);
1 JP = 45 minutes (PerLAN 5/2018). A course's JP count in the year it is *completed*,
as recorded in the registry by :mod:`merit.people.completion` (the completion rule: every
module submitted, manual grading done, pass mark reached; the date of the last submission).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from merit.people import MINIMUM_JP
from merit.registry import models


@dataclass(frozen=True)
class Shortfall:
    unit: str
    nip: str
    name: str
    jp: int


def _in_year(year: int) -> ColumnElement[bool]:
    completion = models.CourseCompletion
    return completion.completed_on.between(dt.date(year, 1, 1), dt.date(year, 12, 31))


def jp_by_employee(session: Session, year: int) -> dict[int, int]:
    """employee id -> JP from courses completed in ``year`` (employees with none are absent)."""
    completion = models.CourseCompletion
    stmt = (
        select(completion.employee_id, func.sum(completion.jp)).where(_in_year(year)).group_by(completion.employee_id)
    )
    return {employee_id: int(jp) for employee_id, jp in session.execute(stmt)}


def courses_counted(session: Session, year: int, employee_id: int) -> list[str]:
    """The courses whose JP count for one employee in ``year``, by id."""
    completion = models.CourseCompletion
    stmt = select(completion.course_id).where(_in_year(year), completion.employee_id == employee_id)
    return sorted(session.scalars(stmt))


def shortfalls(session: Session, year: int, below: int = MINIMUM_JP) -> list[Shortfall]:
    """Employees with fewer than ``below`` JP in ``year``, ordered by unit, then name."""
    earned = jp_by_employee(session, year)
    rows = session.execute(select(models.Employee.id, models.Employee.unit, models.Employee.nip, models.Employee.name))
    short = [
        Shortfall(unit, nip, name, earned.get(employee_id, 0))
        for employee_id, unit, nip, name in rows
        if earned.get(employee_id, 0) < below
    ]
    return sorted(short, key=lambda s: (s.unit, s.name, s.nip))
