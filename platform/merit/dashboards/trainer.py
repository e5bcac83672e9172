"""The trainer page's data: cohort progress and grading status per module, score distribution per item,
and the item analysis of ``merit analisis`` (merit.analysis.items) over the registry's evidence.

The formgrader of each course opens in its own tab (JupyterHub 4.1+ forbids framing it,
nbgrader #1870); its address comes from ``MERIT_FORMGRADER_URL`` with ``{kursus}`` for the
course id, by default where ``merit hub mulai`` serves it: ``/services/{kursus}/formgrader/``.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Integer, cast, func, select
from sqlalchemy.orm import Session

from merit.access import Viewer
from merit.analysis.items import CourseAnalysis, Thresholds, analyse_grades
from merit.catalog import Course
from merit.people import gradebooks
from merit.registry import models
from merit.registry.sync import GradeRecord

FORMGRADER_SETTING = "MERIT_FORMGRADER_URL"
FORMGRADER_DEFAULT = "/services/{kursus}/formgrader/"


def formgrader_url(course_id: str) -> str:
    return os.environ.get(FORMGRADER_SETTING, FORMGRADER_DEFAULT).replace("{kursus}", course_id)


@dataclass(frozen=True)
class ItemStats:
    notebook: str
    cell: str
    max_score: float
    graded: int
    pending: int
    mean: float | None
    distribution: tuple[tuple[float, int], ...]  # (score, learners), lowest score first


@dataclass(frozen=True)
class Waiting:
    employee_id: int
    nip: str
    name: str
    cells: int


@dataclass(frozen=True)
class ModuleProgress:
    module: str
    title: str
    enrolled: int
    submitted: int
    graded: int  # every cell graded
    waiting: tuple[Waiting, ...]  # autograded, a written answer awaits the trainer
    items: tuple[ItemStats, ...]

    @property
    def not_submitted(self) -> int:
        return max(self.enrolled - self.submitted, 0)


@dataclass(frozen=True)
class CourseCohort:
    course_id: str
    title: str
    formgrader: str
    modules: tuple[ModuleProgress, ...]


def _items(session: Session, course_id: str, module: str) -> tuple[ItemStats, ...]:
    ev = models.Evidence
    where = (ev.course_id == course_id, ev.assignment == module)
    counts: dict[tuple[str, str], Counter[float]] = defaultdict(Counter)
    pending: Counter[tuple[str, str]] = Counter()
    maxima: dict[tuple[str, str], float] = {}
    for notebook, cell, score, max_score, manual, n in session.execute(
        select(ev.notebook, ev.cell, ev.score, ev.max_score, ev.needs_manual_grade, func.count())
        .where(*where)
        .group_by(ev.notebook, ev.cell, ev.score, ev.max_score, ev.needs_manual_grade)
    ):
        key = (notebook, cell)
        maxima[key] = max_score
        if manual:
            pending[key] += n
        else:
            counts[key][score] += n
    stats = []
    for key in sorted(maxima):
        graded = sum(counts[key].values())
        mean = sum(s * n for s, n in counts[key].items()) / graded if graded else None
        stats.append(
            ItemStats(key[0], key[1], maxima[key], graded, pending[key], mean, tuple(sorted(counts[key].items())))
        )
    return tuple(stats)


def module_progress(session: Session, course: Course, workspace: Path, module: str, enrolled: int) -> ModuleProgress:
    ev = models.Evidence
    per_learner = session.execute(
        select(ev.employee_id, func.sum(cast(ev.needs_manual_grade, Integer)))
        .where(ev.course_id == course.id, ev.assignment == module)
        .group_by(ev.employee_id)
    ).all()
    pending = {employee_id: int(n) for employee_id, n in per_learner if n}
    people = (
        {e.id: e for e in session.scalars(select(models.Employee).where(models.Employee.id.in_(list(pending))))}
        if pending
        else {}
    )
    waiting = tuple(
        sorted(
            (Waiting(i, people[i].nip, people[i].name, n) for i, n in pending.items()), key=lambda w: (w.name, w.nip)
        )
    )
    handed_in = {nip for nip, m in gradebooks.submitted(workspace, course.id) if m == module}
    title = next(m.title.id for m in course.spec.modules if m.id == module)
    return ModuleProgress(
        module,
        title,
        enrolled,
        max(len(handed_in), len(per_learner)),
        len(per_learner) - len(pending),
        waiting,
        _items(session, course.id, module),
    )


def course_cohort(session: Session, course: Course, workspace: Path) -> CourseCohort:
    """Progress and grading status of every module of ``course``."""
    enrolled = len(gradebooks.enrolled(workspace, course.id))
    modules = tuple(module_progress(session, course, workspace, m.id, enrolled) for m in course.spec.modules)
    return CourseCohort(course.id, course.spec.title.id, formgrader_url(course.id), modules)


def evidence_grades(session: Session, course_id: str, module: str) -> list[GradeRecord]:
    """A module's evidence as gradebook rows: the registry holds the gradebook's grades, synced."""
    ev = models.Evidence
    rows = session.execute(
        select(
            ev.employee_id,
            ev.notebook,
            ev.cell,
            ev.nbgrader_grade_id,
            ev.score,
            ev.max_score,
            ev.needs_manual_grade,
            ev.submitted_at,
        )
        .where(ev.course_id == course_id, ev.assignment == module)
        .order_by(ev.employee_id, ev.notebook, ev.cell)
    )
    return [
        GradeRecord(str(employee), module, notebook, cell, grade_id, score, max_score, bool(manual), submitted)
        for employee, notebook, cell, grade_id, score, max_score, manual, submitted in rows
    ]


def item_analysis(
    session: Session, viewer: Viewer, course: Course, thresholds: Thresholds, groups: int = 3
) -> CourseAnalysis:
    """``merit analisis`` for the page: only a trainer of ``course`` (or an admin) may read it."""
    viewer.require_trainer_of(course.id)
    return analyse_grades(course, lambda module: evidence_grades(session, course.id, module), None, thresholds, groups)
