"""The ``merit`` command line: thin commands over the library.

Messages for users are in Indonesian. Errors caused by input (:class:`MeritError`)
are printed without a traceback and exit with status 2.
"""

from __future__ import annotations

import os

from merit.cli.app import app


def main() -> None:
    # nbformat validates with jsonschema by default, which costs seconds per process.
    os.environ.setdefault("NBFORMAT_VALIDATOR", "fastjsonschema")
    app()


__all__ = ["app", "main"]
