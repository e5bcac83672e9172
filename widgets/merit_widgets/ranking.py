"""Situational judgement: the learner ranks responses to a scenario from best to worst.

Each response is a row with Up and Down buttons, so ranking needs no dragging and works
from the keyboard (Tab to a button, Enter); after a move the keyboard focus follows the
response that moved. The rows start in the learner's own shuffled order, and that order
only counts as an answer once the learner moves a response or presses "Simpan urutan ini".
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import ipywidgets as widgets

from merit_widgets.item import KesalahanSoal, SoalPilihan, lebar_penuh
from merit_widgets.labels import teks


class Peringkat(SoalPilihan):
    """Rank responses, most appropriate first.

    Scored with ``nilai(soal, urutan=["c", "a", "d", "b"], poin=4)``: the share of pairs
    of responses that the learner put in the same order as the key (a Kendall-style
    agreement), so one swap of neighbours costs little and a reversed ranking earns 0.
    """

    jenis = "peringkat"

    def _petunjuk(self) -> str:
        return teks(self.bahasa, "urutkan")

    def _kontrol(self, nilai: Any) -> list[widgets.Widget]:
        stored_is_ranking = isinstance(nilai, list) and sorted(nilai) == sorted(self.pilihan)
        self.urutan = list(nilai) if stored_is_ranking else self._urutan_pilihan()
        self._labels: list[widgets.HTML] = []
        self._up: list[widgets.Button] = []
        self._down: list[widgets.Button] = []
        rows = []
        for position in range(len(self.urutan)):
            # The response's text takes what the two buttons leave, and wraps: on a phone the
            # buttons stay on their response's line instead of dropping below it.
            label = widgets.HTML(layout=widgets.Layout(flex="1 1 0", min_width="0"))
            up = widgets.Button(
                description=teks(self.bahasa, "naik"), icon="arrow-up", layout=widgets.Layout(width="auto")
            )
            down = widgets.Button(
                description=teks(self.bahasa, "turun"), icon="arrow-down", layout=widgets.Layout(width="auto")
            )
            up.on_click(lambda _button, p=position: self.pindah(p, p - 1))
            down.on_click(lambda _button, p=position: self.pindah(p, p + 1))
            self._labels.append(label)
            self._up.append(up)
            self._down.append(down)
            rows.append(
                widgets.HBox([label, up, down], layout=lebar_penuh(flex_flow="row nowrap", align_items="center"))
            )
        self.tetapkan = widgets.Button(
            description=teks(self.bahasa, "tetapkan_urutan"),
            icon="check",
            layout=widgets.Layout(width="auto", align_self="flex-start"),
        )
        self.tetapkan.on_click(lambda _button: self._catat(list(self.urutan)))
        self._tampilkan_urutan()
        return [*rows, self.tetapkan]

    def _tampilkan_urutan(self) -> None:
        last = len(self.urutan) - 1
        for position, key in enumerate(self.urutan):
            text = self.pilihan[key]
            self._labels[position].value = f"<b>{position + 1}.</b> {html.escape(text)}"
            self._up[position].disabled = position == 0
            self._down[position].disabled = position == last
            self._up[position].tooltip = teks(self.bahasa, "naikkan", pilihan=text)
            self._down[position].tooltip = teks(self.bahasa, "turunkan", pilihan=text)

    def pindah(self, dari: int, ke: int) -> None:
        """Move the response at rank ``dari`` to rank ``ke`` (neighbours swap) and store the order."""
        if not (0 <= dari < len(self.urutan) and 0 <= ke < len(self.urutan)):
            return
        self.urutan[dari], self.urutan[ke] = self.urutan[ke], self.urutan[dari]
        self._tampilkan_urutan()
        self._catat(list(self.urutan))
        # Keep the keyboard on the response that moved: its button in the new row.
        last = len(self.urutan) - 1
        if ke < dari:
            button = self._up[ke] if ke > 0 else self._down[ke]
        else:
            button = self._down[ke] if ke < last else self._up[ke]
        button.focus()

    def _tampil(self, nilai: Any) -> str:
        return "\n".join(f"{rank}. {self.pilihan.get(key, key)}" for rank, key in enumerate(nilai, 1))

    def skor(self, *, urutan: Sequence[str]) -> float:
        """Share of response pairs ordered as in ``urutan``; 0 if the learner never ranked."""
        if isinstance(urutan, str) or sorted(urutan) != sorted(self.pilihan):
            raise KesalahanSoal(
                f"soal {self.id}: urutan kunci harus memuat setiap pilihan tepat sekali ({', '.join(self.pilihan)})"
            )
        stored = self._dinilai()
        if not isinstance(stored, list) or sorted(stored) != sorted(self.pilihan):
            return 0.0
        rank = {key: position for position, key in enumerate(stored)}
        pairs = [(a, b) for i, a in enumerate(urutan) for b in urutan[i + 1 :]]
        return sum(rank[a] < rank[b] for a, b in pairs) / len(pairs)

    @classmethod
    def jawaban_kunci(cls, *, urutan: Sequence[str]) -> list[str]:
        return list(urutan)
