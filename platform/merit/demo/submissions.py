"""Synthetic submissions for a cohort, written where ``nbgrader collect`` puts them.

Each learner's answers are pasted into the *released* notebook (the one a learner
receives), cell by cell, as one of four variants:

* ``right``: the trainer's solution from the source notebook, markers removed;
* ``wrong`` and ``error``: alternatives from ``courses/<id>/demo/<module>.yml``;
* ``blank``: the released stub left as it is.

Click items are answered the same way, in the answer files a learner's clicks write
(:mod:`merit_widgets.store`): ``right`` is the answer the hidden key gives full points,
``wrong`` the answer given in the module's YAML under the item's id, and ``error`` and
``blank`` leave the item unanswered.

The first four learners answer everything with one variant each, so the cohort always
contains every case; the rest mix variants by a per-learner ability drawn from a seed.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from pydantic import Field

from merit.authoring.keys import KeyAnswer, key_answers
from merit.catalog import Course
from merit.catalog.solutions import fill_answers, solution_answers
from merit.catalog.yamlfile import StrictModel, load_model
from merit.errors import MeritError
from merit.grading.coursedir import BuiltCourse
from merit_widgets.store import FOLDER as ANSWERS_FOLDER
from merit_widgets.store import Penyimpanan

VARIANTS = ("right", "wrong", "error", "blank")
COHORT_START = dt.datetime(2026, 11, 2, 8, 0)


class AnswerFile(StrictModel):
    """``courses/<id>/demo/<module>.yml``: wrong and failing answers per answer cell or click item."""

    notebook: str
    answers: dict[str, dict[str, str | list[str] | float]] = Field(default_factory=dict)


@dataclass(frozen=True)
class AnswerBook:
    notebook: str
    cells: tuple[str, ...]  # grade_ids of the answer cells and ids of the click items, in notebook order
    variants: dict[str, dict[str, Any]]  # grade_id or item id -> variant -> cell source or stored answer
    items: dict[str, KeyAnswer]  # the click items, by id

    def source(self, grade_id: str, variant: str) -> Any:
        """The cell source or stored answer for ``variant``, or None to leave it blank."""
        return self.variants[grade_id].get(variant)


def load_answer_book(course: Course, module: str) -> AnswerBook:
    path = course.folder / "demo" / f"{module}.yml"
    if path.is_file():
        spec = load_model(AnswerFile, path, course.folder.parent.parent)
    else:  # no wrong or failing answers written for this module: those learners leave the stub
        notebooks = next(m.notebooks for m in course.spec.modules if m.id == module)
        spec = AnswerFile(notebook=notebooks[0])
    source = nbformat.read(course.source_dir / module / spec.notebook, as_version=4)
    right: dict[str, Any] = solution_answers(source)
    items = {answer.item_id: answer for answer in key_answers(source)[0]}
    right.update({item_id: answer.answer for item_id, answer in items.items()})
    cells = list(right)
    variants = {grade_id: {"right": answer, **spec.answers.get(grade_id, {})} for grade_id, answer in right.items()}
    unknown = sorted(set(spec.answers) - set(cells))
    if unknown:
        raise MeritError(
            f"{path.name}: sel jawaban atau soal {', '.join(unknown)} tidak ada di notebook {spec.notebook}."
        )
    return AnswerBook(spec.notebook, tuple(cells), variants, items)


def choose_variants(index: int, nip: str, cells: tuple[str, ...], seed: int) -> dict[str, str]:
    """Which variant learner number ``index`` gives for each answer cell."""
    if index < len(VARIANTS):
        return {cell: VARIANTS[index] for cell in cells}
    rng = random.Random(f"{seed}:{nip}")
    ability = rng.uniform(0.3, 0.95)
    return {
        cell: "right" if rng.random() < ability else rng.choices(VARIANTS[1:], weights=(3, 1, 1))[0] for cell in cells
    }


def write_submission(
    built: BuiltCourse,
    module: str,
    book: AnswerBook,
    nip: str,
    chosen: dict[str, str],
    submitted_at: dt.datetime,
) -> Path:
    """Write one learner's notebook and ``timestamp.txt`` into ``submitted/``."""
    notebook = nbformat.read(built.release_path(module, book.notebook), as_version=4)
    cells = {key: variant for key, variant in chosen.items() if key not in book.items}
    fill_answers(notebook, {grade_id: book.source(grade_id, variant) for grade_id, variant in cells.items()})
    folder = built.submission_dir(nip, module)
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.ipynb"):
        stale.unlink()
    shutil.rmtree(folder / ANSWERS_FOLDER, ignore_errors=True)
    nbformat.write(notebook, folder / book.notebook)
    store = Penyimpanan.di(folder)
    for item_id, item in book.items.items():
        variant = chosen.get(item_id)  # an item left out of ``chosen`` is left unanswered
        answer = book.source(item_id, variant) if variant in ("right", "wrong") else None
        if item.per_variant is not None and variant in ("right", "wrong"):  # the learner's own variant
            answer = item.answer_for(nip) if variant == "right" else answer or item.neighbour_answer(nip)
        if answer is not None:
            store.simpan(item_id, item.jenis, answer, item.competency)
    (folder / "timestamp.txt").write_text(f"{submitted_at:%Y-%m-%d %H:%M:%S.%f} UTC\n")
    return folder


def make_cohort(built: BuiltCourse, module: str, nips: list[str], seed: int) -> dict[str, dict[str, str]]:
    """Write every learner's submission; returns the variants chosen, by NIP."""
    book = load_answer_book(built.course, module)
    chosen_by_nip = {}
    for index, nip in enumerate(nips):
        chosen = choose_variants(index, nip, book.cells, seed)
        write_submission(built, module, book, nip, chosen, COHORT_START + dt.timedelta(minutes=7 * index))
        chosen_by_nip[nip] = chosen
    return chosen_by_nip
