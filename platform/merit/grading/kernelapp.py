"""An IPython kernel application whose learner-independent start-up runs once, in the zygote.

Every stock kernel parses its command line, finds or creates its IPython profile
folder and searches for configuration files before it binds a single socket: the same
work for every learner (about a tenth of a kernel's CPU, benchmarks/RESULTS.md). The zygote
(:mod:`merit.grading.zygote`) runs those steps once with the arguments the grader
passes to every kernel; each forked kernel then only does what depends on it: its
connection file, sockets, shell and so on (``IPKernelApp.initialize`` after its first
line).

Nothing learner-specific can leak through this: the zygote never runs learner code,
and each kernel is a fresh copy of the zygote's memory. The profile folder the steps
create lives in the kernel's home, which is wiped after every kernel;
:class:`HomeTemplate` puts back exactly what the steps created, so every kernel finds
the home a stock kernel would have made for itself.

One difference from a stock kernel, on purpose: configuration files are searched
before the learner's files are copied into the working folder, so an
``ipython_kernel_config.py`` in a submission does not configure the grading kernel.
"""

from __future__ import annotations

import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from ipykernel.kernelapp import IPKernelApp
from IPython.core.application import BaseIPythonApplication
from traitlets.config import Config

from merit.grading import cellguard, patches


class _BaseStepsOnce(BaseIPythonApplication):
    """``BaseIPythonApplication.initialize`` that does its work at most once per process.

    Placed after :class:`IPKernelApp` in :class:`PreparedKernelApp`'s method order, it
    is what ``IPKernelApp.initialize`` reaches through ``super().initialize``.
    """

    _base_done = False

    def initialize(self, argv: list[str] | None = None) -> None:
        if not self._base_done:
            super().initialize(argv)
            self._base_done = True


class PreparedKernelApp(IPKernelApp, _BaseStepsOnce):
    """IPKernelApp prepared in the zygote (:meth:`prepare`) and finished in each kernel."""

    prepared_argv: list[str]  # set by prepare()

    @classmethod
    def prepare(cls, argv: list[str]) -> PreparedKernelApp:
        """Parse ``argv`` (the kernel arguments, without ``-f``), create the profile folder
        and read the configuration files, in this process."""
        app: PreparedKernelApp = cls.instance()
        _BaseStepsOnce.initialize(app, argv)
        # The home, and with it ~/.ipython, is wiped after every kernel, so a history
        # database on disk would always start empty, as one in memory does; in memory
        # there is no file to create and no thread writing it after every cell.
        app.update_config(Config({"HistoryManager": {"hist_file": ":memory:"}}))
        app.prepared_argv = list(argv)
        return app

    def launch(self, connection_file: str) -> None:
        """In a forked kernel: the per-kernel steps of ``initialize``, then run."""
        self.connection_file = connection_file
        self.initialize()
        self.start()

    def start(self) -> None:
        """Arm the test-cell guard (:mod:`merit.grading.cellguard`), set up now, before the
        first cell and so before any learner code; then serve."""
        sys.audit(cellguard.READY, self.abs_connection_file, self)
        super().start()


@dataclass(frozen=True)
class HomeTemplate:
    """The files and folders that preparing the kernel created in its home folder."""

    entries: tuple[tuple[str, int, bytes | None], ...]  # relative path, mode, content (None: folder)

    @classmethod
    def capture(cls, home: Path) -> HomeTemplate:
        entries: list[tuple[str, int, bytes | None]] = []
        for folder, dirs, files in os.walk(home):
            dirs.sort()
            for name in (*dirs, *sorted(files)):
                path = Path(folder, name)
                mode = stat.S_IMODE(path.lstat().st_mode)
                content = None if path.is_dir() else path.read_bytes()
                entries.append((str(path.relative_to(home)), mode, content))
        return cls(tuple(entries))

    def restore(self, home: Path) -> None:
        """Recreate the template in an emptied ``home`` (parents come before children)."""
        for relative, mode, content in self.entries:
            path = home / relative
            if content is None:
                path.mkdir(mode=mode, exist_ok=True)
            else:
                path.write_bytes(content)
            os.chmod(path, mode)


def prepared_app(argv: list[str]) -> PreparedKernelApp | None:
    """The process's prepared app if it was prepared with ``argv``, else None."""
    if not PreparedKernelApp.initialized() or not patches.usable("kernel-start-once"):
        return None
    app: PreparedKernelApp = PreparedKernelApp.instance()
    return app if getattr(app, "prepared_argv", None) == list(argv) else None
