"""The one call an nbgrader hidden test makes: ``nilai(soal, ..., poin=N)``.

nbgrader's partial-credit rule (``nbgrader.utils.determine_grade``) gives an autograder
test cell the number its last line evaluates to, so a hidden test cell ends with::

    ### BEGIN HIDDEN TESTS
    nilai(soal_skenario, kunci="lapor", poin=2)
    ### END HIDDEN TESTS

The cell's nbgrader points must equal ``poin`` (``merit course build`` checks it), and the
call must be the cell's last line, not inside ``print``: nbgrader gives full points to a
test cell that shows no number. The score is read from the stored answer, the same file
autograde's kernel reads, so what is graded is exactly what the learner saved.

nbgrader's Validate runs the *released* notebook, where the hidden ``nilai(...)`` is gone,
so the scoring cell also holds a visible ``wajib_dijawab(soal)`` above the hidden tests. Under
Validate (``NBGRADER_EXECUTION=validate``) it fails the cell of an unanswered item with
"Soal 4 belum dijawab.", so Validate lists what is missing instead of reporting success;
anywhere else (Run All in JupyterLab, Voila, autograde) it does nothing.
"""

from __future__ import annotations

import os
from typing import Any

from merit_widgets.item import KesalahanSoal, Soal
from merit_widgets.labels import teks
from merit_widgets.periksa import BelumTepat
from merit_widgets.varian import kunci_varian


class BelumDijawab(BelumTepat):
    """An item left unanswered, reported by nbgrader's Validate."""


def wajib_dijawab(soal: Soal) -> None:
    """Under nbgrader's Validate, fail if ``soal`` has no stored answer; otherwise do nothing."""
    if os.environ.get("NBGRADER_EXECUTION") == "validate" and soal._dinilai() is None:
        raise BelumDijawab(teks(soal.bahasa, "soal_belum_dijawab", soal=soal.sebutan))


def nilai(soal: Soal, *, poin: float, varian: Any = None, **kunci: Any) -> float:
    """Points earned on ``soal``: its score (0..1) against the answer key, times ``poin``.

    The key is given by name, per item type: ``kunci=`` (single choice, multiple choice,
    number, with optional ``toleransi=``), ``bobot=`` (weighted options), ``urutan=``
    (ranking). Written answers and Likert items are not scored here. An item made with
    variants takes ``varian={name: {key...}}`` instead: the key of the learner's own variant,
    recomputed here from who is being graded (merit_widgets.varian).
    """
    if not isinstance(soal, Soal):
        raise KesalahanSoal(f"nilai() menerima soal dari merit_widgets, bukan {type(soal).__name__}")
    if isinstance(poin, bool) or not isinstance(poin, (int, float)) or poin <= 0:
        raise KesalahanSoal(f"soal {soal.id}: poin harus angka lebih dari 0")
    if varian is not None:
        kunci = {**kunci, **kunci_varian(soal.id, soal.semua_varian, varian)}
    try:
        share = soal.skor(**kunci)
    except TypeError as exc:
        raise KesalahanSoal(f"soal {soal.id} ({soal.jenis}): kunci jawaban tidak sesuai jenis soal ({exc})") from exc
    return round(share * poin, 2)
