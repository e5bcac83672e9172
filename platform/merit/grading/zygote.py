"""The zygote: a pre-imported kernel process that forks one fresh IPython kernel per notebook.

Starting an IPython kernel is mostly importing and initialising ipykernel; the
learner's cells cost far less (benchmarks/RESULTS.md). The zygote pays the
imports once, then for every notebook forks a child that becomes a brand-new kernel:
nothing a learner's code does survives into the next learner's kernel, because each
child starts from the zygote's untouched memory and is killed, with everything it
spawned, before the next one starts.

The zygote runs inside the sandbox (see :mod:`merit.grading.sandbox`) and never runs
learner code itself; as root, each kernel becomes a user of its own before it starts, so
that learner code cannot reach the zygote. It speaks JSON lines on its standard input and output:

``{"op": "start", "connection_file": ..., "argv": [...], "limits": {...}}``
    fork a kernel; reply ``{"pid": N}``
``{"op": "poll"}``
    reply ``{"status": null}`` while the kernel runs, else its exit status
``{"op": "signal", "signal": 2}``
    signal the kernel's process group
``{"op": "kill"}``
    kill every process in the sandbox but the zygote, wipe the scratch folders,
    reply ``{"status": ...}``

Run as ``python -m merit.grading.zygote [--kernel-uid N]``.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import json
import os
import resource
import shutil
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported in _preload, with debugpy hidden
    from merit.grading.kernelapp import HomeTemplate

# Imported before any fork so that each kernel starts in milliseconds. ipykernel
# imports its debugger module lazily during initialisation, hence listed here; see
# _without_debugpy for why it comes without debugpy.
PRELOAD = (
    "ipykernel.kernelapp",
    "merit.grading.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "ipykernel.debugger",
    "ipykernel.comm",
    "ipykernel.eventloops",
    "IPython.core.interactiveshell",
    "IPython.core.completer",
    "IPython.core.completerlib",
    "IPython.core.debugger",
    "IPython.core.oinspect",
    "IPython.extensions.storemagic",
    "IPython.utils.wildcard",
    "sqlite3",
    "pdb",
    "faulthandler",
    "tornado.platform.asyncio",
    "jupyter_client.session",
    "zmq",
    "tornado.ioloop",
    # Charts: plotly's renderers import nbformat, whose validator imports jsonschema, which
    # builds rfc3987-syntax's lark grammar at import: on a loaded machine that import alone
    # outlasted a cell's time limit in `merit course validate`.
    "nbformat",
    # Not for speed: the test-cell guard puts back the functions of every module loaded here
    # before each test cell (merit.grading.cellguard), and tests may use unittest's asserts.
    "unittest",
)

# Code with every kind of string Python's tokenizer has a pattern for: triple-quoted
# with either quote, and single-quoted with either quote continued on the next line.
_EVERY_STRING_KIND = "x = 1\n'''a'''\n\"\"\"b\"\"\"\n'c\\\nd'\n\"e\\\nf\"\n"

RLIMITS = {
    "cpu_seconds": resource.RLIMIT_CPU,
    "memory_bytes": resource.RLIMIT_AS,
    "processes": resource.RLIMIT_NPROC,
    "file_bytes": resource.RLIMIT_FSIZE,
    "open_files": resource.RLIMIT_NOFILE,
}


def _preload() -> None:
    import importlib

    with _without_debugpy():
        for name in PRELOAD:
            importlib.import_module(name)
    from ipykernel.zmqshell import ZMQInteractiveShell
    from IPython.core.inputtransformer2 import TransformerManager
    from IPython.core.ultratb import AutoFormattedTB

    from merit.grading import cellguard, kernelfast

    kernelfast.apply()
    # The first traceback in a process compiles pygments' regular expressions; do it
    # once here, in the kernel's own mode and colour theme, so
    # every kernel inherits them.
    traits = ZMQInteractiveShell.class_traits()
    try:
        raise ValueError("warm-up")
    except ValueError:
        formatter = AutoFormattedTB(mode=traits["xmode"].default(), theme_name=traits["colors"].default(), tb_offset=1)
        formatter.structured_traceback(*sys.exc_info())
    # IPython tokenizes every cell before it runs it, and the tokenizer compiles its
    # regular expressions on first use: one per kind of string, all here.
    TransformerManager().transform_cell(_EVERY_STRING_KIND)
    # Last, once everything a kernel runs is imported: the guard's audit hook, and its record
    # of those modules' functions (see merit.grading.cellguard).
    cellguard.install()


@contextmanager
def _without_debugpy() -> Iterator[None]:
    """Import ipykernel's debugger module while debugpy cannot be found.

    ipykernel then records that debugpy is unavailable, and its kernels start without a
    debugger: a batch grader never attaches one. That saves each kernel building the
    debugger (a scan of every loaded module) and keeps pydevd's many modules out of
    ``sys.modules``, which IPython walks (``inspect.getmodule``) for every frame of
    every traceback it formats. Nothing a cell prints changes. debugpy is only hidden
    during this import, so learner code can still import it.
    """
    sys.modules["debugpy"] = None  # type: ignore[assignment]  # None makes the import fail
    try:
        yield
    finally:
        del sys.modules["debugpy"]


def _mount_points() -> set[Path]:
    """Every mount point in this mount namespace, and every folder above one."""
    points: set[Path] = set()
    with open("/proc/self/mountinfo", encoding="utf-8") as mounts:
        for line in mounts:
            point = Path(line.split()[4].replace("\\040", " "))
            points.update((point, *point.parents))
    return points


def _wipe(folder: Path, keep: set[Path]) -> None:
    """Empty a scratch folder, even one a learner made read-only.

    Folders in ``keep`` hold mount points (the Python environment of a checkout that
    lives under /tmp, say): they are the sandbox's, not the learner's, and stay.
    """
    for entry in list(folder.iterdir()) if folder.is_dir() else []:
        if entry in keep:
            continue
        if entry.is_dir() and not entry.is_symlink():
            for sub, dirs, _files in os.walk(entry):
                for name in dirs:
                    os.chmod(os.path.join(sub, name), 0o700, follow_symlinks=False)
            os.chmod(entry, 0o700)
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def _kill_all_but_me() -> None:
    """SIGKILL every process in this PID namespace except init (1) and the zygote.

    A learner's code can leave the kernel's process group (setsid, double fork), but
    it cannot leave the sandbox's PID namespace, so this catches everything.
    """
    me = os.getpid()
    for _round in range(50):
        others = [int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) not in (1, me)]
        if not others:
            return
        for pid in others:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        _reap()


def _reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _become_kernel(
    folders: Folders, connection_file: str, argv: list[str], limits: dict[str, int], user: int | None
) -> None:
    """In the forked child: drop into a fresh session, as the kernel's own user, with
    limits, then run ipykernel."""
    try:
        os.setsid()
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD, signal.SIGPIPE):
            signal.signal(sig, signal.default_int_handler if sig == signal.SIGINT else signal.SIG_DFL)
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        os.closerange(3, 1024)
        shutil.copytree(folders.inbox, folders.home, dirs_exist_ok=True, symlinks=True)
        os.chdir(folders.home)
        if user is not None:
            _become_user(folders.home, user)
        _prctl(PR_SET_NO_NEW_PRIVS, 1)  # no set-user-id program, no file capability
        _prctl(PR_SET_DUMPABLE, 1)  # the zygote's (or a new user's) undumpable state is not the kernel's
        for name, value in limits.items():
            if name in RLIMITS:
                soft = value
                hard = value + 5 if name == "cpu_seconds" else value
                resource.setrlimit(RLIMITS[name], (soft, hard))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        from merit.grading.kernelapp import PreparedKernelApp, prepared_app

        app = prepared_app(argv)
        if app is not None:
            app.launch(connection_file)
        else:  # arguments the zygote did not prepare for: a stock start
            PreparedKernelApp.clear_instance()
            sys.argv = ["ipykernel_launcher", "-f", connection_file, *argv]
            PreparedKernelApp.launch_instance()  # its start() arms the guard, as launch() does
    finally:
        os._exit(0)


def _become_user(home: Path, user: int) -> None:
    """Hand the home folder to ``user`` and become it, for good.

    The zygote stays root (with the few capabilities bubblewrap left it) and the kernel
    runs as a user of its own: a process may signal, trace or re-limit
    (``prlimit``) only processes of its own user, so nothing the learner's code does can
    stop the zygote or change the limits of the next kernel. RLIMIT_NPROC does not bind
    root either.
    """
    for folder, dirs, files in os.walk(home):
        for name in (*dirs, *files):
            os.lchown(os.path.join(folder, name), user, user)
    os.chown(home, user, user)
    os.setgroups([])
    os.setresgid(user, user, user)
    os.setresuid(user, user, user)


PR_SET_DUMPABLE = 4
PR_SET_NO_NEW_PRIVS = 38


def _prctl(option: int, value: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(option, value, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), f"prctl({option}, {value}) failed")


def _hand_over(folders: Folders, user: int | None) -> None:
    """At the zygote's start: the scratch folders belong to the kernels' user, and the
    zygote itself cannot be traced or have its memory read, even by its own user."""
    _prctl(PR_SET_DUMPABLE, 0)
    if user is not None and os.getuid() == 0:
        for folder in folders.scratch:
            os.chown(folder, user, user)


@dataclass(frozen=True)
class Folders:
    """Where the kernel works: ``home`` (its working directory) and ``tmp`` are wiped
    after every kernel; ``inbox`` holds the one submission being graded."""

    home: Path
    inbox: Path
    tmp: Path
    ipc: Path | None = None  # the sockets' folder, when it is the sandbox's own

    @property
    def scratch(self) -> tuple[Path, ...]:
        return (self.home, self.tmp) if self.ipc is None else (self.home, self.tmp, self.ipc)


class Zygote:
    """Serve kernel requests on a pipe; one kernel at a time."""

    def __init__(self, replies: Any, folders: Folders, isolated: bool, user: int | None = None) -> None:
        self.replies = replies
        self.user = user
        self.folders = folders
        self.isolated = isolated
        self.mounts = _mount_points()
        self.child: int | None = None
        self.home: HomeTemplate | None = None
        self.status: int | None = None
        self.cpu_at_start = _children_cpu()

    def reply(self, **message: Any) -> None:
        self.replies.write(json.dumps(message) + "\n")
        self.replies.flush()

    def poll(self) -> int | None:
        if self.child is None:
            return self.status
        try:
            pid, status = os.waitpid(self.child, os.WNOHANG)
        except ChildProcessError:
            pid, status = self.child, 0
        if pid:
            self.child = None
            self.status = os.waitstatus_to_exitcode(status)
        return self.status

    def handle(self, request: dict[str, Any]) -> None:
        op = request.get("op")
        if op == "start":
            self.kill(keep=self.folders.ipc)  # the grader has just written the connection file there
            self._prepare(request.get("argv", []))
            self.status = None
            self.cpu_at_start = _children_cpu()
            self.child = os.fork()
            if self.child == 0:
                _become_kernel(
                    self.folders,
                    request["connection_file"],
                    request.get("argv", []),
                    request.get("limits", {}),
                    self.user,
                )
            self.reply(pid=self.child)
        elif op == "poll":
            self.reply(status=self.poll())
        elif op == "signal":
            if self.poll() is None and self.child:
                try:
                    os.killpg(self.child, int(request["signal"]))
                except ProcessLookupError:
                    pass
            self.reply(ok=True)
        elif op == "kill":
            status = self.kill()
            cpu = _children_cpu()
            self.reply(status=status, cpu_seconds=round(cpu - self.cpu_at_start, 4))
            self.cpu_at_start = cpu  # the next job that starts no kernel reports none
        else:
            self.reply(error=f"unknown op {op!r}")

    def _prepare(self, argv: list[str]) -> None:
        """Run the kernel's learner-independent start-up once (see :mod:`merit.grading.kernelapp`)
        and give every kernel the home folder it leaves behind."""
        from merit.grading import patches
        from merit.grading.kernelapp import HomeTemplate, PreparedKernelApp

        if not patches.usable("kernel-start-once"):
            return  # every kernel starts as a stock one (merit.grading.patches logged why)
        if self.home is None and not PreparedKernelApp.initialized():
            PreparedKernelApp.prepare(argv)
            self.home = HomeTemplate.capture(self.folders.home)
            gc.collect()
            gc.freeze()  # as in main(): the kernels need not copy these pages to scan them
        elif self.home is not None:
            self.home.restore(self.folders.home)

    def kill(self, keep: Path | None = None) -> int | None:
        """Kill the kernel and everything it spawned; leave the scratch folders empty
        (but ``keep``)."""
        status = self.poll()
        if self.child is not None:  # still running: it dies now
            status = -signal.SIGKILL
            try:
                os.killpg(self.child, signal.SIGKILL)
            except ProcessLookupError:
                pass
            if not self.isolated:
                os.waitpid(self.child, 0)
        if self.isolated:
            _kill_all_but_me()
        _reap()
        self.child, self.status = None, status
        for folder in self.folders.scratch:
            if folder != keep:
                _wipe(folder, self.mounts)
        return status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--inbox", type=Path, required=True)
    parser.add_argument("--tmp", type=Path, required=True)
    parser.add_argument("--ipc", type=Path, help="the sockets' own folder, emptied after every kernel")
    parser.add_argument("--isolated", action="store_true", help="alone in a PID namespace")
    parser.add_argument("--kernel-uid", type=int, help="as root: the user every kernel runs as")
    args = parser.parse_args()
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # stray prints must never corrupt the protocol
    folders = Folders(args.home, args.inbox, args.tmp, args.ipc)
    user = args.kernel_uid if os.getuid() == 0 else None
    _hand_over(folders, user)
    _preload()
    # Move everything imported so far out of the garbage collector's reach: a forked
    # kernel then does not copy those pages just to scan them (copy-on-write).
    gc.collect()
    gc.freeze()
    zygote = Zygote(replies, folders, args.isolated, user)
    zygote.reply(ready=True, pid=os.getpid(), uid=os.getuid())
    for line in sys.stdin:
        if line.strip():
            zygote.handle(json.loads(line))
    zygote.kill()


if __name__ == "__main__":
    main()
