"""Who a hub account is in the registry, and what it may do in each course.

Learners (``peserta``) and trainers (``pengajar``) of a course come from the registry's
enrolment; the hub account name carries the NIP (:func:`merit.nip.login_name`). A
request from anyone else is refused before the store is touched.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from merit.nip import nip_of_login
from merit.registry.models import Employee, Enrolment

LEARNER = "peserta"
TRAINER = "pengajar"
ROLES = (LEARNER, TRAINER)


@dataclass(frozen=True)
class Caller:
    """The account behind a request: its registry employee and its role per course."""

    name: str
    employee_id: int | None = None
    nip: str | None = None
    roles: dict[str, str] = field(default_factory=dict)

    def learns(self, course_id: str) -> bool:
        return self.roles.get(course_id) == LEARNER

    def teaches(self, course_id: str) -> bool:
        return self.roles.get(course_id) == TRAINER

    def courses(self) -> list[str]:
        return sorted(self.roles)


def caller_for(session: Session, name: str) -> Caller:
    """The registry's view of hub account ``name``; unknown accounts have no courses."""
    nip = nip_of_login(name)
    if nip is None:
        return Caller(name)
    employee_id = session.scalar(select(Employee.id).where(Employee.nip == nip))
    if employee_id is None:
        return Caller(name)
    rows = session.execute(select(Enrolment.course_id, Enrolment.role).where(Enrolment.employee_id == employee_id))
    return Caller(name, employee_id, nip, {course: role for course, role in rows})
