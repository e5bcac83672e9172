"""Hostile submissions: each gets a recorded result with a reason; nobody else is touched.

One batch holds three honest learners and one learner per attack. The attacks sit at
the top of the answer cell of Latihan 4 (``jawab_tahapan``), above a correct answer, so an
attack that is merely stopped costs the learner that item's 2 points and no more.
"""

from __future__ import annotations

import socket
import sqlite3
from pathlib import Path

import nbformat
import pytest

from merit.content import load_content
from merit.demo.submissions import COHORT_START, load_answer_book, write_submission
from merit.grading.coursedir import build_course
from merit.grading.engine import GradingRun, grade_assignment
from merit.grading.sandbox import Limits, Sandbox
from merit.settings import Settings
from tests.grading_support import MODULE, gradebook_dump

FULL = 14.0  # the six autograded items of the module: 2 + 3 + 3 + 2 + 2 + 2
HONEST = ("jujur-1", "jujur-2", "jujur-3")


def _attacks(built_root: Path, port: int) -> dict[str, str]:
    gradebook = built_root / "gradebook.db"
    source = built_root / "source" / MODULE / "prinsip_tata_kelola.ipynb"
    other = built_root / "submitted" / "jujur-1" / MODULE
    return {
        "loop": "while True:\n    pass",
        "loop-tahan-interupsi": "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass",
        "bom-memori": "data = bytearray(3 * 1024**3)",
        "bom-fork": "import os\nwhile True:\n    os.fork()",
        "baca-gradebook": f"print(open({str(gradebook)!r}, 'rb').read(16))",
        "baca-tes-tersembunyi": f"print(open({str(source)!r}).read())",
        "hapus-gradebook": f"import os\nos.remove({str(gradebook)!r})",
        "tulis-gradebook": f"open({str(gradebook)!r}, 'wb').write(b'rusak')",
        "jaringan": f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=2)",
        "keluaran-50mb": "print('x' * 50_000_000)",
        "sys-exit": "import sys\nsys.exit(3)",
        "os-exit": "import os\nos._exit(1)",
        "bunuh-kernel": "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)",
        "bunuh-semua": "import os, signal\nos.kill(-1, signal.SIGKILL)",
        "tulis-folder-lain": f"open({str(other / 'titipan.txt')!r}, 'w').write('dari peserta lain')",
    }


def _write(built, book, student: str, edit=None) -> Path:
    folder = write_submission(built, MODULE, book, student, dict.fromkeys(book.cells, "right"), COHORT_START)
    path = folder / book.notebook
    if edit:
        nb = nbformat.read(path, as_version=4)
        edit(nb)
        nbformat.write(nb, path)
    return path


def _prepend(code: str):
    def edit(nb):
        cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "jawab_tahapan")
        cell.source = code + "\n" + cell.source

    return edit


def _edit_test_cell(nb) -> None:
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "uji_jpm")
    cell.source = "pass  # tes dikosongkan peserta"


def _delete_test_cell(nb) -> None:
    nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "uji_tahapan"]


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[GradingRun, object, bytes, int]:
    data = tmp_path_factory.mktemp("hostile")
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv("MERIT_DATA_DIR", str(data / "data"))
    monkeypatch.setenv("MERIT_ROOT", str(Path(__file__).resolve().parents[1]))
    settings = Settings()
    built = build_course(load_content(settings).courses["tata-kelola"], settings.workspace_dir)
    book = load_answer_book(built.course, MODULE)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    port = listener.getsockname()[1]
    for student in HONEST:
        _write(built, book, student)
    for student, code in _attacks(built.root, port).items():
        _write(built, book, student, _prepend(code))
    _write(built, book, "ubah-sel-tes", _edit_test_cell)
    _write(built, book, "hapus-sel-tes", _delete_test_cell)
    broken = _write(built, book, "json-rusak")
    broken.write_text('{"cells": [ ini bukan JSON')
    link = _write(built, book, "symlink").parent / "data.csv"
    link.symlink_to(built.root / "gradebook.db")
    gradebook_before = (built.root / "gradebook.db").read_bytes()[:16]

    limits = Limits(cell_timeout=3, wall_seconds=15, memory_bytes=1024**3, processes=48, output_bytes=1024**2)
    run = grade_assignment(built, MODULE, Sandbox.detect(limits), workers=2, force=True)
    try:
        listener.accept()
        connections = 1
    except TimeoutError:
        connections = 0
    listener.close()
    monkeypatch.undo()
    return run, built, gradebook_before, connections


def _result(run: GradingRun, student: str):
    return next(r for r in run.results if r.student == student)


def _total(run: GradingRun, student: str) -> float:
    result = _result(run, student)
    return sum(s or 0 for nb in result.notebooks for s in nb.scores.values())


