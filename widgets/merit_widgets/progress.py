"""A learner's JP hours for the year against the yearly target.

Every ASN is entitled to at least 20 JP (jam pelajaran) of competency development a year
(PP 11/2017 as amended by PP 17/2020; 1 JP = 45 minutes, PerLAN 5/2018), so 20 is the
default target. Plain ipywidgets: it renders wherever the question items do.
"""

from __future__ import annotations

import datetime as dt
import html

import ipywidgets as widgets

from merit_widgets.item import lebar_penuh
from merit_widgets.labels import angka, pilih_bahasa, teks

TARGET_JP = 20


class ProgresJP(widgets.VBox):
    """``ProgresJP(14)``: a progress bar with "14 dari 20 JP (70%) — kurang 6 JP"."""

    def __init__(
        self, jp: float, *, target: float = TARGET_JP, tahun: int | None = None, bahasa: str | None = None
    ) -> None:
        if target <= 0:
            raise ValueError("target JP harus lebih dari 0")
        self.bahasa = pilih_bahasa(bahasa)
        self.target = target
        self.tahun = tahun or dt.date.today().year
        self.batang = widgets.FloatProgress(min=0, max=target, layout=lebar_penuh(height="1.5rem"))
        self.keterangan = widgets.HTML(layout=lebar_penuh())
        super().__init__(
            [
                widgets.HTML(f"<b>{html.escape(teks(self.bahasa, 'jp_judul', tahun=self.tahun))}</b>"),
                self.batang,
                self.keterangan,
            ],
            layout=lebar_penuh(),
        )
        self.perbarui(jp)

    def perbarui(self, jp: float) -> None:
        """Show ``jp`` hours (a dashboard calls this when the learner's record changes)."""
        if jp < 0:
            raise ValueError("JP tidak boleh negatif")
        self.jp = jp
        self.batang.value = min(jp, self.target)
        met = jp >= self.target
        self.batang.bar_style = "success" if met else "warning"
        percent = round(min(jp / self.target, 1) * 100)
        rest = (
            teks(self.bahasa, "jp_terpenuhi")
            if met
            else teks(self.bahasa, "jp_kurang", sisa=angka(self.target - jp, self.bahasa))
        )
        shown = teks(
            self.bahasa, "jp_progres", jp=angka(jp, self.bahasa), target=angka(self.target, self.bahasa), persen=percent
        )
        self.keterangan.value = f'<div role="status">{html.escape(shown)} — {html.escape(rest)}</div>'
