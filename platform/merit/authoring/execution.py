"""Grade the solutions and the release of a course with real nbgrader, and compare.

Two learners are made up per module and graded by ``merit grade``'s own engine:

* ``kunci`` hands in the released notebooks with every answer cell holding the trainer's
  solution and every click item answered with its key: every autograded test must give
  full points, otherwise the test, the solution or the key is wrong;
* ``rilis`` hands in the released notebooks untouched: every autograded test must give
  0 points, otherwise the test passes without the learner doing anything;
* ``palsu`` hands in lies (:mod:`merit.authoring.adversary`): every answer an object of a
  subclass of the right answer's type that claims to match; every autograded test must
  give 0 points, otherwise it compares values without checking exact types.

Going through nbgrader's ``generate_assignment`` and autograde, rather than running the
source notebook, is what catches a hidden test that leaks into the release, a solution
that depends on a cell nbgrader replaces, or a data file that is not released.
"""

from __future__ import annotations

import json
import shutil

import nbformat

from merit.authoring.adversary import STUDENT, write_adversary
from merit.authoring.keys import key_answers
from merit.catalog import Course, GradedCell
from merit.catalog.solutions import fill_answers, solution_answers
from merit.errors import Problem
from merit.grading.coursedir import BuiltCourse, enroll
from merit.grading.engine import grade_assignment
from merit.grading.job import NotebookResult, SubmissionResult
from merit.grading.sandbox import Sandbox
from merit_widgets.store import Penyimpanan

KEY, RELEASE = "kunci", "rilis"


def _error_of(result: NotebookResult, grade_id: str) -> str:
    """The first line of the error the graded cell showed, if any."""
    if result.graded is None:
        return ""
    for cell in json.loads(result.graded)["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id:
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    detail = str(output.get("evalue", "")).strip().splitlines()
                    return f": {output.get('ename')}" + (f": {detail[0]}" if detail else "")
    return ""


def _write_submissions(course: Course, built: BuiltCourse, module: str) -> list[Problem]:
    released = built.root / "release" / module
    problems: list[Problem] = []
    for student in (KEY, RELEASE, STUDENT):
        folder = built.submission_dir(student, module)
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(released, folder)
    key_folder = built.submission_dir(KEY, module)
    store = Penyimpanan.di(key_folder)
    for name in next(m for m in course.spec.modules if m.id == module).notebooks:
        source = nbformat.read(course.source_dir / module / name, as_version=4)
        release = nbformat.read(released / name, as_version=4)
        fill_answers(release, solution_answers(source))
        nbformat.write(release, key_folder / name)
        answers, unreadable = key_answers(source)
        adversary = nbformat.read(released / name, as_version=4)
        write_adversary(adversary, solution_answers(source), answers, built.submission_dir(STUDENT, module), name)
        shown = f"courses/{course.id}/source/{module}/{name}"
        problems += [Problem(f"{shown}, sel ke-{index + 1}", reason) for index, reason in unreadable]
        for answer in answers:
            store.simpan(answer.item_id, answer.jenis, answer.answer, answer.competency)
    return problems


def _compare(course: Course, cells: list[GradedCell], result: SubmissionResult) -> list[Problem]:
    notebooks = {nb.name: nb for nb in result.notebooks}
    problems: list[Problem] = []
    for cell in cells:
        graded = notebooks.get(cell.notebook)
        score = graded.scores.get(cell.grade_id) if graded else None
        if result.student == KEY and (score is None or score < cell.points):
            error = _error_of(graded, cell.grade_id) if graded else ""
            problems.append(
                Problem(
                    course.where(cell),
                    f"solusi/kunci pelatih tidak lulus uji ini (skor {score or 0:g} dari {cell.points:g}){error}",
                )
            )
        elif result.student == RELEASE and score:
            how = "poin penuh" if score >= cell.points else f"{score:g} dari {cell.points:g} poin"
            problems.append(
                Problem(
                    course.where(cell),
                    f"versi rilis tanpa jawaban sudah mendapat {how}: uji ini tidak memeriksa jawaban peserta",
                )
            )
        elif result.student == STUDENT and score:
            problems.append(
                Problem(
                    course.where(cell),
                    f"jawaban palsu (turunan tipe bawaan yang mengaku sama) mendapat {score:g} dari {cell.points:g} "
                    "poin: uji harus memeriksa jenis persis sebelum nilai (merit_widgets.periksa)",
                )
            )
    return problems


def check_by_grading(course: Course, built: BuiltCourse, sandbox: Sandbox) -> list[Problem]:
    """Grade a key and a blank submission per module of the built course."""
    enroll(built, {KEY: "Kunci jawaban", RELEASE: "Versi rilis", STUDENT: "Jawaban palsu"})
    problems: list[Problem] = []
    for module in course.spec.modules:
        problems += _write_submissions(course, built, module.id)
        run = grade_assignment(built, module.id, sandbox, force=True)
        auto = [c for c in course.cells if c.module == module.id and not c.manual]
        for result in sorted(run.results, key=lambda r: r.student):
            if not result.ok or result.rejected:
                who = {KEY: "solusi pelatih", RELEASE: "versi rilis", STUDENT: "jawaban palsu"}[result.student]
                why = result.error or "; ".join(result.rejected.values())
                problems.append(
                    Problem(f"courses/{course.id}/source/{module.id}", f"notebook {who} gagal dinilai: {why}")
                )
                continue
            problems += _compare(course, auto, result)
    return problems
