"""Who a hub account is in the registry, and what it may do in each course.

Learners (``peserta``) and trainers (``pengajar``) of a course come from the registry's
enrolment. A hub account is named by the employee's NIP, which is also nbgrader's student
id and the learner's Unix user: nbgrader's ``JupyterHubAuthPlugin`` assumes hub name and
student id are one. A request from anyone else is refused before the store is touched.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from merit.course_roles import LEARNER, TRAINER
from merit.registry.models import Employee, Enrolment


@dataclass(frozen=True)
class Caller:
    """The account behind a request: its registry employee and its role per course."""

    name: str
    employee_id: int | None = None
    roles: dict[str, str] = field(default_factory=dict)

    def learns(self, course_id: str) -> bool:
        return self.roles.get(course_id) == LEARNER

    def teaches(self, course_id: str) -> bool:
        return self.roles.get(course_id) == TRAINER

    def courses(self) -> list[str]:
        return sorted(self.roles)


def caller_for(session: Session, name: str) -> Caller:
    """The registry's view of hub account ``name``; unknown accounts have no courses."""
    employee_id = session.scalar(select(Employee.id).where(Employee.nip == name))
    if employee_id is None:
        return Caller(name)
    rows = session.execute(select(Enrolment.course_id, Enrolment.role).where(Enrolment.employee_id == employee_id))
    return Caller(name, employee_id, {course: role for course, role in rows})
