"""Grade the solutions and the release of a course with real nbgrader, and compare.

Two learners are made up per module and graded by ``merit grade``'s own engine:

* ``kunci`` hands in the released notebooks with every answer cell holding the trainer's
  solution and every click item answered with its key: every autograded test must give
  full points, otherwise the test, the solution or the key is wrong;
* ``rilis`` hands in the released notebooks untouched: every autograded test must give
  0 points, otherwise the test passes without the learner doing anything;
* in a module with per-learner variants (merit_widgets.varian), ``kunci-2`` and ``kunci-3``
  hand in the key too, each with the answers of their own variants: the hidden tests must
  give full points for every variant graded; and ``tetangga`` hands in the key with, on each
  variant item, the answer of another variant (a neighbour's): those tests must give 0;
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
from merit.authoring.keys import KeyAnswer, key_answers
from merit.catalog import Course, GradedCell
from merit.catalog.solutions import fill_answers, solution_answers
from merit.errors import Problem
from merit.grading.coursedir import BuiltCourse, enroll
from merit.grading.engine import grade_assignment
from merit.grading.job import NotebookResult, SubmissionResult
from merit.grading.sandbox import Sandbox
from merit_widgets.store import Penyimpanan

KEY, RELEASE, NEIGHBOUR = "kunci", "rilis", "tetangga"
VARIANT_KEYS = (f"{KEY}-2", f"{KEY}-3")  # more learners handing in the key where items have variants
WHO = {KEY: "solusi pelatih", RELEASE: "versi rilis", STUDENT: "jawaban palsu", NEIGHBOUR: "jawaban tetangga"}


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


def _write_submissions(course: Course, built: BuiltCourse, module: str) -> tuple[list[Problem], set[str]]:
    """Every made-up learner's submission; returns the problems and the test cells of variant items."""
    released = built.root / "release" / module
    notebooks = next(m for m in course.spec.modules if m.id == module).notebooks
    sources = {name: nbformat.read(course.source_dir / module / name, as_version=4) for name in notebooks}
    keyed = {name: key_answers(source) for name, source in sources.items()}
    variant_items = [a for answers, _ in keyed.values() for a in answers if a.per_variant is not None]
    keys = [KEY, *VARIANT_KEYS] if variant_items else [KEY]
    copying = [*keys, NEIGHBOUR] if variant_items else keys
    problems: list[Problem] = []
    for student in (*copying, RELEASE, STUDENT):
        folder = built.submission_dir(student, module)
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(released, folder)
    for name, source in sources.items():
        release = nbformat.read(released / name, as_version=4)
        fill_answers(release, solution_answers(source))
        for student in copying:
            nbformat.write(release, built.submission_dir(student, module) / name)
        answers, unreadable = keyed[name]
        adversary = nbformat.read(released / name, as_version=4)
        write_adversary(adversary, solution_answers(source), answers, built.submission_dir(STUDENT, module), name)
        shown = f"courses/{course.id}/source/{module}/{name}"
        problems += [Problem(f"{shown}, sel ke-{index + 1}", reason) for index, reason in unreadable]
        for answer in answers:
            for student in keys:
                _store(built, module, student, answer, answer.answer_for(student))
            if variant_items:
                copied = (
                    answer.answer_for(NEIGHBOUR) if answer.per_variant is None else answer.neighbour_answer(NEIGHBOUR)
                )
                if copied is None:
                    problems.append(
                        Problem(
                            shown, f"soal {answer.item_id}: semua varian berkunci sama; jawaban tetangga tetap benar"
                        )
                    )
                else:
                    _store(built, module, NEIGHBOUR, answer, copied)
    return problems, {a.grade_id for a in variant_items}


def _store(built: BuiltCourse, module: str, student: str, answer: KeyAnswer, value: object) -> None:
    Penyimpanan.di(built.submission_dir(student, module)).simpan(answer.item_id, answer.jenis, value, answer.competency)


def _compare(
    course: Course, cells: list[GradedCell], result: SubmissionResult, variant_cells: set[str]
) -> list[Problem]:
    notebooks = {nb.name: nb for nb in result.notebooks}
    problems: list[Problem] = []
    for cell in cells:
        graded = notebooks.get(cell.notebook)
        score = graded.scores.get(cell.grade_id) if graded else None
        if result.student in (KEY, *VARIANT_KEYS) and (score is None or score < cell.points):
            error = _error_of(graded, cell.grade_id) if graded else ""
            learner = "" if result.student == KEY else f" (peserta {result.student}, varian lain)"
            problems.append(
                Problem(
                    course.where(cell),
                    f"solusi/kunci pelatih tidak lulus uji ini{learner} (skor {score or 0:g} dari {cell.points:g})"
                    f"{error}",
                )
            )
        elif result.student == NEIGHBOUR and cell.grade_id in variant_cells and score:
            problems.append(
                Problem(
                    course.where(cell),
                    f"jawaban varian peserta lain mendapat {score:g} dari {cell.points:g} poin: uji harus menilai "
                    "varian peserta sendiri (nilai(..., varian={...}))",
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
    enroll(
        built,
        {
            KEY: "Kunci jawaban",
            **{key: f"Kunci jawaban {key}" for key in VARIANT_KEYS},
            RELEASE: "Versi rilis",
            STUDENT: "Jawaban palsu",
            NEIGHBOUR: "Jawaban tetangga",
        },
    )
    problems: list[Problem] = []
    for module in course.spec.modules:
        written, variant_cells = _write_submissions(course, built, module.id)
        problems += written
        run = grade_assignment(built, module.id, sandbox, force=True)
        auto = [c for c in course.cells if c.module == module.id and not c.manual]
        for result in sorted(run.results, key=lambda r: r.student):
            if not result.ok or result.rejected:
                who = WHO.get(result.student, f"solusi pelatih ({result.student})")
                why = result.error or "; ".join(result.rejected.values())
                problems.append(
                    Problem(f"courses/{course.id}/source/{module.id}", f"notebook {who} gagal dinilai: {why}")
                )
                continue
            problems += _compare(course, auto, result, variant_cells)
    return problems
