"""Short written answers, graded by a trainer in nbgrader's formgrader.

The text is stored as it is typed (every change reaches the kernel), so closing the
browser tab loses nothing. The item is paired in the notebook with an nbgrader
"manually graded task" cell carrying the points and the rubric; the trainer reads the
learner's text in this item's static summary, which formgrader shows.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from merit_widgets.item import Soal, lebar_penuh
from merit_widgets.labels import teks


class Uraian(Soal):
    """A written answer of a few sentences to a few paragraphs; not scored automatically."""

    jenis = "uraian"

    def __init__(self, id: str, pertanyaan: str, *, baris: int = 8, **lain: Any) -> None:
        self.baris = baris
        super().__init__(id, pertanyaan, **lain)

    def _petunjuk(self) -> str:
        return teks(self.bahasa, "tulis_uraian")

    def _kontrol(self, nilai: Any) -> list[widgets.Widget]:
        self.kotak = widgets.Textarea(
            value=nilai if isinstance(nilai, str) else "", rows=self.baris, continuous_update=True, layout=lebar_penuh()
        )
        self.kotak.observe(self._ketik, "value")
        return [self.kotak]

    def _ketik(self, change: dict[str, Any]) -> None:
        self._catat(change["new"], teks(self.bahasa, "jumlah_kata", kata=len(change["new"].split())))
