"""What a `merit` command loads before it runs, and what `merit grade` starts first.

Typer builds every command before it runs one, so whatever a command module imports at
its top is paid by all commands; `merit grade` is measured against `nbgrader autograde`.
These tests check which modules are loaded, not how long loading takes.
"""

from __future__ import annotations

import json
import subprocess
import sys

from typer.testing import CliRunner

import merit.cli.grade as grade_module
from merit.cli import app
from merit.grading import slots
from merit.grading.sandbox import Sandbox
from merit.settings import Settings

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
    assert (
        sorted(loaded & {"nbformat", "nbgrader", "nbconvert", "jupyter_client", "merit_widgets", "merit.grading.job"})
        == []
    )


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


def test_grade_stops_its_early_zygotes_when_a_later_check_fails(settings: Settings, monkeypatch) -> None:
    """The cheap checks before the zygotes start pass (course folder, built gradebook, one
    submission), the full one after the imports fails: the command ends with the usual
    message and no zygote is left running."""
    built = settings.workspace_dir / "tata-kelola"
    (built / "submitted" / "199001012020121001" / "m99-tidak-ada").mkdir(parents=True)
    (built / "gradebook.db").touch()
    started = []

    def recording(sandbox: Sandbox, count: int) -> None:
        slots.prestart_slots(sandbox, count)
        started.extend(slots._spare_slots)

    monkeypatch.setattr(grade_module, "prestart_slots", recording)
    result = CliRunner().invoke(app, ["grade", "tata-kelola", "m99-tidak-ada"])
    assert result.exit_code == 2, result.output
    assert "Modul 'm99-tidak-ada' tidak ada di kursus tata-kelola" in result.output
    assert len(started) == 1
    assert all(zygote.process.poll() is not None and not zygote.slot.exists() for zygote in started)
    assert slots._all_slots == []
