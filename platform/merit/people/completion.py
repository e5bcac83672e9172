"""Course completion: the rule that decides it, and the JP it records in the registry.

A course is completed when its completion rule holds (:func:`evaluate`):

1. every module of the course has been submitted: each graded cell of every module has
   evidence (nbgrader grades every cell of a submitted notebook);
2. manual grading is done: no cell is waiting for a trainer's grade;
3. the total score reaches the course's pass mark (percent of the maximum score).

The completion date is the day of the last submission, and the course's JP (1 JP = 45
minutes, PerLAN 5/2018) count in that calendar year. :func:`refresh_completions` records
each completion as a :class:`~merit.registry.models.CourseCompletion` row in the same
audited transaction as the evidence change that caused it; a completion that no longer
holds (a trainer lowered a manual grade) is removed, audited too, and the certificate
issued for it is revoked in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import Integer, cast, func, select
from sqlalchemy.orm import Session

from merit.catalog import Course
from merit.certificates.issuing import revoke_withdrawn
from merit.registry import models
from merit.registry.batches import batched
from merit.registry.upsert import Change, assign_changed, create_row, delete_row, zero_counts

CHUNK = 10_000  # employee ids per IN list


@dataclass(frozen=True)
class Progress:
    """What one employee's evidence says about one course."""

    employee_id: int
    course_id: str
    modules_missing: tuple[str, ...]
    pending_manual: int
    score_pct: float
    last_submission: dt.datetime | None


@dataclass(frozen=True)
class Verdict:
    """Whether a course is completed and, when not, every reason in Indonesian."""

    progress: Progress
    pass_mark: float
    reasons: tuple[str, ...]

    @property
    def completed(self) -> bool:
        return not self.reasons


def evaluate(course: Course, progress: Progress) -> Verdict:
    """Apply the completion rule of ``course`` to ``progress``."""
    reasons: list[str] = []
    if progress.modules_missing:
        reasons.append(f"modul belum dikumpulkan lengkap: {', '.join(progress.modules_missing)}")
    if progress.pending_manual:
        reasons.append(f"{progress.pending_manual} jawaban menunggu penilaian manual pengajar")
    if progress.score_pct < course.spec.pass_mark:
        reasons.append(f"nilai {progress.score_pct:.1f}% di bawah nilai lulus {course.spec.pass_mark:g}%")
    if progress.last_submission is None:
        reasons.append("belum ada kiriman")
    return Verdict(progress, course.spec.pass_mark, tuple(reasons))


def read_progress(
    session: Session, courses: Mapping[str, Course], employees: Iterable[int] | None = None
) -> list[Progress]:
    """Progress of every (employee, course) pair with evidence, for ``employees`` (all when None)."""
    ev = models.Evidence
    stmt = select(
        ev.employee_id,
        ev.course_id,
        ev.assignment,
        func.sum(ev.score),
        func.sum(ev.max_score),
        func.sum(cast(ev.needs_manual_grade, Integer)),
        func.count(),
        func.max(ev.submitted_at),
    ).group_by(ev.employee_id, ev.course_id, ev.assignment)
    parts = (
        [stmt] if employees is None else [stmt.where(ev.employee_id.in_(c)) for c in batched(list(employees), CHUNK)]
    )
    by_pair: dict[tuple[int, str], list[tuple[str, float, float, int, int, dt.datetime | None]]] = {}
    for part in parts:
        for employee_id, course_id, module, score, max_score, pending, cells, last in session.execute(part):
            by_pair.setdefault((employee_id, course_id), []).append((module, score, max_score, pending, cells, last))
    progress = []
    for (employee_id, course_id), modules in sorted(by_pair.items()):
        course = courses.get(course_id)
        if course is None:
            continue
        expected = {m.id: sum(1 for c in course.cells if c.module == m.id) for m in course.spec.modules}
        seen = {module: cells for module, _, _, _, cells, _ in modules}
        missing = tuple(m for m, n in expected.items() if seen.get(m, 0) < n)
        total_max = sum(c.points for c in course.cells)
        score = sum(s for _, s, _, _, _, _ in modules)
        dates = [last for *_, last in modules if last is not None]
        progress.append(
            Progress(
                employee_id,
                course_id,
                missing,
                sum(p for _, _, _, p, _, _ in modules),
                round(100 * score / total_max, 2) if total_max else 0.0,
                max(dates) if dates else None,
            )
        )
    return progress


def refresh_completions(
    session: Session, courses: Mapping[str, Course], employees: Iterable[int] | None = None
) -> dict[Change, int]:
    """Record the completions that hold and remove those that no longer do, audited.

    Idempotent: a completion whose facts did not change is left alone, timestamps included.
    """
    wanted = list(employees) if employees is not None else None
    counts = zero_counts()
    holds: dict[tuple[int, str], dict[str, object]] = {}
    for progress in read_progress(session, courses, wanted):
        verdict = evaluate(courses[progress.course_id], progress)
        if verdict.completed and progress.last_submission is not None:
            holds[(progress.employee_id, progress.course_id)] = {
                "completed_on": progress.last_submission.date(),
                "jp": courses[progress.course_id].spec.jp,
                "score_pct": progress.score_pct,
                "pass_mark": verdict.pass_mark,
            }
    stmt = select(models.CourseCompletion)
    existing = (
        list(session.scalars(stmt))
        if wanted is None
        else [
            row
            for part in batched(wanted, CHUNK)
            for row in session.scalars(stmt.where(models.CourseCompletion.employee_id.in_(part)))
        ]
    )
    for row in existing:
        key = {"employee_id": row.employee_id, "course_id": row.course_id}
        values = holds.pop((row.employee_id, row.course_id), None)
        if values is None:
            delete_row(session, row, key)
            revoke_withdrawn(session, row.employee_id, row.course_id)
            counts[Change.UPDATED] += 1
        elif assign_changed(session, row, key, values):
            counts[Change.UPDATED] += 1
        else:
            counts[Change.UNCHANGED] += 1
    for (employee_id, course_id), values in sorted(holds.items()):
        create_row(
            session,
            models.CourseCompletion,
            {"employee_id": employee_id, "course_id": course_id},
            {**values, "recorded_at": models.utcnow()},
        )
        counts[Change.CREATED] += 1
    return counts
