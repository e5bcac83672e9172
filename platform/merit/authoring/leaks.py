"""Does a released module reveal an answer key? Checked on the files nbgrader released.

Scores from click items decide promotions, so a key that can be read off the screen or the
file is a broken test. For every item of every released notebook this checks that

* its options are in the canonical order of :mod:`merit.catalog.release` (an order made from
  the ids alone, so it says nothing about which option is right or weighs most) and are
  shuffled per learner (no ``acak=False``);
* no option id or text marks an answer (``benar``, ``salah``, a tick...);
* the cell that builds it is collapsed and locked for the learner;
* no scoring call (``nilai(...)``, which carries the key) is left in the release.
"""

from __future__ import annotations

import re

import nbformat

from merit.authoring.keys import key_answers
from merit.catalog import Course
from merit.catalog.release import ItemOptions, canonical_order, item_options
from merit.errors import Problem
from merit.grading.coursedir import BuiltCourse

# Whole words of an option id (split on _ - and digits) that name an answer's status.
MARKED_IDS = frozenset(
    {
        "benar",
        "salah",
        "betul",
        "keliru",
        "jawaban",
        "correct",
        "wrong",
        "right",
        "best",
        "worst",
        "terbaik",
        "terburuk",
    }
)
MARKED_TEXT = re.compile(r"[✓✔✗✘]|[(\[]\s*(benar|salah|betul|kunci|jawaban)\s*[)\]]", re.I)


def check_release(course: Course, built: BuiltCourse) -> list[Problem]:
    """Problems naming the released notebook, item and reason; empty if no key shows."""
    problems: list[Problem] = []
    for module in course.spec.modules:
        for name in module.notebooks:
            source = nbformat.read(course.source_dir / module.id / name, as_version=4)
            keyed = {answer.item_id for answer in key_answers(source)[0]}
            release = nbformat.read(built.release_path(module.id, name), as_version=4)
            where = f"courses/{course.id} rilis {module.id}/{name}"
            for index, cell in enumerate(release.cells):
                if cell.cell_type != "code":
                    continue
                shown = f"{where}, sel ke-{index + 1}"
                if re.search(r"(^|\W)nilai\(", cell.source):
                    problems.append(Problem(shown, "sel rilis memuat nilai(...), yang berisi kunci jawaban"))
                for item in item_options(cell.source):
                    problems += _item_problems(item, cell, shown, item.item_id in keyed)
    return problems


def _item_problems(item: ItemOptions, cell: nbformat.NotebookNode, where: str, scored: bool) -> list[Problem]:
    label = f"{where}, soal {item.item_id}"
    problems: list[Problem] = []
    if item.keys != canonical_order(item.item_id, item.keys):
        problems.append(
            Problem(label, "urutan pilihan di rilis bukan urutan netral hasil build (urutan pelatih bocor)")
        )
    if not item.shuffled and item.cls != "Likert":
        problems.append(Problem(label, "pilihan harus diacak per peserta: hapus acak=False"))
    if scored:
        for key in item.keys:
            words = set(re.split(r"[_\-0-9]+", key))
            if words & MARKED_IDS:
                problems.append(
                    Problem(label, f"id pilihan '{key}' menandai jawaban ({', '.join(sorted(words & MARKED_IDS))})")
                )
            if MARKED_TEXT.search(item.texts.get(key, "")):
                problems.append(Problem(label, f"teks pilihan '{key}' menandai jawaban"))
    hidden = cell.metadata.get("jupyter", {}).get("source_hidden")
    if not (hidden and cell.metadata.get("editable") is False and cell.metadata.get("deletable") is False):
        problems.append(Problem(label, "sel pembuat soal harus tersembunyi dan terkunci bagi peserta"))
    return problems
