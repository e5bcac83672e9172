"""Numeric answers, scored within a tolerance.

Indonesian writes decimals with a comma (57,1) and Python with a point (57.1): both are
accepted. Thousands separators are not, because "1.250" is 1250 to one learner and 1.25 to
another; the item shows back the number it recorded so the learner can check it.
"""

from __future__ import annotations

import math
from typing import Any

import ipywidgets as widgets

from merit_widgets.item import KesalahanSoal, Soal, lebar_penuh
from merit_widgets.labels import angka, teks


def baca_angka(tulisan: str) -> float | None:
    """The number a learner typed, or None if it is not one number."""
    cleaned = tulisan.strip().replace(" ", "").replace("\u00a0", "")
    if "," in cleaned and "." in cleaned:
        return None
    try:
        value = float(cleaned.replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


class IsianAngka(Soal):
    """A number typed by the learner, optionally with its unit shown after the box.

    Scored with ``nilai(soal, kunci=57.1, toleransi=0.05, poin=2)``: full points if the
    answer is within ``toleransi`` of ``kunci``, else none.
    """

    jenis = "isian_angka"

    def __init__(self, id: str, pertanyaan: str, *, satuan: str = "", **lain: Any) -> None:
        self.satuan = satuan
        super().__init__(id, pertanyaan, **lain)

    def _petunjuk(self) -> str:
        return teks(self.bahasa, "isi_angka")

    def _kontrol(self, nilai: Any) -> list[widgets.Widget]:
        shown = angka(nilai, self.bahasa) if isinstance(nilai, (int, float)) else ""
        # Sent to the kernel on Enter or when the box loses focus, not on every keystroke.
        self.kotak = widgets.Text(
            value=shown, continuous_update=False, layout=widgets.Layout(width="12rem", max_width="100%")
        )
        self.kotak.observe(self._ketik, "value")
        return [widgets.HBox([self.kotak, widgets.Label(self.satuan)], layout=lebar_penuh(flex_flow="row wrap"))]

    def _ketik(self, change: dict[str, Any]) -> None:
        value = baca_angka(change["new"])
        if value is None:
            self._lapor(teks(self.bahasa, "bukan_angka", teks=change["new"]), gagal=True)
            return
        self._catat(value, teks(self.bahasa, "tercatat_angka", angka=angka(value, self.bahasa)))

    def _tampil(self, nilai: Any) -> str:
        return f"{angka(nilai, self.bahasa)} {self.satuan}".strip()

    def skor(self, *, kunci: float, toleransi: float = 0.0) -> float:
        """1 if the stored number is within ``toleransi`` of ``kunci``, else 0."""
        if not isinstance(kunci, (int, float)) or not isinstance(toleransi, (int, float)) or toleransi < 0:
            raise KesalahanSoal(f"soal {self.id}: kunci harus angka dan toleransi angka 0 atau lebih")
        stored = self._dinilai()
        if not isinstance(stored, (int, float)):
            return 0.0
        # A hair of slack so that 57.15 is "within 0.05 of 57.1" despite binary floating point.
        return 1.0 if abs(stored - kunci) <= toleransi + 1e-9 * max(1.0, abs(kunci)) else 0.0

    @classmethod
    def jawaban_kunci(cls, *, kunci: float, toleransi: float = 0.0) -> float:
        return float(kunci)
