"""The learner portal's data: my courses and modules, my competency profile, my JP this year.

A module's status comes from the registry's evidence (graded cells) and, for work that
is collected but not graded yet, from the course directory:

* ``belum mulai``: nothing submitted;
* ``dikumpulkan``: submitted, not graded yet;
* ``menunggu penilaian widyaiswara``: graded automatically, a written answer awaits the trainer;
* ``dinilai``: every cell graded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Integer, cast, func, select
from sqlalchemy.orm import Session

from merit.catalog import Course
from merit.errors import MeritError
from merit.people import MINIMUM_JP, gradebooks
from merit.people.jp import courses_counted
from merit.placement.ranking import competency_names
from merit.registry import models

NOT_STARTED, SUBMITTED, WAITING, GRADED = (
    "belum mulai",
    "dikumpulkan",
    "menunggu penilaian widyaiswara",
    "dinilai",
)


@dataclass(frozen=True)
class ModuleStatus:
    course_id: str
    module: str
    title: str
    status: str
    score: float | None = None
    max_score: float | None = None
    pending: int = 0  # cells waiting for the trainer

    @property
    def score_text(self) -> str:
        if self.score is None:
            return "-"
        text = f"{self.score:g} / {self.max_score:g}"
        return f"{text} (sementara)" if self.pending else text


@dataclass(frozen=True)
class CourseProgress:
    course_id: str
    title: str
    jp: int
    modules: tuple[ModuleStatus, ...]
    counted: bool  # completed this year: its JP count


@dataclass(frozen=True)
class LearnerPortal:
    nip: str
    name: str
    unit: str
    position_code: str
    position_title: str
    courses: tuple[CourseProgress, ...]
    held: dict[str, int]
    required: dict[str, int]
    names: dict[str, str]
    year: int
    jp: int
    target_jp: int = MINIMUM_JP


def module_statuses(
    session: Session, course: Course, workspace: Path, employee_id: int, nip: str
) -> list[ModuleStatus]:
    ev = models.Evidence
    graded = {
        assignment: (score, max_score, pending)
        for assignment, score, max_score, pending in session.execute(
            select(
                ev.assignment,
                func.sum(ev.score),
                func.sum(ev.max_score),
                func.sum(cast(ev.needs_manual_grade, Integer)),
            )
            .where(ev.employee_id == employee_id, ev.course_id == course.id)
            .group_by(ev.assignment)
        )
    }
    handed_in = {module for _, module in gradebooks.submitted(workspace, course.id, nip)}
    statuses = []
    for module in course.spec.modules:
        title = module.title.id
        if module.id in graded:
            score, max_score, pending = graded[module.id]
            status = WAITING if pending else GRADED
            statuses.append(ModuleStatus(course.id, module.id, title, status, score, max_score, int(pending or 0)))
        else:
            statuses.append(
                ModuleStatus(course.id, module.id, title, SUBMITTED if module.id in handed_in else NOT_STARTED)
            )
    return statuses


def learner_portal(
    session: Session, courses: Mapping[str, Course], workspace: Path, employee_id: int, year: int | None = None
) -> LearnerPortal:
    """Everything the portal shows one learner, from the registry and the course directories."""
    year = year or dt.date.today().year
    employee = session.get(models.Employee, employee_id)
    if employee is None:
        raise MeritError(f"ASN nomor {employee_id} tidak ada di roster.")
    position = session.get(models.Position, employee.position_code)
    if position is None:  # the foreign key keeps this from happening
        raise MeritError(f"Jabatan {employee.position_code} tidak terdaftar.")
    counted = set(courses_counted(session, year, employee_id))
    progress = tuple(
        CourseProgress(
            course.id,
            course.spec.title.id,
            course.spec.jp,
            tuple(module_statuses(session, course, workspace, employee_id, employee.nip)),
            course.id in counted,
        )
        for course in sorted(courses.values(), key=lambda c: c.id)
    )
    held = {lv.competency_code: lv.level for lv in employee.levels}
    required = {r.competency_code: r.level for r in position.requirements}
    return LearnerPortal(
        employee.nip,
        employee.name,
        employee.unit,
        position.code,
        position.title_id,
        progress,
        held,
        required,
        competency_names(session),
        year,
        sum(courses[c].spec.jp for c in counted),
    )
