"""Hostile submissions: each gets a recorded result with a reason; nobody else is touched.

One batch holds three honest learners and one learner per attack. The attacks sit at
the top of the answer cell of Latihan 4 (``jawab_tahapan``), above a correct answer, so an
attack that is merely stopped costs the learner that item's 2 points and no more.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import threading
import time
from dataclasses import replace
from pathlib import Path

import nbformat
import pytest

from merit.content import load_content
from merit.demo.submissions import COHORT_START, AnswerBook, load_answer_book, write_submission
from merit.grading import cgroups
from merit.grading.coursedir import BuiltCourse, build_course
from merit.grading.engine import GradingRun, _jobs, grade_assignment, grading_config
from merit.grading.job import grade_submission
from merit.grading.sandbox import IPC_BYTES, Limits, Sandbox
from merit.grading.slots import close_slots, thread_slot
from merit.grading.snapshot import GradebookSnapshot
from merit.settings import Settings
from tests.grading_support import MODULE, governance_course, gradebook_dump

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


def _course_in(data: Path) -> tuple[pytest.MonkeyPatch, BuiltCourse, AnswerBook]:
    """tata-kelola built in a data folder of its own; the patch keeps MERIT_* pointing there
    until the module fixture grading in it undoes it."""
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv("MERIT_DATA_DIR", str(data / "data"))
    monkeypatch.setenv("MERIT_ROOT", str(Path(__file__).resolve().parents[1]))
    settings = Settings()
    built = build_course(load_content(settings).courses["tata-kelola"], settings.workspace_dir)
    return monkeypatch, built, load_answer_book(built.course, MODULE)


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[GradingRun, object, bytes, int]:
    monkeypatch, built, book = _course_in(tmp_path_factory.mktemp("hostile"))
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
    ],
)
def test_fatal_attack_fails_with_reason(hostile_run, student: str, reason: str) -> None:
    run, built, _, _ = hostile_run
    result = _result(run, student)
    assert not result.ok
    assert reason in result.error
    assert not (built.root / "autograded" / student / MODULE).exists()


def test_broken_json_scores_zero_with_reason(hostile_run) -> None:
    run, built, _, _ = hostile_run
    result = _result(run, "json-rusak")
    assert result.ok and _total(run, "json-rusak") == 0
    assert "bukan JSON yang sah" in result.rejected["prinsip_tata_kelola"]
    assert not (built.root / "autograded" / "json-rusak" / MODULE / "prinsip_tata_kelola.ipynb").exists()


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


# --- Process-level attacks (issue 15, findings 1, 2, 4, 5, 6, 8): one more batch --------
#
# Attacks go at the top of the answer cell of exercise 6 (``jawab_tindak_lanjut``, 2
# points): an attack that is merely refused costs that item and no more. The limits are
# small so that the bombs are safe on a shared machine: 512 MiB and 32 processes per
# submission, 32 MiB per scratch folder.

PROCESS_LIMITS = Limits(
    cell_timeout=5,
    wall_seconds=20,
    memory_bytes=512 * 1024**2,
    processes=32,
    scratch_bytes=32 * 1024**2,
    output_bytes=1024**2,
)
PROCESS_WORKERS = 2
PROCESS_HONEST = ("jujur-a", "jujur-b", "jujur-c", "jujur-d")
SPIES = ("z-intip-1", "z-intip-2", "z-intip-3")


def _children_holding(count: int, mib: int) -> str:
    """Learner code: ``count`` forked children, each touching ``mib`` MiB and keeping it."""
    return f"""import os, time
for _ in range({count}):
    if os.fork() == 0:
        blok = bytearray({mib} * 1024**2)
        for i in range(0, len(blok), 4096):
            blok[i] = 1
        time.sleep(30)
        os._exit(0)
"""


CHILDREN_BOMB = _children_holding(4, 200) + "time.sleep(3)"
KERNEL_BOMB = _children_holding(2, 150) + (
    "time.sleep(1.5)\nbesar = bytearray(200 * 1024**2)\nfor i in range(0, len(besar), 4096):\n    besar[i] = 1"
)
DISK_FILL = """import os, ipykernel.connect
def isi(folder):
    total = 0
    try:
        for i in range(10_000):
            with open(os.path.join(folder, f'isi{i}'), 'wb') as f:
                for _ in range(16):
                    f.write(b'x' * 256 * 1024)
                    total += 256 * 1024
    except OSError:
        pass
    return total
