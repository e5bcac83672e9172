"""What every question item shares: its id, where its answer is stored, and how it shows.

An item is an ipywidgets ``VBox``: question, controls, and a status line that says whether
the answer is saved. Subclasses build the controls (:meth:`Soal._kontrol`) and say how an
answer is scored (:meth:`Soal.skor`); this class stores every answer the moment it is
given and reads it back when the item is constructed again (see :mod:`merit_widgets.store`).

Besides the live widget, displaying an item also prints a static summary of the question
and the stored answer. Where the widgets render (JupyterLab, Voila) the item's stylesheet
hides that summary; where they cannot (nbgrader's formgrader and feedback pages, a
notebook reopened without a kernel) the summary is what a trainer or learner reads, which
is how a trainer sees a written answer when grading it by hand.
"""

from __future__ import annotations

import html
import random
import re
from pathlib import Path
from typing import Any, ClassVar

import ipywidgets as widgets
from IPython.display import HTML, DisplayHandle, display

from merit_widgets.labels import pilih_bahasa, teks, waktu
from merit_widgets.store import BerkasRusak, Jawaban, Penyimpanan

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")

# Long option texts wrap instead of being cut off; items fill a narrow screen; the static
# summary is hidden wherever this stylesheet (part of the live widget) is rendered.
STYLE = """<style>
.merit-ringkasan { display: none !important; }
.merit-soal { box-sizing: border-box; padding: 0.25rem 0; }
.merit-soal .widget-radio-box label,
.merit-soal .widget-checkbox .widget-label-basic,
.merit-soal .widget-checkbox .widget-label-basic span,
.merit-soal .widget-html-content { white-space: normal; overflow: visible; text-overflow: clip;
  height: auto; line-height: 1.4; }
.merit-soal .widget-radio-box label { display: flex; flex-direction: row-reverse; justify-content: flex-end;
  align-items: baseline; gap: 0.5rem; margin-bottom: 0.4rem; padding-left: 0; }
.merit-soal .widget-radio-box input, .merit-soal .widget-checkbox input { flex: none; position: static; margin: 0; }
.merit-soal .widget-checkbox .widget-label-basic { display: flex; align-items: baseline; gap: 0.5rem; }
.merit-soal .widget-checkbox, .merit-soal .widget-checkbox .widget-label-basic { width: 100%; height: auto; }
.merit-soal :focus-visible { outline: 2px solid #1a5fb4; outline-offset: 2px; }
.merit-status-gagal { color: #a51d2d; font-weight: bold; }
</style>"""

# Items constructed in this kernel, by id: the Submit button checks each of them.
TERBUKA: dict[str, Soal] = {}


def murni(value: Any) -> bool:
    """True for JSON data made of exact builtin types only (what an answer file holds)."""
    if type(value) in (str, int, float, bool, type(None)):
        return True
    if type(value) is list:
        return all(murni(x) for x in value)
    if type(value) is dict:
        return all(type(k) is str and murni(v) for k, v in value.items())
    return False


class KesalahanSoal(ValueError):
    """An authoring mistake in an item or its answer key, reported in Indonesian."""


def lebar_penuh(**extra: str) -> widgets.Layout:
    """Full width, but no wider than a comfortable reading line."""
    return widgets.Layout(width="100%", max_width="48rem", **extra)


