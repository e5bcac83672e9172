"""Grade one learner's submission: the unit of work a grading worker runs.

A :class:`SubmissionJob` carries everything needed (the notebooks and files as bytes,
the gradebook snapshot, the sandbox settings) and a :class:`SubmissionResult` carries
everything back (graded notebooks, scores, comments, what went wrong), so a job runs
the same in this process, in a thread of a local Dask cluster or on a Dask worker on
another machine. Only the coordinator touches the gradebook and the course folder.
"""

from __future__ import annotations

import contextvars
import logging
import os
import signal
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import nbformat
import orjson
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.v4.rwbase import split_lines, strip_transient
from traitlets.config import Config

from merit.grading.cgroups import Usage
from merit.grading.kernel import use_slot
from merit.grading.malformed import MalformedNotebook, invalid_reason, read_notebook
from merit.grading.preprocessors import AUTOGRADE, SANITIZE, merit_resources
from merit.grading.sandbox import Sandbox, SandboxError, ZygoteProcess
from merit.grading.slots import discard_thread_slot, thread_slot
from merit.grading.snapshot import GradebookSnapshot, SnapshotGradebook


@dataclass(frozen=True)
class SubmissionJob:
    student: str
    assignment: str
    notebooks: dict[str, bytes]  # notebook name (no .ipynb) -> file content
    files: dict[str, bytes]  # other files, relative path -> content (source files win)
    snapshot: GradebookSnapshot
    sandbox: Sandbox
    config: Config
    problems: tuple[str, ...] = ()  # found while reading the submission (symlinks, ...)


@dataclass
class NotebookResult:
    name: str
    scores: dict[str, float | None] = field(default_factory=dict)
    comments: dict[str, str | None] = field(default_factory=dict)
    graded: bytes | None = None  # the autograded notebook as nbgrader would write it
    changes: list[str] = field(default_factory=list)


@dataclass
class SubmissionResult:
    student: str
    assignment: str
    notebooks: list[NotebookResult]
    missing: list[str]  # notebooks of the assignment the learner did not submit
    error: str | None
    notes: list[str]
    seconds: float  # wall time on the worker
    grader_cpu: float = 0.0  # CPU seconds of the grading thread (nbgrader's steps)
    kernel_cpu: float = 0.0  # CPU seconds of the learner's kernel(s) and all they started
    kernel_memory: int = 0  # peak bytes of the same, under cgroups (0: not measured)
    worker: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")  # who graded it
    rejected: dict[str, str] = field(default_factory=dict)  # notebook -> why it scores zero (Indonesian)

    @property
    def ok(self) -> bool:
        return self.error is None


_local = threading.local()
log = logging.getLogger(__name__)


class Pipeline:
    """nbgrader's two autograde passes, as nbconvert's exporter would run them.

    The steps are built once per thread and reused, like nbgrader's exporter is
    reused across learners. Unlike nbconvert's exporter, the notebook is not
    deep-copied before every pass nor validated after every step (each costs more than
    executing the notebook); it is normalised once when read and validated after each pass.
    """

    def __init__(self, config: Config) -> None:
        self.config = config
        self.sanitize = [step(config=config) for step in SANITIZE]
        self.autograde = [step(config=config) for step in AUTOGRADE]

    @staticmethod
    def run(
        steps: list[Any], nb: nbformat.NotebookNode, resources: dict[str, Any]
    ) -> tuple[nbformat.NotebookNode, dict[str, Any]]:
        for step in steps:
            nb, resources = step(nb, resources)
        nbformat.validate(nb)
        return nb, resources


