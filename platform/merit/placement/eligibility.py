"""Who may be ranked for a position: the administrative requirements, applied in SQL.

The requirements (pangkat/golongan, years of service, unit, SKP) are resolved from the
layers described in :mod:`merit.catalog.eligibility` into one :class:`Criteria`, printed
with every result. They are applied as SQL conditions on the employee row, so ranking a
national pool with requirements still reads the ranking index in order; years of service
come straight from the NIP column (digits 9–14 are the TMT CPNS month), which keeps the
rule identical to :meth:`merit.nip.NIP.years_of_service`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, case, exists, func, not_, select
from sqlalchemy.orm import Session, aliased

from merit import golongan, predikat
from merit.catalog import Position
from merit.catalog.eligibility import EligibilityRule
from merit.errors import MeritError
from merit.placement.rules import PlacementRules
from merit.registry import models


@dataclass(frozen=True)
class Criteria:
    """The requirements in force for one selection, on the date ``as_of``."""

    as_of: dt.date
    golongan_min: str | None = None
    masa_kerja_min: int | None = None
    units: tuple[str, ...] = ()
    skp_min: str | None = None
    skp_years: int = 2

    @property
    def skp_period(self) -> tuple[int, ...]:
        """The SKP years judged: the ``skp_years`` calendar years before the selection year, newest first."""
        return tuple(self.as_of.year - offset for offset in range(1, self.skp_years + 1))

    def appointed_by(self) -> str:
        """``yyyymm``: appointed in this month or earlier means at least ``masa_kerja_min`` years on ``as_of``.

        The NIP stores the first day of the appointment month, so whole years of service
        reach N exactly when that month is not after the month N years before ``as_of``.
        """
        return f"{self.as_of.year - (self.masa_kerja_min or 0)}{self.as_of.month:02d}"

    @property
    def active(self) -> bool:
        return bool(self.golongan_min or self.masa_kerja_min or self.units or self.skp_min)

    def lines(self) -> list[str]:
        """Each requirement in the words of an announcement."""
        lines = []
        if self.golongan_min:
            lines.append(f"pangkat/golongan paling rendah {golongan.describe(self.golongan_min)}")
        if self.masa_kerja_min:
            lines.append(
                f"masa kerja sejak CPNS (TMT pada NIP) paling singkat {self.masa_kerja_min} tahun "
                f"per {self.as_of:%d-%m-%Y}"
            )
        if self.units:
            lines.append(f"berasal dari unit kerja: {', '.join(self.units)}")
        if self.skp_min:
            years = " dan ".join(str(y) for y in sorted(self.skp_period))
            lines.append(f"predikat SKP paling rendah {self.skp_min} pada tahun {years}")
        return lines

    def text(self) -> str:
        return "; ".join(self.lines()) or "tanpa syarat administrasi (semua pegawai di registri)"

    def as_dict(self) -> dict[str, object]:
        """The criteria as stored with a decision in the audit trail."""
        return {
            "per_tanggal": self.as_of.isoformat(),
            "golongan_min": self.golongan_min,
            "masa_kerja_min": self.masa_kerja_min,
            "units": list(self.units),
            "skp_min": self.skp_min,
            "skp_tahun": list(self.skp_period) if self.skp_min else [],
        }


def resolve_criteria(
    rules: PlacementRules,
    position: Position,
    units: Iterable[str],
    as_of: dt.date,
    override: EligibilityRule | None = None,
) -> Criteria:
    """Defaults → kind of position → the position's file → ``override`` (the command line)."""
    layers = [rules.eligibility.by_kind.get(position.kind, EligibilityRule()), position.eligibility]
    rule = rules.eligibility.default
    for layer in [*layers, override or EligibilityRule()]:
        rule = layer.over(rule)
    known = set(units)
    unknown = [u for u in rule.units or () if u not in known]
    if unknown:
        raise MeritError(f"Unit kerja tidak dikenal: {', '.join(unknown)}. Unit yang ada: {', '.join(sorted(known))}.")
    return Criteria(
        as_of=as_of,
        golongan_min=rule.golongan_min,
        masa_kerja_min=rule.masa_kerja_min or None,
        units=tuple(rule.units or ()),
        skp_min=rule.skp_min,
        skp_years=rule.skp_years or rules.eligibility.default.skp_years or 1,
    )


