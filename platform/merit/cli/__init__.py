"""The ``merit`` command line: thin commands over the library.

Messages for users are in Indonesian. Errors caused by input (:class:`MeritError`)
are printed without a traceback and exit with status 2.

Every command pays for the imports of all of them: typer builds the whole command tree
before it runs one. So the command modules import only typer, rich and light Merit
modules at the top, and each command imports the domain modules it needs (nbgrader,
SQLAlchemy, pandas, Dask, ...) in its body. ``merit grade`` is measured against
``nbgrader autograde``: loading every command's dependencies took 3.3 s and 2184 modules
before it started, and it uses the time its own imports take to start its sandboxes.
tests/test_cli_startup.py keeps the heavy modules out of ``import merit.cli``.
"""

from __future__ import annotations

import os
import sys
import warnings

# Start-up cost matters: `merit grade` is measured against `nbgrader autograde`, and a
# trainer runs these commands all day. Both settings must precede the first nbformat
# import, which the commands pull in when they run.
# - nbformat validates with jsonschema by default, which costs seconds per process.
os.environ.setdefault("NBFORMAT_VALIDATOR", "fastjsonschema")
# - jsonschema imports rfc3987-syntax when installed, which builds a grammar for 1.3 s
#   at every start; it checks only the "iri" string format, which no schema Merit
#   validates uses. Leave it out of this process.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

from merit.cli.app import app  # noqa: E402


def main() -> None:
    # nbgrader 0.9.6's gradebook code trips SQLAlchemy 2.1 autoflush warnings; they say
    # nothing a trainer or HR officer can act on. Matched by SQLAlchemy's wording rather
    # than by SAWarning, whose import would load SQLAlchemy (0.4 s) before any command runs.
    warnings.filterwarnings("ignore", message="Object of type .* not in session")
    app()


__all__ = ["app", "main"]
