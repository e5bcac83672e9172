"""Courses: ``course.yml`` plus nbgrader source notebooks, one folder per course.

The course folder is content written by a trainer::

    courses/<id>/course.yml
    courses/<id>/source/<module id>/<notebook>.ipynb   (nbgrader source layout)

Every graded cell (nbgrader ``grade: true``, or a manually graded task) names in
``metadata.merit`` the competency it is evidence for and the proficiency level (1–5) it
tests, e.g. ``{"competency": "integritas", "level": 2}``. The level may not exceed the
course's target level for that competency: a course cannot test beyond what it certifies.
The tags are read from the *source* notebook, never from a learner's submission, so a
learner cannot re-tag a cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nbformat
from pydantic import Field, model_validator

from merit.catalog.framework import CODE_PATTERN, Framework
from merit.catalog.items import ItemChecker
from merit.catalog.yamlfile import StrictModel, display_path, load_model
from merit.errors import MeritError, Problem, ProblemsFound


class Title(StrictModel):
    id: str = Field(min_length=1)
    en: str = Field(min_length=1)


class CourseCompetency(StrictModel):
    code: str = Field(pattern=CODE_PATTERN)
    target_level: int = Field(ge=1, le=5)


class Module(StrictModel):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: Title
    notebooks: list[str] = Field(min_length=1)
    umpan_balik_instan: bool | None = Field(
        None, description="Nilai otomatis segera setelah dikirim (bawaan: seperti kursusnya; false untuk ujian)."
    )


class Dataset(StrictModel):
    """A data file shipped with the course, described for trainers and learners."""

    path: str = Field(pattern=r"^source/[^/]+/[^/].*$", description="Relatif terhadap folder kursus, di folder modul.")
    description: str = Field(min_length=1)


class CourseFile(StrictModel):
    """The schema of ``course.yml``."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: Title
    description: Title
    jp: int = Field(gt=0, description="Jam pelajaran; 1 JP = 45 menit (PerLAN 5/2018).")
    pass_mark: float = Field(gt=0, le=100, description="Nilai lulus, persen dari skor maksimum.")
    competencies: list[CourseCompetency] = Field(min_length=1)
    modules: list[Module] = Field(min_length=1)
    datasets: list[Dataset] = Field(default_factory=list)
    umpan_balik_instan: bool = Field(True, description="Nilai otomatis tiap kiriman segera setelah dikirim.")

    @model_validator(mode="after")
    def _unique_ids(self) -> CourseFile:
        for label, values in (
            ("competencies", [c.code for c in self.competencies]),
            ("modules", [m.id for m in self.modules]),
        ):
            duplicated = sorted({v for v in values if values.count(v) > 1})
            if duplicated:
                raise ValueError(f"{label}: nilai ganda {', '.join(duplicated)}")
        return self


@dataclass(frozen=True)
class GradedCell:
    """One graded cell of a source notebook: the unit of competency evidence."""

    module: str
    notebook: str  # notebook name without .ipynb, as nbgrader names it
    grade_id: str
    points: float
    competency: str
    level: int  # the proficiency level (1-5) the cell gives evidence for
    manual: bool  # graded by a trainer (written answer or task) rather than by tests
    index: int  # position in the notebook, so problems can point at "sel ke-N"

    @property
    def label(self) -> str:
        return f"sel ke-{self.index + 1} ({self.grade_id})"


@dataclass(frozen=True)
class Course:
    """A validated course: its ``course.yml`` and the graded cells of its notebooks."""

    folder: Path
    spec: CourseFile
    cells: tuple[GradedCell, ...]

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def source_dir(self) -> Path:
        return self.folder / "source"

    def target_level(self, code: str) -> int:
        for item in self.spec.competencies:
            if item.code == code:
                return item.target_level
        raise MeritError(f"Kursus {self.id} tidak mengembangkan kompetensi '{code}'.")

    def notebook_path(self, module: str, notebook: str) -> Path:
        return self.source_dir / module / f"{notebook}.ipynb"

    def where(self, cell: GradedCell) -> str:
        """``courses/<id>/source/<module>/<notebook>.ipynb, sel ke-N (grade_id)``, for messages."""
        return (
            f"{display_path(self.notebook_path(cell.module, cell.notebook), self.folder.parent.parent)}, {cell.label}"
        )

    def cell(self, module: str, notebook: str, grade_id: str) -> GradedCell | None:
        for cell in self.cells:
            if (cell.module, cell.notebook, cell.grade_id) == (module, notebook, grade_id):
                return cell
        return None


# nbgrader's region markers, each of which must be closed in the same cell.
MARKER_PAIRS = (
    ("### BEGIN SOLUTION", "### END SOLUTION"),
    ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"),
)


def _marker_problem(source: str) -> str | None:
    """Why a cell's nbgrader region markers are unbalanced, or None when they are fine."""
    for begin, end in MARKER_PAIRS:
        depth = 0
        for line in source.splitlines():
            stripped = line.strip()
            if stripped == begin:
                depth += 1
                if depth > 1:
                    return f"'{begin}' dibuka lagi sebelum ditutup"
            elif stripped == end:
                depth -= 1
                if depth < 0:
                    return f"'{end}' tanpa '{begin}' sebelumnya"
        if depth:
            return f"'{begin}' tidak ditutup dengan '{end}'"
    return None


