"""Rubrics of the manually graded cells: ``assessments/rubrics/<course>/<module>/<grade_id>.yml``.

A written answer is only as fair as its rubric: two trainers grading the same reflection
must apply the same criteria, and a learner must be able to see them beforehand. So every
manually graded cell has a rubric file whose criteria add up to the cell's points, and
the learner sees the same rubric in the notebook.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator

from merit.catalog.course import Course
from merit.catalog.yamlfile import StrictModel, display_path, load_model
from merit.errors import MeritError, Problem, ProblemsFound


class Criterion(StrictModel):
    name: str = Field(min_length=1)
    points: float = Field(gt=0)
    description: str = Field(min_length=1, description="Apa yang memberi poin penuh, sebagian, dan nol.")


class Rubric(StrictModel):
    title: str = Field(min_length=1)
    points: float = Field(gt=0)
    criteria: list[Criterion] = Field(min_length=1)

    @model_validator(mode="after")
    def _criteria_add_up(self) -> Rubric:
        total = sum(c.points for c in self.criteria)
        if abs(total - self.points) > 1e-9:
            raise ValueError(f"jumlah poin kriteria ({total:g}) harus sama dengan points ({self.points:g})")
        return self


def rubric_path(assessments_dir: Path, course: str, module: str, grade_id: str) -> Path:
    return assessments_dir / "rubrics" / course / module / f"{grade_id}.yml"


def check_rubrics(course: Course, assessments_dir: Path) -> list[Problem]:
    """Every manually graded cell has a valid rubric worth its points; no rubric is orphaned."""
    root = assessments_dir.parent
    problems: list[Problem] = []
    expected: set[Path] = set()
    for cell in course.cells:
        if not cell.manual:
            continue
        path = rubric_path(assessments_dir, course.id, cell.module, cell.grade_id)
        expected.add(path)
        shown = display_path(path, root)
        if not path.is_file():
            problems.append(Problem(course.where(cell), f"sel yang dinilai pelatih belum punya rubrik: buat {shown}"))
            continue
        try:
            rubric = load_model(Rubric, path, root)
        except ProblemsFound as exc:
            problems += exc.problems
            continue
        except MeritError as exc:
            problems.append(Problem(shown, str(exc)))
            continue
        if abs(rubric.points - cell.points) > 1e-9:
            problems.append(
                Problem(shown, f"points {rubric.points:g} berbeda dengan poin sel {cell.grade_id} ({cell.points:g})")
            )
    folder = assessments_dir / "rubrics" / course.id
    for path in sorted(folder.glob("**/*.yml")) if folder.is_dir() else []:
        if path not in expected:
            problems.append(
                Problem(
                    display_path(path, root),
                    f"tidak ada sel yang dinilai pelatih dengan grade_id '{path.stem}' di modul {path.parent.name}",
                )
            )
    return problems
