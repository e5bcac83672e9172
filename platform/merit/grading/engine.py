"""``merit grade``: collect, autograde a cohort in parallel in the sandbox, record the results.

The coordinator (this module) is the only part that touches the course folder and
the gradebook. It reads each submission into a :class:`~merit.grading.job.SubmissionJob`,
hands the jobs to an executor, and as results come back writes the autograded folders
and, in batches, the gradebook. On one machine the executor is an in-process Dask
LocalCluster of grading threads, one sandbox slot per thread (the kernels are separate
processes, so the threads do not fight over the GIL for the expensive part); a plain
thread pool does the same when asked (``MERIT_PELAKSANA_LOKAL=utas``).
``scheduler`` sends the same jobs to a real Dask cluster whose workers have Merit and
bubblewrap installed.

Crash safety: results are written per submission (folder swapped in at once) and per
batch (one transaction), and a journal entry per learner is written only after the
gradebook commit. A run killed at any point and started again regrades what is not
journalled and ends in the state of one clean run.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import AbstractContextManager, chdir, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from nbgrader import utils
from nbgrader.api import Gradebook
from traitlets.config import Config

from merit.errors import MeritError
from merit.grading import patches
from merit.grading.coursedir import NbgraderCourse
from merit.grading.gradebook import write_autograded, write_batch
from merit.grading.job import SubmissionJob, SubmissionResult, grade_submission
from merit.grading.sandbox import Sandbox
from merit.grading.slots import close_slots, default_workers, prestart_slots, submitted_count
from merit.grading.snapshot import GradebookSnapshot

BATCH_SECONDS = 2.0  # gradebook commits at most this far apart while results arrive
WAKE_SECONDS = 0.05  # how often the coordinator looks for results and for a batch due


@dataclass
class GradingRun:
    """What ``merit grade`` did: for the summary table and the registry sync."""

    course: str
    assignment: str
    sandbox: Sandbox
    workers: int
    results: list[SubmissionResult] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # already graded, unchanged since
    collected: int = 0
    seconds: float = 0.0

    @property
    def graded(self) -> list[SubmissionResult]:
        return [r for r in self.results if r.ok]

    @property
    def failed(self) -> list[SubmissionResult]:
        return [r for r in self.results if not r.ok]


def read_submission(
    folder: Path, source: Path, ignore: list[str]
) -> tuple[dict[str, bytes], dict[str, bytes], list[str]]:
    """A submission's notebooks and other files, never following a symbolic link.

    A link could point at the gradebook or another learner's work; it is reported and
    left out. The assignment's own data files (from ``source/``) replace any the learner
    changed, as in nbgrader.
    """
    notebooks: dict[str, bytes] = {}
    files: dict[str, bytes] = {}
    problems: list[str] = []
    for path in map(Path, utils.find_all_files(str(folder), ignore)):
        relative = path.relative_to(folder).as_posix()
        if path.is_symlink():
            problems.append(f"{relative}: tautan simbolik diabaikan (kiriman harus berisi berkas biasa)")
        elif path.suffix == ".ipynb" and path.parent == folder:
            notebooks[path.stem] = path.read_bytes()
        elif path.suffix != ".ipynb":
            files[relative] = path.read_bytes()
    for path in map(Path, utils.find_all_files(str(source), [*ignore, "*.ipynb"])):
        files[path.relative_to(source).as_posix()] = path.read_bytes()
    return notebooks, files, problems


def fingerprint(job: SubmissionJob) -> str:
    digest = hashlib.sha256()
    for name, content in sorted({**job.notebooks, **job.files}.items()):
        digest.update(name.encode() + b"\0" + hashlib.sha256(content).digest())
    return digest.hexdigest()


class Journal:
    """Which submissions are in the gradebook already, and from what input."""

    def __init__(self, root: Path, assignment: str) -> None:
        self.folder = root / ".merit" / "graded" / assignment

    def done(self, student: str, print_: str) -> bool:
        path = self.folder / student
        return path.is_file() and path.read_text() == print_

    def record(self, student: str, print_: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        staging = self.folder / f".{student}.tmp"
        staging.write_text(print_)
        staging.replace(self.folder / student)

    def forget(self, student: str) -> None:
        (self.folder / student).unlink(missing_ok=True)


LOCAL_EXECUTOR_VARIABLE = "MERIT_PELAKSANA_LOKAL"
LOCAL_EXECUTORS = ("dask", "utas")  # the first is the default


def local_executor() -> str:
    """How this machine runs the jobs when no scheduler is given: ``dask`` (an in-process
    Dask LocalCluster) or ``utas`` (a plain thread pool), from ``MERIT_PELAKSANA_LOKAL``.

    Both run the same jobs in threads of this process, one sandbox slot per thread. The
    thread pool does without Dask's imports and loops, which pays off on small cohorts,
    but measured slower at a hundred submissions; the numbers behind the default are in
    benchmarks/RESULTS.md.
    """
    chosen = os.environ.get(LOCAL_EXECUTOR_VARIABLE, LOCAL_EXECUTORS[0])
    if chosen not in LOCAL_EXECUTORS:
        raise MeritError(f"{LOCAL_EXECUTOR_VARIABLE}={chosen!r} tidak dikenal: pilih {' atau '.join(LOCAL_EXECUTORS)}.")
    return chosen


class Arrivals(Protocol):
    """Results of the submitted jobs, handed over as they arrive."""

    def empty(self) -> bool:
        """Every result has been handed over."""

    def arrived(self, seconds: float) -> list[SubmissionResult]:
        """The results that arrived, waiting at most ``seconds`` when none has."""


class _PoolArrivals:
    def __init__(self, futures: set[Future[SubmissionResult]]) -> None:
        self.pending = futures

    def empty(self) -> bool:
        return not self.pending

    def arrived(self, seconds: float) -> list[SubmissionResult]:
        done, self.pending = wait(self.pending, timeout=seconds, return_when=FIRST_COMPLETED)
        return [future.result() for future in done]


class _DaskArrivals:
    def __init__(self, arriving: Any) -> None:
        self.arriving = arriving  # distributed.as_completed(..., with_results=True)

    def empty(self) -> bool:
        return bool(self.arriving.is_empty())

    def arrived(self, seconds: float) -> list[SubmissionResult]:
        if not self.arriving.has_ready():
            time.sleep(seconds)
        return [result for _future, result in self.arriving.next_batch(block=False)]


@contextmanager
def thread_pool(jobs: list[SubmissionJob], workers: int) -> Iterator[Arrivals]:
    """The jobs on a pool of ``workers`` grading threads in this process."""
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="merit-grade")
    try:
        yield _PoolArrivals({pool.submit(grade_submission, job) for job in jobs})
    finally:
        # On an error the jobs not started are dropped; those running end when the
        # caller closes the slots (their kernels go with the zygotes).
        pool.shutdown(wait=False, cancel_futures=True)


# The in-process cluster shares the interpreter with the grading threads, so Dask's own
# housekeeping competes with them for the GIL: its statistical profiler alone (a stack
# walk of every thread every 10 ms) was the largest part (benchmarks/RESULTS.md).
LOCAL_CLUSTER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "500ms",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "5s",
}


@contextmanager
def dask_cluster(jobs: list[SubmissionJob], scheduler: str | None, workers: int) -> Iterator[Arrivals]:
    """The jobs on the given Dask scheduler, or on a LocalCluster of threads in this process."""
    import dask
    from distributed import Client, LocalCluster, as_completed

    def submit(client: Any) -> Arrivals:
        futures = client.map(grade_submission, jobs, pure=False)
        return _DaskArrivals(as_completed(futures, with_results=True))

    if scheduler:
        with Client(scheduler) as client:
            yield submit(client)
        return
    with dask.config.set(LOCAL_CLUSTER_CONFIG):
        # The scheduler always serves HTTP (on 8787 unless told otherwise, warning when two runs
        # meet there): keep it on a free local port.
        with LocalCluster(
            processes=False, n_workers=1, threads_per_worker=workers, dashboard_address="127.0.0.1:0"
        ) as cluster:
            with Client(cluster) as client:
                yield submit(client)


def executor(jobs: list[SubmissionJob], scheduler: str | None, workers: int) -> AbstractContextManager[Arrivals]:
    """Where the jobs run: a Dask scheduler when given one, else this machine's executor."""
    if scheduler is None and local_executor() == "utas":
        return thread_pool(jobs, workers)
    return dask_cluster(jobs, scheduler, workers)


