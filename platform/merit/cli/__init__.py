"""The ``merit`` command line: thin commands over the library.

Messages for users are in Indonesian. Errors caused by input (:class:`MeritError`)
are printed without a traceback and exit with status 2.

Every command pays for the imports of all of them: typer builds the whole command tree
before it runs one. So the command modules import only typer, rich and light Merit
modules at the top, and each command imports the domain modules it needs (nbgrader,
SQLAlchemy, pandas, Dask, ...) in its body. ``merit grade`` is measured against
``nbgrader autograde``: loading every command's dependencies took seconds before it
started (benchmarks/RESULTS.md), and it uses the time its own imports take to start its
sandboxes.
tests/test_cli_startup.py keeps the heavy modules out of ``import merit.cli``.
"""

from __future__ import annotations

import sys
import warnings

from merit.cli.app import app


def main() -> None:
    """The ``merit`` executable: this process is Merit's own, so it may set process-wide state.

    Importing :mod:`merit.cli` changes nothing beyond itself (tests/test_import_effects.py);
    what the process needs is set here, before any command runs.
    """
    # Start-up cost matters: `merit grade` is measured against `nbgrader autograde`, and a
    # trainer runs these commands all day. jsonschema (which nbformat imports) imports
    # rfc3987-syntax when installed, which builds a grammar at every start (over a second); it
    # checks only the "iri" string format, which no schema Merit validates uses. A None
    # entry makes that import fail, and jsonschema goes on without it. (The fast notebook
    # validator, fastjsonschema, is nbformat 5.11's own default: no NBFORMAT_VALIDATOR.)
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    # nbgrader 0.9.6's gradebook code trips SQLAlchemy 2.1 autoflush warnings; they say
    # nothing a trainer or HR officer can act on. Matched by SQLAlchemy's wording rather
    # than by SAWarning, whose import would load SQLAlchemy before any command runs.
    warnings.filterwarnings("ignore", message="Object of type .* not in session")
    app()


__all__ = ["app", "main"]
