"""jupyter_client plumbing so that nbclient (and nbgrader's Execute) run kernels from a zygote.

nbclient asks a kernel manager to start, signal, poll and kill a kernel; the
:class:`ZygoteProvisioner` answers each of those by asking the slot's zygote instead
of spawning ``python -m ipykernel_launcher``. Everything above the provisioner is
stock jupyter_client and nbclient, so messages, timeouts, interrupts and dead-kernel
handling behave exactly as in a normal ``nbgrader autograde``.

The slot is per thread: a grading worker binds its :class:`ZygoteProcess` with
:func:`use_slot` before executing a notebook.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import signal
import threading
import time
import typing as t
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from queue import Empty

import zmq
import zmq.asyncio
from jupyter_client import AsyncKernelClient, AsyncKernelManager
from jupyter_client.connect import KernelConnectionInfo
from jupyter_client.kernelspec import KernelSpec
from jupyter_client.provisioning import LocalProvisioner
from jupyter_core.utils import ensure_async
from traitlets import CaselessStrEnum, DottedObjectName, Type, default

from merit.grading import cellguard, patches
from merit.grading.sandbox import SandboxError, ZygoteProcess

_slots = threading.local()
CHANNELS = ("shell", "iopub", "stdin", "control", "hb")


@contextmanager
def use_slot(slot: ZygoteProcess) -> Iterator[ZygoteProcess]:
    """Kernels started by this thread inside the block come from ``slot``'s zygote."""
    _slots.current = slot
    try:
        yield slot
    finally:
        _slots.current = None


def current_slot() -> ZygoteProcess:
    slot = getattr(_slots, "current", None)
    if slot is None:
        raise SandboxError("no grading slot bound to this thread (use merit.grading.kernel.use_slot)")
    return slot


class ZygoteProvisioner(LocalProvisioner):
    """Start kernels by forking the slot's zygote; manage them through it."""

    slot: ZygoteProcess | None = None
    forked = False

    @property
    def has_process(self) -> bool:
        return self.forked

    async def launch_kernel(self, cmd: list[str], **kwargs: t.Any) -> KernelConnectionInfo:
        self.slot = current_slot()
        km = t.cast("ZygoteKernelManager", self.parent)
        # nbclient passes the kernel command of the kernelspec; the zygote runs
        # ipykernel itself and only needs the arguments after the connection file.
        argv = _after_connection_file(cmd)
        km.kernel_file = str(self.slot.kernel_file(km.connection_file))
        self.pid = self.slot.start_kernel(km.connection_file, argv)
        self.forked = True
        await self._sockets_bound()
        return self.connection_info

    async def _sockets_bound(self) -> None:
        """Wait until the kernel has bound its five IPC sockets.

        A ZeroMQ client that connects before the socket file exists retries only after
        100 ms; waiting for the files costs a few milliseconds instead. Whether the
        kernel died meanwhile is asked of the zygote only every 20 ms: each question is a
        round trip through its pipe, and a kernel takes some 40 ms to bind its sockets.
        """
        info = self.connection_info
        paths = [Path(f"{info['ip']}-{info[f'{channel}_port']}") for channel in CHANNELS]  # type: ignore[literal-required]
        for attempt in itertools.count():
            if all(path.exists() for path in paths):
                return
            if attempt % 10 == 9 and await self.poll() is not None:
                return  # died while starting: nbclient reports it
            await asyncio.sleep(0.002)

    async def poll(self) -> int | None:
        if not self.forked or self.slot is None:
            return 0
        try:
            status = self.slot.request("poll")["status"]
        except SandboxError:
            return -signal.SIGKILL  # the zygote is gone, and its kernel with it
        return None if status is None else int(status)

    async def wait(self) -> int | None:
        while (status := await self.poll()) is None:
            await asyncio.sleep(0.02)
        self.forked = False
        return status

    async def send_signal(self, signum: int) -> None:
        if self.forked and self.slot is not None:
            try:
                self.slot.request("kill" if signum == signal.SIGKILL else "signal", signal=signum)
            except SandboxError:
                pass  # the zygote is gone, and its kernel with it

    async def kill(self, restart: bool = False) -> None:
        await self.send_signal(signal.SIGKILL)

    async def terminate(self, restart: bool = False) -> None:
        await self.send_signal(signal.SIGKILL)

    async def cleanup(self, restart: bool = False) -> None:
        await self.send_signal(signal.SIGKILL)
        self.forked = False


def _after_connection_file(cmd: list[str]) -> list[str]:
    """The kernelspec's arguments after ``-f {connection_file}`` (nbclient's extra arguments)."""
    for index, arg in enumerate(cmd):
        if arg == "-f":
            return cmd[index + 2 :]
    return []


@cache
def shared_context() -> zmq.asyncio.Context:
    """One ZeroMQ context for every kernel this process grades, with LINGER 0.

    jupyter_client gives each manager and client a context of its own and terminates
    it on clean-up. A kernel killed by a limit never reads what was queued for it, so
    terminating such a context with the default linger blocks forever, and one left to
    the garbage collector does so at some random later moment. A shared context with
    LINGER 0 is never terminated and drops unsendable messages at once.
    """
    context = zmq.asyncio.Context()
    context.setsockopt(zmq.LINGER, 0)
    return context


