"""Rank employees for a position by job-person match, with the evidence behind it.

A ranking is decision support reviewed by a person (UU 27/2022 gives employees the
right to object to automated profiling), so every result carries its formula, its
tie-breaking rule, the administrative requirements applied and, per competency, the
level required and held and the evidence (or assessor's decision) behind the level.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from merit.competency.levels import LevelRule
from merit.errors import MeritError
from merit.nip import parse_nip
from merit.objections.marks import open_for_ranking
from merit.placement.basis import LevelBasis, level_bases
from merit.placement.eligibility import Criteria, PoolSummary, eligible, pool_summary, require_skp_loaded
from merit.placement.jpm import Gap, JPMResult, JPMRule
from merit.placement.precision import MatchPrecision, close_to_next, match_precision
from merit.registry import models
from merit.registry.sync import employee_ids

TIE_BREAK = (
    "Urutan: JPM tertinggi; bila sama, jumlah kompetensi yang memenuhi standar terbanyak; "
    "bila masih sama, NIP terkecil (urutan tetap, tidak acak)."
)
DECISION_SUPPORT = (
    "Peringkat ini alat bantu keputusan, bukan keputusan: ditinjau oleh pejabat yang berwenang, "
    "dan setiap kandidat berhak mengajukan keberatan atas hasilnya (UU 27/2022)."
)


@dataclass(frozen=True)
class Candidate:
    nip: str
    name: str
    unit: str
    golongan: str
    years_of_service: int
    skp: dict[int, str]  # year -> predikat, for the years the requirements judge (or the last two)
    match: JPMResult
    basis: dict[str, LevelBasis] = field(default_factory=dict)  # competency code -> why the level
    precision: MatchPrecision | None = None  # the match's range under measurement error
    objections: tuple[int, ...] = ()  # numbers of open objections bearing on this ranking (merit keberatan)

    @property
    def objection_text(self) -> str:
        """``nomor 3`` when the candidate has an open objection bearing on the ranking, else ``-``."""
        return f"nomor {', '.join(map(str, self.objections))}" if self.objections else "-"

    @property
    def expired_evidence(self) -> list[str]:
        """Competencies whose level rests on evidence that has expired by the ranking date."""
        return [code for code, basis in sorted(self.basis.items()) if basis.expired]

    def basis_text(self, row: Gap) -> str:
        basis = self.basis.get(row.code)
        return basis.text() if basis is not None and row.held else "belum ada bukti"


@dataclass(frozen=True)
class Ranking:
    position: models.Position
    required: dict[str, int]
    rule: JPMRule
    candidates: tuple[Candidate, ...]
    names: dict[str, str]  # competency code -> Indonesian name
    level_rule: str  # the evidence-to-level rule the levels were computed with
    criteria: Criteria
    pool: PoolSummary
    tie_break: str = TIE_BREAK
    notice: str = DECISION_SUPPORT
    close_to_next: tuple[bool, ...] = ()  # per candidate: the next one is within measurement error
    min_reliability: float | None = None  # below it a level is provisional (with a level rule)

    @property
    def as_of(self) -> dt.date:
        return self.criteria.as_of

    @property
    def required_text(self) -> str:
        return ", ".join(f"{self.names.get(c, c)} {lv}" for c, lv in sorted(self.required.items()))


def find_position(session: Session, position_code: str) -> models.Position:
    """The registered position ``position_code`` with its requirements; unknown -> clear error."""
    position = session.scalars(
        select(models.Position)
        .where(models.Position.code == position_code)
        .options(selectinload(models.Position.requirements))
    ).one_or_none()
    if position is None:
        known = ", ".join(session.scalars(select(models.Position.code).order_by(models.Position.code)))
        raise MeritError(f"Jabatan '{position_code}' tidak dikenal. Jabatan yang ada: {known}.")
    return position


def competency_names(session: Session) -> dict[str, str]:
    """Competency code -> Indonesian name, as registered."""
    return {code: name for code, name in session.execute(select(models.Competency.code, models.Competency.name_id))}


def rank_position(
    session: Session,
    position_code: str,
    rule: JPMRule,
    limit: int | None = None,
    *,
    criteria: Criteria | None = None,
    level_rule: LevelRule | None = None,
) -> Ranking:
    """Employees meeting ``criteria`` ranked for ``position_code``, best first (the top ``limit``, or all).

    Without ``criteria`` everyone in the registry is ranked, as of today. The order
    comes from ``position_match`` through its index; the details (levels, gaps, the
    evidence behind each level, SKP) are loaded for the ranked page only. With
    ``level_rule`` evidence that has expired on the ranking date is flagged.
    """
    criteria = criteria or Criteria(as_of=dt.date.today())
    position = find_position(session, position_code)
    required = {r.competency_code: r.level for r in position.requirements}
    require_skp_loaded(session, criteria)
    pool = pool_summary(session, criteria)
    if pool.employees == 0:
        raise MeritError("Registri belum berisi pegawai: tidak ada kandidat untuk diperingkat.")
    ids = ranked_ids(session, position_code, rule, limit, criteria)
    if not ids:
        raise MeritError(
            f"Tidak ada kandidat untuk jabatan {position.title_id} ({position.code}) setelah syarat diterapkan: "
            f"{pool.text()}. Syarat: {criteria.text()}. Longgarkan syarat lewat opsi perintah atau "
            "kolom eligibility di berkas jabatan."
        )
    employees = {
        e.id: e
        for e in session.scalars(
            select(models.Employee).where(models.Employee.id.in_(ids)).options(selectinload(models.Employee.levels))
        )
    }
    years = criteria.skp_period if criteria.skp_min else (criteria.as_of.year - 1, criteria.as_of.year - 2)
    skp: dict[int, dict[int, str]] = {}
    rating = models.SkpRating
    for employee_id, year, value in session.execute(
        select(rating.employee_id, rating.year, rating.predikat).where(
            rating.employee_id.in_(ids), rating.year.in_(years)
        )
    ):
        skp.setdefault(employee_id, {})[year] = value
    bases = level_bases(session, ids, level_rule, criteria.as_of)
    objections = open_for_ranking(session, position_code, required)
    candidates = []
    for employee_id in ids:
        employee = employees[employee_id]
        held = {lv.competency_code: lv.level for lv in employee.levels}
        basis = bases.get(employee_id, {})
        precision = match_precision(held, required, basis, level_rule, rule) if level_rule is not None else None
        candidates.append(
            Candidate(
                employee.nip,
                employee.name,
                employee.unit,
                employee.golongan,
                parse_nip(employee.nip).years_of_service(criteria.as_of),
                dict(sorted(skp.get(employee_id, {}).items(), reverse=True)),
                rule.match(held, required),
                basis,
                precision,
                objections.get(employee_id, ()),
            )
        )
    names = competency_names(session)
    rules = sorted({lv.rule for c in employees.values() for lv in c.levels if lv.source == "evidence"})
    return Ranking(
        position,
        required,
        rule,
        tuple(candidates),
        names,
        "; ".join(rules),
        criteria,
        pool,
        close_to_next=close_to_next([c.precision for c in candidates]),
        min_reliability=level_rule.min_reliability if level_rule is not None else None,
    )


def with_open_objections(session: Session, ranking: Ranking) -> Ranking:
    """``ranking`` with its candidates' open objections read again.

    For a ranking computed earlier (a preheated page kernel computes one before its
    request): an objection filed or answered since then must show as it stands now.
    """
    marks = open_for_ranking(session, ranking.position.code, ranking.required)
    ids = employee_ids(session, [c.nip for c in ranking.candidates]) if marks else {}
    now = [marks.get(ids.get(c.nip, -1), ()) for c in ranking.candidates]
    if now == [c.objections for c in ranking.candidates]:
        return ranking  # nothing changed: the very same result
    candidates = tuple(replace(c, objections=o) for c, o in zip(ranking.candidates, now, strict=True))
    return replace(ranking, candidates=candidates)


def ranked_ids(
    session: Session, position_code: str, rule: JPMRule, limit: int | None = None, criteria: Criteria | None = None
) -> list[int]:
    """Employee ids in ranking order: JPM, then competencies met, then NIP.

    Requirements in ``criteria`` join the employee row and filter in SQL; without any the
    statement reads the covering index alone. The statement is built and compiled by
    SQLAlchemy but its rows are fetched with the DB-API cursor: ranking a national pool
    returns millions of ids, and SQLAlchemy's per-row result processing costs more than
    twice what the driver alone takes (benchmarks/registry.py).
    """
    match = models.PositionMatch
    held = match.held_capped if rule.cap_at_required else match.held_uncapped
    stmt = select(match.employee_id).where(match.position_code == position_code)
    condition = eligible(criteria) if criteria is not None else None
    if condition is not None:
        stmt = stmt.join(models.Employee, models.Employee.id == match.employee_id).where(condition)
    stmt = stmt.order_by(held.desc(), match.met.desc(), match.nip).limit(limit)
    connection = session.connection()
    dialect = connection.dialect
    compiled = stmt.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})  # IN lists expanded
    params: Sequence[Any] | Mapping[str, Any]
    if dialect.positional:
        params = tuple(compiled.params[name] for name in compiled.positiontup or ())
    else:
        params = compiled.params
    driver = connection.connection.dbapi_connection
    assert driver is not None  # the session's connection is checked out and open
    cursor = driver.cursor(binary=True) if dialect.name == "postgresql" else driver.cursor()
    try:
        cursor.execute(str(compiled), params)
        return [row[0] for row in cursor.fetchall()]
    finally:
        cursor.close()
