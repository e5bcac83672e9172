"""The standing grading service: each submission to the exchange graded at once, on warm slots.

One coordinator thread (this module) claims jobs from the registry's queue, no more than
there are free grading threads, so the queue stays visible and a crash strands at most
one job per thread. For each job it writes the submission into the course directory as
``nbgrader collect`` (Merit's exchange client) does, reads it into the same
:class:`~merit.grading.job.SubmissionJob` ``merit grade`` builds, and hands it to a
grading thread that keeps its sandbox slot (a zygote with ipykernel imported) for the
life of the service. Each thread grades one submission at a time, so a submission that
runs to its limits holds one slot while the others keep flowing.

Results are recorded as ``merit grade`` records them: the autograded folder swapped in,
gradebook rows in one transaction (nbgrader's models, the same code), the journal entry
after that commit (so a later ``merit grade`` skips an unchanged submission), then one
audited registry transaction that syncs the assignment's evidence, levels and matches
(``merit.pipeline.sync_gradebook``), adds the learner's feedback to the exchange and
finishes the jobs. A service killed at any point regrades the jobs it held (the gradebook
rows and evidence are updated, never duplicated) and finishes each exactly once.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import signal
import threading
import time
from collections import defaultdict
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader import utils
from nbgrader.api import Gradebook
from sqlalchemy import select
from sqlalchemy.orm import Session
from traitlets.config import Config

from merit.catalog import Course
from merit.content import Content, load_content
from merit.errors import MeritError
from merit.exchange.archive import unpack
from merit.exchange.store import BlobFolder, exchange_folder
from merit.feedback import queue
from merit.feedback.report import Item, failures, render
from merit.grading import patches
from merit.grading.coursedir import BuiltCourse
from merit.grading.engine import Journal, fingerprint, grading_config, read_submission
from merit.grading.gradebook import write_autograded, write_batch
from merit.grading.job import SubmissionJob, SubmissionResult, grade_submission
from merit.grading.sandbox import Limits, Sandbox
from merit.grading.slots import close_slots, default_workers, prestart_slots
from merit.grading.snapshot import GradebookSnapshot
from merit.pipeline import sync_gradebook
from merit.registry import models
from merit.registry.database import Registry, open_registry
from merit.settings import Settings

log = logging.getLogger("merit.feedback")

ACTOR = "umpan-balik-instan"
BATCH_SECONDS = 1.0  # while results keep arriving, record them at least this often
POLL_SECONDS = 0.1  # how often an idle service looks at the queue
SNAPSHOT_SECONDS = 60.0  # how long a gradebook snapshot of released cells is reused


@dataclass
class _Course:
    """What the service keeps per course: read once, not per submission."""

    course: Course
    built: BuiltCourse
    config: Config
    ignore: list[str]
    snapshots: dict[str, tuple[float, GradebookSnapshot]] = field(default_factory=dict)

    def snapshot(self, assignment: str) -> GradebookSnapshot:
        cached = self.snapshots.get(assignment)
        if cached is not None and time.monotonic() - cached[0] <= SNAPSHOT_SECONDS:
            return cached[1]
        snapshot = GradebookSnapshot.read(self.built.db_url, self.built.course_id, assignment)
        self.snapshots[assignment] = (time.monotonic(), snapshot)
        return snapshot


@dataclass
class _Ticket:
    """A claimed job on its way through a grading thread."""

    job_id: int
    submission_id: int
    employee_id: int
    nip: str
    course: _Course
    assignment: str
    timestamp: str
    print_: str
    files: dict[str, bytes]
    submitted_at: float  # when the exchange stored it (epoch seconds)


@dataclass
class ServiceStats:
    graded: int = 0
    failed: int = 0
    skipped: int = 0
    recovered: int = 0


class FeedbackService:
    """Grades the exchange's submissions as they arrive; see the module docstring."""

    def __init__(self, settings: Settings, registry: Registry, sandbox: Sandbox, workers: int) -> None:
        self.settings = settings
        self.registry = registry
        self.sandbox = sandbox
        self.workers = workers
        self.content: Content = load_content(settings)
        self.blobs = BlobFolder(exchange_folder(settings))
        self.worker = queue.this_worker()
        self.courses: dict[str, _Course] = {}
        self.stats = ServiceStats()
        self.stop = threading.Event()

    # the loop ---------------------------------------------------------------------------

    def run(self, until_idle: bool = False) -> ServiceStats:
        """Grade until :attr:`stop` is set (or, with ``until_idle``, until the queue is empty)."""
        patches.require()
        patches.report()
        with self.registry.session() as session:
            self.stats.recovered = queue.recover(session)
        if self.stats.recovered:
            log.info("gave %d jobs of a stopped service back to the queue", self.stats.recovered)
        prestart_slots(self.sandbox, self.workers)  # warm before the first submission arrives
        pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="merit-umpan-balik")
        self._warm_up(pool)
        log.info("instant feedback ready: %d grading slots, sandbox %s", self.workers, self.sandbox.mode)
        inflight: dict[Future[SubmissionResult], _Ticket] = {}
        pending: list[tuple[_Ticket, SubmissionResult]] = []
        first_pending = 0.0
        try:
            while not self.stop.is_set():
                if inflight:
                    done, _ = wait(set(inflight), timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
                else:
                    done = set()
                for future in done:
                    ticket = inflight.pop(future)
                    result = future.result()
                    destination = ticket.course.built.root / "autograded" / ticket.nip / ticket.assignment
                    write_autograded(result, destination, ticket.files)
                    if not pending:
                        first_pending = time.monotonic()
                    pending.append((ticket, result))
                # Free slots get work before anything is recorded: recording (the gradebook,
                # the registry sync) must not leave the slots idle.
                for ticket, job in self._claim(self.workers - len(inflight)):
                    inflight[pool.submit(grade_submission, job)] = ticket
                # Record at once when nothing else is being graded (the lone learner waits
                # for nothing), else at least every BATCH_SECONDS (one sync for many).
                if pending and (not inflight or time.monotonic() - first_pending > BATCH_SECONDS):
                    self._record(pending)
                    pending = []
                if not inflight and not done:
                    if until_idle and not self._waiting():
                        break
                    self.stop.wait(POLL_SECONDS)
            self._record(pending)  # stopped: what is graded is kept; jobs still running go back at the next start
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
            close_slots()
            log.info("instant feedback stopped: %s", self.stats)
        return self.stats

    def _warm_up(self, pool: ThreadPoolExecutor) -> None:
        """Grade a released notebook once in every slot, results thrown away, before taking work.

        A thread's first job builds nbgrader's preprocessors and runs the slot's first kernel
        (measured: 5 s against 1.8 s for the next ones on the loaded project machine); the
        first learner should not pay for that.
        """
        job = self._warm_up_job()
        if job is None:
            return
        barrier = threading.Barrier(self.workers)

        def once() -> None:
            barrier.wait(timeout=120)  # one warm-up per thread, not two on the first one free
            grade_submission(job)

        started = time.monotonic()
        for future in [pool.submit(once) for _ in range(self.workers)]:
            future.result()
        log.info("warmed %d slots on %s in %.1f s", self.workers, job.assignment, time.monotonic() - started)

    def _warm_up_job(self) -> SubmissionJob | None:
        """The first built course's first module, as released."""
        for course_id in sorted(self.content.courses):
            try:
                course = self._course(course_id)
            except MeritError:
                continue
            module = course.course.spec.modules[0]
            release = course.built.root / "release" / module.id
            notebooks = {Path(n).stem: (release / n).read_bytes() for n in module.notebooks if (release / n).is_file()}
            if notebooks:
                snapshot = course.snapshot(module.id)
                return SubmissionJob("pemanasan", module.id, notebooks, {}, snapshot, self.sandbox, course.config)
        return None

    def _waiting(self) -> bool:
        with self.registry.session() as session:
            return bool(session.scalar(select(models.FeedbackJob.id).where(models.FeedbackJob.state == queue.WAITING)))

    # claiming -----------------------------------------------------------------------------

    def _claim(self, free: int) -> list[tuple[_Ticket, SubmissionJob]]:
        """Claim up to ``free`` jobs and prepare each; jobs that need no grading end here."""
        if free <= 0:
            return []
        prepared = []
        with self.registry.session() as session:
            for job in queue.claim(session, free, self.worker):
                try:
                    found = self._prepare(session, job)
                except MeritError as refused:
                    queue.finish(session, job.id, queue.FAILED, str(refused))
                    self.stats.failed += 1
                    continue
                except Exception as error:  # noqa: BLE001 - one broken submission must not stop the service
                    log.exception("preparing job %d failed", job.id)
                    queue.finish(session, job.id, queue.FAILED, f"galat layanan: {type(error).__name__}: {error}")
                    self.stats.failed += 1
                    continue
                if found is not None:
                    prepared.append(found)
        return prepared

    def _course(self, course_id: str) -> _Course:
        found = self.courses.get(course_id)
        if found is None:
            course = self.content.courses.get(course_id)
            if course is None:
                raise MeritError(f"Kursus {course_id} tidak ada di katalog layanan umpan balik.")
            built = BuiltCourse(course, self.settings.workspace_dir / course_id)
            if not (built.root / "gradebook.db").is_file():
                raise MeritError(f"Kursus {course_id} belum dibangun (merit course build {course_id}).")
            config = grading_config(built, self.sandbox)
            found = self.courses[course_id] = _Course(course, built, config, list(built.api().coursedir.ignore))
        return found

    def _prepare(self, session: Session, job: models.FeedbackJob) -> tuple[_Ticket, SubmissionJob] | None:
        """Write the submission where nbgrader's collect puts it and read it back as ``merit grade``
        does; or finish the job here: instant feedback off, or a newer submission of the learner's."""
        submission = session.get(models.ExchangeSubmission, job.submission_id)
        assert submission is not None  # a foreign key
        employee = session.get(models.Employee, submission.employee_id)
        assert employee is not None
        course = self._course(job.course_id)
        if not queue.enabled(session, course.course, job.assignment):
            queue.finish(session, job.id, queue.OFF, "umpan balik instan dimatikan untuk kursus/modul ini")
            self.stats.skipped += 1
            return None
        dest = course.built.root / "submitted" / employee.nip / job.assignment
        existing = _existing_stamp(dest)
        if queue.newer_waiting(session, job, submission.employee_id) or (
            existing is not None and existing > utils.parse_utc(submission.timestamp)
        ):
            queue.finish(session, job.id, queue.SUPERSEDED, "peserta mengirim lagi; kiriman terbaru yang dinilai")
            self.stats.skipped += 1
            return None
        if job.assignment not in {m.id for m in course.course.spec.modules}:
            raise MeritError(f"Tugas {job.assignment} bukan modul kursus {job.course_id}.")
        # As Merit's exchange client collects it (the archive unpacked, then its timestamp),
        # built beside the learner's folder and swapped in: a trainer's `merit grade` reading
        # the course directory meanwhile never sees half a submission.
        staging = dest.with_name(f".{dest.name}.umpan-balik")
        shutil.rmtree(staging, ignore_errors=True)
        unpack(self.blobs.get(submission.blob), staging)
        (staging / "timestamp.txt").write_text(submission.timestamp)
        shutil.rmtree(dest, ignore_errors=True)
        staging.rename(dest)
        source = course.built.root / "source" / job.assignment
        notebooks, files, problems = read_submission(dest, source, course.ignore)
        graded = SubmissionJob(
            employee.nip,
            job.assignment,
            notebooks,
            files,
            course.snapshot(job.assignment),
            self.sandbox,
            course.config,
            tuple(problems),
        )
        ticket = _Ticket(
            job.id,
            submission.id,
            submission.employee_id,
            employee.nip,
            course,
            job.assignment,
            submission.timestamp,
            fingerprint(graded),
            files,
            submission.submitted_at.replace(tzinfo=dt.UTC).timestamp(),
        )
        return ticket, graded

    # recording ----------------------------------------------------------------------------

    def _record(self, pending: list[tuple[_Ticket, SubmissionResult]]) -> None:
        started = time.monotonic()
        self._record_groups(pending)
        if pending:
            log.info("recorded %d results in %.2f s", len(pending), time.monotonic() - started)

    def _record_groups(self, pending: list[tuple[_Ticket, SubmissionResult]]) -> None:
        groups: dict[tuple[str, str], list[tuple[_Ticket, SubmissionResult]]] = defaultdict(list)
        for ticket, result in pending:
            groups[(ticket.course.course.id, ticket.assignment)].append((ticket, result))
        for (_course_id, assignment), group in groups.items():
            try:
                self._record_group(assignment, group)
            except Exception as error:  # noqa: BLE001 - the service goes on; the trainer sees why in the queue
                log.exception("recording %d results of %s failed", len(group), assignment)
                with self.registry.session() as session:
                    for ticket, _ in group:
                        note = f"galat layanan saat mencatat: {type(error).__name__}: {error}"
                        queue.finish(session, ticket.job_id, queue.FAILED, note[:2000])
                self.stats.failed += len(group)

    def _record_group(self, assignment: str, group: list[tuple[_Ticket, SubmissionResult]]) -> None:
        course = group[0][0].course
        built = course.built
        stamps: dict[str, str | None] = {ticket.nip: ticket.timestamp for ticket, _ in group}
        with Gradebook(built.db_url, built.course_id) as gradebook:
            write_batch(gradebook, course.config, [result for _, result in group], stamps)
        journal = Journal(built.root, assignment)
        for ticket, _ in group:
            journal.record(ticket.nip, ticket.print_)
        reason = f"umpan balik instan {built.course_id} {assignment}: sinkronisasi nilai nbgrader"
        now = models.utcnow()
        try:
            with self.registry.session(ACTOR, reason) as session:
                sync_gradebook(session, self.content, course.course, built.db_url, [assignment], dt.date.today())
                for ticket, result in group:
                    self._feedback(session, ticket, result, now)
                    queue.finish(session, ticket.job_id, queue.DONE if result.ok else queue.FAILED, result.error)
        except MeritError as refused:  # e.g. a learner in the gradebook unknown to the registry
            log.warning("recording %s/%s failed: %s", built.course_id, assignment, refused)
            with self.registry.session() as session:
                for ticket, _ in group:
                    queue.finish(session, ticket.job_id, queue.FAILED, str(refused))
            self.stats.failed += len(group)
            return
        for ticket, result in group:
            if result.ok:
                self.stats.graded += 1
            else:
                self.stats.failed += 1
            log.info(
                "graded %s/%s job %d in %.2f s (%.2f s after submission; cpu grader %.3f s kernel %.3f s)",
                built.course_id,
                assignment,
                ticket.job_id,
                result.seconds,
                time.time() - ticket.submitted_at,
                result.grader_cpu,
                result.kernel_cpu,
            )

    def _feedback(self, session: Session, ticket: _Ticket, result: SubmissionResult, now: dt.datetime) -> None:
        """One feedback page per submitted notebook, from the evidence just synced."""
        ev = models.Evidence
        items: dict[str, list[Item]] = defaultdict(list)
        for notebook_name, cell, score, max_score, manual in session.execute(
            select(ev.notebook, ev.cell, ev.score, ev.max_score, ev.needs_manual_grade).where(
                ev.employee_id == ticket.employee_id,
                ev.course_id == ticket.course.course.id,
                ev.assignment == ticket.assignment,
            )
        ):
            items[notebook_name].append(Item(cell, score, max_score, manual))
        submission = session.get(models.ExchangeSubmission, ticket.submission_id)
        graded = {nb.name: nb for nb in result.notebooks}
        assert submission is not None
        for name in (Path(n).stem for n in json.loads(submission.notebooks)):
            notebook = graded.get(name)  # None: rejected, or the submission failed
            notes = [*result.notes, *(notebook.changes if notebook else [])]
            html = render(
                ticket.course.course,
                ticket.assignment,
                name,
                ticket.timestamp,
                items.get(name, []),
                failures(notebook.graded if notebook else None),
                notes,
                result.error or result.rejected.get(name),
                now,
            )
            session.add(
                models.ExchangeFeedback(
                    submission_id=ticket.submission_id,
                    notebook=name,
                    blob=self.blobs.put(html),
                    released_by=ACTOR,
                    released_at=now,
                )
            )


def _existing_stamp(folder: Path) -> dt.datetime | None:
    stamp = folder / "timestamp.txt"
    return utils.parse_utc(stamp.read_text().strip()) if stamp.is_file() else None


def serve(workers: int, limits: Limits, unsandboxed: bool = False, until_idle: bool = False) -> ServiceStats:
    """``merit umpan-balik layani`` (and the hub's ``merit-umpan-balik`` service): grade until
    SIGTERM or SIGINT. Jobs still being graded then stay claimed; the next service on this
    machine gives them back to the queue (as after a SIGKILL)."""
    settings = Settings()
    sandbox = Sandbox.detect(limits, allow_unsandboxed=unsandboxed)
    registry = open_registry(settings)
    service = FeedbackService(settings, registry, sandbox, workers or default_workers())
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: service.stop.set())
    try:
        return service.run(until_idle)
    finally:
        registry.close()


def main() -> None:
    """``python -m merit.feedback``: the service as the hub runs it (``MERIT_UMPAN_BALIK_PEKERJA`` slots)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("traitlets").setLevel(logging.ERROR)  # nbgrader's per-cell notes: in the feedback
    serve(int(os.environ.get("MERIT_UMPAN_BALIK_PEKERJA") or 0), Limits())
