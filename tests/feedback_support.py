"""Learners who submit through the exchange's API, and the instant-feedback service they meet.

Shared by tests/test_feedback.py and benchmarks/feedback.py: submissions are real archives
of the released module with answers written as a learner's server writes them (answer cells
filled in, click items' answers in the widgets' answer files), posted with a hub token.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from merit.catalog import Course
from merit.demo.roster import synthetic_roster
from merit.demo.submissions import AnswerBook, load_answer_book, write_submission
from merit.exchange.archive import pack
from tests.hub_support import COURSE, Hub, merit


class _Scratch:
    """Where :func:`write_submission` puts a learner's folder: a scratch folder, not a course's."""

    def __init__(self, release: Path, folder: Path) -> None:
        self.release, self.folder = release, folder

    def release_path(self, module: str, notebook: str) -> Path:
        return self.release / notebook

    def submission_dir(self, student: str, module: str) -> Path:
        return self.folder / student / module


def submission_archive(
    course: Course,
    release: Path,
    module: str,
    nip: str,
    variant: str = "right",
    extra_code: str | None = None,
    book: AnswerBook | None = None,
) -> bytes:
    """A learner's submission of ``module``, every item answered as ``variant``; ``extra_code``
    is a cell of the learner's own appended at the end (a slow or runaway cell)."""
    book = book or load_answer_book(course, module)
    with tempfile.TemporaryDirectory() as scratch:
        folder = write_submission(
            _Scratch(release, Path(scratch)),  # type: ignore[arg-type]
            module,
            book,
            nip,
            {cell: variant for cell in book.cells},
            dt.datetime(2026, 12, 1),
        )
        (folder / "timestamp.txt").unlink()  # the exchange stamps it
        if extra_code:
            path = folder / book.notebook
            notebook = nbformat.read(path, as_version=4)
            notebook.cells.insert(1, nbformat.v4.new_code_cell(extra_code))
            nbformat.write(notebook, path)
        return pack(folder)


class ServiceProcess:
    """``merit umpan-balik layani`` as a separate process, started, stopped and killed by a test."""

    def __init__(self, env: dict[str, str], log: Path, *args: str) -> None:
        self.env, self.log, self.args = env, log, args
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self, seconds: float = 180) -> None:
        command = [str(Path(sys.executable).parent / "merit"), "umpan-balik", "layani", *self.args]
        self.starts += 1
        with self.log.open("a") as output:
            self.process = subprocess.Popen(
                command, env=self.env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + seconds
        while self.log.read_text().count("instant feedback ready") < self.starts:
            assert self.process.poll() is None, self.log.read_text()[-4000:]
            assert time.monotonic() < deadline, "the feedback service did not start"
            time.sleep(0.2)

    def kill(self) -> None:
        """SIGKILL, as a crash or an out-of-memory kill would: no clean-up at all."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def enrol_learners(hub: Hub, folder: Path, count: int, seed: int = 2020) -> list[str]:
    """``count`` more learners in the roster, enrolled in the hub's course (`merit kelas import`,
    `merit hub sinkron`); :meth:`Hub.write_classes` with ``hub.classes`` undoes the enrolment."""
    people = synthetic_roster(count, seed=seed)
    assert not {p.nip for p in people} & {row[0] for row in hub.classes}
    roster = folder / "roster.csv"
    with roster.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["nip", "nama", "unit_kerja", "jabatan", "golongan", "email"])
        # The hub's own roster came from the same generator: keep the e-mail addresses apart.
        writer.writerows([p.nip, p.name, p.unit, p.position_code, p.golongan, f"ub-{p.email}"] for p in people)
    merit(hub.env, "roster", "import", str(roster), "--oleh", "pytest")
    learners = [p.nip for p in people]
    hub.write_classes([*hub.classes, *((nip, COURSE, "peserta") for nip in learners)])
    return learners
