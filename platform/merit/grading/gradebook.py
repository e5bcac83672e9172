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
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbgrader import utils
from nbgrader.api import (
    Assignment,
    Comment,
    Grade,
    Gradebook,
    Student,
    SubmittedAssignment,
    SubmittedNotebook,
)
from nbgrader.preprocessors import AssignLatePenalties, SaveAutoGrades
from sqlalchemy import select
from sqlalchemy.exc import SAWarning
from sqlalchemy.orm import selectinload
from traitlets.config import Config

from merit.grading import patches
from merit.grading.job import SubmissionResult

READ_ONLY = 0o444  # nbgrader's default permissions for autograded files


def _existing(gb: Gradebook, assignment: Assignment, students: list[str]) -> dict[str, SubmittedAssignment]:
    """The batch's submissions that exist already, with their notebooks, grades and comments,
    in four queries (the ORM would otherwise load each grade's cell one by one)."""
    notebooks = selectinload(SubmittedAssignment.notebooks)
    query = (
        select(SubmittedAssignment)
        .where(SubmittedAssignment.assignment_id == assignment.id, SubmittedAssignment.student_id.in_(students))
        .options(notebooks.selectinload(SubmittedNotebook.grades), notebooks.selectinload(SubmittedNotebook.comments))
    )
    return {submission.student_id: submission for submission in gb.db.scalars(query)}


def _new_submission(gb: Gradebook, assignment: Assignment, student: str) -> SubmittedAssignment:
    """Mirror the assignment's structure, as ``Gradebook.add_submission`` does."""
    if gb.db.get(Student, student) is None:
        gb.db.add(Student(id=student))
    # Built first, then added, as add_submission does: SQLAlchemy 2 does not cascade
    # objects attached later through a backref. Attaching to persistent parents
    # warns that those parents' collections are not cascaded, which is intended.
    with gb.db.no_autoflush, warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Object of type", category=SAWarning)
        submission = SubmittedAssignment(assignment=assignment, student_id=student)
        for notebook in assignment.notebooks:
            nb = SubmittedNotebook(notebook=notebook, assignment=submission)
            for cell in notebook.grade_cells:
                Grade(cell_id=cell.id, notebook=nb)
            for cell in notebook.solution_cells:
                Comment(cell_id=cell.id, notebook=nb)
            for cell in notebook.task_cells:
                Comment(cell_id=cell.id, notebook=nb)
                Grade(cell_id=cell.id, notebook=nb)
        gb.db.add(submission)
    return submission


@dataclass(frozen=True)
class _Names:
    """Names of the assignment's notebooks and cells by id, read once per batch."""

    notebooks: dict[str, str]
    cells: dict[str, str]

    @classmethod
    def of(cls, assignment: Assignment) -> _Names:
        cells = {}
        for notebook in assignment.notebooks:
            for cell in (*notebook.grade_cells, *notebook.solution_cells, *notebook.task_cells):
                cells[cell.id] = cell.name
        return cls({nb.id: nb.name for nb in assignment.notebooks}, cells)


def _score(submission: SubmittedAssignment, result: SubmissionResult, names: _Names) -> None:
    # notebook_id is set on flush; a submission made in this batch knows only its notebook
    by_name = {names.notebooks[nb.notebook_id or nb.notebook.id]: nb for nb in submission.notebooks}
    for graded in result.notebooks:
        notebook = by_name[graded.name]
        for grade in notebook.grades:
            name = names.cells[grade.cell_id]
            if name in graded.scores:
                grade.auto_score = graded.scores[name]
                # SaveAutoGrades: a manual grade or no automatic score needs a person
                grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None
        for comment in notebook.comments:
            name = names.cells[comment.cell_id]
            if name in graded.comments:
                comment.auto_comment = graded.comments[name]
    for name in result.missing:  # Autograde.init_assignment: a missing notebook scores zero
        _zero(by_name[name])
    for name, reason in result.rejected.items():  # and so does one that cannot be graded, saying why
        _zero(by_name[name])
        for comment in by_name[name].comments:
            comment.auto_comment = f"Notebook ditolak: {reason}"


def _zero(notebook: SubmittedNotebook) -> None:
    for grade in notebook.grades:
        grade.auto_score = 0
        grade.needs_manual_grade = False


class _LatePenalties(AssignLatePenalties):
    """AssignLatePenalties' rule, applied inside the batch's transaction."""

    def apply(self, submission: SubmittedAssignment, missing: set[str]) -> None:
        """Each submitted notebook's penalty; a ``missing`` notebook's row is left as it is,
        as nbgrader, which runs this step on the notebooks it finds, leaves it."""
        notebooks = [nb for nb in submission.notebooks if not missing or nb.notebook.name not in missing]
        if submission.assignment.duedate is None:  # never late: no queries needed
            for notebook in notebooks:
                notebook.late_submission_penalty = None
            return
        self.init_plugin()
        for notebook in notebooks:
            notebook.late_submission_penalty = None
            if submission.total_seconds_late > 0:
                penalty = self.plugin_inst.late_submission_penalty(
                    submission.student_id, notebook.score, submission.total_seconds_late
                )
                if penalty is not None:
                    notebook.late_submission_penalty = self._check_late_penalty(notebook, penalty)