def _skp_each_year(criteria: Criteria, allowed: tuple[str, ...] | None) -> ColumnElement[bool]:
    checks = []
    for year in criteria.skp_period:
        rating = aliased(models.SkpRating)  # never correlated with a skp_rating the outer query joins
        condition = and_(rating.employee_id == models.Employee.id, rating.year == year)
        if allowed is not None:
            condition = and_(condition, rating.predikat.in_(allowed))
        checks.append(exists().where(condition))
    return and_(*checks)


@dataclass(frozen=True)
class Requirement:
    """One requirement as SQL on :class:`models.Employee`, and what failing it means."""

    reason: str  # how a person fails it, e.g. "golongan di bawah III/c"
    holds: ColumnElement[bool]
    counted_when: ColumnElement[bool] | None = None  # count failures only where this holds


def requirements(criteria: Criteria) -> list[Requirement]:
    """The requirements of ``criteria`` as SQL conditions."""
    employee = models.Employee
    found = []
    if criteria.golongan_min:
        found.append(
            Requirement(
                f"golongan di bawah {criteria.golongan_min}",
                employee.golongan.in_(golongan.at_least(criteria.golongan_min)),
            )
        )
    if criteria.masa_kerja_min:
        found.append(
            Requirement(
                f"masa kerja kurang dari {criteria.masa_kerja_min} tahun",
                func.substr(employee.nip, 9, 6) <= criteria.appointed_by(),
            )
        )
    if criteria.units:
        found.append(Requirement("di luar unit kerja yang ditentukan", employee.unit.in_(criteria.units)))
    if criteria.skp_min:
        complete = _skp_each_year(criteria, None)
        found.append(Requirement("SKP belum lengkap", complete))
        found.append(
            Requirement(
                f"SKP di bawah {criteria.skp_min}",
                _skp_each_year(criteria, predikat.at_least(criteria.skp_min)),
                complete,
            )
        )
    return found


def eligible(criteria: Criteria) -> ColumnElement[bool] | None:
    """All requirements together (None when there are none)."""
    found = requirements(criteria)
    return and_(*(r.holds for r in found)) if found else None


@dataclass(frozen=True)
class PoolSummary:
    """How many employees the requirements left, and how many each requirement turned away.

    One employee can fail several requirements, so the failures need not add up;
    "SKP di bawah" counts only employees whose SKP is complete.
    """

    employees: int
    eligible: int
    failed: dict[str, int]

    def text(self) -> str:
        reasons = ", ".join(f"{count} {reason}" for reason, count in self.failed.items() if count)
        return f"{self.eligible} dari {self.employees} pegawai memenuhi syarat" + (
            f"; tidak memenuhi: {reasons}" if reasons else ""
        )


def pool_summary(session: Session, criteria: Criteria) -> PoolSummary:
    """Count the pool in one pass over the employee table."""
    found = requirements(criteria)
    failing = []
    for requirement in found:
        fails = not_(requirement.holds)
        if requirement.counted_when is not None:
            fails = and_(requirement.counted_when, fails)
        failing.append(func.coalesce(func.sum(case((fails, 1), else_=0)), 0))
    everything = eligible(criteria)
    passing = func.count() if everything is None else func.coalesce(func.sum(case((everything, 1), else_=0)), 0)
    row = session.execute(select(func.count(), passing, *failing).select_from(models.Employee)).one()
    return PoolSummary(row[0], row[1], {r.reason: count for r, count in zip(found, row[2:], strict=True)})


def require_skp_loaded(session: Session, criteria: Criteria) -> None:
    """A requirement on SKP needs ratings for its years: without any, say so instead of an empty pool."""
    if not criteria.skp_min:
        return
    have = set(
        session.scalars(select(models.SkpRating.year).where(models.SkpRating.year.in_(criteria.skp_period)).distinct())
    )
    missing = [year for year in sorted(criteria.skp_period) if year not in have]
    if missing:
        raise MeritError(
            f"Predikat SKP tahun {', '.join(map(str, missing))} belum ada di registri untuk pegawai mana pun, "
            "sehingga syarat SKP tidak dapat diperiksa. Impor dengan `merit skp import BERKAS`, "
            "atau matikan syarat ini (`--skp-min tidak` pada `merit rank`; 'SKP min.: tanpa syarat' di halaman "
            "kepegawaian)."
        )
