"""Voila with Merit's offline template: ``python -m merit.serve.voila NOTEBOOK [VOILA OPTIONS]``.

The template ``merit`` ships inside this package (``share/voila/templates/merit``) and is
found through ``JUPYTER_PATH``, the search path Voila reads templates from; nothing is
installed into the environment's ``share/jupyter``. Any notebook, a course module or a
dashboard, can be served with it: the page then loads nothing from outside the server
(Font Awesome and MathJax come from Voila's and JupyterLab's own bundles).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

TEMPLATE = "merit"
SHARE = Path(__file__).with_name("share")


def jupyter_path_with_template(environ: Mapping[str, str]) -> str:
    """``JUPYTER_PATH`` with this package's ``share`` folder first, so Voila finds the template."""
    current = environ.get("JUPYTER_PATH", "")
    parts = [str(SHARE), *(p for p in current.split(os.pathsep) if p and p != str(SHARE))]
    return os.pathsep.join(parts)


def use_template(environ: os._Environ[str] | dict[str, str] = os.environ) -> None:
    """Make the ``merit`` template findable by a Voila started in (or from) this process."""
    environ["JUPYTER_PATH"] = jupyter_path_with_template(environ)


def voila_argv(target: str | Path, extra: Sequence[str] = ()) -> list[str]:
    """Voila's command line for ``target`` (a notebook or a folder) with the ``merit`` template."""
    return [str(target), f"--template={TEMPLATE}", *extra]


def main(argv: Sequence[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0].startswith("-"):
        sys.exit("Pemakaian: python -m merit.serve.voila NOTEBOOK_ATAU_FOLDER [opsi Voila]")
    use_template()
    from voila.app import Voila

    Voila.launch_instance(voila_argv(argv[0], argv[1:]))


if __name__ == "__main__":
    main()
