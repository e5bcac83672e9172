"""What nbgrader's grading steps need from the gradebook, read once per assignment.

Stock autograde opens the gradebook three times per notebook and runs about sixty
queries per learner to look up the same source cells again and again. The snapshot
reads them once; :class:`SnapshotGradebook` answers nbgrader's own ``find_*`` calls
from it, so nbgrader's preprocessors run unchanged on a worker that has no database
at all (a Dask worker on another machine, for instance).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nbgrader.api import Gradebook, MissingEntry


@dataclass(frozen=True)
class SourceCell:
    """A cell as released, with the attributes nbgrader's OverwriteCells reads."""

    name: str
    cell_type: str
    locked: bool
    checksum: str | None
    source: str


@dataclass(frozen=True)
class GradedCell:
    name: str
    max_score: float


@dataclass(frozen=True)
class NotebookSnapshot:
    name: str
    kernelspec: str | None
    source_cells: list[SourceCell]
    grade_cells: list[GradedCell]
    solution_cells: list[SourceCell] = field(default_factory=list)
    task_cells: list[GradedCell] = field(default_factory=list)


@dataclass(frozen=True)
class GradebookSnapshot:
    """One assignment's released cells, enough to sanitise and grade its notebooks."""

    course_id: str
    assignment: str
    notebooks: dict[str, NotebookSnapshot]

    @classmethod
    def read(cls, db_url: str, course_id: str, assignment: str) -> GradebookSnapshot:
        with Gradebook(db_url, course_id) as gb:
            found = gb.find_assignment(assignment)
            notebooks = {}
            for nb in found.notebooks:
                sources = {cell.name: cell for cell in nb.source_cells}
                notebooks[nb.name] = NotebookSnapshot(
                    name=nb.name,
                    kernelspec=nb.kernelspec,
                    source_cells=[_source(cell) for cell in nb.source_cells],
                    grade_cells=[GradedCell(cell.name, float(cell.max_score)) for cell in nb.grade_cells],
                    solution_cells=[_source(sources[cell.name]) for cell in nb.solution_cells],
                    task_cells=[GradedCell(cell.name, float(cell.max_score)) for cell in nb.task_cells],
                )
        return cls(course_id, assignment, notebooks)


def _source(cell: object) -> SourceCell:
    return SourceCell(
        name=cell.name,  # type: ignore[attr-defined]
        cell_type=cell.cell_type,  # type: ignore[attr-defined]
        locked=bool(cell.locked),  # type: ignore[attr-defined]
        checksum=cell.checksum,  # type: ignore[attr-defined]
        source=cell.source,  # type: ignore[attr-defined]
    )


class SnapshotGradebook:
    """The subset of nbgrader's ``Gradebook`` that its sanitising preprocessors call."""

    def __init__(self, snapshot: GradebookSnapshot) -> None:
        self.snapshot = snapshot

    def __deepcopy__(self, memo: dict[int, object]) -> SnapshotGradebook:
        return self  # read-only; nbconvert deep-copies the resources at every export

    def __enter__(self) -> SnapshotGradebook:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def find_notebook(self, name: str, assignment: str) -> NotebookSnapshot:
        if assignment != self.snapshot.assignment or name not in self.snapshot.notebooks:
            raise MissingEntry()
        return self.snapshot.notebooks[name]

    def find_source_cell(self, name: str, notebook: str, assignment: str) -> SourceCell:
        for cell in self.find_notebook(notebook, assignment).source_cells:
            if cell.name == name:
                return cell
        raise MissingEntry()

    def find_graded_cell(self, name: str, notebook: str, assignment: str) -> GradedCell:
        nb = self.find_notebook(notebook, assignment)
        for cell in (*nb.grade_cells, *nb.task_cells):
            if cell.name == name:
                return cell
        raise MissingEntry()
