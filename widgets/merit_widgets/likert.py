"""Likert self-assessment: recorded with the learner's answers, never scored.

Self-assessment feeds reflection and, later, comparison with assessed levels; scoring it
would reward learners for rating themselves high, so :func:`merit_widgets.nilai` refuses it.
The scale is not shuffled: its order is its meaning.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from merit_widgets.item import KesalahanSoal, Soal, lebar_penuh
from merit_widgets.labels import teks


class Likert(Soal):
    """A statement the learner rates on a scale (default 1-5, "sangat tidak sesuai" to "sangat sesuai")."""

    jenis = "likert"
    dinilai = False

    def __init__(self, id: str, pernyataan: str, *, skala: list[str] | None = None, **lain: Any) -> None:
        if skala is not None and (len(skala) < 2 or not all(isinstance(s, str) and s.strip() for s in skala)):
            raise KesalahanSoal(f"soal {id}: skala harus daftar paling sedikit dua label teks")
        self._skala = skala
        super().__init__(id, pernyataan, **lain)

    @property
    def skala(self) -> list[str]:
        return self._skala or teks(self.bahasa, "likert").split("|")

    def _petunjuk(self) -> str:
        return teks(self.bahasa, "nilai_diri")

    def _kontrol(self, nilai: Any) -> list[widgets.Widget]:
        options = [(f"{point} — {label}", point) for point, label in enumerate(self.skala, 1)]
        known = isinstance(nilai, int) and 1 <= nilai <= len(options)
        self.tombol = widgets.RadioButtons(options=options, value=nilai if known else None, layout=lebar_penuh())
        self.tombol.observe(lambda change: self._catat(change["new"]), "value")
        return [self.tombol]

    def _tampil(self, nilai: Any) -> str:
        labels = self.skala
        return f"{nilai} — {labels[nilai - 1]}" if isinstance(nilai, int) and 1 <= nilai <= len(labels) else str(nilai)