BATCHED = ("batched-submissions", "batched-auto-grades", "batched-late-penalties")  # see merit.grading.patches


def write_batch(
    gb: Gradebook,
    config: Config,
    results: list[SubmissionResult],
    timestamps: dict[str, str | None],
) -> None:
    """Record a batch of results (of one assignment) in the gradebook in one transaction.

    ``gb`` stays open for a whole grading run: a new Gradebook would build a new
    database engine, and with it compile every statement again for each batch. When
    the nbgrader code this mirrors has changed (:mod:`merit.grading.patches`), nbgrader's
    own preprocessors write the results instead (:func:`write_stock`).
    """
    if not results:
        return
    if not all(patches.usable(key) for key in BATCHED):
        write_stock(gb, config, results, timestamps)
        return
    late = _LatePenalties(config=config)
    try:
        assignment = gb.find_assignment(results[0].assignment)
        names = _Names.of(assignment)
        existing = _existing(gb, assignment, [r.student for r in results])
        submissions = []
        for result in results:
            submission = existing.get(result.student) or _new_submission(gb, assignment, result.student)
            stamp = timestamps.get(result.student)
            submission.timestamp = utils.parse_utc(stamp) if stamp else None
            if result.ok:
                _score(submission, result, names)
            submissions.append(submission)
        gb.db.flush()
        for submission, result in zip(submissions, results, strict=True):
            late.apply(submission, set(result.missing))
        gb.db.commit()
    except Exception:
        gb.db.rollback()
        raise
    finally:
        gb.db.expunge_all()  # keep memory flat over a cohort of any size


def write_stock(
    gb: Gradebook,
    config: Config,
    results: list[SubmissionResult],
    timestamps: dict[str, str | None],
) -> None:
    """Record results with nbgrader's own code, a learner at a time, committing as nbgrader does.

    The submission is created by ``Gradebook.update_or_create_submission``, scored by
    ``SaveAutoGrades`` over the autograded notebook and penalised by
    ``AssignLatePenalties``, as ``nbgrader autograde`` does; the notebooks Merit scores
    zero (missing, rejected) are zeroed before the penalty, as in :func:`write_batch`.
    """
    assignment = results[0].assignment
    db_url = gb.engine.url.render_as_string(hide_password=False)
    blank = nbformat.v4.new_notebook()
    for result in results:
        try:
            if gb.db.get(Student, result.student) is None:
                gb.add_student(result.student)
            submission = gb.update_or_create_submission(assignment, result.student)
            stamp = timestamps.get(result.student)
            submission.timestamp = utils.parse_utc(stamp) if stamp else None
            gb.db.commit()
            by_name = {notebook.name: notebook for notebook in submission.notebooks}
            ids = {"assignment": assignment, "student": result.student, "db_url": db_url}
            if result.ok:
                for graded in result.notebooks:
                    if graded.graded is not None and graded.name not in result.rejected:
                        nb = nbformat.reads(graded.graded.decode("utf-8"), as_version=4)
                        resources = {"nbgrader": {**ids, "notebook": graded.name}}
                        SaveAutoGrades(config=config).preprocess(nb, resources)
                gb.db.expire_all()  # SaveAutoGrades wrote through a Gradebook of its own
                for name in result.missing:
                    _zero(by_name[name])
                for name, reason in result.rejected.items():
                    _zero(by_name[name])
                    for comment in by_name[name].comments:
                        comment.auto_comment = f"Notebook ditolak: {reason}"
                gb.db.commit()
            for name in set(by_name) - set(result.missing):  # nbgrader penalises the notebooks it finds
                AssignLatePenalties(config=config).preprocess(blank, {"nbgrader": {**ids, "notebook": name}})
        except Exception:
            gb.db.rollback()
            raise
        finally:
            gb.db.expunge_all()


ScoreKey = tuple[str, str, str]


def dump_scores(db_url: str, course_id: str, assignment: str) -> dict[ScoreKey, tuple[object, ...]]:
    """Every grade, comment, late penalty and timestamp of ``assignment`` by natural key.

    What formgrader and ``nbgrader export`` read; two runs over the same submissions
    (stock nbgrader and Merit, or a crashed and a clean run) must give equal dumps.
    """
    rows: dict[ScoreKey, tuple[object, ...]] = {}
    with Gradebook(db_url, course_id) as gb:
        for submission in gb.find_assignment(assignment).submissions:
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    key = (submission.student_id, notebook.name, f"grade:{grade.name}")
                    rows[key] = (grade.auto_score, grade.manual_score, grade.needs_manual_grade, grade.max_score)
                for comment in notebook.comments:
                    rows[(submission.student_id, notebook.name, f"comment:{comment.name}")] = (comment.auto_comment,)
                rows[(submission.student_id, notebook.name, "late")] = (notebook.late_submission_penalty,)
            rows[(submission.student_id, "-", "timestamp")] = (submission.timestamp,)
    return rows


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
