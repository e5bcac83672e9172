"""Keep ``position_match`` current: every employee's match for every position.

Called whenever levels, the roster or a position's standard change. Ranking a position
then reads one index range instead of aggregating millions of level rows. The refresh
is a single INSERT … SELECT computed by the database, so re-matching a national roster
after a standard changes does not pull millions of rows into Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Select, case, delete, func, insert, select, true
from sqlalchemy.orm import Session

from merit.registry import models
from merit.registry.batches import batched

CHUNK = 20_000


def _match_select(employees: Sequence[int] | None = None) -> Select:
    """One row per (position, employee): capped and uncapped held sums, competencies met.

    Levels are aggregated per position first (a hash join of level rows with the small
    requirements table), then joined to every employee × position pair, so employees
    without levels still get a row of zeros and rank last.
    """
    employee, position = models.Employee, models.Position
    req, level = models.PositionRequirement, models.CompetencyLevel
    held = (
        select(
            req.position_code.label("position_code"),
            level.employee_id.label("employee_id"),
            func.sum(case((level.level < req.level, level.level), else_=req.level)).label("capped"),
            func.sum(level.level).label("uncapped"),
            func.sum(case((level.level >= req.level, 1), else_=0)).label("met"),
        )
        .join(req, req.competency_code == level.competency_code)
        .where(level.employee_id.in_(employees) if employees is not None else true())
        .group_by(req.position_code, level.employee_id)
        .subquery()
    )
    return (
        select(
            position.code,
            employee.id,
            employee.nip,
            func.coalesce(held.c.capped, 0),
            func.coalesce(held.c.uncapped, 0),
            func.coalesce(held.c.met, 0),
        )
        .select_from(employee)
        .join(position, true())  # every employee × every position
        .outerjoin(held, (held.c.position_code == position.code) & (held.c.employee_id == employee.id))
    )


def refresh_matches(session: Session, employees: Iterable[int] | None = None) -> None:
    """Recompute the match rows of ``employees`` (everyone when None)."""
    match = models.PositionMatch
    columns = [match.position_code, match.employee_id, match.nip, match.held_capped, match.held_uncapped, match.met]
    if employees is None:
        session.execute(delete(match))
        session.execute(insert(match).from_select(columns, _match_select()))
        return
    for part in batched(sorted(set(employees)), CHUNK):
        session.execute(delete(match).where(match.employee_id.in_(part)))
        session.execute(insert(match).from_select(columns, _match_select(part).where(models.Employee.id.in_(part))))
