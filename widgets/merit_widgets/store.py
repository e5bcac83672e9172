"""Where a learner's answers live: small JSON files inside the assignment folder.

nbgrader grades by re-executing the notebook, so what a learner clicked must be somewhere
that re-execution reads back. Widget state saved in the notebook is not (execution starts
from a clean kernel, and Voila never saves the notebook at all). What does survive is a
file next to the notebook: nbgrader's ``submit`` and ``collect`` copy the whole assignment
folder, and ``autograde`` copies every non-notebook file of the submission into the folder
the grading kernel runs in. So each answer is written, at the moment it is given, to::

    <assignment folder>/.merit-jawaban/soal/<item id>.json
    <assignment folder>/.merit-jawaban/benih.json      (the learner's shuffle seed)
    <assignment folder>/.merit-jawaban/kiriman.json    (when the learner pressed Submit)

and an item constructed in any later kernel (after a restart, in Voila, during autograde)
reads its answer back from there. One file per item means two notebooks of the same folder,
open in two kernels, never overwrite each other's answers, and no locking is needed; each
write goes to a temporary file that replaces the old one, so a crash mid-write leaves the
previous answer intact. Only the kernel's working directory is read or written, which is all
that a sandboxed autograde lets learner code see.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FOLDER = ".merit-jawaban"
FORMAT = "merit-jawaban/1"


class BerkasRusak(Exception):
    """A stored answer that cannot be read (edited by hand, or a damaged disk)."""


def now() -> str:
    """The current time in UTC, to the second, as stored in answer files."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def identitas_peserta() -> str:
    """Who is answering: ``MERIT_PESERTA``, else the JupyterHub user, else the OS user."""
    for name in ("MERIT_PESERTA", "JUPYTERHUB_USER"):
        if os.environ.get(name):
            return os.environ[name]
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in a bare container
        return "peserta"


def _write_json(path: Path, content: dict[str, Any]) -> None:
    """Replace ``path`` with ``content`` in one step: readers see the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, prefix=".tmp-", delete=False)
    try:
        with handle:
            json.dump(content, handle, ensure_ascii=False, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def _read_json(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BerkasRusak(f"{path.name}: {exc}") from exc
    if not isinstance(content, dict) or content.get("format") != FORMAT:
        raise BerkasRusak(f"{path.name}: bukan berkas jawaban {FORMAT}")
    return content


@dataclass(frozen=True)
class Jawaban:
    """One stored answer."""

    soal: str
    jenis: str
    nilai: Any
    disimpan: str
    kompetensi: str | None = None


@dataclass(frozen=True)
class Penyimpanan:
    """The answers of one assignment folder (default: the kernel's working directory)."""

    folder: Path

    @classmethod
    def di(cls, folder: Path | str | None = None) -> Penyimpanan:
        return cls(Path(folder) if folder is not None else Path.cwd())

    @property
    def root(self) -> Path:
        return self.folder / FOLDER

    def _answer_path(self, soal: str) -> Path:
        return self.root / "soal" / f"{soal}.json"

    def baca(self, soal: str) -> Jawaban | None:
        """The stored answer to item ``soal``, None if it was never answered.

        Raises :class:`BerkasRusak` if the file exists but cannot be read.
        """
        content = _read_json(self._answer_path(soal))
        if content is None:
            return None
        try:
            return Jawaban(
                content["soal"], content["jenis"], content["jawaban"], content["disimpan"], content.get("kompetensi")
            )
        except KeyError as exc:
            raise BerkasRusak(f"{soal}.json: kolom {exc} tidak ada") from exc

    def simpan(self, soal: str, jenis: str, nilai: Any, kompetensi: str | None = None) -> Jawaban:
        """Store the answer to ``soal``; the shuffle seed is fixed on the first answer."""
        self.benih(tetapkan=True)
        answer = Jawaban(soal, jenis, nilai, now(), kompetensi)
        _write_json(
            self._answer_path(soal),
            {
                "format": FORMAT,
                "soal": soal,
                "jenis": jenis,
                "kompetensi": kompetensi,
                "jawaban": nilai,
                "disimpan": answer.disimpan,
            },
        )
        return answer

    def semua(self) -> dict[str, Jawaban]:
        """Every readable stored answer, by item id (for reports and the Submit button)."""
        answers: dict[str, Jawaban] = {}
        for path in sorted((self.root / "soal").glob("*.json")):
            try:
                answer = self.baca(path.stem)
            except BerkasRusak:
                continue
            if answer is not None:
                answers[path.stem] = answer
        return answers

    def benih(self, tetapkan: bool = False) -> str:
        """The learner's shuffle seed: stored if there is one, else derived from who they are.

        Stored on the first answer so that the order stays the learner's own wherever the
        notebook is opened later (a trainer reviewing it, autograde). Only a hash of the
        learner's identity is stored, never the user name itself.
        """
        path = self.root / "benih.json"
        try:
            content = _read_json(path)
        except BerkasRusak:
            content = None
        if content and isinstance(content.get("benih"), str):
            return content["benih"]
        seed = hashlib.sha256(f"merit:{identitas_peserta()}".encode()).hexdigest()[:16]
        if tetapkan:
            _write_json(path, {"format": FORMAT, "benih": seed, "disimpan": now()})
        return seed

    def kirim(self, dijawab: list[str], belum: list[str], *, terkirim: bool, waktu_kirim: str) -> str:
        """Record a press of Submit: which items were answered, and whether nbgrader took it; returns the time."""
        when = now()
        _write_json(
            self.root / "kiriman.json",
            {
                "format": FORMAT,
                "dikirim": when,
                "terkirim": terkirim,
                "waktu_nbgrader": waktu_kirim if terkirim else None,
                "dijawab": dijawab,
                "belum_dijawab": belum,
            },
        )
        return when