def _cell_label(index: int, cell: nbformat.NotebookNode) -> str:
    grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
    return f"sel ke-{index + 1}" + (f" ({grade_id})" if grade_id else "")


def _graded_cells(
    path: Path, module: str, spec: CourseFile, framework: Framework, shown: str, items: ItemChecker
) -> tuple[list[GradedCell], list[Problem]]:
    cells: list[GradedCell] = []
    problems: list[Problem] = []
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # nbformat raises several unrelated types for bad JSON
        return [], [Problem(shown, f"notebook tidak dapat dibaca ({exc})")]
    targets = {c.code: c.target_level for c in spec.competencies}
    seen: set[str] = set()
    for index, cell in enumerate(nb.cells):
        meta = cell.get("metadata", {})
        nbg = meta.get("nbgrader", {})
        grade_id = nbg.get("grade_id")
        where = f"{shown}, {_cell_label(index, cell)}"
        marker = _marker_problem(cell.source)
        if marker:
            problems.append(Problem(where, marker))
        if grade_id:
            if grade_id in seen:
                problems.append(Problem(where, "grade_id dipakai lebih dari satu sel"))
            seen.add(grade_id)
        items.check_cell(cell, where)
        # A task ("manually graded task") is graded by a trainer, like a written answer:
        # merit_widgets' Uraian pairs with one.
        if not (nbg.get("grade") or nbg.get("task")):
            continue
        code = meta.get("merit", {}).get("competency")
        level = meta.get("merit", {}).get("level")
        points = nbg.get("points")
        if not grade_id:
            problems.append(Problem(where, "sel yang dinilai tidak punya grade_id"))
            continue
        if not isinstance(points, (int, float)) or points <= 0:
            problems.append(Problem(where, "poin sel yang dinilai harus lebih dari 0"))
            continue
        if not code:
            problems.append(Problem(where, "sel yang dinilai belum ditandai kompetensinya (metadata merit.competency)"))
            continue
        if code not in framework.codes:
            problems.append(Problem(where, f"kompetensi '{code}' tidak ada dalam kerangka kompetensi"))
            continue
        if code not in targets:
            problems.append(Problem(where, f"kompetensi '{code}' tidak tercantum di competencies pada course.yml"))
            continue
        if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 5:
            problems.append(Problem(where, "sel yang dinilai belum ditandai levelnya (metadata merit.level, 1–5)"))
            continue
        if level > targets[code]:
            problems.append(
                Problem(where, f"level {level} melebihi target level {code} kursus ini ({targets[code]}) di course.yml")
            )
            continue
        cells.append(
            GradedCell(
                module,
                path.stem,
                grade_id,
                float(points),
                code,
                level,
                bool(nbg.get("solution") or nbg.get("task")),
                index,
            )
        )
    return cells, problems


def load_course(folder: Path, framework: Framework) -> Course:
    """Validate a course folder; every problem found is reported with its file and cell."""
    root = folder.parent.parent
    spec = load_model(CourseFile, folder / "course.yml", root)
    problems: list[Problem] = []
    if spec.id != folder.name:
        problems.append(
            Problem(
                display_path(folder / "course.yml", root),
                f"id '{spec.id}' harus sama dengan nama folder '{folder.name}'",
            )
        )
    for item in spec.competencies:
        if item.code not in framework.codes:
            problems.append(
                Problem(
                    display_path(folder / "course.yml", root),
                    f"kompetensi '{item.code}' tidak ada dalam kerangka kompetensi",
                )
            )
    for dataset in spec.datasets:
        data = folder / dataset.path
        if not data.is_file():
            problems.append(
                Problem(display_path(folder / "course.yml", root), f"datasets: berkas {dataset.path} tidak ditemukan")
            )
        elif dataset.path.split("/")[1] not in {m.id for m in spec.modules}:
            problems.append(
                Problem(
                    display_path(folder / "course.yml", root),
                    f"datasets: {dataset.path} harus berada di folder salah satu modul",
                )
            )
    cells: list[GradedCell] = []
    for module in spec.modules:
        module_cells: list[GradedCell] = []
        items = ItemChecker()
        items.check_folder(folder / "source" / module.id, display_path(folder / "source" / module.id, root))
        for name in module.notebooks:
            path = folder / "source" / module.id / name
            shown = display_path(path, root)
            if not path.is_file():
                problems.append(Problem(shown, "notebook yang tercantum di course.yml tidak ditemukan"))
                continue
            found, wrong = _graded_cells(path, module.id, spec, framework, shown, items)
            module_cells += found
            problems += wrong
        problems += items.problems
        if not module_cells and not problems:
            problems.append(
                Problem(display_path(folder / "source" / module.id, root), "modul tidak punya sel yang dinilai")
            )
        cells += module_cells
    if problems:
        raise ProblemsFound(f"Kursus {folder.name} tidak valid:", problems)
    return Course(folder, spec, tuple(cells))


def load_courses(courses_dir: Path, framework: Framework) -> dict[str, Course]:
    """Every course folder (a folder with a ``course.yml``) under ``courses_dir``."""
    return {
        folder.name: load_course(folder, framework)
        for folder in sorted(courses_dir.iterdir())
        if (folder / "course.yml").is_file()
    }
