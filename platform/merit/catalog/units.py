"""The agency's work units (unit kerja) that a roster row may name."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from merit.catalog.yamlfile import StrictModel, load_model


class UnitsFile(StrictModel):
    units: list[str] = Field(min_length=1)


def load_units(assessments_dir: Path) -> set[str]:
    """Names from ``assessments/units.yml``."""
    return set(load_model(UnitsFile, assessments_dir / "units.yml", assessments_dir.parent).units)
