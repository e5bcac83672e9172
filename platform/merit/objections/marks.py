"""Reading objections: one line per objection, and the ones a ranking or a selection report concerns.

A ranking shows which candidates have an open objection that bears on it: one against the
ranking of that position, or against a level the position requires. Open objections are
few, so they are read by status and matched to the ranked candidates in Python: a ranking
of a national pool never sends millions of ids to the database for this.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.orm import Session, aliased

from merit.objections import GRANTED, LEVEL, OPEN
from merit.registry import models


@dataclass(frozen=True)
class ObjectionLine:
    """An objection as lists, pages and reports show it."""

    id: int
    nip: str
    name: str
    unit: str
    kind: str
    competency_code: str | None
    position_code: str | None
    subject: str  # "level Integritas" or "peringkat jabatan Kepala Subbagian ..."
    reason: str
    filed_by: str
    filed_at: dt.datetime
    due_at: dt.datetime
    status: str
    answer: str | None
    answered_by: str | None
    answered_at: dt.datetime | None
    level_before: int | None
    level_after: int | None

    def overdue(self, now: dt.datetime) -> bool:
        """Still open after its deadline."""
        return self.status == OPEN and now > self.due_at

    def outcome(self, now: dt.datetime | None = None) -> str:
        """``terbuka, batas 21-12-2026`` / ``dikabulkan 10-12-2026: level 2 → 3`` / ``ditolak 10-12-2026``."""
        if self.status == OPEN:
            late = " (lewat batas)" if now is not None and self.overdue(now) else ""
            return f"terbuka, batas jawab {self.due_at:%d-%m-%Y}{late}"
        day = f"{self.answered_at:%d-%m-%Y}" if self.answered_at else ""
        text = f"{self.status} {day}".strip()
        if self.status == GRANTED and self.level_after is not None:
            text += f": level {self.level_before or 0} → {self.level_after}"
        return text


def select_lines(*conditions: ColumnElement[bool]) -> Select[models.Objection, str, str, str, str | None, str | None]:
    """The statement behind :func:`read_lines`, narrowed by ``conditions``, oldest first."""
    o, e = models.Objection, models.Employee
    c, p = aliased(models.Competency), aliased(models.Position)
    return (
        select(o, e.nip, e.name, e.unit, c.name_id, p.title_id)
        .join(e, e.id == o.employee_id)
        .outerjoin(c, c.code == o.competency_code)
        .outerjoin(p, p.code == o.position_code)
        .where(*conditions)
        .order_by(o.id)
    )


def read_lines(session: Session, *conditions: ColumnElement[bool]) -> list[ObjectionLine]:
    lines = []
    for row, nip, name, unit, competency, position in session.execute(select_lines(*conditions)):
        if row.kind == LEVEL:
            subject = f"level {competency or row.competency_code}"
        else:
            subject = f"peringkat jabatan {position or row.position_code}"
            if row.competency_code:  # a level changed in answer to a ranking objection
                subject += f" (level {competency or row.competency_code} ditinjau)"
        lines.append(
            ObjectionLine(
                row.id,
                nip,
                name,
                unit,
                row.kind,
                row.competency_code,
                row.position_code,
                subject,
                row.reason,
                row.filed_by,
                row.filed_at,
                row.due_at,
                row.status,
                row.answer,
                row.answered_by,
                row.answered_at,
                row.level_before,
                row.level_after,
            )
        )
    return lines


def _bearing_on(position_code: str, required: Collection[str]) -> ColumnElement[bool]:
    """Objections against this position's ranking or against a level it requires."""
    o = models.Objection
    return or_(
        o.position_code == position_code,
        and_(o.kind == LEVEL, o.competency_code.in_(sorted(required))),
    )


def open_for_ranking(session: Session, position_code: str, required: Collection[str]) -> dict[int, tuple[int, ...]]:
    """Employee id -> numbers of their open objections that bear on this ranking."""
    o = models.Objection
    found: dict[int, list[int]] = {}
    stmt = select(o.employee_id, o.id).where(o.status == OPEN, _bearing_on(position_code, required)).order_by(o.id)
    for employee_id, number in session.execute(stmt):
        found.setdefault(employee_id, []).append(number)
    return {employee_id: tuple(numbers) for employee_id, numbers in found.items()}


def for_ranking(
    session: Session, position_code: str, required: Collection[str], nips: Iterable[str]
) -> list[ObjectionLine]:
    """Every objection (open or answered) of the ranked candidates ``nips`` that bears on this ranking."""
    ranked = set(nips)
    return [line for line in read_lines(session, _bearing_on(position_code, required)) if line.nip in ranked]
