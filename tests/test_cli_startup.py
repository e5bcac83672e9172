"""What a `merit` command loads before it runs, and what `merit grade` starts first.

Typer builds every command before it runs one, so whatever a command module imports at
its top is paid by all commands; `merit grade` is measured against `nbgrader autograde`.
These tests check which modules are loaded, not how long loading takes.
"""

from __future__ import annotations

import json
import subprocess
import sys

from merit.grading import slots
from merit.grading.sandbox import Sandbox

# Seconds of imports between them, which only the commands that use them may load.
HEAVY = (
    "nbgrader",
    "nbconvert",
    "nbformat",
    "nbval",
    "jupyter_client",
    "ipywidgets",
    "pandas",
    "plotly",
    "distributed",
    "pytest",
    "alembic",
    "sqlalchemy",
    "merit.catalog",
    "merit.content",
    "merit.grading.engine",
    "merit.grading.job",
    "merit.authoring.validate",
    "merit.placement",
    "merit.reports.formats",
    "merit.demo.run",
)


def _loaded_after(statement: str) -> set[str]:
    """The modules a fresh interpreter holds after ``statement``."""
    code = f"{statement}; import json, sys; print(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(result.stdout))


def test_building_the_command_line_loads_no_heavy_module() -> None:
    loaded = _loaded_after("import merit.cli; merit.cli.app.registered_commands")
    assert "merit.cli.grade" in loaded and "merit.cli.placement" in loaded
    assert sorted(loaded & set(HEAVY)) == []


def test_slot_pool_loads_neither_nbgrader_nor_jupyter() -> None:
    """`merit grade` starts its zygotes before it imports nbgrader; the pool must not import it either."""
    loaded = _loaded_after("import merit.grading.slots")
    assert sorted(loaded & {"nbformat", "nbgrader", "nbconvert", "jupyter_client", "merit_widgets", "merit.grading.job"}) == []


def test_prestart_starts_only_the_missing_zygotes() -> None:
    sandbox = Sandbox.detect()
    try:
        slots.prestart_slots(sandbox, 1)
        slots.prestart_slots(sandbox, 1)  # the engine asking again after `merit grade` did
        assert len(slots._spare_slots) == 1
        slots.prestart_slots(sandbox, 2)
        assert len(slots._spare_slots) == 2
    finally:
        slots.close_slots()
    assert slots._all_slots == []