class FastReadyClient(AsyncKernelClient):
    """A kernel client that does not idle 0.2 s after the kernel answers.

    jupyter_client's ``wait_for_ready`` proves IOPub is connected by receiving one
    IOPub message after ``kernel_info_reply`` and then drains IOPub until it has been
    silent for 0.2 s. The proof is what matters; the drain only discards status
    messages that nbclient ignores anyway (it keeps messages by parent id), so this
    client drains what is already queued and goes on.
    """

    @default("context")
    def _shared_context(self) -> zmq.asyncio.Context:
        return shared_context()

    async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
        """jupyter_client's ``KernelClient._async_wait_for_ready`` without the final 0.2 s of
        silence (patch ``wait-for-ready``; stock's when that patch does not fit the installed
        jupyter_client)."""
        if not patches.usable("wait-for-ready"):
            return await super()._async_wait_for_ready(timeout)
        deadline = time.monotonic() + (timeout if timeout is not None else float("inf"))
        while True:
            self.kernel_info()
            try:
                reply = await ensure_async(self.shell_channel.get_msg(timeout=1))
            except Empty:
                pass
            else:
                if reply["msg_type"] == "kernel_info_reply":
                    try:
                        await ensure_async(self.iopub_channel.get_msg(timeout=0.2))
                    except Empty:
                        pass
                    else:
                        self._handle_kernel_info_reply(reply)
                        break
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")
        while True:
            try:
                await ensure_async(self.iopub_channel.get_msg(timeout=0))
            except Empty:
                break

    wait_for_ready = _async_wait_for_ready  # AsyncKernelClient binds the base method by name

    def start_channels(
        self, shell: bool = True, iopub: bool = True, stdin: bool = True, hb: bool = True, control: bool = True
    ) -> None:
        """Everything but the heartbeat: its thread and socket per kernel cost more than a
        notebook's cells, and this client asks the kernel manager (the zygote) whether the
        kernel is alive, never the heartbeat."""
        super().start_channels(shell=shell, iopub=iopub, stdin=stdin, hb=False, control=control)


class ZygoteKernelManager(AsyncKernelManager):
    """An AsyncKernelManager whose kernels are forked by the current slot's zygote.

    Kernels speak ZeroMQ over IPC sockets in the slot's folder: the sandbox has no
    network, so TCP cannot reach it.
    """

    client_class = DottedObjectName("merit.grading.kernel.FastReadyClient")
    client_factory = Type(FastReadyClient, klass=AsyncKernelClient)
    transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc")

    @default("context")
    def _shared_context(self) -> zmq.asyncio.Context:
        return shared_context()

    @property
    def kernel_spec(self) -> KernelSpec | None:
        """The kernelspec, read from disk once per process and kernel name.

        nbclient builds a kernel manager per notebook, and each searched Jupyter's data
        folders and parsed ``kernel.json`` again (about 1 ms of the grading thread's
        time). Only the arguments after the connection file are used (the zygote runs
        ipykernel itself), and they do not change during a run. Stock's property when patch
        ``kernelspec-once`` does not fit the installed jupyter_client.
        """
        if not patches.usable("kernelspec-once"):
            return super().kernel_spec
        if self._kernel_spec is None and self.kernel_name != "":
            with _specs_lock:
                if self.kernel_name not in _specs:
                    _specs[self.kernel_name] = self.kernel_spec_manager.get_kernel_spec(self.kernel_name)
                self._kernel_spec = _specs[self.kernel_name]
        return self._kernel_spec

    guard_plan: dict[str, t.Any] | None = None  # set by the grader: see merit.grading.cellguard
    kernel_file: str | None = None  # the connection file the kernel reads (set at launch)

    def write_connection_file(self, **kwargs: t.Any) -> None:
        """jupyter_client's connection file, with the test-cell guard's plan when there is one:
        the kernel reads it and removes it before any learner code runs."""
        super().write_connection_file(**kwargs)
        if self.guard_plan is not None:
            path = Path(self.connection_file)
            info = json.loads(path.read_text())
            info[cellguard.GUARD_FIELD] = self.guard_plan
            path.write_text(json.dumps(info))

    async def _async_pre_start_kernel(self, **kw: t.Any) -> tuple[list[str], dict[str, t.Any]]:
        slot = current_slot()
        self.kernel_id = self.kernel_id or _new_id()
        self.ip = str(slot.ipc_dir / f"k{self.kernel_id}")
        self.connection_file = str(slot.ipc_dir / f"k{self.kernel_id}.json")
        if self.provisioner is None:
            self.provisioner = ZygoteProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)
        return await super()._async_pre_start_kernel(**kw)


_specs: dict[str, KernelSpec] = {}
_specs_lock = threading.Lock()
_counter = iter(range(1, 1 << 62))


def _new_id() -> str:
    return str(next(_counter))