def grading_config(built: NbgraderCourse, sandbox: Sandbox) -> Config:
    """The course's nbgrader configuration with the sandbox's cell timeout and output cap.

    Built once per run: a course directory reads its configuration from disk each time.
    """
    config = built.config
    config.Execute.timeout = sandbox.limits.cell_timeout
    config.SandboxedExecute.max_output_bytes = sandbox.limits.output_bytes
    return config


def _jobs(
    built: NbgraderCourse,
    assignment: str,
    snapshot: GradebookSnapshot,
    sandbox: Sandbox,
    config: Config,
    students: list[str] | None,
) -> tuple[list[SubmissionJob], dict[str, str | None]]:
    coursedir = built.api().coursedir
    submitted = built.root / "submitted"
    source = built.root / "source" / assignment
    wanted = set(students) if students is not None else None
    jobs, stamps = [], {}
    for folder in sorted(submitted.glob(f"*/{assignment}")):
        student = folder.parent.name
        if wanted is not None and student not in wanted:
            continue
        notebooks, files, problems = read_submission(folder, source, list(coursedir.ignore))
        jobs.append(SubmissionJob(student, assignment, notebooks, files, snapshot, sandbox, config, tuple(problems)))
        stamps[student] = coursedir.get_existing_timestamp(str(folder))
    return jobs, stamps