class Soal(widgets.VBox):
    """Base class of the question items; not used directly in notebooks."""

    jenis: ClassVar[str]
    # Counted by the Submit button and reported by nbgrader's Validate when unanswered.
    dinilai: ClassVar[bool] = True

    def __init__(
        self,
        id: str,
        pertanyaan: str,
        *,
        sebutan: str | None = None,
        kompetensi: str | None = None,
        bahasa: str | None = None,
        folder: Path | str | None = None,
        varian: Any = None,
    ) -> None:
        if not isinstance(id, str) or not ID_PATTERN.match(id):
            raise KesalahanSoal(
                f"id soal {id!r} tidak sah: pakai huruf kecil, angka, '_' atau '-' (paling banyak 64 karakter)"
            )
        if varian is not None and getattr(varian, "soal", None) != id:
            raise KesalahanSoal(f'soal {id}: varian= harus varian("{id}", ...) dari soal ini sendiri')
        # The names of the item's variants (merit_widgets.varian); the learner's own is recomputed when scored.
        self.semua_varian: tuple[str, ...] | None = tuple(varian.semua) if varian is not None else None
        if not isinstance(pertanyaan, str) or not pertanyaan.strip():
            raise KesalahanSoal(f"soal {id}: teks pertanyaan kosong")
        super().__init__(layout=lebar_penuh())
        self.add_class("merit-soal")
        self.id = id
        # How the module names the item ("Soal 4"), for messages that list unanswered items.
        self.sebutan = sebutan or f"{teks(pilih_bahasa(bahasa), 'soal')} {id}"
        self.pertanyaan = pertanyaan
        self.kompetensi = kompetensi
        self.bahasa = pilih_bahasa(bahasa)
        self._store = Penyimpanan.di(folder)
        self._status = widgets.HTML(layout=lebar_penuh())
        self._summaries: list[DisplayHandle] = []
        self._nilai: Any = None
        stored = self._muat()
        controls = self._kontrol(stored.nilai if stored else None)
        self.children = [
            widgets.HTML(STYLE),
            widgets.HTML(f"<div><b>{pertanyaan}</b></div>", layout=lebar_penuh()),
            widgets.HTML(f"<div><i>{self._petunjuk()}</i></div>", layout=lebar_penuh()),
            *controls,
            self._status,
        ]
        TERBUKA[id] = self

    # -- what subclasses provide -------------------------------------------------------

    def _petunjuk(self) -> str:
        """One line telling the learner how to answer."""
        raise NotImplementedError

    def _kontrol(self, nilai: Any) -> list[widgets.Widget]:
        """Build the controls showing the stored answer ``nilai`` (None if unanswered)."""
        raise NotImplementedError

    def _tampil(self, nilai: Any) -> str:
        """An answer as text for the static summary (HTML-escaped by the caller)."""
        return str(nilai)

    # Each item type takes its own keyword-only key (kunci=, bobot=, ...); a base signature of
    # (*args: Any, **kunci: Any) is what lets type checkers accept those narrower overrides.
    def skor(self, *args: Any, **kunci: Any) -> float:
        """The stored answer's score as a fraction 0..1, given the answer key."""
        raise KesalahanSoal(f"soal {self.id} ({self.jenis}) tidak dinilai otomatis")

    @classmethod
    def jawaban_kunci(cls, *args: Any, **kunci: Any) -> Any:
        """The stored answer that earns full points against this key.

        ``merit course validate`` writes it into a submission to check that the trainer's
        key and options agree (a key that is not one of the options would otherwise show up
        only as every learner scoring 0).
        """
        raise KesalahanSoal(f"soal {cls.__name__} tidak dinilai otomatis")

    # -- storing and reading back ------------------------------------------------------

    def _muat(self) -> Jawaban | None:
        try:
            stored = self._store.baca(self.id)
        except BerkasRusak as exc:
            self._lapor(teks(self.bahasa, "berkas_rusak", alasan=exc), gagal=True)
            return None
        if stored is None:
            self._lapor(teks(self.bahasa, "belum_dijawab"))
        else:
            self._nilai = stored.nilai
            self._lapor_tersimpan(stored)
        return stored

    def _catat(self, nilai: Any, catatan: str = "") -> None:
        """Store ``nilai`` as the learner's answer now; say so (after ``catatan``), or say why it failed."""
        self._nilai = nilai
        try:
            stored = self._store.simpan(self.id, self.jenis, nilai, self.kompetensi)
        except OSError as exc:
            self._lapor(teks(self.bahasa, "gagal_simpan", alasan=exc.strerror or exc), gagal=True)
            return
        self._lapor_tersimpan(stored, catatan)
        for handle in self._summaries:
            handle.update(HTML(self._ringkasan()))

    def _lapor_tersimpan(self, stored: Jawaban, catatan: str = "") -> None:
        saved = teks(self.bahasa, "tersimpan", waktu=waktu(stored.disimpan))
        self._lapor(f"{catatan} {saved}".strip())

    def _lapor(self, pesan: str, gagal: bool = False) -> None:
        css = "merit-status-gagal" if gagal else "merit-status"
        self._status.value = f'<div class="{css}" role="status">{html.escape(pesan)}</div>'

    @property
    def jawaban(self) -> Any:
        """The learner's current answer (None if not answered)."""
        return self._nilai

    def tersimpan(self) -> Any:
        """The answer as stored on disk: what grading scores. A damaged file counts as none."""
        try:
            stored = self._store.baca(self.id)
        except BerkasRusak:
            return None
        return stored.nilai if stored else None

    def _dinilai(self) -> Any:
        """The stored answer as scoring sees it, or None.

        Read by this class's own method, so a learner's cell that replaces the item's
        ``tersimpan`` changes nothing, and only if it is plain JSON data of exact builtin
        types: an object of a subclass whose ``__eq__`` claims a match scores nothing.
        """
        value = Soal.tersimpan(self)
        return value if murni(value) else None

    def pastikan_tersimpan(self) -> bool:
        """Write the shown answer again if the disk does not hold it; True if answered."""
        if self._nilai is None:
            return False
        if self.tersimpan() != self._nilai:
            self._catat(self._nilai)
        return True

    # -- display -----------------------------------------------------------------------

    def _ringkasan(self) -> str:
        shown = teks(self.bahasa, "tidak_ada") if self._nilai is None else self._tampil(self._nilai)
        return (
            '<div class="merit-ringkasan">'
            f"<p><b>{html.escape(self.sebutan)}:</b> {self.pertanyaan}</p>"
            f"<p><b>{teks(self.bahasa, 'jawaban')}:</b></p>"
            f'<blockquote style="white-space: pre-wrap">{html.escape(shown)}</blockquote></div>'
        )

    def _ipython_display_(self) -> None:
        display(self._repr_mimebundle_(), raw=True)
        handle = display(HTML(self._ringkasan()), display_id=True)
        if handle is not None:
            self._summaries.append(handle)


