"""Limits per submission, not per process: one control group per submission.

``setrlimit`` bounds each process of a kernel, so a submission that forks eight children
holds eight times the memory limit, and children that call ``setsid`` each get a full
share of the CPU. A control group bounds everything one submission starts together:

* memory (``memory.max`` / ``memory.limit_in_bytes``): the kernel, every child, and
  what they write into the sandbox's memory-backed folders;
* processes (``pids.max``);
* CPU: at most one core (``cpu.max`` / ``cpu.cfs_quota_us``), whatever sessions the
  children start;

and measures what that submission used (CPU seconds, peak memory, whether the
memory limit killed a process). The grader creates the group before the submission's
first kernel starts and removes it after its last one is killed.

Which mechanism applies is found once per process (:func:`mechanism`): cgroup v2 when
the unified hierarchy offers the memory, pids and cpu controllers to this process's
group; cgroup v1 when its memory, pids, cpu and cpuacct hierarchies are mounted and
writable (root); otherwise none, and only the per-process rlimits hold.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

Kind = Literal["v2", "v1", "rlimit"]
V1_CONTROLLERS = ("memory", "pids", "cpu", "cpuacct")
V2_CONTROLLERS = ("memory", "pids", "cpu")
CPU_PERIOD_US = 100_000


@dataclass(frozen=True)
class Usage:
    """What one submission used, from its control group."""

    cpu_seconds: float
    memory_peak: int  # bytes; 0 when the kernel cannot say
    oom_kills: int


@dataclass(frozen=True)
class Hierarchy:
    """Where this process's groups live: one folder per v1 controller, or one for v2."""

    kind: Kind
    bases: dict[str, Path]  # controller (v1) or "" (v2) -> this grader's own folder


def _own_groups() -> dict[str, str]:
    """This process's group per controller ("" for v2), from /proc/self/cgroup."""
    groups = {}
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(",") if controllers else [""]:
            groups[controller] = path
    return groups


def _mounts() -> dict[str, tuple[Path, str]]:
    """Cgroup mounts: controller ("" for cgroup2) -> (mount point, root inside the hierarchy)."""
    found: dict[str, tuple[Path, str]] = {}
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        fields, _, tail = line.partition(" - ")
        fstype, _source, options = tail.split()[:3]
        parts = fields.split()
        root, point = parts[3], Path(parts[4].replace("\\040", " "))
        if fstype == "cgroup2":
            found.setdefault("", (point, root))
        elif fstype == "cgroup":
            for option in options.split(","):
                if option in V1_CONTROLLERS:
                    found.setdefault(option, (point, root))
    return found


def _inside(point: Path, root: str, path: str) -> Path:
    relative = path[len(root) :] if root != "/" and path.startswith(root) else path
    return point / relative.lstrip("/")


def _writable(folder: Path) -> bool:
    return folder.is_dir() and os.access(folder, os.W_OK) and os.access(folder / "cgroup.procs", os.W_OK)


def _v2(mounts: dict[str, tuple[Path, str]], own: dict[str, str]) -> Hierarchy | None:
    if "" not in mounts or "" not in own:
        return None
    point, root = mounts[""]
    base = _inside(point, root, own[""])
    try:
        offered = (base / "cgroup.controllers").read_text().split()
    except OSError:
        return None
    if not set(V2_CONTROLLERS) <= set(offered) or not _writable(base):
        return None
    try:  # fails (EBUSY) when this group holds processes and is not the root: no delegation
        (base / "cgroup.subtree_control").write_text(" ".join(f"+{c}" for c in V2_CONTROLLERS))
    except OSError:
        return None
    return Hierarchy("v2", {"": base})


def _v1(mounts: dict[str, tuple[Path, str]], own: dict[str, str]) -> Hierarchy | None:
    bases = {}
    for controller in V1_CONTROLLERS:
        if controller not in mounts or controller not in own:
            return None
        point, root = mounts[controller]
        bases[controller] = _inside(point, root, own[controller])
        if not _writable(bases[controller]):
            return None
    return Hierarchy("v1", bases)


@cache
def hierarchy() -> Hierarchy:
    """The mechanism this machine offers this process, found once."""
    if os.environ.get("MERIT_CGROUPS") == "tidak":  # the documented way to test the fallback
        return Hierarchy("rlimit", {})
    try:
        mounts, own = _mounts(), _own_groups()
    except OSError:
        return Hierarchy("rlimit", {})
    found = _v2(mounts, own) or _v1(mounts, own) or Hierarchy("rlimit", {})
    if found.kind != "rlimit":
        _remove_stale(found)
    return found


