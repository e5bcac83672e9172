"""Write graded submissions into nbgrader's own gradebook and autograded folder.

The rows are nbgrader's models, created the way ``Gradebook.add_submission`` creates
them and scored the way ``SaveAutoGrades`` and ``AssignLatePenalties`` score them, so
formgrader, ``nbgrader export`` and ``nbgrader generate_feedback`` see exactly what a
stock ``nbgrader autograde`` would have left. The difference is one transaction per
batch of learners instead of dozens of commits per learner.

Writes are idempotent: grading a submission again updates the same rows, so a run
that is killed half-way and run again ends in the state of one clean run.
"""

from __future__ import annotations

import os
import shutil
import warnings
from collections.abc import Iterable
from pathlib import Path

from nbgrader import utils
from nbgrader.api import (
    Comment,
    Grade,
    Gradebook,
    MissingEntry,
    Student,
    SubmittedAssignment,
    SubmittedNotebook,
)
from nbgrader.preprocessors import AssignLatePenalties
from sqlalchemy.exc import SAWarning
from traitlets.config import Config

from merit.grading.job import SubmissionResult

READ_ONLY = 0o444  # nbgrader's default permissions for autograded files


def _submission(gb: Gradebook, assignment: object, student: str) -> SubmittedAssignment:
    """Find a submission, or mirror the assignment's structure as add_submission does."""
    try:
        return gb.find_submission(assignment.name, student)  # type: ignore[attr-defined]
    except MissingEntry:
        pass
    if gb.db.get(Student, student) is None:
        gb.db.add(Student(id=student))
    # Built first, then added, as add_submission does: SQLAlchemy 2 does not cascade
    # objects attached later through a backref. Attaching to persistent parents
    # warns that those parents' collections are not cascaded, which is intended.
    with gb.db.no_autoflush, warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Object of type", category=SAWarning)
        submission = SubmittedAssignment(assignment=assignment, student_id=student)
        for notebook in assignment.notebooks:  # type: ignore[attr-defined]
            nb = SubmittedNotebook(notebook=notebook, assignment=submission)
            for cell in notebook.grade_cells:
                Grade(cell_id=cell.id, notebook=nb)
            for cell in notebook.solution_cells:
                Comment(cell_id=cell.id, notebook=nb)
            for cell in notebook.task_cells:
                Comment(cell_id=cell.id, notebook=nb)
                Grade(cell_id=cell.id, notebook=nb)
        gb.db.add(submission)
    gb.db.flush()
    return submission


def _score(submission: SubmittedAssignment, result: SubmissionResult) -> None:
    by_name = {nb.name: nb for nb in submission.notebooks}
    for graded in result.notebooks:
        notebook = by_name[graded.name]
        for grade in notebook.grades:
            if grade.name in graded.scores:
                grade.auto_score = graded.scores[grade.name]
                # SaveAutoGrades: a manual grade or no automatic score needs a person
                grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None
        for comment in notebook.comments:
            if comment.name in graded.comments:
                comment.auto_comment = graded.comments[comment.name]
    for name in result.missing:  # Autograde.init_assignment: a missing notebook scores zero
        for grade in by_name[name].grades:
            grade.auto_score = 0
            grade.needs_manual_grade = False


class _LatePenalties(AssignLatePenalties):
    """AssignLatePenalties' rule, applied inside the batch's transaction."""

    def apply(self, submission: SubmittedAssignment) -> None:
        self.init_plugin()
        for notebook in submission.notebooks:
            notebook.late_submission_penalty = None
            if submission.total_seconds_late > 0:
                penalty = self.plugin_inst.late_submission_penalty(submission.student_id, notebook.score, submission.total_seconds_late)
                if penalty is not None:
                    notebook.late_submission_penalty = self._check_late_penalty(notebook, penalty)


def write_batch(
    db_url: str,
    course_id: str,
    config: Config,
    results: Iterable[SubmissionResult],
    timestamps: dict[str, str | None],
) -> None:
    """Record a batch of results in the gradebook in one transaction."""
    late = _LatePenalties(config=config)
    with Gradebook(db_url, course_id) as gb:
        try:
            for result in results:
                assignment = gb.find_assignment(result.assignment)
                submission = _submission(gb, assignment, result.student)
                stamp = timestamps.get(result.student)
                submission.timestamp = utils.parse_utc(stamp) if stamp else None
                if result.ok:
                    _score(submission, result)
                gb.db.flush()
                late.apply(submission)
            gb.db.commit()
        except Exception:
            gb.db.rollback()
            raise


def write_autograded(result: SubmissionResult, destination: Path, files: dict[str, bytes]) -> None:
    """Replace ``autograded/<student>/<assignment>`` with this result, all at once.

    A failed submission leaves no folder, as nbgrader removes a failed assignment.
    """
    staging = destination.with_name(f".{destination.name}.merit-tmp")
    shutil.rmtree(staging, ignore_errors=True)
    if result.ok:
        staging.mkdir(parents=True)
        outputs = {f"{nb.name}.ipynb": nb.graded for nb in result.notebooks if nb.graded is not None}
        for relative, content in {**files, **outputs}.items():
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
            os.chmod(target, READ_ONLY)
    if destination.exists():
        _make_writable(destination)
        shutil.rmtree(destination)
    if result.ok:
        staging.rename(destination)


def _make_writable(folder: Path) -> None:
    for sub, _dirs, names in os.walk(folder):
        for name in names:
            os.chmod(os.path.join(sub, name), 0o644)
