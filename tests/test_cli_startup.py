"""What a `merit` command loads before it runs, and what `merit grade` starts first.

These tests check which modules are loaded, not how long loading takes.
"""

from __future__ import annotations

import json
import subprocess
import sys

from merit.grading import slots
from merit.grading.sandbox import Sandbox


def _loaded_after(statement: str) -> set[str]:
    """The modules a fresh interpreter holds after ``statement``."""
    code = f"{statement}; import json, sys; print(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(result.stdout))


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
