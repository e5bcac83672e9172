"""The HR page's data: rankings with the requirements of ``merit rank``, the evidence behind a
level, nine-box grids, the gap heatmap, training needs and the selection report.

Every function takes the viewer: HR of one unit sees candidates and employees of that
unit only (checked here, on the server), and every view of named people is written to
the access log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from merit.access import Refused, Viewer
from merit.access.log import log_views
from merit.catalog.eligibility import EligibilityRule
from merit.competency.overrides import employee_by_nip, explain_level
from merit.content import Content
from merit.placement.eligibility import Criteria, resolve_criteria
from merit.placement.learning import TrainingNeeds, training_needs
from merit.placement.ranking import Candidate, Ranking, competency_names, rank_position, with_open_objections
from merit.placement.talent import GridRule, TalentEntry, TalentGrid, grid_for_position, grid_for_unit, reference_year
from merit.registry import models
from merit.registry.database import Registry
from merit.registry.sync import employee_ids
from merit.reports.selection import Published, publish_to_folder

PAGE = "kepegawaian"


def criteria_for(
    content: Content, viewer: Viewer, position_code: str, override: EligibilityRule, as_of: dt.date
) -> Criteria:
    """The requirements of ``merit rank`` for ``position_code``; HR of some units ranks only their units."""
    allowed = viewer.hr_units()
    if position_code not in content.positions:
        raise Refused(f"Jabatan '{position_code}' tidak dikenal.")
    if allowed is not None:
        asked = set(override.units or ())
        outside = sorted(asked - allowed)
        if outside:
            raise Refused(f"Anda tidak berwenang melihat kandidat dari unit kerja {', '.join(outside)}.")
        if not asked:
            override = override.model_copy(update={"units": sorted(allowed)})
    return resolve_criteria(content.placement, content.positions[position_code], content.units, as_of, override)


def _rank(session: Session, content: Content, position_code: str, criteria: Criteria, limit: int) -> Ranking:
    return rank_position(
        session, position_code, content.jpm_rule, limit, criteria=criteria, level_rule=content.level_rule
    )


def prepare(session: Session, content: Content, position_code: str, as_of: dt.date, limit: int = 25) -> Ranking:
    """The ranking the HR page opens with for HR of all units, computed before anyone asks.

    A preheated page kernel runs this before its request arrives (nothing is shown or
    logged then); :func:`ranking` hands it out only to a viewer whose criteria are exactly
    these, and logs the view at that moment.
    """
    criteria = resolve_criteria(content.placement, content.positions[position_code], content.units, as_of, None)
    return _rank(session, content, position_code, criteria, limit)


def ranking(
    session: Session,
    content: Content,
    viewer: Viewer,
    position_code: str,
    criteria: Criteria,
    limit: int = 25,
    prepared: Ranking | None = None,
) -> Ranking:
    """The top ``limit`` candidates, logged as viewed (``prepared`` is used when it answers the same question)."""
    same = (
        prepared is not None
        and prepared.position.code == position_code
        and prepared.criteria == criteria
        and len(prepared.candidates) <= limit
    )
    if prepared is not None and same:
        result = with_open_objections(session, prepared)  # filed or answered since it was computed
    else:
        result = _rank(session, content, position_code, criteria, limit)
    ids = _ids(session, [c.nip for c in result.candidates])
    log_views(session, viewer, ids, f"peringkat jabatan {position_code}", PAGE, "seleksi/penempatan")
    return result


def _ids(session: Session, nips: list[str]) -> list[int]:
    found = employee_ids(session, nips)
    return [found[n] for n in nips if n in found]


@dataclass(frozen=True)
class EvidenceRow:
    course_id: str
    assignment: str
    notebook: str
    cell: str
    score: float
    max_score: float
    needs_manual_grade: bool
    submitted_at: dt.datetime | None


@dataclass(frozen=True)
class LevelExplained:
    code: str
    name: str
    required: int
    held: int
    source: str  # "evidence", "override" or "" (no level)
    rule: str
    evidence: tuple[EvidenceRow, ...]


def candidate_evidence(
    session: Session, viewer: Viewer, candidate: Candidate, required: dict[str, int]
) -> list[LevelExplained]:
    """For each required competency: the level, its rule, and the graded cells behind it (``merit level jelaskan``)."""
    employee = employee_by_nip(session, candidate.nip)
    viewer.require_unit(employee.unit)
    names = competency_names(session)
    rows = []
    for code, level in sorted(required.items()):
        explanation = explain_level(session, candidate.nip, code)
        held = explanation.level
        rows.append(
            LevelExplained(
                code,
                names.get(code, code),
                level,
                held.level if held else 0,
                held.source if held else "",
                held.rule if held else "belum ada bukti",
                tuple(
                    EvidenceRow(
                        e.course_id,
                        e.assignment,
                        e.notebook,
                        e.cell,
                        e.score,
                        e.max_score,
                        e.needs_manual_grade,
                        e.submitted_at,
                    )
                    for e in explanation.evidence
                ),
            )
        )
    log_views(session, viewer, [employee.id], "bukti level kompetensi", PAGE, "seleksi/penempatan")
    return rows


SHOWN_PER_BOX = 8


def shown_in_grid(grid: TalentGrid, per_box: int = SHOWN_PER_BOX) -> list[TalentEntry]:
    """The people a page names in each box (best first); the rest are counted, not named."""
    boxes: dict[int, list[TalentEntry]] = {}
    for entry in grid.placed:
        if entry.box is not None:  # placed entries have an SKP year, hence a box
            boxes.setdefault(entry.box.kotak, []).append(entry)
    return [e for box in sorted(boxes, reverse=True) for e in boxes[box][:per_box]]


def _log_grid(session: Session, viewer: Viewer, grid: TalentGrid) -> None:
    named = [e.nip for e in shown_in_grid(grid)]
    log_views(session, viewer, _ids(session, named), f"kotak talenta {grid.subject}"[:200], PAGE, "manajemen talenta")


def grid_position(
    session: Session, content: Content, viewer: Viewer, rule: GridRule, position_code: str, criteria: Criteria
) -> TalentGrid:
    grid = grid_for_position(session, position_code, rule, content.jpm_rule, reference_year(criteria.as_of), criteria)
    _log_grid(session, viewer, grid)
    return grid


def grid_unit(
    session: Session, content: Content, viewer: Viewer, rule: GridRule, unit: str, as_of: dt.date
) -> TalentGrid:
    viewer.require_unit(unit)
    grid = grid_for_unit(session, unit, rule, content.jpm_rule, reference_year(as_of))
    _log_grid(session, viewer, grid)
    return grid


@dataclass(frozen=True)
class GapCell:
    employees: int
    with_gap: int
    levels: int  # levels missing, summed

    @property
    def share(self) -> float:
        return 100 * self.with_gap / self.employees if self.employees else 0.0


@dataclass(frozen=True)
class GapHeatmap:
    units: tuple[str, ...]
    competencies: tuple[str, ...]
    names: dict[str, str]
    cells: dict[tuple[str, str], GapCell]  # (competency, unit) -> cell


def gap_heatmap(session: Session, viewer: Viewer) -> GapHeatmap:
    """Competency × unit: how many employees fall short of their own position's standard (aggregates only)."""
    allowed = viewer.hr_units()
    e, r, lv = models.Employee, models.PositionRequirement, models.CompetencyLevel
    short = r.level - func.coalesce(lv.level, 0)
    stmt = (
        select(
            r.competency_code,
            e.unit,
            func.count(),
            func.sum(case((short > 0, 1), else_=0)),
            func.sum(case((short > 0, short), else_=0)),
        )
        .select_from(e)
        .join(r, r.position_code == e.position_code)
        .outerjoin(lv, (lv.employee_id == e.id) & (lv.competency_code == r.competency_code))
        .group_by(r.competency_code, e.unit)
    )
    if allowed is not None:
        stmt = stmt.where(e.unit.in_(sorted(allowed)))
    cells = {
        (code, unit): GapCell(n, int(gaps or 0), int(levels or 0))
        for code, unit, n, gaps, levels in session.execute(stmt)
    }
    units = tuple(sorted({u for _, u in cells}))
    codes = tuple(sorted({c for c, _ in cells}))
    return GapHeatmap(units, codes, competency_names(session), cells)


def needs(session: Session, content: Content, viewer: Viewer, unit: str) -> TrainingNeeds:
    """Training-needs analysis of a unit (aggregates; nobody named)."""
    viewer.require_unit(unit)
    return training_needs(session, content.courses, unit)


def export_selection(
    registry: Registry,
    content: Content,
    viewer: Viewer,
    position_code: str,
    criteria: Criteria,
    folder: Path,
    formats: list[str],
    reason: str,
) -> tuple[Published, dict[str, Path]]:
    """The audited selection report of ``merit laporan seleksi``, with the viewer as actor."""
    viewer.hr_units()
    published, files = publish_to_folder(
        registry, content, position_code, criteria, folder, formats, viewer.username, reason
    )
    with registry.session() as session:
        ids = _ids(session, [c.nip for c in published.report.ranking.candidates])
        log_views(session, viewer, ids, f"laporan seleksi {position_code}", PAGE, "pengumuman seleksi")
    return published, files
