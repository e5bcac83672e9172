"""``merit course validate``: every check on a course, each problem with file, cell and reason.

The checks run in order of cost. Static checks first (schema, nbgrader metadata,
competency and level tags, rubrics, module structure); when those pass, the expensive
ones: build with nbgrader and grade the solutions and the release, then nbval. Running
code on a course whose metadata is broken would only repeat the same problem, so those
run only once the course loads.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from merit.authoring.execution import check_by_grading
from merit.authoring.leaks import check_release
from merit.authoring.nbval_run import check_with_nbval
from merit.authoring.structure import check_structure
from merit.catalog import Course, Framework, load_course
from merit.catalog.quality import QualityRules
from merit.catalog.rubrics import check_rubrics
from merit.errors import MeritError, Problem, ProblemsFound
from merit.grading.coursedir import BuiltCourse, build_course
from merit.grading.sandbox import Sandbox


@dataclass
class Check:
    name: str
    problems: list[Problem] = field(default_factory=list)
    skipped: bool = False


@dataclass
class CourseReport:
    course: str
    checks: list[Check] = field(default_factory=list)
    loaded: Course | None = None
    seconds: float = 0.0

    @property
    def problems(self) -> list[Problem]:
        return [p for check in self.checks for p in check.problems]

    @property
    def ok(self) -> bool:
        return not self.problems


def validate_course(
    folder: Path,
    framework: Framework,
    rules: QualityRules,
    assessments_dir: Path,
    workspace: Path,
    sandbox: Sandbox | None,
    on_check: Callable[[str], None] | None = None,
) -> CourseReport:
    """Validate one course folder; ``sandbox=None`` skips the checks that run code."""
    started = time.perf_counter()
    report = CourseReport(folder.name)

    def run(name: str, action: Callable[[], list[Problem]], skip: bool = False) -> None:
        if on_check:
            on_check(name)
        check = Check(name, skipped=skip)
        if not skip:
            try:
                check.problems = action()
            except ProblemsFound as exc:
                check.problems = exc.problems
            except MeritError as exc:
                check.problems = [Problem(f"courses/{folder.name}", str(exc))]
        report.checks.append(check)

    def load() -> list[Problem]:
        report.loaded = load_course(folder, framework)
        return []

    def after_loading(name: str, action: Callable[[Course], list[Problem]], skip: bool = False) -> None:
        """Run a check on the loaded course; skipped when course.yml did not load."""
        course = report.loaded
        if course is None or skip:
            run(name, list, skip=True)
        else:
            run(name, lambda: action(course))

    run("course.yml, metadata nbgrader, tanda kompetensi dan level", load)
    after_loading("rubrik penilaian pelatih", lambda course: check_rubrics(course, assessments_dir))
    after_loading("struktur modul dan jumlah butir", lambda course: check_structure(course, rules))
    # Missing sections or placeholders do not stop the run: a trainer replacing the text
    # of `merit course new` sees from the start whether the exercises still grade right.
    built: list[BuiltCourse] = []

    def build_and_check_release(course: Course) -> list[Problem]:
        shutil.rmtree(workspace / course.id, ignore_errors=True)
        built.append(build_course(course, workspace))
        return check_release(course, built[0])

    after_loading("rilis tanpa jejak kunci (urutan, id, kode soal)", build_and_check_release)
    grading = "solusi lulus semua uji, versi rilis gagal (nbgrader)"
    if sandbox is None or not built:
        run(grading, list, skip=True)
    else:
        after_loading(grading, lambda course: check_by_grading(course, built[0], sandbox))
    after_loading(
        "nbval pada notebook solusi",
        lambda course: check_with_nbval(course, workspace),
        skip=sandbox is None or not built,
    )
    report.seconds = time.perf_counter() - started
    return report
