"""What a trainer does in formgrader, simulated for the demo: score written answers, with a comment.

Some learners' written answers are graded by hand (the all-right learner in full, then
every third learner from the fifth on, by their ability), the rest stay waiting for the
trainer, so every page shows both states. Scores are written the way formgrader's API
writes them: ``manual_score`` and ``manual_comment``, and the grade no longer needs a
person. The same seed gives the same scores, so a second demo run changes nothing.
"""

from __future__ import annotations

import random

from nbgrader.api import MissingEntry

from merit.grading.coursedir import BuiltCourse
from merit.registry.sync import open_gradebook

COMMENTS = (
    (0.9, "Jawaban lengkap dan tepat; alasan Anda bertumpu pada aturan yang berlaku."),
    (0.6, "Cukup baik. Lengkapi dengan dasar aturan dan langkah tindak lanjut yang konkret."),
    (0.0, "Belum menjawab inti pertanyaan. Baca kembali materi modul, lalu perbaiki jawaban Anda."),
)


def graded_by_hand(index: int) -> bool:
    """Which learners (by position in the roster) the demo trainer has graded."""
    return index == 0 or (index >= 4 and index % 3 == 1)


def grade_by_hand(built: BuiltCourse, module: str, nips: list[str], seed: int) -> int:
    """Score the written answers of the learners :func:`graded_by_hand` picks; returns how many cells."""
    count = 0
    with open_gradebook(built.db_url, built.course_id) as gradebook:
        for index, nip in enumerate(nips):
            if not graded_by_hand(index):
                continue
            try:
                submission = gradebook.find_submission(module, nip)
            except MissingEntry:
                continue
            rng = random.Random(f"{seed}:{nip}:{module}:manual")
            for notebook in submission.notebooks:
                comments = {c.name: c for c in notebook.comments}
                for grade in sorted(notebook.grades, key=lambda g: g.name):
                    if grade.auto_score is not None:  # graded automatically: not the trainer's
                        continue
                    share = 1.0 if index == 0 else rng.choice((0.25, 0.5, 0.75, 1.0))
                    grade.manual_score = round(grade.max_score * share * 2) / 2
                    grade.needs_manual_grade = False
                    if grade.name in comments:
                        comments[grade.name].manual_comment = next(text for floor, text in COMMENTS if share >= floor)
                    count += 1
        gradebook.db.commit()
    return count