class SoalPilihan(Soal):
    """An item whose options are a dict ``{key: text}``, shown in the learner's own order.

    The key is what is stored and scored, never the option's position, so the shuffle
    cannot change a score.
    """

    def __init__(
        self,
        id: str,
        pertanyaan: str,
        pilihan: dict[str, str],
        *,
        acak: bool = True,
        **lain: Any,
    ) -> None:
        if not isinstance(pilihan, dict) or len(pilihan) < 2:
            raise KesalahanSoal(f"soal {id}: pilihan harus kamus kunci -> teks dengan paling sedikit dua pilihan")
        for key, text in pilihan.items():
            if not isinstance(key, str) or not ID_PATTERN.match(key):
                raise KesalahanSoal(f"soal {id}: kunci pilihan {key!r} tidak sah (huruf kecil, angka, '_' atau '-')")
            if not isinstance(text, str) or not text.strip():
                raise KesalahanSoal(f"soal {id}: teks pilihan '{key}' kosong")
        self.pilihan = dict(pilihan)
        self._acak = acak
        super().__init__(id, pertanyaan, **lain)

    def _urutan_pilihan(self) -> list[str]:
        """The option keys in this learner's own stable order (as written if ``acak=False``)."""
        keys = list(self.pilihan)
        if self._acak:
            random.Random(f"{self._store.benih()}/{self.id}").shuffle(keys)
        return keys
