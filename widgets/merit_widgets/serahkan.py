"""Handing a module in through nbgrader's exchange, as the Assignments tab's Submit does.

The Submit button of a module calls :func:`serahkan` in the learner's kernel. It uses
nbgrader's own ``ExchangeFactory(config).Submit(...)``, configured the way nbgrader's
assignment-list server extension configures it (the Jupyter config path, then the folders
holding the assignment), so whatever exchange the site configures (nbgrader's default
folder exchange today, Merit's exchange service later, through ``ExchangeFactory``)
receives the submission without a change here.

The assignment is the kernel's working directory: nbgrader fetches a module into
``<assignment>/`` (or ``<course>/<assignment>/`` with ``Exchange.path_includes_course``),
and JupyterLab and Voila start a notebook's kernel in the notebook's folder.
"""

from __future__ import annotations

import os
from contextlib import chdir
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class GagalKirim(Exception):
    """Handing in failed; the message is for the learner, in Indonesian."""


@dataclass(frozen=True)
class Kiriman:
    """What nbgrader's exchange received."""

    kursus: str
    modul: str
    waktu: str  # nbgrader's timestamp of the submission
    berkas: list[str]


def di_voila() -> bool:
    """True in a kernel Voila started (Voila puts ``SERVER_SOFTWARE=voila/<version>`` in its env)."""
    return os.environ.get("SERVER_SOFTWARE", "").startswith("voila/")


def _config(folder: Path) -> Any:
    """nbgrader's configuration as its assignment-list extension loads it, for ``folder``.

    nbgrader reads ``nbgrader_config.py`` from the Jupyter config path and from the working
    directory (its extension changes into the notebook root, then the assignment's base
    folder); the kernel does the same, for a moment, from the folders above the assignment.
    """
    from nbgrader.apps import NbGrader
    from traitlets.config import Config

    config = Config()
    for base in (folder.parent.parent, folder.parent):
        with chdir(base):
            app = NbGrader()
            app.load_config_file()
        config.merge(app.config)
    return config


def _reason(message: str, kursus: str) -> str:
    """nbgrader's English failure as a learner reads it."""
    if "Inbound directory doesn't exist" in message or "Assignment not found" in message:
        return f"kelas {kursus} belum dibuka untuk pengumpulan di server ini (folder pertukaran tidak ada)"
    if "do not have access" in message:
        return f"Anda belum terdaftar sebagai peserta kelas {kursus}"
    if "No course id" in message:
        return "kelas modul ini tidak diketahui (course_id nbgrader belum diatur)"
    if "permissions" in message:
        return "server menolak menulis ke folder pengumpulan"
    return message


def serahkan(folder: Path | None = None) -> Kiriman:
    """Submit the assignment folder ``folder`` (default: the working directory) to the trainer."""
    folder = (folder or Path.cwd()).resolve()
    try:
        from nbgrader.auth import Authenticator
        from nbgrader.coursedir import CourseDirectory
        from nbgrader.exchange import ExchangeError, ExchangeFactory
    except ImportError as exc:
        raise GagalKirim("nbgrader tidak terpasang di server ini, jadi jawaban tidak dapat dikirim dari sini") from exc
    config = _config(folder)
    by_course = bool(config.Exchange.get("path_includes_course", False))
    course = str(config.CourseDirectory.get("course_id", "")) or (folder.parent.name if by_course else "")
    config.CourseDirectory.course_id = course
    config.CourseDirectory.assignment_id = folder.name
    config.Exchange.assignment_dir = str(folder.parent.parent if by_course else folder.parent)
    try:
        coursedir = CourseDirectory(config=config)
        submit = ExchangeFactory(config=config).Submit(
            coursedir=coursedir, authenticator=Authenticator(config=config), config=config
        )
        submit.start()
    except ExchangeError as exc:
        raise GagalKirim(_reason(str(exc), course or "?")) from exc
    files = sorted(p.name for p in folder.iterdir() if p.suffix == ".ipynb")
    return Kiriman(course, folder.name, str(submit.timestamp), files)
