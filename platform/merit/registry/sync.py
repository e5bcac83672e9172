"""Sync nbgrader's gradebook into the registry as competency evidence.

One evidence row per graded cell per learner, keyed by (employee, course, assignment,
notebook, cell): a re-sync updates changed scores (for example after a trainer's
manual grade) and never duplicates; every created or changed row is audited. The
competency of a cell comes from the course's *source* notebook, not from the submission.
The whole sync is one transaction: if any learner in the gradebook is unknown to the
registry, nothing is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from nbgrader.api import (
    Assignment,
    BaseCell,
    Grade,
    Gradebook,
    GradeCell,
    Notebook,
    SubmittedAssignment,
    SubmittedNotebook,
    TaskCell,
)
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from merit.catalog import Course
from merit.errors import Problem, ProblemsFound
from merit.nip import mask_nip
from merit.registry import models
from merit.registry.audit import CREATE, UPDATE, trail_of
from merit.registry.batches import batched
from merit.registry.upsert import Change, zero_counts


@dataclass(frozen=True)
class GradeRecord:
    """One row of nbgrader's gradebook, flattened."""

    student: str
    assignment: str
    notebook: str
    cell: str
    grade_id: str
    score: float
    max_score: float
    needs_manual_grade: bool
    submitted_at: dt.datetime | None


@dataclass
class SyncReport:
    counts: dict[Change, int] = field(default_factory=zero_counts)
    pending_manual: int = 0
    employees: set[int] = field(default_factory=set)  # whose evidence changed

    def add(self, other: SyncReport) -> None:
        """Fold another assignment's report into this one."""
        for change, count in other.counts.items():
            self.counts[change] += count
        self.pending_manual += other.pending_manual
        self.employees |= other.employees


@contextmanager
def open_gradebook(db_url: str, course_id: str) -> Iterator[Gradebook]:
    gradebook = Gradebook(db_url, course_id)
    try:
        yield gradebook
    finally:
        gradebook.close()


def read_grades(db_url: str, course_id: str, assignment: str) -> list[GradeRecord]:
    """Every grade of ``assignment`` in one query, in a stable order.

    Grades belong to grade cells and to manually graded task cells (two nbgrader tables
    under ``base_cell``); the tables are joined directly to keep the query flat.
    """
    cells, grade_cells, task_cells = BaseCell.__table__, GradeCell.__table__, TaskCell.__table__
    stmt = (
        select(
            SubmittedAssignment.student_id,
            Assignment.name,
            Notebook.name,
            cells.c.name,
            Grade.id,
            Grade.score,
            func.coalesce(grade_cells.c.max_score, task_cells.c.max_score),
            Grade.needs_manual_grade,
            SubmittedAssignment.timestamp,
        )
        .select_from(Grade)
        .join(cells, Grade.cell_id == cells.c.id)
        .outerjoin(grade_cells, grade_cells.c.id == cells.c.id)
        .outerjoin(task_cells, task_cells.c.id == cells.c.id)
        .join(SubmittedNotebook, Grade.notebook_id == SubmittedNotebook.id)
        .join(Notebook, SubmittedNotebook.notebook_id == Notebook.id)
        .join(SubmittedAssignment, SubmittedNotebook.assignment_id == SubmittedAssignment.id)
        .join(Assignment, SubmittedAssignment.assignment_id == Assignment.id)
        .where(Assignment.name == assignment)
        .order_by(SubmittedAssignment.student_id, Notebook.name, cells.c.name)
    )
    with open_gradebook(db_url, course_id) as gradebook:
        return [
            GradeRecord(
                student,
                assign,
                notebook,
                cell,
                grade_id,
                float(score),
                float(max_score),
                bool(manual),
                timestamp,
            )
            for student, assign, notebook, cell, grade_id, score, max_score, manual, timestamp in gradebook.db.execute(
                stmt
            )
        ]


def employee_ids(session: Session, nips: list[str], chunk: int = 10_000) -> dict[str, int]:
    """NIP -> employee id for the NIPs that are registered (IN lists kept bounded)."""
    found: dict[str, int] = {}
    for part in batched(nips, chunk):
        stmt = select(models.Employee.nip, models.Employee.id).where(models.Employee.nip.in_(part))
        found.update({nip: employee_id for nip, employee_id in session.execute(stmt)})
    return found


