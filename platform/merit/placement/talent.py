"""The nine-box talent grid (PermenPANRB 3/2020): performance from SKP × potential from competency.

Performance is the SKP predikat of one reference year; potential is approximated by the
job-person match (JPM) against a position: the target position for a grid per position,
each person's current position for a grid per unit. Both mappings, the box numbers and
the talent pool each box belongs to are read from ``assessments/talent-grid.yml`` and
printed with the grid. Employees without a rating for the reference year are not placed
and are listed apart, so nobody is silently dropped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from sqlalchemy import ColumnElement, and_, func, select, true
from sqlalchemy.orm import Session

from merit.catalog.yamlfile import StrictModel, load_model
from merit.errors import MeritError
from merit.placement.eligibility import Criteria, eligible, require_skp_loaded
from merit.placement.jpm import JPMRule, bands_text
from merit.placement.ranking import find_position
from merit.predikat import PREDIKAT
from merit.registry import models

Performance = Literal["di_bawah_ekspektasi", "sesuai_ekspektasi", "di_atas_ekspektasi"]
Potential = Literal["rendah", "menengah", "tinggi"]
Pool = Literal["siap_sekarang", "siap_dengan_pengembangan", "belum_siap"]
PERFORMANCE: tuple[Performance, ...] = ("di_bawah_ekspektasi", "sesuai_ekspektasi", "di_atas_ekspektasi")
POTENTIAL: tuple[Potential, ...] = ("rendah", "menengah", "tinggi")
POOLS: tuple[Pool, ...] = ("siap_sekarang", "siap_dengan_pengembangan", "belum_siap")


class PotentialBand(StrictModel):
    name: Potential
    min: float = Field(ge=0, le=100)


class Box(StrictModel):
    kotak: int = Field(ge=1, le=9)
    kinerja: Performance
    potensial: Potential
    kelompok: Pool
    tindak_lanjut: str = Field(min_length=1)


class GridRule(StrictModel):
    """The contents of ``assessments/talent-grid.yml``, checked to cover every case exactly once."""

    kinerja: dict[Performance, list[str]]
    potensial: list[PotentialBand]
    kelompok: dict[Pool, str]
    kotak: list[Box]

    @model_validator(mode="after")
    def _complete(self) -> GridRule:
        rated = [p for values in self.kinerja.values() for p in values]
        if sorted(rated) != sorted(PREDIKAT):
            raise ValueError(f"kinerja harus memetakan setiap predikat SKP tepat sekali: {', '.join(PREDIKAT)}")
        minimums = [band.min for band in self.potensial]
        if (
            sorted(b.name for b in self.potensial) != sorted(POTENTIAL)
            or minimums != sorted(minimums, reverse=True)
            or minimums[-1] != 0
        ):
            raise ValueError(
                "potensial harus berisi tinggi, menengah, rendah, urut dari batas tertinggi dan diakhiri min: 0"
            )
        if sorted(self.kelompok) != sorted(POOLS):
            raise ValueError(f"kelompok harus berisi {', '.join(POOLS)}")
        cells = sorted((b.kinerja, b.potensial) for b in self.kotak)
        if cells != sorted((k, p) for k in PERFORMANCE for p in POTENTIAL) or sorted(
            b.kotak for b in self.kotak
        ) != list(range(1, 10)):
            raise ValueError(
                "kotak harus berisi sembilan kotak bernomor 1-9, satu untuk setiap pasangan kinerja × potensial"
            )
        return self

    def performance(self, predikat: str) -> Performance:
        return next(level for level, values in self.kinerja.items() if predikat in values)

    def potential(self, percent: float) -> Potential:
        return next(band.name for band in self.potensial if percent >= band.min)

    def box(self, performance: Performance, potential: Potential) -> Box:
        return next(b for b in self.kotak if (b.kinerja, b.potensial) == (performance, potential))

    def rules_text(self) -> list[str]:
        """The mapping in words, printed under every grid."""
        performance = "; ".join(f"{label(level)} = {', '.join(self.kinerja[level])}" for level in reversed(PERFORMANCE))
        bands = bands_text([(band.name, band.min) for band in self.potensial])
        pools = "; ".join(
            f"{self.kelompok[pool]}: kotak "
            + ", ".join(str(b.kotak) for b in sorted(self.kotak, key=lambda b: -b.kotak) if b.kelompok == pool)
            for pool in POOLS
        )
        return [f"Kinerja (predikat SKP): {performance}", f"Potensial (JPM %): {bands}", f"Kelompok talenta: {pools}"]


def label(code: str) -> str:
    """``di_atas_ekspektasi`` -> ``di atas ekspektasi``."""
    return code.replace("_", " ")


def load_grid_rule(assessments_dir: Path) -> GridRule:
    return load_model(GridRule, assessments_dir / "talent-grid.yml", assessments_dir.parent)


@dataclass(frozen=True)
class TalentEntry:
    nip: str
    name: str
    unit: str
    position_code: str  # the position the JPM is measured against
    predikat: str | None
    jpm: float
    box: Box | None  # None when there is no SKP for the reference year


@dataclass(frozen=True)
class TalentGrid:
    subject: str  # "unit kerja X" or "jabatan Y (kode)"
    position_code: str | None  # the target position of a grid per position (talent pools apply)
    potential_basis: str
    year: int
    rule: GridRule
    entries: tuple[TalentEntry, ...]  # placed, best box first

    @property
    def placed(self) -> list[TalentEntry]:
        return [e for e in self.entries if e.box is not None]

    @property
    def unrated(self) -> list[TalentEntry]:
        return [e for e in self.entries if e.box is None]

    def boxed(self) -> list[tuple[TalentEntry, Box]]:
        """The placed entries with their boxes (typed as present)."""
        return [(e, e.box) for e in self.entries if e.box is not None]

    def cell(self, performance: Performance, potential: Potential) -> list[TalentEntry]:
        return [e for e, box in self.boxed() if (box.kinerja, box.potensial) == (performance, potential)]

    def pool(self, name: Pool) -> list[TalentEntry]:
        return [e for e, box in self.boxed() if box.kelompok == name]


def _entries(
    session: Session, rule: GridRule, jpm: JPMRule, year: int, target: str | None, where: ColumnElement[bool]
) -> list[TalentEntry]:
    """One entry per employee matching ``where``, measured against ``target`` (or their own position)."""
    employee, match, rating, req = models.Employee, models.PositionMatch, models.SkpRating, models.PositionRequirement
    totals = select(req.position_code, func.sum(req.level).label("total")).group_by(req.position_code).subquery()
    measured = match.position_code == (target if target is not None else employee.position_code)
    held = match.held_capped if jpm.cap_at_required else match.held_uncapped
    rows = session.execute(
        select(employee.nip, employee.name, employee.unit, match.position_code, rating.predikat, held, totals.c.total)
        .join(match, and_(match.employee_id == employee.id, measured))
        .join(totals, totals.c.position_code == match.position_code)
        .outerjoin(rating, and_(rating.employee_id == employee.id, rating.year == year))
        .where(where)
    )
    entries = []
    for nip, name, unit, position_code, predikat, counted, total in rows:
        percent = jpm.percent(counted, total)
        box = rule.box(rule.performance(predikat), rule.potential(percent)) if predikat else None
        entries.append(TalentEntry(nip, name, unit, position_code, predikat, percent, box))
    return sorted(entries, key=lambda e: (-(e.box.kotak if e.box else 0), -e.jpm, e.nip))


def _require_year(session: Session, year: int) -> None:
    if session.scalar(select(func.count()).select_from(models.SkpRating).where(models.SkpRating.year == year)) == 0:
        raise MeritError(
            f"Predikat SKP tahun {year} belum ada di registri, sehingga kinerja tidak dapat dipetakan. "
            "Impor dengan `merit skp import BERKAS` atau pilih tahun lain dengan --tahun-skp."
        )


def reference_year(as_of: dt.date) -> int:
    """The SKP year a grid uses by default: the last full year before ``as_of``."""
    return as_of.year - 1


def grid_for_unit(session: Session, unit: str, rule: GridRule, jpm: JPMRule, year: int) -> TalentGrid:
    """Everyone in ``unit``, potential measured against the position each holds now."""
    units = sorted(session.scalars(select(models.Employee.unit).distinct()))
    if unit not in units:
        raise MeritError(f"Unit kerja '{unit}' tidak punya pegawai di registri. Unit yang ada: {', '.join(units)}.")
    _require_year(session, year)
    entries = _entries(session, rule, jpm, year, None, models.Employee.unit == unit)
    return TalentGrid(
        f"unit kerja {unit}", None, "JPM terhadap jabatan yang sedang diduduki", year, rule, tuple(entries)
    )


def grid_for_position(
    session: Session, position_code: str, rule: GridRule, jpm: JPMRule, year: int, criteria: Criteria
) -> TalentGrid:
    """The position's eligible candidates (same requirements as its ranking), potential against it."""
    position = find_position(session, position_code)
    _require_year(session, year)
    require_skp_loaded(session, criteria)
    condition = eligible(criteria)
    entries = _entries(session, rule, jpm, year, position.code, condition if condition is not None else true())
    if not entries:
        raise MeritError(
            f"Tidak ada kandidat yang memenuhi syarat untuk jabatan {position.title_id}: {criteria.text()}."
        )
    return TalentGrid(
        f"jabatan {position.title_id} ({position.code})",
        position.code,
        f"JPM terhadap jabatan {position.code}",
        year,
        rule,
        tuple(entries),
    )
