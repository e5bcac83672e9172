"""What the pages and a person's data archive read from nbgrader's course directories: submissions,
enrolment, feedback.

The registry holds graded evidence; a submission that is collected but not graded yet
exists only in the course directory (``submitted/NIP/MODULE``), and the comments of
nbgrader's feedback (automatic and the trainer's) only in its gradebook.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from merit.grading.coursedir import nbgrader_config

if TYPE_CHECKING:
    from nbgrader.api import SubmittedAssignment


@dataclass(frozen=True)
class CellFeedback:
    notebook: str
    cell: str
    score: float | None
    max_score: float
    needs_manual_grade: bool
    comment: str


def course_root(workspace: Path, course_id: str) -> Path:
    return workspace / course_id


def submitted(workspace: Path, course_id: str, nip: str | None = None) -> set[tuple[str, str]]:
    """(NIP, module) of every submission in the course directory, optionally of one learner."""
    folder = course_root(workspace, course_id) / "submitted"
    if not folder.is_dir():
        return set()
    learners = [folder / nip] if nip else [p for p in folder.iterdir() if p.is_dir()]
    return {(p.name, m.name) for p in learners if p.is_dir() for m in p.iterdir() if m.is_dir()}


def _gradebook_url(workspace: Path, course_id: str) -> str | None:
    root = course_root(workspace, course_id)
    return nbgrader_config(course_id, root).CourseDirectory.db_url if (root / "gradebook.db").is_file() else None


def enrolled(workspace: Path, course_id: str) -> list[str]:
    """NIPs of the learners registered in the course's gradebook."""
    from merit.registry.sync import open_gradebook

    url = _gradebook_url(workspace, course_id)
    if url is None:
        return []
    with open_gradebook(url, course_id) as gradebook:
        return sorted(s.id for s in gradebook.students)


def _cells(submission: SubmittedAssignment) -> list[CellFeedback]:
    """nbgrader's grades and comments of one submitted module, cell by cell."""
    lines = []
    for notebook in submission.notebooks:
        comments = {c.name: c.manual_comment or c.auto_comment or "" for c in notebook.comments}
        for grade in sorted(notebook.grades, key=lambda g: g.name):
            lines.append(
                CellFeedback(
                    notebook.name,
                    grade.name,
                    grade.score,
                    float(grade.max_score),
                    bool(grade.needs_manual_grade),
                    comments.get(grade.name, ""),
                )
            )
    return lines


def feedback(workspace: Path, course_id: str, nip: str, module: str) -> list[CellFeedback]:
    """nbgrader's grades and comments of one learner's module, cell by cell (empty if not graded)."""
    from nbgrader.api import MissingEntry

    from merit.registry.sync import open_gradebook

    url = _gradebook_url(workspace, course_id)
    if url is None:
        return []
    with open_gradebook(url, course_id) as gradebook:
        try:
            return _cells(gradebook.find_submission(module, nip))
        except MissingEntry:
            return []


def all_feedback(workspace: Path, course_id: str, nip: str) -> dict[str, list[CellFeedback]]:
    """module -> nbgrader's grades and comments of every module one learner submitted in a course."""
    from nbgrader.api import MissingEntry

    from merit.registry.sync import open_gradebook

    url = _gradebook_url(workspace, course_id)
    if url is None:
        return {}
    with open_gradebook(url, course_id) as gradebook:
        try:
            student = gradebook.find_student(nip)
        except MissingEntry:
            return {}
        return {s.assignment.name: _cells(s) for s in sorted(student.submissions, key=lambda s: s.assignment.name)}
