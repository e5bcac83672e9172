"""Items answered by choosing: one option, several options, or one option of weighted options.

Options are a dict ``{key: text}`` (see :class:`merit_widgets.item.SoalPilihan`). Answer keys and
weights are not arguments here: they are given to :func:`merit_widgets.nilai` in an
nbgrader hidden-test cell, so the released notebook never contains them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import ipywidgets as widgets

from merit_widgets.item import KesalahanSoal, SoalPilihan, lebar_penuh
from merit_widgets.labels import teks


class PilihanTunggal(SoalPilihan):
    """Single choice: exactly one option is right.

    ``PilihanTunggal("id", "pertanyaan", pilihan={"a": "...", "b": "..."}, kompetensi="integritas")``;
    scored in a hidden test with ``nilai(soal, kunci="a", poin=2)``.
    """

    jenis = "pilihan_tunggal"

    def _petunjuk(self) -> str:
        return teks(self.bahasa, "pilih_satu")

    def _kontrol(self, nilai: Any) -> list[widgets.Widget]:
        order = self._urutan_pilihan()
        self.tombol = widgets.RadioButtons(
            options=[(self.pilihan[key], key) for key in order],
            value=nilai if nilai in self.pilihan else None,
            layout=lebar_penuh(),
        )
        self.tombol.observe(lambda change: self._catat(change["new"]), "value")
        return [self.tombol]

    def _tampil(self, nilai: Any) -> str:
        return self.pilihan.get(nilai, str(nilai))

    def skor(self, *, kunci: str) -> float:
        """1 if the stored answer is ``kunci``, else 0."""
        if kunci not in self.pilihan:
            raise KesalahanSoal(f"soal {self.id}: kunci {kunci!r} bukan salah satu pilihan ({', '.join(self.pilihan)})")
        return 1.0 if self._dinilai() == kunci else 0.0

    @classmethod
    def jawaban_kunci(cls, *, kunci: str) -> str:
        return kunci


class PilihanBerbobot(PilihanTunggal):
    """One choice among options that each carry their own score, with no single right answer.

    The form of Indonesian character/integrity items (for example 1-5 points per option).
    Scored with ``nilai(soal, bobot={"a": 5, "b": 3, ...}, poin=5)``: the chosen option's
    weight divided by the highest weight, times ``poin``.
    """

    jenis = "pilihan_berbobot"

    def skor(self, *, bobot: Mapping[str, float]) -> float:  # type: ignore[override]
        """The chosen option's weight as a share of the best option's weight."""
        if not isinstance(bobot, Mapping) or set(bobot) != set(self.pilihan):
            raise KesalahanSoal(
                f"soal {self.id}: bobot harus diberikan untuk setiap pilihan ({', '.join(self.pilihan)})"
            )
        if any(not isinstance(w, (int, float)) or w < 0 for w in bobot.values()) or max(bobot.values()) <= 0:
            raise KesalahanSoal(f"soal {self.id}: bobot harus angka 0 atau lebih, dan paling sedikit satu di atas 0")
        chosen = self._dinilai()
        return float(bobot[chosen]) / max(bobot.values()) if chosen in bobot else 0.0

    @classmethod
    def jawaban_kunci(cls, *, bobot: Mapping[str, float]) -> str:  # type: ignore[override]
        return max(bobot, key=lambda key: bobot[key])


class PilihanGanda(SoalPilihan):
    """Multiple choice: the learner ticks every option they think is right.

    Scored with ``nilai(soal, kunci={"a", "c"}, poin=2)``. Partial credit rule: (right
    options ticked - wrong options ticked) / number of right options, never below 0. So
    ticking everything earns nothing, and each wrong tick cancels one right one.
    """

    jenis = "pilihan_ganda"

    def _petunjuk(self) -> str:
        return teks(self.bahasa, "pilih_semua")

    def _kontrol(self, nilai: Any) -> list[widgets.Widget]:
        chosen = set(nilai) if isinstance(nilai, list) else set()
        self.kotak = {
            key: widgets.Checkbox(
                value=key in chosen, description=self.pilihan[key], indent=False, layout=lebar_penuh()
            )
            for key in self._urutan_pilihan()
        }
        for box in self.kotak.values():
            box.observe(self._centang, "value")
        return list(self.kotak.values())

    def _centang(self, _change: dict[str, Any]) -> None:
        self._catat(sorted(key for key, box in self.kotak.items() if box.value))

    def _tampil(self, nilai: Any) -> str:
        return "\n".join(f"- {self.pilihan.get(key, key)}" for key in nilai) or "-"

    def skor(self, *, kunci: Collection[str]) -> float:
        """(right ticks - wrong ticks) / right options, floored at 0."""
        right = set(kunci) if not isinstance(kunci, str) else {kunci}
        if not right or not right <= set(self.pilihan):
            raise KesalahanSoal(f"soal {self.id}: kunci harus berisi pilihan yang ada ({', '.join(self.pilihan)})")
        stored = self._dinilai()
        chosen = {key for key in stored if key in self.pilihan} if isinstance(stored, list) else set()
        return max(0.0, (len(chosen & right) - len(chosen - right)) / len(right))

    @classmethod
    def jawaban_kunci(cls, *, kunci: Collection[str]) -> list[str]:
        return sorted({kunci} if isinstance(kunci, str) else set(kunci))
