"""Run nbval on a course's source notebooks, as CI and a trainer would, and locate failures.

nbval executes every code cell of the *solution* version top to bottom in a fresh kernel
and fails on any error (``--nbval-lax``: outputs are not compared, since they hold
timestamps, random order and widget ids). It runs in a subprocess on a copy of the
module folders, so the project's own pytest settings do not apply and the run cannot
leave answer files behind in the course.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import nbformat

from merit.catalog import Course
from merit.errors import Problem

_CELL = re.compile(r"Cell (\d+)$")
CELL_TIMEOUT = 300


def _code_cell_index(notebook: nbformat.NotebookNode, code_number: int) -> int:
    """nbval counts code cells only; messages count every cell, as the notebook shows them."""
    code = [i for i, cell in enumerate(notebook.cells) if cell.cell_type == "code"]
    return code[code_number] if code_number < len(code) else -1


def _first_line(failure: ET.Element) -> str:
    """The exception line of nbval's report, e.g. ``NameError: name 'x' is not defined``."""
    text = (failure.get("message") or "") + "\n" + (failure.text or "")
    text = re.sub(r"(?:\x1b|#x1B)\[[0-9;]*m", "", text)  # colours; junit writes ESC as #x1B
    found = re.findall(r"^([A-Za-z_][\w.]*: .+)$", text, re.M)
    return found[-1].strip() if found else (text.strip().splitlines() or ["gagal"])[0][:200]


def check_with_nbval(course: Course, workspace: Path) -> list[Problem]:
    """Problems (file, cell, reason) from running nbval on every notebook of the course."""
    folder = workspace / f"{course.id}-nbval"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(course.source_dir, folder)
    (folder / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    report = folder / "nbval.xml"
    notebooks = [f"{m.id}/{name}" for m in course.spec.modules for name in m.notebooks]
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-c",
        str(folder / "pytest.ini"),
        "--rootdir",
        str(folder),
        "-p",
        "no:cacheprovider",
        "-q",
        "--nbval-lax",
        "--nbval-current-env",
        f"--nbval-cell-timeout={CELL_TIMEOUT}",
        f"--junitxml={report}",
        *notebooks,
    ]
    completed = subprocess.run(command, cwd=folder, capture_output=True, text=True)
    if not report.is_file():
        tail = (completed.stdout + completed.stderr).strip().splitlines()[-3:]
        return [Problem(f"courses/{course.id}/source", f"nbval tidak dapat dijalankan: {' '.join(tail)}")]
    problems: list[Problem] = []
    for case in ET.parse(report).iter("testcase"):
        failure = case.find("failure")
        if failure is None:
            failure = case.find("error")
        if failure is None:
            continue
        match = _CELL.search(case.get("name", ""))
        module_notebook = case.get("classname", "").replace(".ipynb", "").replace(".", "/") + ".ipynb"
        shown = f"courses/{course.id}/source/{module_notebook}"
        where = shown
        if match and (course.source_dir / module_notebook).is_file():
            notebook = nbformat.read(course.source_dir / module_notebook, as_version=4)
            index = _code_cell_index(notebook, int(match.group(1)))
            grade_id = notebook.cells[index].metadata.get("nbgrader", {}).get("grade_id") if index >= 0 else None
            where = f"{shown}, sel ke-{index + 1}" + (f" ({grade_id})" if grade_id else "")
        problems.append(Problem(where, f"nbval: sel solusi gagal dijalankan: {_first_line(failure)}"))
    if completed.returncode not in (0, 1) and not problems:
        problems.append(Problem(f"courses/{course.id}/source", f"nbval gagal (kode {completed.returncode})"))
    return problems
