"""The adversarial submission ``merit course validate`` grades: every answer replaced by a lie.

The learner ``palsu`` hands in the released notebook with

* every code answer cell holding the trainer's solution followed by a line that replaces
  each name it defines with :func:`merit.authoring.palsu.samarkan` of it: a function then
  returns, and a variable holds, an object of a subclass of the right answer's type with a
  wrong value whose comparisons, hash and common methods claim a match;
* every click item's stored answer read as such an object (a cell added after the item's
  cell replaces the item's ``tersimpan``).

Every autograded test must give it 0 points. A point earned names a test that compares
values without checking exact types (stock nbgrader, and a plain ``assert hasil == ...``,
give full points here).
"""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat

from merit.authoring.keys import KeyAnswer
from merit.catalog.solutions import fill_answers

STUDENT = "palsu"
MODULE = "merit_palsu"


def _defined_names(source: str) -> list[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.append(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names += [t.id for t in targets if isinstance(t, ast.Name)]
    return list(dict.fromkeys(names))


def _lying(solution: str) -> str:
    names = _defined_names(solution)
    if not names:
        return solution
    lines = [f"{name} = {MODULE}.samarkan({name})" for name in names]
    return f"{solution}\nimport {MODULE}\n" + "\n".join(lines) + "\n"


def write_adversary(
    release: nbformat.NotebookNode, solutions: dict[str, str], items: list[KeyAnswer], folder: Path, name: str
) -> None:
    """Write the adversarial version of one released notebook (and the lying module) into ``folder``."""
    fill_answers(release, {grade_id: _lying(text) for grade_id, text in solutions.items()})
    by_variable = {item.variable: item for item in items}
    cells = []
    for cell in release.cells:
        cells.append(cell)
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        built = [
            t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets if isinstance(t, ast.Name)
        ]
        for variable in built:
            if variable in by_variable:
                answer = by_variable[variable].answer_for(STUDENT)
                cells.append(
                    nbformat.v4.new_code_cell(
                        f"import {MODULE}\n{variable}.tersimpan = lambda: {MODULE}.palsu({answer!r})\n"
                        f"{variable}._nilai = {variable}.tersimpan()"
                    )
                )
    release.cells = cells
    nbformat.write(release, folder / name)
    source = Path(__file__).with_name("palsu.py").read_text(encoding="utf-8")
    (folder / f"{MODULE}.py").write_text(source, encoding="utf-8")
