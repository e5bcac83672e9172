"""`merit grade` gives every cell the score stock `nbgrader autograde` gives it.

Each test grades the same submissions twice in the same course directory: first with
the stock command, then with Merit's engine, and compares the whole gradebook (every
grade, comment, late penalty and timestamp) and the autograded notebooks.
"""

from __future__ import annotations

from pathlib import Path

from merit.grading.engine import grade_assignment
from merit.grading.sandbox import Sandbox
from merit.settings import Settings
from tests.grading_support import (
    MODULE,
    autograded_outline,
    demo_course,
    gradebook_dump,
    quickstart_course,
    stock_autograde,
)


def test_project_course_scores_identical_to_nbgrader(settings: Settings) -> None:
    built, nips = demo_course(settings, size=8)
    stock_autograde(built, MODULE)
    stock, stock_notebooks = gradebook_dump(built, MODULE), autograded_outline(built, MODULE)

    run = grade_assignment(built, MODULE, Sandbox.detect(), force=True)

    assert [r.error for r in run.failed] == []
    assert len(run.graded) == len(nips)
    merit = gradebook_dump(built, MODULE)
    assert merit == stock
    assert autograded_outline(built, MODULE) == stock_notebooks
    scores = {key: value[0] for key, value in merit.items() if key[2].startswith("grade:uji")}
    assert len(scores) == 6 * len(nips)  # the autograded items of module 1
    assert {0, 2.0, 3.0} <= set(scores.values()), "the cohort must contain right and wrong answers"


def test_nbgrader_quickstart_course_scores_identical(tmp_path: Path) -> None:
    course = quickstart_course(tmp_path)
    stock_autograde(course, "ps1")
    stock, stock_notebooks = gradebook_dump(course, "ps1"), autograded_outline(course, "ps1")

    run = grade_assignment(course, "ps1", Sandbox.detect(), force=True)

    assert sorted(r.student for r in run.graded) == ["blank", "complete", "mixed"]
    assert next(r for r in run.results if r.student == "mixed").missing == ["problem2"]
    assert gradebook_dump(course, "ps1") == stock
    assert autograded_outline(course, "ps1") == stock_notebooks
    complete = {k[2]: v[0] for k, v in stock.items() if k[0] == "complete" and k[2].startswith("grade:")}
    blank = {k[2]: v[0] for k, v in stock.items() if k[0] == "blank" and k[2].startswith("grade:")}
    assert complete != blank, "solutions and untouched notebooks must score differently"
