"""Stock nbgrader, started as a trainer starts it by hand: the baseline Merit is compared with.

A baseline is only a baseline if nothing of Merit's reaches it. The test session and the
benchmarks set Merit's settings (``MERIT_*``) in their own environment for the ``merit``
commands they run; the stock commands get an environment without them.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

BIN = Path(sys.executable).parent
NBGRADER = str(BIN / "nbgrader")

# Library settings a test or a shell may have chosen: the baseline runs on the library's default.
LIBRARY_VARIABLES = ("NBFORMAT_VALIDATOR",)


def stock_environment() -> dict[str, str]:
    """This process's environment without Merit's settings, with this environment's tools on PATH.

    nbgrader runs the ``alembic`` executable when it creates a gradebook, so the virtual
    environment's ``bin`` goes first on PATH, as activating it would do.
    """
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("MERIT_") and name not in LIBRARY_VARIABLES
    }
    env["PATH"] = os.pathsep.join([str(BIN), *(p for p in env.get("PATH", "").split(os.pathsep) if p != str(BIN))])
    return env
