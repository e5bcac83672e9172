"""Positions (jabatan) with their competency standard (Standar Kompetensi Jabatan).

One YAML file per position under ``assessments/positions/``; each names the level it
requires for every competency. Codes are checked against the framework so that a typo
cannot silently drop a requirement from a ranking.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from merit.catalog.eligibility import EligibilityRule
from merit.catalog.framework import Framework
from merit.catalog.yamlfile import StrictModel, display_path, load_model
from merit.errors import MeritError, Problem, ProblemsFound

PositionKind = Literal["pimpinan_tinggi", "administrator", "pengawas", "fungsional", "pelaksana"]


class Position(StrictModel):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: dict[str, str]
    kind: PositionKind
    unit: str
    requirements: dict[str, int] = Field(min_length=1)
    # Administrative requirements of this position over the defaults for its kind
    # (assessments/placement.yml); see merit.catalog.eligibility.
    eligibility: EligibilityRule = EligibilityRule()

    def required_level(self, code: str) -> int:
        return self.requirements[code]


def load_positions(assessments_dir: Path, framework: Framework) -> dict[str, Position]:
    """Load every position, checking codes against the framework and file name."""
    root = assessments_dir.parent
    positions: dict[str, Position] = {}
    problems: list[Problem] = []
    for path in sorted((assessments_dir / "positions").glob("*.yml")):
        position = load_model(Position, path, root)
        shown = display_path(path, root)
        if path.stem != position.code:
            problems.append(Problem(f"{shown}, kolom code", f"harus sama dengan nama berkas '{path.stem}'"))
        for code, level in position.requirements.items():
            where = f"{shown}, kolom requirements.{code}"
            if code not in framework.codes:
                problems.append(Problem(where, "kode kompetensi tidak ada dalam kerangka kompetensi"))
            if not 1 <= level <= 5:
                problems.append(Problem(where, f"level harus 1-5, bukan {level}"))
        positions[position.code] = position
    if problems:
        raise ProblemsFound("Standar kompetensi jabatan tidak valid:", problems)
    if not positions:
        raise MeritError(f"Tidak ada berkas jabatan di {assessments_dir / 'positions'}.")
    return positions
