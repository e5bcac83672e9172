"""Run learner code where it can do no harm: bubblewrap, a non-root user, resource limits.

Each grading slot owns one :class:`ZygoteProcess`: a kernel zygote
(:mod:`merit.grading.zygote`) started inside a bubblewrap sandbox that has

* no network (its own network namespace, loopback only);
* its own PID, IPC and UTS namespaces, so it sees and can signal only its own processes;
* a read-only view of the operating system and of the Python environment, and nothing
  else of the host: not the course directory, the gradebook, the source notebooks with
  their hidden tests, the registry, or any other learner's submission;
* two small memory-backed scratch folders (``/home/peserta``, ``/tmp``) that are the only
  writable places, emptied after every notebook;
* ``/inbox``: read-only, the one submission being graded right now;
* the folder holding the kernel's IPC sockets (TCP into a network namespace is
  impossible): as root a 1 MiB file system of the sandbox's own, which the grader reaches
  through ``/proc/<zygote>/root``; as an ordinary user a host folder bound into it.

When the grader runs as root, bubblewrap keeps the zygote six capabilities (to hand each
kernel its folders and an unprivileged user of its own, :func:`sandbox_uid`, to kill
kernels and to wipe what they leave) and kernels none: a kernel cannot signal, trace or
re-limit the zygote, whose user differs. As an ordinary user, bubblewrap uses a user
namespace and the kernels run as the zygote's user.

Every reply of a zygote is awaited with a deadline; a slot that misses one, or dies, is
stopped whole and replaced (:func:`merit.grading.slots.thread_slot`). Each submission
gets a control group of its own (:mod:`merit.grading.cgroups`) when the machine offers
one.

Without bubblewrap (``Sandbox.mode == "none"``, only on explicit request) kernels still
get the limits and scratch folders, but none of the isolation above.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import merit
from merit.grading import cellguard, cgroups
from merit.grading.cgroups import Group, JobGroup

SANDBOX_HOME = Path("/home/peserta")
SANDBOX_INBOX = Path("/inbox")
SANDBOX_TMP = Path("/tmp")
SANDBOX_IPC = Path("/ipc")
IPC_BYTES = 1024**2  # a kernel's five sockets and its connection file take a few kilobytes
FIRST_SANDBOX_UID = 60000
SLOTS_PER_GRADER = 64  # user ids reserved per grading process
HELLO_SECONDS = 60.0  # a zygote that has not imported ipykernel by then is stuck
REPLY_SECONDS = 20.0  # every other reply of a zygote (far beyond its slowest, a kernel's start)
LOCK_SECONDS = 5.0  # the watchdog's wait for a request in flight before it stops the whole slot


_group_numbers = itertools.count()


def sandbox_uid(index: int) -> int:
    """A user of its own for slot ``index`` of this grading process.

    RLIMIT_NPROC counts processes per user: slots of one run, or of two runs on the same
    machine, sharing a user would share one fork budget, and one fork bomb would starve
    the others.
    """
    return FIRST_SANDBOX_UID + (os.getpid() % 2000) * SLOTS_PER_GRADER + index % SLOTS_PER_GRADER


SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/etc")

Mode = Literal["bwrap", "none"]


class SandboxError(RuntimeError):
    """The sandbox could not be started or stopped answering."""


@dataclass(frozen=True)
class Limits:
    """Resource limits for one notebook's kernel. Defaults suit the project's courses."""

    cpu_seconds: int = 60
    wall_seconds: int = 180
    memory_bytes: int = 2 * 1024**3
    processes: int = 64
    file_bytes: int = 16 * 1024**2
    open_files: int = 256
    scratch_bytes: int = 64 * 1024**2
    output_bytes: int = 4 * 1024**2
    cell_timeout: int = 30
    reply_seconds: float = REPLY_SECONDS

    def rlimits(self) -> dict[str, int]:
        """The limits the zygote applies with setrlimit in each kernel."""
        keys = ("cpu_seconds", "memory_bytes", "processes", "file_bytes", "open_files")
        return {key: value for key, value in asdict(self).items() if key in keys}


def bwrap_path() -> str | None:
    return shutil.which("bwrap")


@dataclass(frozen=True)
class Sandbox:
    """How kernels are isolated on this machine."""

    mode: Mode
    limits: Limits = Limits()

    @classmethod
    def detect(cls, limits: Limits = Limits(), allow_unsandboxed: bool = False) -> Sandbox:
        """bubblewrap when installed; otherwise refuse unless explicitly allowed."""
        if bwrap_path():
            return cls("bwrap", limits)
        if allow_unsandboxed:
            return cls("none", limits)
        raise SandboxError(
            "bubblewrap (bwrap) tidak terpasang, jadi kode peserta tidak bisa diisolasi. "
            "Pasang paket Debian 'bubblewrap', atau jalankan dengan --tanpa-sandbox bila "
            "Anda menerima risikonya (hanya batas sumber daya yang berlaku)."
        )

    def limit_mechanism(self) -> str:
        """How the per-submission limits are enforced on this machine, for the summary."""
        kind = cgroups.mechanism()
        if kind == "rlimit":
            return "rlimit per proses (tanpa cgroup: memori dan CPU tidak dibatasi per kiriman)"
        return f"cgroup {kind} per kiriman (memori, proses, CPU ≤ 1 inti), ditambah rlimit per proses"

    def enforced(self) -> list[tuple[str, bool]]:
        """What this sandbox enforces, for the summary and the docs."""
        isolated = self.mode == "bwrap"
        root = os.getuid() == 0
        grouped = cgroups.mechanism() != "rlimit"
        per = "per kiriman" if grouped else "per proses"
        limits = self.limits
        return [
            ("tanpa jaringan", isolated),
            ("tidak dapat membaca gradebook, soal sumber, tes tersembunyi, kiriman lain", isolated),
            (
                f"hanya dapat menulis di folder kerja dan /tmp (masing-masing ≤ {limits.scratch_bytes // 1024**2} MiB)"
                + (f" dan folder soket (≤ {IPC_BYTES // 1024**2} MiB)" if root else " dan folder soket"),
                isolated,
            ),
            ("kernel tidak dapat menghentikan, melacak, atau mengubah batas zygote dan slot lain", isolated and root),
            (f"waktu CPU ≤ {limits.cpu_seconds} s, waktu nyata ≤ {limits.wall_seconds} s", True),
            (f"memori ≤ {limits.memory_bytes // 1024**2} MiB {per}", True),
            (
                f"jumlah proses ≤ {limits.processes} {per}"
                + ("" if root or grouped else " (di atas proses pengguna ini)"),
                True,
            ),
            ("CPU ≤ 1 inti per kiriman, termasuk proses anak di sesi lain", grouped),
            (f"ukuran berkas ≤ {limits.file_bytes // 1024**2} MiB", True),
            (f"keluaran ≤ {limits.output_bytes // 1024**2} MiB per notebook", True),
            ("pengguna tanpa hak root", isolated and root),
        ]


def _python_paths() -> list[Path]:
    """Folders the kernel needs to import Python, ipykernel, Merit and its widgets.

    merit_widgets is found, not imported: importing it (ipywidgets) here would hold up
    the first zygote of ``merit grade`` by a quarter of a second.
    """
    widgets = importlib.util.find_spec("merit_widgets")
    if widgets is None or widgets.submodule_search_locations is None:
        raise ModuleNotFoundError("No module named 'merit_widgets'", name="merit_widgets")
    paths = {Path(sys.prefix), Path(sys.base_prefix)}
    for folders in (merit.__path__, widgets.submodule_search_locations):
        paths.update(Path(folder) for folder in folders if Path(folder).is_dir())
    return sorted(p.resolve() for p in paths)


def _private_ipc() -> bool:
    """Whether the sockets' folder is a size-bounded file system inside the sandbox
    (reached from the host through ``/proc/<zygote>/root``, which needs root), rather
    than a host folder bound into it."""
    return os.getuid() == 0


def _bwrap_command(slot: Path, sandbox: Sandbox) -> list[str]:
    command = [
        str(bwrap_path()),
        "--die-with-parent",
        "--new-session",
        "--unshare-ipc",
        "--unshare-pid",
        "--unshare-net",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--hostname",
        "merit-sandbox",
    ]
    if os.getuid() == 0:
        # As root bubblewrap would keep every capability. The zygote keeps these only: to
        # hand kernels their user (SETUID, SETGID), their folders (CHOWN), to kill them
        # (KILL) and to wipe what they leave (DAC_OVERRIDE, FOWNER). Kernels keep none.
        command += ["--cap-drop", "ALL"]
        for capability in ("SETUID", "SETGID", "CHOWN", "KILL", "DAC_OVERRIDE", "FOWNER"):
            command += ["--cap-add", f"CAP_{capability}"]
    else:
        command += ["--unshare-user"]
    for system_dir in SYSTEM_DIRS:
        command += ["--ro-bind-try", system_dir, system_dir]
    size = str(sandbox.limits.scratch_bytes)
    # The scratch file systems first: a checkout (and its .venv) under /tmp is then
    # mounted inside the scratch /tmp instead of being hidden by it.
    command += [
        "--proc", "/proc",
        "--dev", "/dev",
        "--size", size, "--tmpfs", str(SANDBOX_TMP),
        "--size", size, "--tmpfs", str(SANDBOX_HOME),
    ]  # fmt: skip
    if _private_ipc():
        command += ["--size", str(IPC_BYTES), "--tmpfs", str(SANDBOX_IPC)]
    python = _python_paths()
    # bwrap would create the parents of these mount points with the host's modes, and a
    # parent such as /root (0700) would lock the unprivileged kernel out of Python.
    mounts = [*python] if _private_ipc() else [*python, slot / "ipc"]
    existing = {"/", str(SANDBOX_TMP), str(SANDBOX_HOME), *SYSTEM_DIRS}
    parents = sorted({str(parent) for folder in mounts for parent in folder.parents if str(parent) not in existing})
    for parent in parents:
        command += ["--perms", "0755", "--dir", parent]
    for folder in python:
        command += ["--ro-bind", str(folder), str(folder)]
    command += ["--ro-bind", str(slot / "inbox"), str(SANDBOX_INBOX), "--chdir", str(SANDBOX_HOME)]
    if not _private_ipc():
        command += ["--bind", str(slot / "ipc"), str(slot / "ipc")]
    return command


class ZygoteProcess:
    """One grading slot: a private folder and the zygote that forks kernels for it."""

    def __init__(self, sandbox: Sandbox, index: int = 0, wait: bool = True) -> None:
        """Start the zygote; with ``wait=False`` return at once and let the first request
        wait until it has imported everything (see :func:`merit.grading.slots.prestart_slots`)."""
        self.sandbox = sandbox
        self.index = index
        self._lock = threading.Lock()
        # Outside /tmp, which the sandbox replaces; short, as socket paths have 107 bytes.
        self.slot = Path(tempfile.mkdtemp(prefix="merit-", dir=os.environ.get("MERIT_SLOT_ROOT", "/var/tmp")))
        for name in ("inbox", "ipc", "home", "tmp"):
            (self.slot / name).mkdir()
        isolated = sandbox.mode == "bwrap"
        home, inbox, tmp = (
            (SANDBOX_HOME, SANDBOX_INBOX, SANDBOX_TMP)
            if isolated
            else (self.slot / "home", self.slot / "inbox", self.slot / "tmp")
        )
        self.private_ipc = isolated and _private_ipc()
        zygote = [
            sys.executable,
            "-m",
            "merit.grading.zygote",
            "--home",
            str(home),
            "--inbox",
            str(inbox),
            "--tmp",
            str(tmp),
        ]
        if self.private_ipc:
            zygote += ["--ipc", str(SANDBOX_IPC)]
        if isolated:
            zygote.append("--isolated")
            command = _bwrap_command(self.slot, sandbox) + zygote
        else:
            command = zygote
        self.uid = sandbox_uid(index) if os.getuid() == 0 and isolated else os.getuid()
        if self.uid != os.getuid():
            command += ["--kernel-uid", str(self.uid)]
            os.chown(self.slot / "ipc", self.uid, self.uid)
        self.log = self.slot / "zygote.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
                env=_kernel_environment(home, tmp),
                process_group=0,  # see close() and terminate()
            )
        self._started = False
        self.broken = False
        self._buffer = b""
        self.zygote_pid = self.process.pid  # the host's id for the zygote, once it said hello
        self.group: JobGroup | None = None  # the submission being graded, under cgroups
        self._home_group: Group | None = None  # where the zygote waits between kernels
        if wait:
            try:
                with self._lock:
                    self._await_hello()
            except BaseException:
                self.close()  # a zygote that cannot start is not left behind, nor its folder
                raise

    def _await_hello(self) -> None:
        """Read the zygote's ready line, once (the caller holds the lock)."""
        if self._started:
            return
        hello = self._read(HELLO_SECONDS)
        if not hello.get("ready"):
            raise SandboxError(f"zygote did not start: {hello}")
        if self.sandbox.mode == "bwrap":  # bwrap, its init (pid 1 inside), the zygote
            self.zygote_pid = _only_child(_only_child(self.process.pid))
        self._started = True

    @property
    def ipc_dir(self) -> Path:
        """The sockets' folder as the grader reaches it."""
        if self.private_ipc:
            with self._lock:
                self._await_hello()
            return Path(f"/proc/{self.zygote_pid}/root") / SANDBOX_IPC.relative_to("/")
        return self.slot / "ipc"

    def open_group(self) -> None:
        """Start a submission: under cgroups, a group of its own with the submission's limits."""
        found = cgroups.hierarchy()
        if found.kind == "rlimit":
            return
        self.close_group()
        limits = self.sandbox.limits
        try:
            self.group = JobGroup(found, f"job-{next(_group_numbers)}", limits.memory_bytes, limits.processes)
            if self._home_group is None:
                self._home_group = Group(found, f"slot-{self.index}")
        except OSError as error:  # the machine's fault, not the learner's: retried elsewhere
            raise SandboxError(f"cannot create the submission's control group: {error}") from error

    def close_group(self) -> cgroups.Usage | None:
        """End a submission: kill what is left of it, say what it used, remove its group."""
        group, self.group = self.group, None
        if group is None:
            return None
        group.kill()
        usage = group.usage()
        group.remove()
        return usage

    def _read(self, seconds: float = REPLY_SECONDS) -> dict[str, Any]:
        """The zygote's next reply line, within ``seconds``: a zygote that is stopped,
        stuck or gone never holds the grading thread (the caller holds the lock)."""
        assert self.process.stdout is not None
        deadline = time.monotonic() + seconds
        fd = self.process.stdout.fileno()
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            ready = select.select([fd], [], [], max(left, 0))[0] if left > 0 else []
            chunk = os.read(fd, 65536) if ready else None
            if not chunk:
                self.terminate()
                code = self.process.poll()
                tail = self.log.read_text(errors="replace").strip().splitlines()[-5:]
                what = "stopped answering" if chunk is not None else f"did not answer within {seconds:g} s"
                raise SandboxError(f"sandbox slot {self.index} {what} (exit status {code}): " + " | ".join(tail))
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        reply: dict[str, Any] = json.loads(line)
        return reply

    @property
    def alive(self) -> bool:
        """Whether this slot can take a job: its zygote runs and has never failed to answer."""
        return not self.broken and self.process.poll() is None

    def terminate(self) -> None:
        """Stop the whole sandbox at once, whatever it is doing; the slot is then broken
        and replaced by the next job (see :func:`merit.grading.slots.thread_slot`)."""
        self.broken = True
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def request(self, op: str, **fields: Any) -> dict[str, Any]:
        """Send one request and wait for its reply (thread-safe: the watchdog kills too)."""
        assert self.process.stdin is not None
        if self.broken:
            raise SandboxError(f"sandbox slot {self.index} was stopped")
        if not self._lock.acquire(timeout=HELLO_SECONDS + REPLY_SECONDS):
            raise SandboxError(f"sandbox slot {self.index} is held by a request that does not end")
        try:
            self._await_hello()
            try:
                self.process.stdin.write(json.dumps({"op": op, **fields}) + "\n")
                self.process.stdin.flush()
            except (BrokenPipeError, ValueError) as error:
                self.terminate()
                raise SandboxError(f"sandbox slot {self.index} is gone") from error
            return self._read(self.sandbox.limits.reply_seconds)
        finally:
            self._lock.release()

    def stop_kernel(self) -> None:
        """The watchdog's kill: the kernel and everything it started die now.

        Under cgroups the grader kills the submission's group itself. Otherwise it asks
        the zygote, whose replies have a deadline; if another request holds the slot
        longer than :data:`LOCK_SECONDS`, the whole sandbox is stopped instead."""
        group = self.group
        if group is not None:
            group.kill()
            return
        if not self._lock.acquire(timeout=LOCK_SECONDS):
            self.terminate()
            return
        self._lock.release()
        try:
            self.request("kill")
        except SandboxError:
            self.terminate()

    def load_inbox(self, files: dict[str, bytes]) -> None:
        """Put one submission's files (relative path -> content) where the kernel finds them."""
        inbox = self.slot / "inbox"  # bind-mounted: empty it, never replace it
        for entry in inbox.iterdir():
            shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
        for relative, content in files.items():
            target = inbox / relative
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o755)
            target.write_bytes(content)
            target.chmod(0o644)

    def kernel_file(self, connection_file: str | Path) -> Path:
        """The connection file the kernel reads, as the grader reaches it: with a private
        sockets' folder a copy beside jupyter_client's file (:meth:`start_kernel`), else that
        file itself. The test-cell guard writes its lines next to it
        (:func:`merit.grading.cellguard.attestation_path`)."""
        connection_file = Path(connection_file)
        if self.private_ipc:
            return connection_file.with_name(connection_file.stem + "-kernel.json")
        return connection_file

    def start_kernel(self, connection_file: str | Path, argv: list[str]) -> int:
        """Fork a kernel reading ``connection_file`` (which jupyter_client writes 0600)."""
        connection_file = Path(connection_file)
        if self.private_ipc:  # the kernel's copy names the sockets as the kernel sees them
            original = json.loads(connection_file.read_text())
            info = {**original, "ip": str(SANDBOX_IPC / Path(original["ip"]).name)}
            kernel_file = self.kernel_file(connection_file)
            # A new file, never a link: the path crosses into the sandbox, where links
            # would resolve against the host's root. (The folder is emptied after every
            # kernel, with no learner process left, so there should be nothing there.)
            descriptor = os.open(kernel_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            with os.fdopen(descriptor, "w") as handle:
                handle.write(json.dumps(info))
            if original.pop(cellguard.GUARD_FIELD, None) is not None:  # the key: in the kernel's copy alone
                connection_file.write_text(json.dumps(original))
            connection_file, inside = kernel_file, SANDBOX_IPC / kernel_file.name
        else:
            inside = connection_file
        if self.uid != os.getuid():
            os.chown(connection_file, self.uid, self.uid)
        group = self.group
        try:
            if group is not None:  # the kernel is forked inside the submission's group
                with self._lock:
                    self._await_hello()
                group.add(self.zygote_pid)
            try:
                reply = self.request(
                    "start", connection_file=str(inside), argv=argv, limits=self.sandbox.limits.rlimits()
                )
            finally:
                if group is not None and self._home_group is not None and self.alive:
                    self._home_group.add(self.zygote_pid)
        except OSError as error:
            self.terminate()
            raise SandboxError(f"sandbox slot {self.index}: cannot move the zygote: {error}") from error
        return int(reply["pid"])

    def close(self) -> None:
        self.close_group()
        if self.process.poll() is None and (self.broken or not self._started):
            # Never used, perhaps still importing: nothing to finish. Killed as a process
            # group: bubblewrap's sandbox process, killed with its parent in the first
            # milliseconds, waits forever for the parent's go-ahead (--die-with-parent is
            # not yet armed then; containers/bubblewrap#633). It is still in the group then.
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait()
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()
        if self._home_group is not None:
            self._home_group.remove()
        shutil.rmtree(self.slot, ignore_errors=True)


def _only_child(pid: int) -> int:
    """The one child of ``pid`` (bubblewrap's processes each have exactly one)."""
    for _attempt in range(500):
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.01)
    raise SandboxError(f"process {pid} has no child")


def _kernel_environment(home: Path, tmp: Path) -> dict[str, str]:
    """A clean environment: nothing of the grader's (tokens, database URLs) leaks in."""
    return {
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"]),
        "HOME": str(home),
        "TMPDIR": str(tmp),
        "USER": "peserta",
        "LOGNAME": "peserta",
        "LANG": "C.UTF-8",
        "MPLBACKEND": "Agg",
        "MALLOC_ARENA_MAX": "2",
        "PYTHONNOUSERSITE": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        "JUPYTER_PLATFORM_DIRS": "1",
        # nbgrader sets this while autograding; tests and learner code may look at it.
        "NBGRADER_EXECUTION": "autograde",
    }
