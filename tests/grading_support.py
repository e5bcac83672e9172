"""Helpers shared by the grading tests: course directories with submissions, gradebook dumps."""

from __future__ import annotations

import re
import shutil
import subprocess
from contextlib import chdir
from pathlib import Path

import nbformat
import pytest

from merit.content import load_content
from merit.demo.roster import synthetic_roster
from merit.demo.submissions import AnswerBook, load_answer_book, make_cohort
from merit.grading.coursedir import BuiltCourse, CourseDir, NbgraderCourse, build_course
from merit.grading.gradebook import dump_scores
from merit.settings import Settings
from tests.stock import NBGRADER, stock_environment

MODULE = "m01-prinsip"


def demo_course(settings: Settings, size: int, seed: int = 7) -> tuple[BuiltCourse, list[str]]:
    """The project's governance course, built, with ``size`` synthetic submissions."""
    course = load_content(settings).courses["tata-kelola"]
    built = build_course(course, settings.workspace_dir)
    nips = [entry.nip for entry in synthetic_roster(size, seed)]
    make_cohort(built, MODULE, nips, seed)
    return built, nips


def governance_course(data: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[BuiltCourse, AnswerBook]:
    """The governance course built in its own data folder ``data``, with the module's answer
    book, for tests that write their own submissions (the hostile batches)."""
    monkeypatch.setenv("MERIT_DATA_DIR", str(data / "data"))
    monkeypatch.setenv("MERIT_ROOT", str(Path(__file__).resolve().parents[1]))
    settings = Settings()
    built = build_course(load_content(settings).courses["tata-kelola"], settings.workspace_dir)
    return built, load_answer_book(built.course, MODULE)


def quickstart_course(folder: Path) -> CourseDir:
    """nbgrader's own example course (``nbgrader quickstart``) with three learners.

    ``complete`` submits the instructor's solutions, ``blank`` the released notebooks
    untouched, ``mixed`` a wrong answer in problem 1, with a line Python warns about when
    it compiles the cell (stock IPython compiles each cell three times), a function that
    fails inside the standard library (its traceback shows highlighted library code), and
    no problem 2.
    """
    subprocess.run(
        [NBGRADER, "quickstart", "course101"], cwd=folder, env=stock_environment(), check=True, capture_output=True
    )
    course = CourseDir(folder / "course101")
    with chdir(course.root):
        result = course.api().generate_assignment("ps1", force=True, create=True)
    assert result["success"], result["log"]
    release = course.root / "release" / "ps1"
    source = course.root / "source" / "ps1"
    for student, origin in (("complete", source), ("blank", release), ("mixed", release)):
        target = course.root / "submitted" / student / "ps1"
        shutil.copytree(origin, target)
        (target / "timestamp.txt").write_text("2026-11-20 10:00:00.000000 UTC")
    mixed = course.root / "submitted" / "mixed" / "ps1"
    nb = nbformat.read(source / "problem1.ipynb", as_version=4)
    for cell in nb.cells:
        if "def squares" in cell.source:
            cell.source = cell.source.replace("return", "return [0] or") + "\nsquares(1) is 1\n"
        if "def sum_of_squares" in cell.source:
            cell.source = cell.source.replace(
                "return sum(squares(n))", "import json\n    return json.loads(f'{sum(squares(n))},')"
            )
    nbformat.write(nb, mixed / "problem1.ipynb")
    (mixed / "problem2.ipynb").unlink()
    return course


def stock_autograde(course: NbgraderCourse, assignment: str) -> None:
    """Grade with the stock ``nbgrader autograde`` command, as a trainer would by hand."""
    subprocess.run(
        [NBGRADER, "autograde", assignment, "--force"],
        cwd=course.root,
        env=stock_environment(),
        check=True,
        capture_output=True,
    )


def gradebook_dump(course: NbgraderCourse, assignment: str) -> dict[tuple[str, str, str], tuple[object, ...]]:
    return dump_scores(course.db_url, course.course_id, assignment)


_KERNEL_PID = re.compile(r"ipykernel_\d+")


def _coalesced(outputs: list) -> list[tuple[str, ...]]:
    """Outputs with consecutive writes to one stream joined: ipykernel flushes stdout on a
    timer, so how a print is split into chunks varies from run to run, in nbgrader too.
    An error is kept with its value and its whole coloured traceback."""
    kept: list[tuple[str, ...]] = []
    for o in outputs:
        shown = o.get("text", "") if o.output_type != "error" else "\n".join([o.evalue, *o.traceback])
        text = _KERNEL_PID.sub("ipykernel_PID", shown)  # a cell's file is named after its kernel's pid
        # IPython writes a file under the home folder as ~/...; the sandboxed kernel's home is
        # not the grader's, so it writes the whole path (docs/grading.md, "Same scores").
        text = text.replace(f"{Path.home()}/", "~/")
        if o.output_type == "stream" and kept and kept[-1][:2] == ("stream", o.name):
            kept[-1] = (*kept[-1][:3], kept[-1][3] + text)
        else:
            kept.append((o.output_type, o.get("name", ""), o.get("ename", ""), text))
    return kept


def autograded_outline(course: NbgraderCourse, assignment: str) -> dict[str, list[tuple[str, list[tuple[str, ...]]]]]:
    """Each autograded notebook as its cells' sources and outputs (not pids or paths)."""
    outline = {}
    for path in sorted((course.root / "autograded").glob(f"*/{assignment}/*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        outline[f"{path.parent.parent.name}/{path.name}"] = [
            (cell.source, _coalesced(cell.get("outputs", []))) for cell in nb.cells
        ]
    return outline
