"""Job-person match (JPM): how far an employee's levels meet a position's standard.

The formula and its bands are not fixed in national regulation (regional assessment
systems differ), so both are read from ``assessments/placement.yml`` and printed next
to every result. Default::

    JPM = Σ min(held, required) ÷ Σ required × 100
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field, field_validator

from merit.catalog.yamlfile import StrictModel
from merit.errors import MeritError


class Band(StrictModel):
    name: str = Field(min_length=1)
    min: float = Field(ge=0, le=100)


class JPMRule(StrictModel):
    cap_at_required: bool = True
    bands: list[Band] = Field(min_length=1)

    @field_validator("bands")
    @classmethod
    def _descending_to_zero(cls, bands: list[Band]) -> list[Band]:
        minimums = [b.min for b in bands]
        if minimums != sorted(minimums, reverse=True) or minimums[-1] != 0:
            raise ValueError("harus urut dari batas tertinggi ke terendah dan diakhiri min: 0")
        return bands

    def formula(self) -> str:
        """The formula in the words HR reads next to a ranking."""
        held = "min(level dimiliki, level dipersyaratkan)" if self.cap_at_required else "level dimiliki"
        return f"JPM = Σ {held} ÷ Σ level dipersyaratkan × 100"

    def bands_text(self) -> str:
        return bands_text([(band.name, band.min) for band in self.bands])

    def band(self, percent: float) -> str:
        for band in self.bands:
            if percent >= band.min:
                return band.name
        return self.bands[-1].name  # unreachable: the last band starts at 0

    def match(self, held: dict[str, int], required: dict[str, int]) -> JPMResult:
        """Compute the match of ``held`` levels against ``required`` levels.

        Competencies the employee has no level for count as 0; competencies the position
        does not require are ignored.
        """
        if not required or sum(required.values()) <= 0:
            raise MeritError("Standar kompetensi jabatan kosong: JPM tidak dapat dihitung.")
        rows = []
        for code in sorted(required):
            need = required[code]
            have = held.get(code, 0)
            counted = min(have, need) if self.cap_at_required else have
            rows.append(Gap(code, need, have, counted))
        percent = self.percent(sum(r.counted for r in rows), sum(required.values()))
        return JPMResult(percent, self.band(percent), tuple(rows))

    @staticmethod
    def percent(counted: int, required: int) -> float:
        """The JPM of summed levels (``counted`` already capped or not), to two decimals."""
        return round(100 * counted / required, 2)


@dataclass(frozen=True)
class Gap:
    """One competency of a match: required vs held level."""

    code: str
    required: int
    held: int
    counted: int

    @property
    def gap(self) -> int:
        """How many levels short (0 when the requirement is met)."""
        return max(self.required - self.held, 0)


@dataclass(frozen=True)
class JPMResult:
    percent: float
    band: str
    rows: tuple[Gap, ...]

    @property
    def gaps(self) -> tuple[Gap, ...]:
        return tuple(r for r in self.rows if r.gap > 0)

    @property
    def met(self) -> int:
        return sum(1 for r in self.rows if r.gap == 0)


def bands_text(bands: list[tuple[str, float]]) -> str:
    """``[("Optimal", 90), ("Cukup", 78), ("Kurang", 0)]`` -> ``Optimal ≥ 90; Cukup 78–<90; Kurang < 78``."""
    parts = []
    upper: float | None = None
    for name, minimum in bands:
        if upper is None:
            parts.append(f"{name} ≥ {minimum:g}")
        elif minimum == 0:
            parts.append(f"{name} < {upper:g}")
        else:
            parts.append(f"{name} {minimum:g}–<{upper:g}")
        upper = minimum
    return "; ".join(parts)
