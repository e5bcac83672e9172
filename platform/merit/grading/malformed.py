"""Read a submitted notebook, or say in Indonesian what is wrong with it and where.

Stock nbgrader stops a whole submission with a Python error (``KeyError: 'grade_id'``,
``UnicodeEncodeError``) when a notebook is not what it released: bytes that are not UTF-8,
text that is not JSON, another nbformat version, a lone surrogate, two cells with one
``grade_id`` (JupyterLab copies a cell's metadata with the cell), or grading metadata on a
cell that is not in the source. :func:`read_notebook` checks these before anything runs;
the grader then gives that notebook zero and records the reason, naming the notebook and
the cell, and grades the learner's other notebooks and the other learners as usual.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import nbformat
from nbformat import NotebookNode

from merit.grading.snapshot import NotebookSnapshot


class MalformedNotebook(ValueError):
    """A notebook the grader cannot grade as released; the message is for the learner."""


def read_notebook(filename: str, data: bytes, released: NotebookSnapshot) -> NotebookNode:
    """The notebook in ``data``, normalised as nbconvert would, or :class:`MalformedNotebook`."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise MalformedNotebook(
            f"{filename}: berkas bukan teks UTF-8 yang sah (bita ke-{error.start + 1}, baris {line}); "
            "simpan ulang notebook dari JupyterLab lalu kirim lagi"
        ) from error
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise MalformedNotebook(
            f"{filename}: berkas bukan JSON yang sah (rusak di baris {error.lineno}, kolom {error.colno}); "
            "notebook mungkin terpotong atau diubah di luar JupyterLab"
        ) from error
    if not isinstance(raw, dict) or not isinstance(raw.get("cells"), list):
        raise MalformedNotebook(f"{filename}: bukan notebook Jupyter (tidak ada daftar sel)")
    version = raw.get("nbformat")
    if version != 4 or not isinstance(raw.get("nbformat_minor"), int):
        raise MalformedNotebook(
            f"{filename}: versi format notebook {version!r} tidak didukung (harus nbformat 4, seperti soal)"
        )
    for index, cell in enumerate(raw["cells"]):
        if not isinstance(cell, dict):
            raise MalformedNotebook(f"{filename}: {_cell_name(index, None)} bukan sel notebook")
        bad = _surrogate(cell)
        if bad is not None:
            raise MalformedNotebook(
                f"{filename}: {_cell_name(index, cell)} berisi karakter yang tidak sah "
                f"(U+{ord(bad):04X}, separuh pasangan surrogate); hapus karakter itu lalu kirim lagi"
            )
    if _surrogate(raw.get("metadata")) is not None:
        raise MalformedNotebook(f"{filename}: metadata notebook berisi karakter yang tidak sah (surrogate)")
    _check_grading_metadata(filename, raw["cells"], released)
    nb = nbformat.v4.nbjson.JSONReader().to_notebook(raw)  # what nbformat.reads makes of the text
    _, normalized = nbformat.validator.normalize(nb)  # as nbconvert does before its steps
    return nbformat.from_dict(normalized)


def invalid_reason(filename: str, error: nbformat.ValidationError, nb: NotebookNode) -> str:
    """nbformat's validation error, in Indonesian, naming the cell where it points at one."""
    path = list(getattr(error, "absolute_path", []))
    where = ""
    if path[:1] == ["cells"] and len(path) > 1 and isinstance(path[1], int) and path[1] < len(nb.cells):
        where = _cell_name(path[1], nb.cells[path[1]]) + ": "
    message = str(getattr(error, "message", error)).splitlines()[0][:160]
    return f"{filename}: {where}tidak sesuai format notebook ({message})"


def _check_grading_metadata(filename: str, cells: list[dict[str, Any]], released: NotebookSnapshot) -> None:
    """Every cell that claims to be graded, an answer, a task or locked must be a released
    cell, once; a cell the learner copied or made up would otherwise stop nbgrader."""
    known = {cell.name for cell in released.source_cells}
    seen: dict[str, list[int]] = defaultdict(list)
    for index, cell in enumerate(cells):
        meta = cell.get("metadata", {}).get("nbgrader") if isinstance(cell.get("metadata"), dict) else None
        if not isinstance(meta, dict):
            continue
        claims = any(meta.get(flag) for flag in ("grade", "solution", "task", "locked"))
        grade_id = meta.get("grade_id")
        if grade_id is None or not isinstance(grade_id, str):
            if claims:
                raise MalformedNotebook(
                    f"{filename}: {_cell_name(index, cell)} bertanda sel penilaian tetapi tanpa grade_id "
                    "(metadata sel diubah)"
                )
            continue
        if grade_id not in known:
            if claims:
                raise MalformedNotebook(
                    f"{filename}: {_cell_name(index, cell)} bertanda sel penilaian {grade_id!r} "
                    "yang tidak ada dalam soal (metadata sel dibuat atau diubah peserta)"
                )
            continue
        seen[grade_id].append(index)
    for grade_id, indexes in seen.items():
        if len(indexes) > 1:
            where = ", ".join(f"ke-{i + 1}" for i in indexes)
            raise MalformedNotebook(
                f"{filename}: sel {where} memakai grade_id {grade_id!r} yang sama (sel disalin beserta "
                "metadatanya); hapus salinannya, sisakan satu, lalu kirim lagi"
            )


def _cell_name(index: int, cell: dict[str, Any] | None) -> str:
    meta = cell.get("metadata") if isinstance(cell, dict) else None
    grade_id = meta.get("nbgrader", {}).get("grade_id") if isinstance(meta, dict) else None
    if isinstance(meta, dict) and isinstance(meta.get("nbgrader"), dict) and isinstance(grade_id, str):
        return f"sel ke-{index + 1} ({grade_id[:60]})"
    return f"sel ke-{index + 1}"


def _surrogate(value: object) -> str | None:
    """The first lone surrogate in any string inside ``value``: JSON allows ``"\\ud800"``,
    UTF-8 cannot encode it, so the kernel could never be sent that text."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError as error:
                return item[error.start]
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None