def notebook_bytes(nb: nbformat.NotebookNode) -> bytes:
    """The file nbconvert's NotebookExporter writes (nbformat's JSON writer, newline-ended),
    without validating once more: :meth:`Pipeline.run` has just done it.

    nbformat's writer copies the notebook, splits multi-line strings into lists of lines,
    drops transient fields, and encodes with ``json.dumps(indent=1, sort_keys=True)``:
    the pure-Python encoder, as the C one cannot indent, which is slow. This does
    the same to ``nb`` itself (the caller is done with it), and when the notebook holds
    only strings, 64-bit integers, booleans and nulls, orjson encodes it with two-space
    indentation, halved after: the same bytes, faster (benchmarks/RESULTS.md). Anything else
    (floats, whose text differs between the two encoders) goes through nbformat's writer.
    """
    nb = strip_transient(split_lines(nb))
    if _plain(nb):
        text = _halve_indent(orjson.dumps(nb, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode())
    else:
        text = nbformat.v4.nbjson.writes(nb)
    return (text if text.endswith("\n") else text + "\n").encode("utf-8")


def _plain(root: object) -> bool:
    """Whether ``root`` holds only str-keyed dicts, lists, strings, 64-bit integers,
    booleans and None: the values orjson and json.dumps write identically."""
    stack = [root]
    while stack:
        value = stack.pop()
        if value is None or type(value) in (str, bool):
            continue
        if type(value) is int:
            if -(1 << 63) <= value < 1 << 64:
                continue
            return False
        if isinstance(value, dict):
            if not all(type(key) is str for key in value):
                return False
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        else:
            return False
    return True


def _halve_indent(text: str) -> str:
    """Two-space JSON indentation to one space. JSON strings hold no raw newline or tab, so
    each indentation is a newline followed by spaces; the deepest is rewritten first, to
    tabs, so that no shallower pattern matches it again."""
    depth = 0
    while "\n" + "  " * (depth + 1) in text:
        depth += 1
    for level in range(depth, 0, -1):
        text = text.replace("\n" + "  " * level, "\n" + "\t" * level)
    return text.replace("\t", " ")


def _pipeline(config: Config) -> Pipeline:
    pipeline: Pipeline | None = getattr(_local, "pipeline", None)
    if pipeline is None or pipeline.config is not config:
        pipeline = _local.pipeline = Pipeline(config)
    return pipeline


REKILL_SECONDS = 1.0  # how soon a kernel that starts after its notebook's wall limit is stopped
SANDBOX_GONE = "sandbox berhenti saat menilai, juga setelah dicoba ulang di slot baru; slot dimulai ulang"


class SlotFailed(Exception):
    """The slot failed, not the learner's code: the job is tried once more in a fresh slot."""


class WallLimitReached(Exception):
    """The notebook's wall limit came before it ended: whatever it produced does not count."""


def _reason(error: BaseException, watchdog_fired: bool, slot: ZygoteProcess, sandbox: Sandbox) -> str:
    """Say in Indonesian why a submission could not be graded; raise :class:`SlotFailed`
    when the sandbox slot itself stopped answering, whatever the learner's code did."""
    limits = sandbox.limits
    if isinstance(error, SandboxError) and not watchdog_fired:
        raise SlotFailed(str(error)) from error
    if isinstance(error, (SandboxError, WallLimitReached)):
        return f"melebihi batas waktu nyata {limits.wall_seconds} detik; kernel dihentikan"
    if isinstance(error, DeadKernelError) or "Kernel died" in str(error):
        if watchdog_fired:
            return f"melebihi batas waktu nyata {limits.wall_seconds} detik; kernel dihentikan"
        try:
            status = slot.request("poll").get("status")
        except SandboxError as gone:
            raise SlotFailed(str(gone)) from gone
        if status == -signal.SIGXCPU:
            return f"melebihi batas waktu CPU {limits.cpu_seconds} detik; kernel dihentikan"
        if slot.group is not None and slot.group.oom_kills():
            return f"melebihi batas memori {limits.memory_bytes // 1024**2} MiB per kiriman; kernel dihentikan"
        return f"kernel berhenti di tengah penilaian (status {status}): kode peserta mengakhiri atau membunuh kernel"
    if isinstance(error, CellTimeoutError):
        return (
            f"kernel tidak merespons setelah batas waktu sel {limits.cell_timeout} detik dan interupsi "
            "(kode peserta mengabaikan Ctrl-C); kernel dihentikan"
        )
    if isinstance(error, nbformat.ValidationError):
        return f"notebook tidak sesuai format nbformat: {str(error).splitlines()[0][:200]}"
    text = str(error).splitlines()[0][:300] if str(error) else ""
    return f"{type(error).__name__}: {text}"


def grade_submission(job: SubmissionJob) -> SubmissionResult:
    """Grade one submission in this thread's own context (see :func:`_thread_context`)."""
    return _thread_context().run(_grade, job)


def _thread_context() -> contextvars.Context:
    """A contextvars context that belongs to this grading thread alone.

    nbclient runs its coroutines through jupyter_core's ``run_sync``, which remembers
    "this thread's event loop" in a context variable. Dask runs a task in a copy of the
    context that submitted it, so a loop remembered elsewhere (the caller's, or one
    running in another thread) would be reused here: "This event loop is already
    running". Each grading thread keeps a context of its own, and with it its own loop.
    """
    context: contextvars.Context | None = getattr(_local, "context", None)
    if context is None:
        context = _local.context = contextvars.Context()
    return context


def _grade(job: SubmissionJob) -> SubmissionResult:
    """Sanitise, execute in the sandbox and score every notebook of one submission.

    Mirrors nbgrader's Autograde.convert_single_notebook: a sanitising pass, then an
    autograding pass over the sanitised notebook. Any failure fails the whole
    submission, as in nbgrader, and says why. When the sandbox slot itself fails (it
    stopped answering, or died), the slot is replaced and the job tried once more
    before the learner is told anything.
    """
    started, cpu_started = time.perf_counter(), time.thread_time()
    notes = list(job.problems)
    for name in sorted(job.notebooks):
        if name not in job.snapshot.notebooks:
            notes.append(f"{name}.ipynb bukan bagian tugas ini; dilewati")
    rejected: dict[str, str] = {}
    try:
        results, error, usage = _attempt(job, rejected)
    except SlotFailed as first:
        log.warning("grading %s: slot failed (%s); retrying in a fresh slot", job.student, first)
        discard_thread_slot()
        try:
            results, error, usage = _attempt(job, rejected)
            notes.append("slot sandbox gagal di luar kode peserta; dinilai ulang di slot baru")
        except SlotFailed as second:
            log.warning("grading %s: slot failed again (%s)", job.student, second)
            results, error, usage = [], SANDBOX_GONE, Usage(0.0, 0, 0)
    notes += [f"nilai 0: {reason}" for reason in rejected.values()]
    missing = sorted(set(job.snapshot.notebooks) - set(job.notebooks))
    seconds, grader_cpu = time.perf_counter() - started, time.thread_time() - cpu_started
    return SubmissionResult(
        job.student,
        job.assignment,
        results,
        missing,
        error,
        notes,
        seconds,
        grader_cpu,
        usage.cpu_seconds,
        usage.memory_peak,
        rejected=rejected,
    )


def _attempt(job: SubmissionJob, rejected: dict[str, str]) -> tuple[list[NotebookResult], str | None, Usage]:
    """One try at grading ``job`` in this thread's slot: the notebooks' results, the reason
    it failed (None when graded), and what the learner's kernels used. Notebooks that
    cannot be graded at all go into ``rejected`` with the reason, and score zero."""
    slot = thread_slot(job.sandbox)
    gradebook = SnapshotGradebook(job.snapshot)
    results: list[NotebookResult] = []
    error: str | None = None
    pipeline = _pipeline(job.config)
    fired = threading.Event()
    try:
        slot.open_group()
        slot.load_inbox(job.files)
        for name in sorted(n for n in job.notebooks if n in job.snapshot.notebooks):
            resources: dict[str, Any] = {
                "unique_key": name,
                "output_files_dir": f"{name}_files",
                "nbgrader": {"student": job.student, "assignment": job.assignment, "notebook": name, "db_url": None},
                "merit": {"gradebook": gradebook},
            }
            prepared = _sanitized(pipeline, name, job, resources)
            if isinstance(prepared, str):
                rejected[name] = prepared
                continue
            nb, resources = prepared
            with Watchdog(slot, job.sandbox.limits.wall_seconds, fired), use_slot(slot):
                graded, resources = pipeline.run(pipeline.autograde, nb, resources)
            if fired.is_set():  # a kernel that started after the limit may have finished before a kill
                raise WallLimitReached
            merit = merit_resources(resources)
            results.append(
                NotebookResult(
                    name, merit["scores"], merit["comments"], notebook_bytes(graded), merit.get("changes", [])
                )
            )
    except Exception as failure:  # noqa: BLE001 - every failure is reported, the batch goes on
        error = _reason(failure, fired.is_set(), slot, job.sandbox)
        results = []
    finally:
        try:
            kernel_cpu = float(slot.request("kill").get("cpu_seconds", 0.0))
        except SandboxError as gone:
            # The slot died or froze at the very end. The kernel may have finished the
            # notebook in that moment: whether it did is a race, the verdict must not be.
            if error is None and not fired.is_set():
                raise SlotFailed(str(gone)) from gone
            kernel_cpu = 0.0
        finally:
            measured = slot.close_group()
    return results, error, measured or Usage(kernel_cpu, 0, 0)


def _sanitized(
    pipeline: Pipeline, name: str, job: SubmissionJob, resources: dict[str, Any]
) -> tuple[nbformat.NotebookNode, dict[str, Any]] | str:
    """The notebook after nbgrader's sanitising pass, or why it cannot be graded (in Indonesian,
    naming the notebook and the cell): the learner's file, never the grader, is at fault here.

    nbformat's log-only validation on reading is skipped; the validation after the pass
    is the one that decides. nbgrader writes the sanitised notebook to disk and reads it
    back; the JSON round trip changes nothing, so the second pass takes it as it is.
    """
    filename = f"{name}.ipynb"
    try:
        nb = read_notebook(filename, job.notebooks[name], job.snapshot.notebooks[name])
    except MalformedNotebook as malformed:
        return str(malformed)
    try:
        return pipeline.run(pipeline.sanitize, nb, resources)
    except nbformat.ValidationError as invalid:
        return invalid_reason(filename, invalid, nb)
    except Exception as failure:  # noqa: BLE001 - the learner's file, reported, the others go on
        text = str(failure).splitlines()[0][:200] if str(failure) else ""
        return f"{filename}: tidak dapat disiapkan untuk dinilai ({type(failure).__name__}: {text})"


class Watchdog:
    """The wall-clock limit of one notebook: once it is reached, the slot's kernel is
    stopped, and stopped again every :data:`REKILL_SECONDS` until the notebook ends.

    One kill is not enough. On a loaded machine a kernel may still be starting when the
    limit is reached: the kill then finds no kernel, and the kernel the zygote starts a
    moment later would run unbounded (seen: a 6 s limit, a notebook graded in full after
    33 s). Leaving the block waits for a kill in flight, so that no kill of this notebook
    reaches the next one (one that did emptied the next kernel's sockets' folder before
    the kernel read its connection file, and the grader waited for it forever).
    """

    def __init__(self, slot: ZygoteProcess, seconds: float, fired: threading.Event) -> None:
        self.slot, self.seconds, self.fired = slot, seconds, fired
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._watch, name=f"watchdog-{slot.index}", daemon=True)

    def __enter__(self) -> Watchdog:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        self.thread.join()

    def _watch(self) -> None:
        if self.done.wait(self.seconds):
            return
        self.fired.set()
        while True:
            self.slot.stop_kernel()
            if self.done.wait(REKILL_SECONDS):
                return
