"""The trainer's solutions, as a learner would have typed them into the released notebook.

Both the demo (a synthetic cohort) and the course validator (does the solution pass every
test?) build submissions by pasting answers into the *released* notebook, cell by cell,
because that is exactly what a learner hands in: nbgrader's release with the answer cells
filled in.
"""

from __future__ import annotations

from collections.abc import Mapping

import nbformat

SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


def strip_solution_markers(source: str) -> str:
    return "\n".join(line for line in source.splitlines() if line.strip() not in SOLUTION_MARKERS)


def solution_answers(source: nbformat.NotebookNode) -> dict[str, str]:
    """grade_id -> the solution cell's source without markers, in notebook order."""
    return {
        cell.metadata["nbgrader"]["grade_id"]: strip_solution_markers(cell.source)
        for cell in source.cells
        if cell.metadata.get("nbgrader", {}).get("solution")
    }


def fill_answers(release: nbformat.NotebookNode, answers: Mapping[str, str | None]) -> None:
    """Put each answer into the released cell with that grade_id; None leaves the stub."""
    for cell in release.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if answers.get(grade_id) is not None:
            cell.source = answers[grade_id]
