"""Keep ``position_match`` current: every employee's match for every position.

Called whenever levels, the roster or a position's standard change. Ranking a
position then reads one index range instead of aggregating millions of level rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from merit.registry import models

CHUNK = 20_000


def requirements(session: Session) -> dict[str, dict[str, int]]:
    """position code -> competency code -> required level."""
    result: dict[str, dict[str, int]] = defaultdict(dict)
    req = models.PositionRequirement
    for position, code, level in session.execute(select(req.position_code, req.competency_code, req.level)):
        result[position][code] = level
    return dict(result)


def match_rows(
    required: dict[str, dict[str, int]], employee_id: int, nip: str, held: dict[str, int]
) -> list[dict[str, object]]:
    """The ``position_match`` rows of one employee, one per position."""
    rows = []
    for position, needs in required.items():
        rows.append({
            "position_code": position,
            "employee_id": employee_id,
            "nip": nip,
            "held_capped": sum(min(held.get(code, 0), level) for code, level in needs.items()),
            "held_uncapped": sum(held.get(code, 0) for code in needs),
            "met": sum(1 for code, level in needs.items() if held.get(code, 0) >= level),
        })
    return rows


def refresh_matches(session: Session, employees: Iterable[int] | None = None) -> int:
    """Recompute the match rows of ``employees`` (everyone when None); returns rows written."""
    required = requirements(session)
    if employees is None:
        session.execute(delete(models.PositionMatch))
        ids = list(session.scalars(select(models.Employee.id).order_by(models.Employee.id)))
    else:
        ids = sorted(set(employees))
    written = 0
    for start in range(0, len(ids), CHUNK):
        part = ids[start:start + CHUNK]
        nips = {e: nip for e, nip in session.execute(select(models.Employee.id, models.Employee.nip).where(models.Employee.id.in_(part)))}
        held: dict[int, dict[str, int]] = defaultdict(dict)
        lv = models.CompetencyLevel
        for employee_id, code, level in session.execute(
            select(lv.employee_id, lv.competency_code, lv.level).where(lv.employee_id.in_(part))
        ):
            held[employee_id][code] = level
        if employees is not None:
            session.execute(delete(models.PositionMatch).where(models.PositionMatch.employee_id.in_(part)))
        rows = [row for e in part for row in match_rows(required, e, nips[e], held.get(e, {}))]
        if rows:
            session.execute(insert(models.PositionMatch), rows)
        written += len(rows)
    return written
