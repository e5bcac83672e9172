"""Folders travel between a learner's server and the exchange as gzipped tar archives.

Both ends use these functions: the client packs what it sends and unpacks what it
receives, the service checks every upload before storing it. Both take regular files with
plain relative names only, so an archive cannot write outside its target folder, create
device files or links pointing out of it.
"""

from __future__ import annotations

import io
import tarfile
from collections.abc import Callable, Iterator
from pathlib import Path

import nbformat

from merit.errors import MeritError

MEBIBYTE = 1024 * 1024


class RejectedUpload(MeritError):
    """An upload the exchange refuses; the message is shown to the learner or trainer."""


class TooLarge(RejectedUpload):
    """An upload above the exchange's size limit."""


def pack(folder: Path, skip: Callable[[Path], bool] = lambda _path: False) -> bytes:
    """A gzipped tar of the files under ``folder`` (paths relative to it), minus ``skip``."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder)
            if path.is_file() and not path.is_symlink() and not skip(relative):
                archive.add(path, arcname=relative.as_posix(), recursive=False)
    return buffer.getvalue()


def plain_files(archive: tarfile.TarFile) -> Iterator[tarfile.TarInfo]:
    """The archive's files (folders skipped); anything but a regular file with a plain relative
    name refuses the whole archive."""
    for member in archive:
        if member.isdir():
            continue
        if not member.isfile() or member.name.startswith("/") or ".." in Path(member.name).parts:
            raise RejectedUpload(
                f"Berkas {member.name!r} dalam kiriman tidak diizinkan (hanya berkas biasa di dalam folder tugas)."
            )
        yield member


def content(archive: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    extracted = archive.extractfile(member)
    return extracted.read() if extracted else b""


def unpack(data: bytes, folder: Path) -> None:
    """Extract an archive made by :func:`pack` into ``folder`` (created if missing).

    Written out member by member rather than with tarfile's ``data`` filter: learners' servers
    may run Debian 12's Python 3.11.2, older than the filters (3.11.4).
    """
    folder.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for member in plain_files(archive):
            target = folder / member.name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content(archive, member))


def read_members(data: bytes, limit: int) -> dict[str, bytes]:
    """Every regular file in an uploaded archive, refusing anything the exchange should not store.

    ``limit`` bounds the upload both packed and unpacked (a small archive can expand to
    gigabytes). Names must be plain relative paths.
    """
    if len(data) > limit:
        raise TooLarge(f"Kiriman terlalu besar: {len(data) / MEBIBYTE:.1f} MiB, batasnya {limit / MEBIBYTE:.1f} MiB.")
    try:
        archive = tarfile.open(fileobj=io.BytesIO(data), mode="r:gz")
    except (tarfile.TarError, OSError, EOFError):
        raise RejectedUpload("Kiriman bukan arsip tugas yang dapat dibaca.") from None
    files: dict[str, bytes] = {}
    total = 0
    with archive:
        for member in plain_files(archive):
            total += member.size
            if total > limit:
                raise TooLarge(f"Kiriman terlalu besar setelah dibuka: lebih dari {limit / MEBIBYTE:.1f} MiB.")
            files[member.name] = content(archive, member)
    return files


def check_notebooks(files: dict[str, bytes]) -> list[str]:
    """The notebook names in ``files``; refuses an upload with none or with a broken one."""
    notebooks = sorted(name for name in files if name.endswith(".ipynb"))
    if not notebooks:
        raise RejectedUpload("Kiriman tidak berisi notebook (.ipynb).")
    for name in notebooks:
        try:
            nbformat.validate(nbformat.reads(files[name].decode("utf-8"), as_version=4))
        except Exception as exc:  # nbformat raises JSON, Unicode and validation errors alike
            reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
            raise RejectedUpload(f"Berkas {name} bukan notebook Jupyter yang sah: {reason}") from None
    return notebooks
