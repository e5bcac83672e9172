"""The answers that earn full points on a module's click items, read from its hidden tests.

To check "the solution passes every test" for a click item, the validator needs the
learner-side answer that matches the key. The key is written once, in the hidden
``nilai(soal, kunci=..., poin=...)`` call; the item class turns it into the stored answer
(:meth:`merit_widgets.Soal.jawaban_kunci`). Keys must be literals for this (and for a
trainer reading the notebook); a computed key is reported. An item with per-learner
variants (merit_widgets.varian) has a literal key per variant, ``varian={name: {key...}}``:
its full-marks answer depends on who is graded (:meth:`KeyAnswer.answer_for`).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

import nbformat

from merit_widgets import JENIS_SOAL, KesalahanSoal, Soal
from merit_widgets.varian import pilih_varian

ITEM_CLASSES: dict[str, type[Soal]] = {cls.__name__: cls for cls in JENIS_SOAL}


@dataclass(frozen=True)
class KeyAnswer:
    item_id: str
    jenis: str
    answer: Any
    competency: str | None
    variable: str
    per_variant: dict[str, Any] | None = None  # variant name -> full-marks answer, for a variant item
    grade_id: str = ""  # the test cell that scores the item

    def answer_for(self, learner: str) -> Any:
        """The full-marks answer of ``learner`` (their own variant's, for a variant item)."""
        if self.per_variant is None:
            return self.answer
        return self.per_variant[pilih_varian(self.item_id, self.per_variant, learner)]

    def neighbour_answer(self, learner: str) -> Any:
        """For a variant item, a full-marks answer of another variant that is wrong for ``learner``."""
        if self.per_variant is None:
            return None
        own = self.answer_for(learner)
        return next((a for _, a in sorted(self.per_variant.items()) if a != own), None)


def _name(call: ast.Call) -> str | None:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _literal(node: ast.expr | None) -> Any:
    return ast.literal_eval(node) if node is not None else None


def key_answers(notebook: nbformat.NotebookNode) -> tuple[list[KeyAnswer], list[tuple[int, str]]]:
    """Full-marks answers of every scored item, and (cell index, reason) for keys that cannot be read."""
    items: dict[str, tuple[type[Soal], str, str | None]] = {}  # variable -> class, item id, competency
    with_variants: set[str] = set()  # variables of items made with varian=
    answers: list[KeyAnswer] = []
    problems: list[tuple[int, str]] = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue  # reported when the notebook runs
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and _name(node.value) in ITEM_CLASSES:
                call = node.value
                keywords = {k.arg: k.value for k in call.keywords}
                try:
                    item_id = _literal(call.args[0] if call.args else keywords.get("id"))
                    competency = _literal(keywords.get("kompetensi"))
                except ValueError:
                    continue  # the catalog's item checks report a computed id
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        items[target.id] = (ITEM_CLASSES[_name(call) or ""], item_id, competency)
                        if "varian" in keywords:
                            with_variants.add(target.id)
            elif isinstance(node, ast.Call) and _name(node) == "nilai" and node.args:
                target = node.args[0]
                if not isinstance(target, ast.Name) or target.id not in items:
                    problems.append((index, "nilai(...) harus menilai variabel soal yang dibuat di sel sebelumnya"))
                    continue
                cls, item_id, competency = items[target.id]
                scored_by_variant = any(k.arg == "varian" for k in node.keywords)
                if scored_by_variant != (target.id in with_variants):
                    problems.append(
                        (
                            index,
                            f"soal {item_id} dibuat dengan varian= tetapi nilai(...) tanpa varian=: semua peserta "
                            "dinilai dengan satu kunci"
                            if not scored_by_variant
                            else f"nilai(..., varian=...) untuk soal {item_id} yang dibuat tanpa varian=",
                        )
                    )
                    continue
                try:
                    key = {k.arg: _literal(k.value) for k in node.keywords if k.arg and k.arg != "poin"}
                    variants = key.pop("varian", None)
                    per_variant = (
                        {name: cls.jawaban_kunci(**{**key, **spec}) for name, spec in variants.items()}
                        if isinstance(variants, dict)
                        else None
                    )
                    answer = None if per_variant is not None else cls.jawaban_kunci(**key)
                except (ValueError, TypeError, AttributeError, KesalahanSoal) as exc:
                    problems.append(
                        (
                            index,
                            f"kunci soal {item_id} harus ditulis langsung (literal) dan sesuai "
                            f"jenis soal {cls.__name__} ({exc})",
                        )
                    )
                    continue
                grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
                answers.append(KeyAnswer(item_id, cls.jenis, answer, competency, target.id, per_variant, grade_id))
    return answers, problems
