"""Per-learner variants: each learner gets their own numbers (or data slice, or scenario).

A trainer writes the variants of an item as literal data, and the key of each variant in
the hidden test::

    v = varian("jp_menit", {
        "a": {"menit": "90, 45 dan 135", "nama": "Bu Sari"},
        "b": {"menit": "60, 120 dan 90", "nama": "Pak Budi"},
        ...
    })
    soal_jp = IsianAngka("jp_menit", f"{v.nama} belajar {v.menit} menit. Berapa JP?", varian=v)

    ### BEGIN HIDDEN TESTS
    nilai(soal_jp, varian={"a": {"kunci": 6.0}, "b": {"kunci": 6.0}, ...}, poin=2)
    ### END HIDDEN TESTS

Which variant a learner gets is a hash of who they are (:func:`merit_widgets.store.identitas_peserta`:
the JupyterHub user, which is the NIP, and nbgrader's student id) and the item id: the same
learner sees the same variant wherever the notebook runs, and grading recomputes it from the
student id the grader gives the kernel (``MERIT_PESERTA``, put back before every test cell by
the grading guard, see docs/grading.md), never from a file the learner can edit. The variant's
numbers are not secret — the learner must see their own — but the key is only in the hidden
test, so a neighbour's answer is the answer to a different question.

Why a table of variants and not numbers drawn at random: each variant's key is written once,
as a literal, where a trainer reads it, and ``merit course validate`` grades the solution for
several learners (several variants) and checks that a neighbour's answer scores nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from merit_widgets.item import ID_PATTERN, KesalahanSoal
from merit_widgets.store import identitas_peserta

SALT = "merit-varian/1"


def pilih_varian(soal: str, nama: Iterable[str], peserta: str | None = None) -> str:
    """The variant of item ``soal`` that learner ``peserta`` (default: who is running) gets."""
    names = sorted(nama)
    if not names:
        raise KesalahanSoal(f"soal {soal}: tidak ada varian")
    who = identitas_peserta() if peserta is None else peserta
    digest = hashlib.sha256(f"{SALT}/{who}/{soal}".encode()).digest()
    return names[int.from_bytes(digest[:8], "big") % len(names)]


class Varian(Mapping[str, Any]):
    """The data of the learner's own variant: ``v.pegawai`` or ``v["pegawai"]``; read-only."""

    def __init__(self, soal: str, nama: str, semua: tuple[str, ...], data: Mapping[str, Any]) -> None:
        object.__setattr__(self, "_isi", (soal, nama, semua, MappingProxyType(dict(data))))

    @property
    def soal(self) -> str:
        """The id of the item this variant belongs to."""
        return str(self._isi[0])

    @property
    def nama(self) -> str:
        """The name of the learner's variant (a key of the trainer's table)."""
        return str(self._isi[1])

    @property
    def semua(self) -> tuple[str, ...]:
        """Every variant's name, sorted."""
        return tuple(self._isi[2])

    def __getattr__(self, name: str) -> Any:
        data = object.__getattribute__(self, "_isi")[3]
        if name in data:
            return data[name]
        raise AttributeError(f"varian soal {self.soal} tidak punya data {name!r}; yang ada: {', '.join(data)}")

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("varian hanya dapat dibaca")

    def __getitem__(self, key: str) -> Any:
        return self._isi[3][key]

    def __iter__(self) -> Any:
        return iter(self._isi[3])

    def __len__(self) -> int:
        return len(self._isi[3])

    def __repr__(self) -> str:
        return f"Varian({self.soal!r}, {self.nama!r})"


def varian(soal: str, pilihan: dict[str, dict[str, Any]], *, peserta: str | None = None) -> Varian:
    """The learner's variant of item ``soal`` out of the trainer's table ``pilihan`` (name -> data).

    Every variant must hold the same data names, so that the question text works for each.
    """
    if not isinstance(soal, str) or not ID_PATTERN.match(soal):
        raise KesalahanSoal(f"varian: id soal {soal!r} tidak sah")
    if not isinstance(pilihan, dict) or len(pilihan) < 2:
        raise KesalahanSoal(f"soal {soal}: varian harus kamus nama -> data dengan paling sedikit dua varian")
    fields: set[str] | None = None
    for name, data in pilihan.items():
        if not isinstance(name, str) or not ID_PATTERN.match(name):
            raise KesalahanSoal(f"soal {soal}: nama varian {name!r} tidak sah (huruf kecil, angka, '_' atau '-')")
        if not isinstance(data, dict) or not data:
            raise KesalahanSoal(f"soal {soal}: varian '{name}' harus kamus data yang tidak kosong")
        if fields is None:
            fields = set(data)
        elif set(data) != fields:
            raise KesalahanSoal(
                f"soal {soal}: varian '{name}' memuat data {sorted(data)}, varian lain {sorted(fields)}: samakan"
            )
    chosen = pilih_varian(soal, pilihan, peserta)
    return Varian(soal, chosen, tuple(sorted(pilihan)), pilihan[chosen])


def kunci_varian(soal: str, semua: tuple[str, ...] | None, varian: Any) -> dict[str, Any]:
    """The key of the running learner's variant, from the hidden test's ``varian={name: {key...}}``."""
    if semua is None:
        raise KesalahanSoal(f"soal {soal}: nilai(..., varian=...) hanya untuk soal yang dibuat dengan varian=")
    if not isinstance(varian, dict) or not all(isinstance(k, dict) for k in varian.values()):
        raise KesalahanSoal(f"soal {soal}: varian= di nilai() harus kamus nama varian -> kunci (kamus)")
    if set(varian) != set(semua):
        raise KesalahanSoal(f"soal {soal}: kunci varian {sorted(varian)} tidak sama dengan varian soal {sorted(semua)}")
    return dict(varian[pilih_varian(soal, varian)])