def test_batch_finishes_and_honest_learners_keep_full_marks(hostile_run) -> None:
    run, built, _, _ = hostile_run
    assert len(run.results) == len(HONEST) + 15 + 4
    for student in HONEST:
        assert _result(run, student).ok
        assert _total(run, student) == FULL
    dump = gradebook_dump(built, MODULE)
    for student in HONEST:
        assert dump[(student, "prinsip_tata_kelola", "grade:uji_skenario")][0] == 2.0


@pytest.mark.parametrize(
    "student",
    ["loop", "bom-memori", "bom-fork", "baca-gradebook", "baca-tes-tersembunyi", "hapus-gradebook",
     "tulis-gradebook", "jaringan", "sys-exit", "tulis-folder-lain"],
)  # fmt: skip
def test_stopped_attack_costs_only_its_item(hostile_run, student: str) -> None:
    run, _, _, _ = hostile_run
    result = _result(run, student)
    assert result.ok, result.error
    assert result.notebooks[0].scores["uji_tahapan"] == 0
    assert _total(run, student) == FULL - 2


def test_timeout_and_memory_are_named_in_the_notes(hostile_run) -> None:
    run, _, _, _ = hostile_run
    assert any("CellTimeoutError" in c for c in _result(run, "loop").notebooks[0].changes)
    assert any("MemoryError" in c for c in _result(run, "bom-memori").notebooks[0].changes)


@pytest.mark.parametrize(
    ("student", "reason"),
    [
        ("loop-tahan-interupsi", "tidak merespons setelah batas waktu sel 3 detik"),
        ("os-exit", "kernel berhenti"),
        ("bunuh-kernel", "kernel berhenti"),
        ("bunuh-semua", "sandbox berhenti"),
        ("json-rusak", "bukan JSON yang sah"),
    ],
)
def test_fatal_attack_fails_with_reason(hostile_run, student: str, reason: str) -> None:
    run, built, _, _ = hostile_run
    result = _result(run, student)
    assert not result.ok
    assert reason in result.error
    assert not (built.root / "autograded" / student / MODULE).exists()


def test_nothing_outside_the_sandbox_was_read_or_changed(hostile_run) -> None:
    run, built, gradebook_before, connections = hostile_run
    assert (built.root / "gradebook.db").read_bytes()[:16] == gradebook_before == b"SQLite format 3\x00"
    sqlite3.connect(built.root / "gradebook.db").execute("select count(*) from grade").fetchone()
    assert connections == 0
    assert not (built.root / "submitted" / "jujur-1" / MODULE / "titipan.txt").exists()
    # Autograded notebooks hold the hidden tests by design (nbgrader restores them);
    # what must never appear is the gradebook's content or the source notebook's
    # solution markers, which only a read of those files could bring in.
    leaked = [
        path
        for path in (built.root / "autograded").rglob("*.ipynb")
        if "SQLite format 3" in path.read_text() or "BEGIN SOLUTION" in path.read_text()
    ]
    assert leaked == []
    for student in (
        "baca-gradebook",
        "baca-tes-tersembunyi",
        "hapus-gradebook",
        "tulis-gradebook",
        "tulis-folder-lain",
    ):
        graded = built.root / "autograded" / student / MODULE / "prinsip_tata_kelola.ipynb"
        assert "FileNotFoundError" in graded.read_text(), student


def test_output_flood_is_cut(hostile_run) -> None:
    run, built, _, _ = hostile_run
    result = _result(run, "keluaran-50mb")
    assert result.ok
    assert any("keluaran dipotong" in c for c in result.notebooks[0].changes)
    graded = built.root / "autograded" / "keluaran-50mb" / MODULE / "prinsip_tata_kelola.ipynb"
    assert graded.stat().st_size < 2 * 1024**2


def test_edited_and_deleted_test_cells_are_restored(hostile_run) -> None:
    run, _, _, _ = hostile_run
    edited, deleted = _result(run, "ubah-sel-tes"), _result(run, "hapus-sel-tes")
    assert edited.ok and deleted.ok
    assert _total(run, "ubah-sel-tes") == FULL  # the real test ran (and passed) instead of `pass`
    assert deleted.notebooks[0].scores["uji_tahapan"] == 2.0
    assert any("uji_jpm" in c for c in edited.notebooks[0].changes)
    assert any("uji_tahapan" in c for c in deleted.notebooks[0].changes)


def test_symlink_out_of_the_submission_is_refused(hostile_run) -> None:
    run, built, _, _ = hostile_run
    result = _result(run, "symlink")
    assert result.ok
    assert any("tautan simbolik" in note for note in result.notes)
    assert not (built.root / "autograded" / "symlink" / MODULE / "data.csv").exists()
