"""Checks on question items (merit_widgets) in a module's source notebooks.

nbgrader grades an item through a hidden-test cell ending in ``nilai(soal, ..., poin=N)``.
Several mistakes there would not fail loudly at grading time but silently give wrong
scores or leak the answer key, so they are caught when the course is validated:

* ``nilai(...)`` outside ``### BEGIN/END HIDDEN TESTS``: the key would be in the release;
* ``nilai(...)`` not the cell's last line (or wrapped in ``print``): nbgrader's partial-credit
  rule then sees no number and gives *full* points;
* ``poin=`` different from the cell's nbgrader points: too many points makes nbgrader's
  autograde fail, too few silently caps the learner;
* an item cell that is not read-only: autograde must run the trainer's version of it;
* two items with one id in a module: they would share one answer file;
* an item's ``kompetensi`` different from the grade cell's ``merit.competency`` tag;
* an answers folder (``.merit-jawaban``) in the source: nbgrader would release it to every
  learner and copy it over each learner's own answers at autograde.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from merit.errors import Problem
from merit_widgets import JENIS_SOAL
from merit_widgets.store import FOLDER as ANSWERS_FOLDER

ITEM_CLASSES = frozenset(cls.__name__ for cls in JENIS_SOAL)
HIDDEN = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")


def _called_name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _hidden_lines(source: str) -> set[int]:
    """Line numbers (1-based) inside hidden-test regions."""
    inside, lines = False, set()
    for number, line in enumerate(source.splitlines(), 1):
        stripped = line.strip()
        if stripped == HIDDEN[0]:
            inside = True
        elif stripped == HIDDEN[1]:
            inside = False
        elif inside:
            lines.add(number)
    return lines


@dataclass
class ItemChecker:
    """Collects the items of one module, cell by cell, and the problems found on the way."""

    problems: list[Problem] = field(default_factory=list)
    ids: dict[str, str] = field(default_factory=dict)  # item id -> where it was defined
    competencies: dict[str, str | None] = field(default_factory=dict)  # variable -> item's kompetensi

    def check_folder(self, folder: Path, shown: str) -> None:
        if (folder / ANSWERS_FOLDER).exists():
            self.problems.append(
                Problem(
                    f"{shown}/{ANSWERS_FOLDER}",
                    "folder jawaban peserta tidak boleh ada di folder sumber (terbawa ke rilis dan menimpa jawaban "
                    "peserta saat autograde); hapus folder itu",
                )
            )

    def check_cell(self, cell: nbformat.NotebookNode, where: str) -> None:
        if cell.cell_type != "code":
            return
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            return  # the kernel reports it when the notebook is run
        calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
        items = [c for c in calls if _called_name(c) in ITEM_CLASSES]
        scorings = [c for c in calls if _called_name(c) == "nilai"]
        if items:
            self._check_items(tree, items, cell, where)
        if scorings:
            self._check_scoring(tree, scorings, cell, where)

    def _check_items(self, tree: ast.Module, items: list[ast.Call], cell: nbformat.NotebookNode, where: str) -> None:
        if not cell.metadata.get("nbgrader", {}).get("locked"):
            self.problems.append(
                Problem(
                    where,
                    "sel yang membuat soal harus read-only (nbgrader locked), agar autograde menjalankan versi pelatih",
                )
            )
        names = {
            id(node.value): target.id
            for node in ast.walk(tree)
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        for call in items:
            item_id = call.args[0] if call.args else _keyword(call, "id")
            if not (isinstance(item_id, ast.Constant) and isinstance(item_id.value, str)):
                self.problems.append(
                    Problem(where, f'id soal {_called_name(call)} harus teks tetap, misalnya "skenario_1"')
                )
                continue
            if item_id.value in self.ids:
                self.problems.append(
                    Problem(where, f"id soal '{item_id.value}' sudah dipakai di {self.ids[item_id.value]}")
                )
            self.ids[item_id.value] = where
            competency = _keyword(call, "kompetensi")
            if id(call) in names:
                code = (
                    competency.value
                    if isinstance(competency, ast.Constant) and isinstance(competency.value, str)
                    else None
                )
                self.competencies[names[id(call)]] = code

    def _check_scoring(
        self, tree: ast.Module, scorings: list[ast.Call], cell: nbformat.NotebookNode, where: str
    ) -> None:
        nbg = cell.metadata.get("nbgrader", {})
        hidden = _hidden_lines(cell.source)
        if any(call.lineno not in hidden for call in scorings):
            self.problems.append(
                Problem(
                    where,
                    "nilai(...) memuat kunci jawaban: tulis di antara ### BEGIN HIDDEN TESTS dan ### END HIDDEN TESTS",
                )
            )
        if not nbg.get("grade") or nbg.get("solution"):
            self.problems.append(
                Problem(where, "nilai(...) hanya boleh di sel uji yang dinilai (nbgrader grade, bukan solusi)")
            )
            return
        last = tree.body[-1] if tree.body else None
        if len(scorings) != 1 or not (isinstance(last, ast.Expr) and last.value is scorings[0]):
            self.problems.append(
                Problem(
                    where,
                    "nilai(...) harus satu-satunya dan menjadi baris terakhir sel, tanpa "
                    "print: nbgrader memberi poin penuh bila sel tidak menampilkan angka",
                )
            )
            return
        call = scorings[0]
        points = _keyword(call, "poin")
        if not (isinstance(points, ast.Constant) and isinstance(points.value, (int, float))):
            self.problems.append(Problem(where, "nilai(...) harus menyebut poin=<angka>, sama dengan poin sel"))
        elif float(points.value) != float(nbg.get("points", 0)):
            self.problems.append(
                Problem(where, f"poin={points.value} di nilai(...) berbeda dengan poin sel ({nbg.get('points')})")
            )
        target = call.args[0] if call.args else None
        code = cell.metadata.get("merit", {}).get("competency")
        if isinstance(target, ast.Name) and code and self.competencies.get(target.id) not in (None, code):
            self.problems.append(
                Problem(
                    where,
                    f"soal {target.id} untuk kompetensi "
                    f"'{self.competencies[target.id]}', tetapi sel ini ditandai '{code}'",
                )
            )
