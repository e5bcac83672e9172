"""The Submit button at the end of a module.

Answers are stored the moment they are given, so Submit loses nothing if it is never
pressed; what it adds is a check and a record. It writes again any answer the screen shows
but the disk does not hold (a write that failed earlier), records the time and which items
were answered in ``.merit-jawaban/kiriman.json``, and tells the learner which items are
still unanswered.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from merit_widgets.item import STYLE, TERBUKA, lebar_penuh
from merit_widgets.labels import pilih_bahasa, teks, waktu
from merit_widgets.store import Penyimpanan


class TombolKirim(widgets.VBox):
    """``TombolKirim()`` in the last cell of a module: checks and records the learner's answers."""

    def __init__(self, *, bahasa: str | None = None, folder: Path | str | None = None) -> None:
        self.bahasa = pilih_bahasa(bahasa)
        self._store = Penyimpanan.di(folder)
        self.tombol = widgets.Button(
            description=teks(self.bahasa, "kirim"),
            icon="paper-plane",
            button_style="primary",
            layout=widgets.Layout(width="auto"),
        )
        self.hasil = widgets.HTML(layout=lebar_penuh())
        self.tombol.on_click(self.kirim)
        super().__init__([widgets.HTML(STYLE), self.tombol, self.hasil], layout=lebar_penuh())
        self.add_class("merit-soal")

    def kirim(self, _button: Any = None) -> None:
        """Make sure every item of this folder is stored, record the submission, report."""
        items = [item for item in TERBUKA.values() if item._store.root == self._store.root]
        answered = [item.id for item in items if item.pastikan_tersimpan()]
        missing = [item.id for item in items if item.id not in answered]
        when = self._store.kirim(answered, missing)
        message = teks(self.bahasa, "terkirim", waktu=waktu(when), dijawab=len(answered), jumlah=len(items))
        if missing:
            message += " " + teks(self.bahasa, "belum", daftar=", ".join(missing))
        self.hasil.value = f'<div role="status">{html.escape(message)}</div>'
