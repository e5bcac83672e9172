"""The ``merit`` command line: thin commands over the library.

Messages for users are in Indonesian. Errors caused by input (:class:`MeritError`)
are printed without a traceback and exit with status 2.
"""

from __future__ import annotations

import os
import sys
import warnings

# Start-up cost matters: `merit grade` is measured against `nbgrader autograde`, and a
# trainer runs these commands all day. Both settings must precede the first nbformat
# import, which the commands below pull in.
# - nbformat validates with jsonschema by default, which costs seconds per process.
os.environ.setdefault("NBFORMAT_VALIDATOR", "fastjsonschema")
# - jsonschema imports rfc3987-syntax when installed, which builds a grammar for 1.3 s
#   at every start; it checks only the "iri" string format, which no schema Merit
#   validates uses. Leave it out of this process.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

from sqlalchemy.exc import SAWarning  # noqa: E402

from merit.cli.app import app  # noqa: E402


def main() -> None:
    # nbgrader 0.9.6's gradebook code trips SQLAlchemy 2.1 autoflush warnings; they say
    # nothing a trainer or HR officer can act on.
    warnings.filterwarnings("ignore", message="Object of type", category=SAWarning)
    app()


__all__ = ["app", "main"]
