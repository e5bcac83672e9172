"""The ``merit`` command line: thin commands over the library.

Messages for users are in Indonesian. Errors caused by input (:class:`MeritError`)
are printed without a traceback and exit with status 2.
"""

from __future__ import annotations

import os
import warnings

from sqlalchemy.exc import SAWarning

from merit.cli.app import app


def main() -> None:
    # nbformat validates with jsonschema by default, which costs seconds per process.
    os.environ.setdefault("NBFORMAT_VALIDATOR", "fastjsonschema")
    # nbgrader 0.9.6's gradebook code trips SQLAlchemy 2.1 autoflush warnings; they say
    # nothing a trainer or HR officer can act on.
    warnings.filterwarnings("ignore", message="Object of type", category=SAWarning)
    app()


__all__ = ["app", "main"]