def sync_assignment(session: Session, course: Course, db_url: str, assignment: str) -> SyncReport:
    """Bring the registry's evidence for ``assignment`` in line with the gradebook.

    Written with bulk statements (one INSERT and one UPDATE for the whole assignment)
    so that a cohort of tens of thousands syncs in seconds; each created or changed row
    is still audited individually.
    """
    records = read_grades(db_url, course.id, assignment)
    nips = sorted({r.student for r in records})
    employees = employee_ids(session, nips)
    problems = [
        Problem(f"gradebook {course.id}/{assignment}, peserta {mask_nip(nip)}", "NIP tidak terdaftar di registri")
        for nip in nips
        if nip not in employees
    ]
    unknown_cells = sorted(
        {(r.notebook, r.cell) for r in records if course.cell(assignment, r.notebook, r.cell) is None}
    )
    problems += [
        Problem(f"gradebook {course.id}/{assignment}, {nb}.ipynb sel {cell}", "sel tidak ada di notebook sumber kursus")
        for nb, cell in unknown_cells
    ]
    if problems:
        raise ProblemsFound("Sinkronisasi nilai dibatalkan; tidak ada yang disimpan:", problems)
    return write_evidence(session, course, assignment, records, employees)


def write_evidence(
    session: Session,
    course: Course,
    assignment: str,
    records: list[GradeRecord],
    employees: dict[str, int],
) -> SyncReport:
    """Create or update evidence rows for ``records`` (already validated)."""
    course_id = course.id
    trail = trail_of(session)
    columns = ("competency_code", "nbgrader_grade_id", "score", "max_score", "needs_manual_grade", "submitted_at")
    existing = {
        (row.employee_id, row.notebook, row.cell): row
        for row in session.execute(
            select(
                models.Evidence.id,
                models.Evidence.employee_id,
                models.Evidence.notebook,
                models.Evidence.cell,
                *(getattr(models.Evidence, c) for c in columns),
            ).where(models.Evidence.course_id == course_id, models.Evidence.assignment == assignment)
        )
    }
    now = models.utcnow()
    creates: list[dict[str, object]] = []
    updates: list[dict[str, object]] = []
    report = SyncReport()
    for record in records:
        cell = course.cell(assignment, record.notebook, record.cell)
        assert cell is not None  # validated by the caller
        employee_id = employees[record.student]
        values = {
            "competency_code": cell.competency,
            "nbgrader_grade_id": record.grade_id,
            "score": record.score,
            "max_score": record.max_score,
            "needs_manual_grade": record.needs_manual_grade,
            "submitted_at": record.submitted_at,
        }
        report.pending_manual += record.needs_manual_grade
        key = {
            "employee_id": employee_id,
            "course_id": course_id,
            "assignment": assignment,
            "notebook": record.notebook,
            "cell": record.cell,
        }
        audit_key = (
            f"{employee_id}/{course_id}/{assignment}/{record.notebook}/{record.cell}"  # the format of upsert.entity_key
        )
        row = existing.get((employee_id, record.notebook, record.cell))
        if row is None:
            creates.append({**key, **values, "recorded_at": now})
            trail.record(CREATE, "evidence", audit_key, None, {**key, **values})
            report.counts[Change.CREATED] += 1
        else:
            changed = {c: v for c, v in values.items() if getattr(row, c) != v}
            if not changed:
                report.counts[Change.UNCHANGED] += 1
                continue
            updates.append({"id": row.id, **values, "recorded_at": now})
            trail.record(UPDATE, "evidence", audit_key, {c: getattr(row, c) for c in changed}, changed)
            report.counts[Change.UPDATED] += 1
        report.employees.add(employee_id)
    if creates:  # Core executemany: a cohort of 100,000 rows is one statement, no ORM objects
        session.connection().execute(insert(models.Evidence), creates)
    if updates:
        session.execute(update(models.Evidence), updates)
    return report