for folder in (os.path.expanduser('~'), '/tmp', os.path.dirname(ipykernel.connect.get_connection_file())):
    print('TERISI', folder, isi(folder))"""
RESIDUE = """import os, ipykernel.connect
for folder in (os.path.expanduser('~'), '/tmp', os.path.dirname(ipykernel.connect.get_connection_file()), '/dev/shm'):
    try:
        open(os.path.join(folder, 'SISA-' + folder.replace('/', '_')), 'w').write('tertinggal')
    except OSError as error:
        print('DITOLAK', folder, error)"""
SPY = """import os, ipykernel.connect
for folder in (os.path.expanduser('~'), '/tmp', os.path.dirname(ipykernel.connect.get_connection_file()), '/dev/shm'):
    print('ISI', folder, sorted(os.listdir(folder)))"""
SETSID_BURNERS = """import os, time
for _ in range(4):
    if os.fork() == 0:
        os.setsid()
        while True:
            pass
time.sleep(4)"""


def _process_attacks() -> dict[str, str]:
    return {
        "hentikan-zygote": "import os, signal\nos.kill(os.getppid(), signal.SIGSTOP)",
        "hentikan-init": "import os, signal\nos.kill(1, signal.SIGSTOP)",
        "prlimit-nproc": "import os, resource\nresource.prlimit(os.getppid(), resource.RLIMIT_NPROC, (0, 0))",
        "prlimit-stack": (
            "import os, resource\nresource.prlimit(os.getppid(), resource.RLIMIT_STACK, (1 << 16, 1 << 16))"
        ),
        "lacak-zygote": "import os\nopen(f'/proc/{os.getppid()}/mem', 'rb').read(1)",
        "bom-anak": CHILDREN_BOMB,
        "bom-anak-kernel": KERNEL_BOMB,
        "isi-disk": DISK_FILL,
        "a-sisa-berkas": RESIDUE,
        "cpu-setsid": SETSID_BURNERS,
        **dict.fromkeys(SPIES, SPY),
    }


def _prepend_to(grade_id: str, code: str):
    def edit(nb):
        cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
        cell.source = code + "\n" + cell.source

    return edit


def _slow(nb) -> None:
    """Every answer cell sleeps 4.5 s: each cell within its 5 s limit, the notebook not
    within the 20 s wall limit."""
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("solution") and cell.cell_type == "code":
            cell.source = "import time\ntime.sleep(4.5)\n" + cell.source


@pytest.fixture(scope="module")
def process_run(tmp_path_factory: pytest.TempPathFactory):
    """One batch: honest learners, the process-level attacks, a learner the wall limit
    stops, a broken notebook; with when each result arrived and when it was journalled."""
    monkeypatch = pytest.MonkeyPatch()
    built, book = governance_course(tmp_path_factory.mktemp("process"), monkeypatch)
    for student in PROCESS_HONEST:
        _write(built, book, student)
    for student, code in _process_attacks().items():
        _write(built, book, student, _prepend_to("jawab_tindak_lanjut", code))
    _write(built, book, "0-lambat", _slow)
    _write(built, book, "y-json-rusak").write_text('{"cells": [ ini bukan JSON')

    arrived: dict[str, float] = {}
    journalled: dict[str, float] = {}
    journal = built.root / ".merit" / "graded" / MODULE
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            for entry in journal.glob("[!.]*") if journal.is_dir() else []:  # not a staging file
                journalled.setdefault(entry.name, time.monotonic())
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    run = grade_assignment(
        built,
        MODULE,
        Sandbox.detect(PROCESS_LIMITS),
        workers=PROCESS_WORKERS,
        force=True,
        on_result=lambda result: arrived.setdefault(result.student, time.monotonic()),
    )
    done.set()
    watcher.join()
    monkeypatch.undo()
    return run, built, arrived, journalled


def test_process_batch_ends_within_its_limits_and_honest_learners_keep_full_marks(process_run) -> None:
    run, built, _, _ = process_run
    assert len(run.results) == len(PROCESS_HONEST) + len(_process_attacks()) + 2
    for student in PROCESS_HONEST:
        assert _result(run, student).ok, _result(run, student).error
        assert _total(run, student) == FULL
    dump = gradebook_dump(built, MODULE)
    assert all(dump[(s, "prinsip_tata_kelola", "grade:uji_tindak_lanjut")][0] == 2.0 for s in PROCESS_HONEST)
    # The stated bound: every job at its wall limit, spread over the slots, is far more
    # than an honest batch takes; a stalled slot would exceed it.
    assert run.seconds < len(run.results) * PROCESS_LIMITS.wall_seconds / PROCESS_WORKERS


@pytest.mark.parametrize(
    "student", ["hentikan-zygote", "hentikan-init", "prlimit-nproc", "prlimit-stack", "lacak-zygote"]
)
def test_the_zygote_is_out_of_the_learners_reach(process_run, student: str) -> None:
    """Finding 1 and 2: a kernel runs as a user of its own; it can neither stop, trace nor
    re-limit the zygote (or bubblewrap's init): the attempt fails with PermissionError and
    costs its own item only."""
    run, built, _, _ = process_run
    result = _result(run, student)
    assert result.ok, result.error
    assert result.notebooks[0].scores["uji_tindak_lanjut"] == 0
    assert _total(run, student) == FULL - 2
    graded = built.root / "autograded" / student / MODULE / "prinsip_tata_kelola.ipynb"
    assert "PermissionError" in graded.read_text()


def test_results_are_recorded_while_a_job_still_runs(process_run) -> None:
    """Finding 1: the gradebook is written on a timer, not on the next result; the slow
    learner, stopped by the wall-clock watchdog, holds back nobody's grade."""
    run, _, arrived, journalled = process_run
    slow = _result(run, "0-lambat")
    assert not slow.ok and "batas waktu nyata 20 detik" in slow.error
    assert slow.seconds < PROCESS_LIMITS.wall_seconds + 5
    # Every result, those that came in while the slow one ran last among them.
    assert set(journalled) == set(arrived) == {r.student for r in run.results}
    late = {s: round(journalled[s] - arrived[s], 1) for s in arrived if journalled[s] - arrived[s] > 3.5}
    assert late == {}, late  # BATCH_SECONDS and a margin


def test_memory_is_limited_per_submission(process_run) -> None:
    """Finding 4: four children of 200 MiB each do not get 800 MiB; the submission's group
    holds at most its 512 MiB, and the children beyond it are killed."""
    run, _, _, _ = process_run
    result = _result(run, "bom-anak")
    if cgroups.mechanism() == "rlimit":
        pytest.fail("no cgroups on this machine: memory is limited per process only")
    assert 0 < result.kernel_memory <= PROCESS_LIMITS.memory_bytes
    assert result.ok or "batas memori" in result.error


def test_a_kernel_the_memory_limit_kills_is_named(process_run) -> None:
    """Two children hold 300 MiB, then the kernel takes 200 MiB more: the submission's
    group is over 512 MiB, the largest process (the kernel) is killed, and the reason
    names the limit."""
    run, _, _, _ = process_run
    result = _result(run, "bom-anak-kernel")
    assert not result.ok and "melebihi batas memori 512 MiB per kiriman" in result.error, result.error
    assert result.kernel_memory <= PROCESS_LIMITS.memory_bytes


def test_disk_is_bounded_per_folder(process_run) -> None:
    """Finding 5: home, /tmp and the sockets' folder each fill up at their size."""
    run, built, _, _ = process_run
    assert _result(run, "isi-disk").ok
    graded = nbformat.read(built.root / "autograded" / "isi-disk" / MODULE / "prinsip_tata_kelola.ipynb", 4)
    text = "".join(o.get("text", "") for c in graded.cells for o in c.get("outputs", []))
    filled = {line.split()[1]: int(line.split()[2]) for line in text.splitlines() if line.startswith("TERISI")}
    assert 0 < filled["/home/peserta"] <= PROCESS_LIMITS.scratch_bytes
    assert 0 < filled["/tmp"] <= PROCESS_LIMITS.scratch_bytes
    sockets = next(folder for folder in filled if folder not in ("/home/peserta", "/tmp"))
    assert 0 < filled[sockets] <= IPC_BYTES, filled


def test_nothing_a_submission_writes_is_seen_by_the_next(process_run) -> None:
    run, built, _, _ = process_run
    for spy in SPIES:
        assert _total(run, spy) == FULL
        graded = built.root / "autograded" / spy / MODULE / "prinsip_tata_kelola.ipynb"
        text = "".join(o.get("text", "") for c in nbformat.read(graded, 4).cells for o in c.get("outputs", []))
        assert "ISI" in text and "SISA-" not in text, text


def test_cpu_is_one_core_per_submission(process_run) -> None:
    """Finding 6: four children that leave the kernel's session burn at most one core
    between them (measured from the submission's group, which counts them: the kernel
    alone uses about 0.2 s). The lower bound is loose: the machine is shared."""
    run, _, _, _ = process_run
    result = _result(run, "cpu-setsid")
    assert result.ok and _total(run, "cpu-setsid") == FULL
    assert 0.5 < result.kernel_cpu < result.seconds + 0.5


def test_kill_everything_reaches_only_the_own_kernel(hostile_run) -> None:
    """``kill(-1)`` from the kernel's user signals only that user's processes, and Linux
    spares the caller: the zygote and bubblewrap's init are out of reach."""
    run, _, _, _ = hostile_run
    assert _result(run, "bunuh-semua").ok
    assert _total(run, "bunuh-semua") == FULL


def test_figures_belong_to_their_learner(process_run) -> None:
    """Finding 8: a submission that started no kernel used no kernel CPU."""
    run, _, _, _ = process_run
    broken = _result(run, "y-json-rusak")
    assert broken.rejected and broken.kernel_cpu == 0.0


def test_a_frozen_slot_is_replaced_and_the_job_retried(process_run) -> None:
    """A slot that fails for a reason outside the learner's code (here its zygote stopped
    from outside) is replaced, and the job graded again in the fresh slot, in full."""
    _, built, _, _ = process_run
    sandbox = Sandbox.detect(replace(PROCESS_LIMITS, reply_seconds=2))
    snapshot = GradebookSnapshot.read(built.db_url, built.course_id, MODULE)
    jobs, _ = _jobs(built, MODULE, snapshot, sandbox, grading_config(built, sandbox), ["jujur-a"])
    slot = thread_slot(sandbox)
    try:
        slot.request("poll")
        os.kill(slot.zygote_pid, signal.SIGSTOP)
        result = grade_submission(jobs[0])
    finally:
        close_slots()
    assert result.ok, result.error
    assert sum(s or 0 for nb in result.notebooks for s in nb.scores.values()) == FULL
    assert any("dinilai ulang di slot baru" in note for note in result.notes)


def test_rlimit_fallback_still_guards_the_zygote_and_the_clock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without cgroups (``MERIT_CGROUPS=tidak``: an ordinary user's machine, say) the limits
    are per process, but the zygote is still out of reach and the watchdog, asking the
    zygote now, still stops a notebook at its wall limit. No bombs here: nothing would
    bound their sum."""
    monkeypatch.setenv("MERIT_CGROUPS", "tidak")
    cgroups.hierarchy.cache_clear()
    try:
        built, book = governance_course(tmp_path, monkeypatch)
        _write(built, book, "jujur-a")
        _write(
            built, book, "hentikan-zygote", _prepend_to("jawab_tindak_lanjut", _process_attacks()["hentikan-zygote"])
        )
        _write(built, book, "0-lambat", _slow)
        # 15 s: the slow learner's six 4.5 s cells need 27 s; the others finish well within,
        # also on a loaded machine where a kernel takes seconds to start.
        sandbox = Sandbox.detect(replace(PROCESS_LIMITS, wall_seconds=15))
        assert sandbox.limit_mechanism().startswith("rlimit per proses")
        run = grade_assignment(built, MODULE, sandbox, workers=PROCESS_WORKERS, force=True)
    finally:
        cgroups.hierarchy.cache_clear()
    assert _total(run, "jujur-a") == FULL
    assert _total(run, "hentikan-zygote") == FULL - 2
    slow = _result(run, "0-lambat")
    assert "batas waktu nyata 15 detik" in slow.error and slow.seconds < 15 + 5


def test_a_wall_limit_reached_before_the_kernel_starts_still_stops_it(process_run) -> None:
    """On a loaded machine a kernel may still be starting when its notebook's wall limit
    is reached. The watchdog keeps stopping the kernel until the notebook ends, so the one
    that starts late dies too (a single kill found no kernel, and the notebook then ran
    unbounded), and no kill reaches the next job in the slot."""
    _, built, _, _ = process_run
    snapshot = GradebookSnapshot.read(built.db_url, built.course_id, MODULE)
    late = Sandbox.detect(replace(PROCESS_LIMITS, wall_seconds=0.001))
    jobs, _ = _jobs(built, MODULE, snapshot, late, grading_config(built, late), ["jujur-a"])
    try:
        stopped = grade_submission(jobs[0])
        sandbox = Sandbox.detect(PROCESS_LIMITS)
        jobs, _ = _jobs(built, MODULE, snapshot, sandbox, grading_config(built, sandbox), ["jujur-a"])
        after = grade_submission(jobs[0])
    finally:
        close_slots()
    assert stopped.error and "batas waktu nyata" in stopped.error and stopped.seconds < 20
    assert after.ok, after.error
    assert sum(s or 0 for nb in after.notebooks for s in nb.scores.values()) == FULL


# --- Cells as the trainer wrote them (issue 15, points 4, 5 and 7) ----------------------------
#
# A third batch: learners who change cell metadata, who tamper with the kernel's machinery
# so that a failing test shows no error, and whose notebooks are malformed. The machinery
# attacks sit above a wrong ``hitung_jpm`` (item ``uji_jpm``, 3 points): each one that
# worked would give 14 points; closed, it gives 11. Honest learners keep 14.

CELLS_HONEST = ("jujur-a", "jujur-b")
WRONG_JPM = "def hitung_jpm(dimiliki, dipersyaratkan):\n    return -1.0\n"
ANSWER_TO_JPM = (
    "lambda a, b: 90.0 if a.get('kerja_sama') == 3 and len(a) > 5 else 40.0 if a == {'integritas': 2} "
    "else 83.33 if 'teknis_kepegawaian' in a else 100.0 if a.get('integritas') == 5 else 0.0 if not a "
    "else 77.78 if a.get('kerja_sama') == 3 else 0.0"
)
FAKE_RESULT = (
    "from IPython.core.interactiveshell import ExecutionResult, ExecutionInfo\n"
    "def _ok(shell, raw_cell):\n"
    "    r = ExecutionResult(ExecutionInfo(raw_cell, False, False, False, None))\n"
    "    r.execution_count = shell.execution_count\n"
    "    shell.execution_count += 1\n"
    "    return r\n"
)
# Each a way to make the failing uji_jpm show no error (or pass) in stock nbgrader.
MACHINERY_ATTACKS = {
    "run-cell-instance": FAKE_RESULT
    + (
        "ip = get_ipython()\n_orig = ip.run_cell_async\n"
        "async def _fake(raw_cell, *a, **k):\n"
        "    return _ok(ip, raw_cell) if 'Sel uji' in raw_cell else await _orig(raw_cell, *a, **k)\n"
        "ip.run_cell_async = _fake\n"
    ),
    "run-cell-class": FAKE_RESULT
    + (
        "from IPython.core.interactiveshell import InteractiveShell\n_orig = InteractiveShell.run_cell_async\n"
        "async def _fake(self, raw_cell, *a, **k):\n"
        "    return _ok(self, raw_cell) if 'Sel uji' in raw_cell else await _orig(self, raw_cell, *a, **k)\n"
        "InteractiveShell.run_cell_async = _fake\n"
    ),
    "transformer-cleanup": (
        "get_ipython().input_transformers_cleanup.append("
        "lambda lines: ['pass\\n'] if lines and 'Sel uji' in lines[0] else lines)\n"
    ),
    "transformer-post": (
        "get_ipython().input_transformers_post.append("
        "lambda lines: ['pass\\n'] if lines and 'Sel uji' in lines[0] else lines)\n"
    ),
    "transformer-ast": (
        "import ast\nclass _NoAssert(ast.NodeTransformer):\n"
        "    def visit_Assert(self, node):\n        return ast.Pass()\n"
        "get_ipython().ast_transformers.append(_NoAssert())\n"
    ),
    "custom-exc": "get_ipython().set_custom_exc((AssertionError,), lambda *a, **k: None)\n",
    "showtraceback-post-run": (
        "ip = get_ipython()\nip.showtraceback = lambda *a, **k: None\n"
        "def _clear(result):\n    result.error_in_exec = None\n"
        "ip.events.register('post_run_cell', _clear)\n"
    ),
    "showtraceback-class": (
        "from IPython.core.interactiveshell import InteractiveShell, ExecutionResult\n"
        "InteractiveShell.showtraceback = lambda *a, **k: None\n"
        "ExecutionResult.success = property(lambda self: True)\n"
    ),
    "settrace": (
        "import sys\ndef _jump(frame, event, arg):\n    return None\n"
        "try:\n    sys.settrace(_jump)\nexcept PermissionError as refused:\n    print(refused)\n"
    ),
    "builtins-rebound": (
        "import builtins\nclass _Any(float):\n    def __eq__(self, other):\n        return True\n"
        "    __hash__ = float.__hash__\nbuiltins.round = lambda *a, **k: _Any(0)\n"
    ),
    "kernel-do-execute": (
        "ip = get_ipython()\n_orig = ip.kernel.do_execute\n"
        "async def _fake(code, silent, *a, **k):\n"
        "    if 'Sel uji' in code:\n"
        "        return {'status': 'ok', 'execution_count': ip.execution_count,\n"
        "                'user_expressions': {}, 'payload': []}\n"
        "    return await _orig(code, silent, *a, **k)\n"
        "ip.kernel.do_execute = _fake\n"
    ),
    "session-send": (
        "s = get_ipython().kernel.session\n_orig = s.send\n"
        "def _send(stream, kind, content=None, *a, **k):\n"
        "    name = kind if isinstance(kind, str) else kind.get('msg_type') if isinstance(kind, dict) else None\n"
        "    if name == 'error':\n        return None\n"
        "    if name == 'execute_reply' and isinstance(content, dict) and content.get('status') == 'error':\n"
        "        content = {'status': 'ok', 'execution_count': content.get('execution_count'),"
        " 'user_expressions': {}, 'payload': []}\n"
        "    return _orig(stream, kind, content, *a, **k)\n"
        "s.send = _send\n"
    ),
    "pre-run-cell-reads-test": (
        "ip = get_ipython()\n"
        "def _cheat(info):\n"
        "    if 'Sel uji Latihan 3' in (info.raw_cell or ''):\n"
        f"        ip.user_ns['hitung_jpm'] = {ANSWER_TO_JPM}\n"
        "ip.events.register('pre_run_cell', _cheat)\n"
    ),
    "thread-re-registers": (
        "import threading, time\nip = get_ipython()\n"
        "def _cheat(info):\n"
        "    if 'Sel uji Latihan 3' in (info.raw_cell or ''):\n"
        f"        ip.user_ns['hitung_jpm'] = {ANSWER_TO_JPM}\n"
        "def _keep():\n    while True:\n"
        "        if _cheat not in ip.events.callbacks['pre_run_cell']:\n"
        "            ip.events.callbacks['pre_run_cell'].append(_cheat)\n"
        "        time.sleep(0.0001)\n"
        "threading.Thread(target=_keep, daemon=True).start()\n"
    ),
    "rewrite-function-code": (
        "from IPython.core.interactiveshell import InteractiveShell\ndef _quiet(self, *a, **k):\n    return None\n"
        "try:\n    InteractiveShell.showtraceback.__code__ = _quiet.__code__\n"
        "except PermissionError as refused:\n    print(refused)\n"
    ),
    "forged-attestation": (
        "import glob\nfor path in glob.glob('/var/tmp/merit-*/ipc/*.json') + glob.glob('/tmp/merit-*/ipc/*.json'):\n"
        "    with open(path + '.uji', 'a') as out:\n"
        "        out.writelines(f'{n:024x} {n:064x}\\n' for n in range(50))\n"
    ),
    "own-exec-of-test": (
        "ip = get_ipython()\n_real = ip.run_cell_async\n"
        "async def _fake(raw_cell, *a, **k):\n"
        "    if 'Sel uji Latihan 3' in raw_cell:\n"
        f"        ns = dict(ip.user_ns, hitung_jpm={ANSWER_TO_JPM})\n"
        "        exec(compile(raw_cell, 'uji', 'exec'), ns)\n"
        "        return await _real('pass', *a, **k)\n"
        "    return await _real(raw_cell, *a, **k)\n"
        "ip.run_cell_async = _fake\n"
    ),
    "answer-changes-machinery-mid-test": (
        "def _wrong(dimiliki, dipersyaratkan):\n    ip = get_ipython()\n"
        "    ip.showtraceback = lambda *a, **k: None\n"
        "    def _clear(result):\n        result.error_in_exec = None\n"
        "    if _clear.__name__ not in [f.__name__ for f in ip.events.callbacks['post_run_cell']]:\n"
        "        ip.events.register('post_run_cell', _clear)\n"
        "    return -1.0\n"
    ),
}
MACHINERY_WRONG = {
    "builtins-rebound": "def hitung_jpm(dimiliki, dipersyaratkan):\n    return round(-1.0, 2)\n",
    "answer-changes-machinery-mid-test": "hitung_jpm = _wrong\n",
}


def _cell(nb, grade_id: str):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def _test_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")]


def _tag_every_test(tag: str):
    def edit(nb):
        for cell in _test_cells(nb):
            cell.metadata["tags"] = [tag]

    return edit


def _wrong_jpm_and(change):
    def edit(nb):
        _cell(nb, "jawab_jpm").source = WRONG_JPM
        change(_cell(nb, "uji_jpm").metadata)

    return edit


def _move_test_first(nb) -> None:
    test = _cell(nb, "uji_rekap_masukan")
    nb.cells.remove(test)
    nb.cells.insert(0, test)


def _delete_answer_and_test(nb) -> None:
    nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") not in ("jawab_jpm", "uji_jpm")]


def _copy_answer_cell(nb) -> None:
    answer = _cell(nb, "jawab_rekap_masukan")
    nb.cells.insert(nb.cells.index(answer) + 1, nbformat.from_dict(dict(answer)))


def _fake_grade_cell(nb) -> None:
    cell = nbformat.v4.new_code_cell("print('nilai saya')")
    cell.metadata["nbgrader"] = {
        "grade": True,
        "solution": False,
        "locked": False,
        "grade_id": "nilai_palsu",
        "points": 100,
        "schema_version": 3,
    }  # fmt: skip
    nb.cells.append(cell)


def _no_grade_id(nb) -> None:
    del _cell(nb, "uji_tahapan").metadata["nbgrader"]["grade_id"]


METADATA_EDITS = {
    "tag-skip-execution": _tag_every_test("skip-execution"),  # on a blank notebook: stock gives 14/14
    "tag-raises-exception": _wrong_jpm_and(lambda meta: meta.setdefault("tags", []).append("raises-exception")),
    "flag-grade-false": _wrong_jpm_and(lambda meta: meta["nbgrader"].update(grade=False)),
    "flag-solution": _wrong_jpm_and(lambda meta: meta["nbgrader"].update(solution=True, grade=False)),
    "reorder": _move_test_first,
    "delete-answer-and-test": _delete_answer_and_test,
}
MALFORMED = {  # student -> (edit of the notebook, or of its bytes; words the reason must hold)
    "copied-cell": (_copy_answer_cell, "grade_id 'jawab_rekap_masukan' yang sama"),
    "fake-grade-cell": (_fake_grade_cell, "'nilai_palsu' yang tidak ada dalam soal"),
    "no-grade-id": (_no_grade_id, "tanpa grade_id"),
    "invalid-utf8": (lambda raw: raw.replace(b"Modul 1", b"Modul \xff", 1), "bukan teks UTF-8 yang sah"),
    "lone-surrogate": (lambda raw: raw.replace(b"-1.0", b"\\ud800", 1), "(jawab_jpm) berisi karakter yang tidak sah"),
    "not-json": (lambda raw: raw[: len(raw) // 2], "bukan JSON yang sah (rusak di baris"),
    "nbformat-3": (lambda raw: raw.replace(b'"nbformat": 4', b'"nbformat": 3'), "nbformat 4"),
}


@pytest.fixture(scope="module")
def cells_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[GradingRun, object]:
    monkeypatch, built, book = _course_in(tmp_path_factory.mktemp("cells"))
    for student in CELLS_HONEST:
        _write(built, book, student)
    for student, code in MACHINERY_ATTACKS.items():
        wrong = MACHINERY_WRONG.get(student, WRONG_JPM)
        _write(
            built,
            book,
            student,
            lambda nb, code=code, wrong=wrong: setattr(_cell(nb, "jawab_jpm"), "source", code + wrong),
        )
    blank = write_submission(built, MODULE, book, "tag-skip-execution", {}, COHORT_START) / book.notebook
    nb = nbformat.read(blank, as_version=4)
    METADATA_EDITS["tag-skip-execution"](nb)
    nbformat.write(nb, blank)
    for student, edit in METADATA_EDITS.items():
        if student != "tag-skip-execution":
            _write(built, book, student, edit)
    for student, (edit, _reason) in MALFORMED.items():
        if student in ("copied-cell", "fake-grade-cell", "no-grade-id"):
            _write(built, book, student, edit)
        else:
            path = _write(built, book, student, lambda nb: setattr(_cell(nb, "jawab_jpm"), "source", WRONG_JPM))
            path.write_bytes(edit(path.read_bytes()))
    limits = Limits(cell_timeout=10, wall_seconds=60)
    run = grade_assignment(built, MODULE, Sandbox.detect(limits), workers=2, force=True)
    monkeypatch.undo()
    return run, built


def test_cells_batch_finishes_and_honest_learners_keep_full_marks(cells_run) -> None:
    run, built = cells_run
    assert len(run.results) == len(CELLS_HONEST) + len(MACHINERY_ATTACKS) + len(METADATA_EDITS) + len(MALFORMED)
    assert run.seconds < 300  # the bound docs/grading.md states for this batch
    for student in CELLS_HONEST:
        result = _result(run, student)
        assert result.ok and _total(run, student) == FULL
        assert [c for nb in result.notebooks for c in nb.changes] == []


@pytest.mark.parametrize("student", sorted(MACHINERY_ATTACKS))
def test_failing_test_cell_scores_zero_whatever_the_kernel_was_made_to_show(cells_run, student: str) -> None:
    run, _ = cells_run
    result = _result(run, student)
    assert result.ok, result.error
    assert result.notebooks[0].scores["uji_jpm"] == 0
    assert _total(run, student) <= FULL - 3
    # A kernel whose dispatch stays hijacked, or with a thread of the learner's running, fails every later test.
    if student not in ("kernel-do-execute", "thread-re-registers"):
        assert _total(run, student) == FULL - 3


def test_tests_that_learner_code_made_vanish_say_so(cells_run) -> None:
    run, built = cells_run
    for student in ("transformer-cleanup", "transformer-post", "kernel-do-execute"):
        changes = _result(run, student).notebooks[0].changes
        assert any("sel uji_jpm: tes tidak berjalan sampai selesai" in c for c in changes), (student, changes)
        graded = nbformat.read(built.root / "autograded" / student / MODULE / "prinsip_tata_kelola.ipynb", 4)
        assert any(o.get("ename") == "TesTidakTerverifikasi" for o in _cell(graded, "uji_jpm").outputs)


def test_vetoed_operations_are_refused_in_the_kernel(cells_run) -> None:
    run, built = cells_run
    for student in ("settrace", "rewrite-function-code"):
        graded = nbformat.read(built.root / "autograded" / student / MODULE / "prinsip_tata_kelola.ipynb", 4)
        shown = "".join(o.get("text", "") for o in _cell(graded, "jawab_jpm").outputs)
        assert "tidak diizinkan saat penilaian otomatis" in shown, student


def test_learner_metadata_cannot_skip_or_reassign_a_test(cells_run) -> None:
    run, _ = cells_run
    blank = _result(run, "tag-skip-execution")
    assert blank.ok and _total(run, "tag-skip-execution") == 0  # stock nbgrader: 14 of 14
    assert any(c.startswith("tag skip-execution dari peserta diabaikan (sel uji_") for c in blank.notebooks[0].changes)
    for student in ("tag-raises-exception", "flag-grade-false", "flag-solution"):
        result = _result(run, student)
        assert result.ok, result.error
        assert result.notebooks[0].scores["uji_jpm"] == 0, student
        assert _total(run, student) == FULL - 3, student
    assert any("grade diubah peserta" in c for c in _result(run, "flag-grade-false").notebooks[0].changes)


def test_reordered_and_deleted_cells_are_put_back_in_the_trainers_order(cells_run) -> None:
    run, built = cells_run
    reordered = _result(run, "reorder")
    assert reordered.ok and _total(run, "reorder") == FULL
    assert any("urutan sel soal" in c for c in reordered.notebooks[0].changes)
    graded = nbformat.read(built.root / "autograded" / "reorder" / MODULE / "prinsip_tata_kelola.ipynb", 4)
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in graded.cells]
    assert ids.index("jawab_rekap_masukan") < ids.index("uji_rekap_masukan")
    deleted = _result(run, "delete-answer-and-test")  # nbgrader itself stops here with KeyError
    assert deleted.ok, deleted.error
    assert deleted.notebooks[0].scores["uji_jpm"] == 0 and _total(run, "delete-answer-and-test") == FULL - 3


@pytest.mark.parametrize("student", sorted(MALFORMED))
def test_malformed_notebook_scores_zero_with_a_reason_naming_it(cells_run, student: str) -> None:
    run, built = cells_run
    result = _result(run, student)
    assert result.ok, result.error  # the run goes on; this notebook alone scores zero
    reason = result.rejected["prinsip_tata_kelola"]
    assert reason.startswith("prinsip_tata_kelola.ipynb: ")
    assert MALFORMED[student][1] in reason
    if student in ("copied-cell", "fake-grade-cell", "no-grade-id", "lone-surrogate"):
        assert "sel ke-" in reason
    assert any(reason in note for note in result.notes)
    dump = gradebook_dump(built, MODULE)
    assert dump[(student, "prinsip_tata_kelola", "grade:uji_jpm")][:3] == (0, None, False)
    assert dump[(student, "prinsip_tata_kelola", "comment:jawab_jpm")][0] == f"Notebook ditolak: {reason}"
    assert not (built.root / "autograded" / student / MODULE / "prinsip_tata_kelola.ipynb").exists()


def _graded_cells(cells: list) -> list:
    """Run ``cells`` (learner code, then nbgrader test cells) in a sandboxed kernel, as
    ``merit grade`` runs a notebook, and return them with their outputs."""
    from merit.grading.kernel import use_slot
    from merit.grading.preprocessors import SandboxedExecute
    from merit.grading.slots import close_slots, thread_slot

    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    try:
        with use_slot(thread_slot(Sandbox.detect())) as slot:
            SandboxedExecute(timeout=20).preprocess(nb, {"merit": {}}, None)
            assert slot.request("kill")
    finally:
        close_slots()
    return nb.cells


def _test_cell(source: str, points: float) -> object:
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["nbgrader"] = {
        "grade": True, "solution": False, "locked": True, "grade_id": "nilai_soal", "points": points,
        "schema_version": 3,
    }  # fmt: skip
    return cell


def test_a_partial_credit_result_shows_as_the_test_computed_it() -> None:
    """A cell whose score is its result's text (nbgrader's partial credit, the widget items'
    ``nilai(...)``): learner code that makes a float print as text would get full points in
    stock (nbgrader gives full points for a result it cannot read as a number)."""
    from nbgrader.utils import determine_grade

    learner = nbformat.v4.new_code_cell(
        "ip = get_ipython()\n"
        "ip.display_formatter.formatters['text/plain'].for_type(float, lambda v, p, cycle: p.text('penuh'))\n"
        "ip.displayhook.quiet = lambda: False\n"
        "2.5"
    )
    cells = _graded_cells([learner, _test_cell("skor = 2 / 3 * 3\nround(skor, 2)", 3)])
    assert cells[0].outputs[-1]["data"]["text/plain"] == "penuh"  # the learner's own cell, as written
    assert cells[1].outputs[-1]["data"]["text/plain"] == "2.0"
    assert determine_grade(cells[1]) == (2.0, 3.0)


def test_names_the_trainers_cells_bound_are_the_trainers_while_a_test_runs() -> None:
    """A widget item's test calls ``nilai``, which a locked cell of the trainer's imported;
    a learner cell that rebinds it would otherwise score every item itself."""
    from nbgrader.utils import determine_grade

    trainer = nbformat.v4.new_code_cell("def nilai(skor):\n    return round(skor, 2)")
    trainer.metadata["nbgrader"] = {
        "grade": False, "solution": False, "locked": True, "grade_id": "impor", "schema_version": 3,
    }  # fmt: skip
    learner = nbformat.v4.new_code_cell("nilai = lambda skor: 3.0")
    after = nbformat.v4.new_code_cell("nilai(0)")
    cells = _graded_cells([trainer, learner, _test_cell("nilai(2 / 3 * 3)", 3), after])
    assert cells[2].outputs[-1]["data"]["text/plain"] == "2.0"
    assert determine_grade(cells[2]) == (2.0, 3.0)
    assert cells[3].outputs[-1]["data"]["text/plain"] == "3.0"  # the learner's own name again, after the test