def mechanism() -> Kind:
    return hierarchy().kind


def _remove_stale(found: Hierarchy) -> None:
    """Groups left by a grader that was killed (SIGKILL leaves them): empty ones go."""
    for base in found.bases.values():
        for folder in base.glob("merit-*-*"):
            pid = folder.name.split("-")[1]
            if pid.isdigit() and not Path(f"/proc/{pid}").exists():
                with contextlib.suppress(OSError):
                    folder.rmdir()


class Group:
    """One control group (in each v1 hierarchy, or once in v2) beside the grader's own.

    Groups sit directly below the grader's group, not below a parent of the run's own: each
    submission's CPU weight then equals one process's (or one session's, under automatic
    process groups), as when kernels ran ungrouped. Below one parent, all the run's
    kernels together would weigh one process against the grading threads."""

    def __init__(self, found: Hierarchy, name: str) -> None:
        self.kind = found.kind
        self.folders = {}
        for controller, base in found.bases.items():
            folder = base / f"merit-{os.getpid()}-{name}"
            folder.mkdir(exist_ok=True)
            self.folders[controller] = folder

    def _file(self, controller: str, name: str) -> Path:
        return self.folders["" if self.kind == "v2" else controller] / name

    def add(self, pid: int) -> None:
        """Move ``pid`` (a host process id) into this group; its later children follow."""
        for folder in self.folders.values():
            (folder / "cgroup.procs").write_text(str(pid))

    def pids(self) -> set[int]:
        found: set[int] = set()
        for folder in self.folders.values():
            with contextlib.suppress(OSError):
                found.update(int(p) for p in (folder / "cgroup.procs").read_text().split())
        return found

    def kill(self) -> None:
        """SIGKILL everything in the group, from the host: no lock, no zygote needed."""
        if self.kind == "v2":
            with contextlib.suppress(OSError):
                self._file("", "cgroup.kill").write_text("1")
        for _round in range(100):
            pids = self.pids()
            if not pids:
                return
            for pid in pids:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.01)

    def remove(self) -> None:
        self.kill()
        for folder in self.folders.values():
            for _attempt in range(50):
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:  # busy for a moment while the last processes exit
                    time.sleep(0.01)


class JobGroup(Group):
    """The group of one submission, with its limits."""

    def __init__(self, found: Hierarchy, name: str, memory: int, processes: int, cores: float = 1.0) -> None:
        super().__init__(found, name)
        quota = int(CPU_PERIOD_US * cores)
        if self.kind == "v2":
            self._file("", "memory.max").write_text(str(memory))
            with contextlib.suppress(OSError):  # no swap configured: no file
                self._file("", "memory.swap.max").write_text("0")
            self._file("", "pids.max").write_text(str(processes))
            self._file("", "cpu.max").write_text(f"{quota} {CPU_PERIOD_US}")
        else:
            self._file("memory", "memory.limit_in_bytes").write_text(str(memory))
            with contextlib.suppress(OSError):  # swap accounting may be off
                self._file("memory", "memory.memsw.limit_in_bytes").write_text(str(memory))
            self._file("pids", "pids.max").write_text(str(processes))
            self._file("cpu", "cpu.cfs_period_us").write_text(str(CPU_PERIOD_US))
            self._file("cpu", "cpu.cfs_quota_us").write_text(str(quota))

    def usage(self) -> Usage:
        try:
            if self.kind == "v2":
                stat = dict(line.split() for line in self._file("", "cpu.stat").read_text().splitlines())
                events = dict(line.split() for line in self._file("", "memory.events").read_text().splitlines())
                peak = self._file("", "memory.peak")
                return Usage(
                    int(stat["usage_usec"]) / 1e6,
                    int(peak.read_text()) if peak.exists() else 0,
                    int(events.get("oom_kill", 0)),
                )
            oom = dict(line.split() for line in self._file("memory", "memory.oom_control").read_text().splitlines())
            return Usage(
                int(self._file("cpuacct", "cpuacct.usage").read_text()) / 1e9,
                int(self._file("memory", "memory.max_usage_in_bytes").read_text()),
                int(oom.get("oom_kill", 0)),
            )
        except (OSError, ValueError, KeyError):
            return Usage(0.0, 0, 0)

    def oom_kills(self) -> int:
        return self.usage().oom_kills