def collect(built: NbgraderCourse, assignment: str) -> int:
    """Run nbgrader's collect when learners submitted through the exchange."""
    inbound = built.root / "exchange" / built.course_id / "inbound"
    if not inbound.is_dir() or not any(inbound.glob(f"*+{assignment}+*")):
        return 0
    with chdir(built.root):
        result = built.api().collect(assignment, update=True)
    if not result["success"]:
        raise RuntimeError(f"nbgrader collect gagal: {result.get('error') or result.get('log')}")
    return len({p.name.split("+")[0] for p in inbound.glob(f"*+{assignment}+*")})


def collect_from_exchange(built: NbgraderCourse, assignment: str) -> int:
    """Collect each learner's newest submission from Merit's exchange service (on a hub).

    nbgrader's own collect, with the exchange classes Merit configures for every server on
    the hub; the caller is the trainer, named by ``JUPYTERHUB_API_TOKEN`` (a trainer's
    server has it, with ``MERIT_EXCHANGE_URL``), and the service checks the role. Returns
    how many learners' folders in ``submitted/`` changed.
    """
    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    from merit.exchange.client import NBGRADER_CONFIG

    config = built.config
    for key, value in NBGRADER_CONFIG.items():
        section, trait = key.split(".")
        config[section][trait] = value
    config.Exchange.path_includes_course = True
    before = _collected_stamps(built.root, assignment)
    with chdir(built.root):
        result = NbGraderAPI(CourseDirectory(config=config), config=config).collect(assignment, update=True)
    if not result["success"]:
        errors = [line for line in (result.get("log") or "").splitlines() if "[ERROR]" in line]
        # nbgrader's API returns the traceback it captured: the trainer reads only its last
        # line's message (the exchange's refusal, in Indonesian).
        captured = (result.get("error") or result.get("log") or "").strip().splitlines() or ["tanpa keterangan"]
        reason = errors[-1].split("] ", 1)[-1] if errors else captured[-1].split("Error: ", 1)[-1]
        raise MeritError(f"Pengumpulan {assignment} dari layanan pertukaran tugas gagal: {reason}")
    after = _collected_stamps(built.root, assignment)
    return sum(1 for student, stamp in after.items() if before.get(student) != stamp)


