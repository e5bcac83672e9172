"""The Submit button at the end of a module: hands the module in and says what happened.

Answers are stored the moment they are given, so nothing is lost if the button is never
pressed; what it does is hand the module in, honestly. It writes again any answer the
screen shows but the disk does not hold (a write that failed earlier), submits the
assignment folder through nbgrader's exchange (:mod:`merit_widgets.serahkan`), records the
time and which items were answered in ``.merit-jawaban/kiriman.json``, and tells the
learner what was sent and when, and which items are still unanswered, by the names the
module gives them ("Soal 4"). Ungraded items (self-assessment) are left out of the count.
Under the button it says how to hand in where the module is open: JupyterLab (save the
notebook first when it has code or text answers) or Voila (nothing to save).
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from merit_widgets.item import STYLE, TERBUKA, lebar_penuh
from merit_widgets.labels import pilih_bahasa, teks, waktu
from merit_widgets.serahkan import GagalKirim, di_voila, serahkan
from merit_widgets.store import Penyimpanan, now


class TombolKirim(widgets.VBox):
    """``TombolKirim()`` in the last cell of a module: hands the learner's answers in."""

    def __init__(self, *, bahasa: str | None = None, folder: Path | str | None = None) -> None:
        self.bahasa = pilih_bahasa(bahasa)
        self._store = Penyimpanan.di(folder)
        self.tombol = widgets.Button(
            description=teks(self.bahasa, "kirim"),
            icon="paper-plane",
            button_style="primary",
            layout=widgets.Layout(width="auto"),
        )
        hint = teks(self.bahasa, "cara_kirim_voila" if di_voila() else "cara_kirim_lab")
        self.petunjuk = widgets.HTML(f"<div><i>{html.escape(hint)}</i></div>", layout=lebar_penuh())
        self.hasil = widgets.HTML(layout=lebar_penuh())
        self.tombol.on_click(self.kirim)
        super().__init__([widgets.HTML(STYLE), self.petunjuk, self.tombol, self.hasil], layout=lebar_penuh())
        self.add_class("merit-soal")

    def kirim(self, _button: Any = None) -> None:
        """Make sure every item of this folder is stored, hand the folder in, record and report."""
        items = [item for item in TERBUKA.values() if item._store.root == self._store.root]
        answered = {item.id for item in items if item.pastikan_tersimpan()}
        graded = [item for item in items if item.dinilai]
        missing = [item for item in graded if item.id not in answered]
        counted = teks(self.bahasa, "dijawab", dijawab=len(graded) - len(missing), jumlah=len(graded))
        try:
            sent = serahkan(self._store.folder)
        except GagalKirim as exc:
            self._store.kirim(sorted(answered), [item.id for item in missing], terkirim=False, waktu_kirim=now())
            self._lapor(teks(self.bahasa, "gagal_kirim", alasan=exc), gagal=True)
            return
        when = self._store.kirim(sorted(answered), [item.id for item in missing], terkirim=True, waktu_kirim=sent.waktu)
        message = teks(
            self.bahasa, "terkirim", waktu=waktu(when), modul=sent.modul, berkas=", ".join(sent.berkas), dijawab=counted
        )
        if missing:
            message += " " + teks(self.bahasa, "belum", daftar=", ".join(item.sebutan for item in missing))
        self._lapor(message + " " + teks(self.bahasa, "kirim_ulang"))

    def _lapor(self, message: str, gagal: bool = False) -> None:
        css = ' class="merit-status-gagal"' if gagal else ""
        self.hasil.value = f'<div role="status"{css}>{html.escape(message)}</div>'