def _collected_stamps(root: Path, assignment: str) -> dict[str, str]:
    return {
        folder.parent.name: (folder / "timestamp.txt").read_text().strip()
        if (folder / "timestamp.txt").is_file()
        else ""
        for folder in (root / "submitted").glob(f"*/{assignment}")
    }


def grade_assignment(
    built: NbgraderCourse,
    assignment: str,
    sandbox: Sandbox,
    *,
    students: list[str] | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    force: bool = False,
    through_exchange: bool = False,
    on_result: Callable[[SubmissionResult], None] | None = None,
    on_total: Callable[[int], None] | None = None,
) -> GradingRun:
    """Collect and autograde every submission of ``assignment``; see the module docstring."""
    started = time.perf_counter()
    workers = workers or default_workers()
    run = GradingRun(built.course_id, assignment, sandbox, workers)
    try:
        patches.require()  # refuses, in Indonesian, if the sandbox's upstream hooks do not fit
        patches.report()  # logs here, once, each fast path left out (kernels log only to their slot)
        if scheduler is None:
            # `merit grade` may have started these already, while it imported this module.
            submitted = submitted_count(built.root, assignment)
            prestart_slots(sandbox, min(workers, submitted, len(students) if students is not None else submitted))
        _grade_all(run, built, scheduler, force, students, on_result, on_total, through_exchange)
    finally:
        close_slots()
    run.seconds = time.perf_counter() - started
    return run


def _grade_all(
    run: GradingRun,
    built: NbgraderCourse,
    scheduler: str | None,
    force: bool,
    students: list[str] | None,
    on_result: Callable[[SubmissionResult], None] | None,
    on_total: Callable[[int], None] | None,
    through_exchange: bool = False,
) -> None:
    assignment, sandbox = run.assignment, run.sandbox
    run.collected = collect_from_exchange(built, assignment) if through_exchange else collect(built, assignment)
    snapshot = GradebookSnapshot.read(built.db_url, built.course_id, assignment)
    config = grading_config(built, sandbox)
    jobs, stamps = _jobs(built, assignment, snapshot, sandbox, config, students)
    journal = Journal(built.root, assignment)
    prints = {job.student: fingerprint(job) for job in jobs}
    todo = []
    for job in jobs:
        if not force and journal.done(job.student, prints[job.student]):
            run.skipped.append(job.student)
        else:
            journal.forget(job.student)
            todo.append(job)
    if on_total:
        on_total(len(todo))
    if not todo:
        return
    files = {job.student: job.files for job in todo}
    # One Gradebook for the run: a new one per batch would build a new database engine
    # and compile every statement again.
    with Gradebook(built.db_url, built.course_id) as gradebook:
        pending: list[SubmissionResult] = []
        last_write = time.monotonic()

        def flush() -> None:
            nonlocal last_write
            if pending:
                write_batch(gradebook, config, pending, stamps)
                for result in pending:
                    journal.record(result.student, prints[result.student])
                pending.clear()
            last_write = time.monotonic()

        with executor(todo, scheduler, run.workers) as arrivals:
            # Results are recorded as they arrive: the loop wakes every WAKE_SECONDS, so a
            # batch is committed BATCH_SECONDS after its first result at the latest, even
            # while every other job is still running (or one never ends).
            while not arrivals.empty():
                for result in arrivals.arrived(WAKE_SECONDS):
                    destination = built.root / "autograded" / result.student / assignment
                    write_autograded(result, destination, files[result.student])
                    run.results.append(result)
                    pending.append(result)
                    if on_result:
                        on_result(result)
                if time.monotonic() - last_write > BATCH_SECONDS:
                    flush()
            flush()
