"""The access log (UU 27/2022): every view of another person's personal data, one row per person."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from merit.access.viewer import Viewer
from merit.registry import models


def log_views(
    session: Session, viewer: Viewer, employee_ids: Iterable[int], subject: str, page: str, purpose: str
) -> int:
    """Record that ``viewer`` saw the personal data of ``employee_ids``; the viewer's own data is not logged."""
    now = models.utcnow()
    rows = [
        {
            "at": now,
            "viewer": viewer.username,
            "roles": viewer.roles_text[:400],
            "subject_employee_id": employee_id,
            "subject": subject[:200],
            "page": page,
            "purpose": purpose[:200],
        }
        for employee_id in dict.fromkeys(employee_ids)
        if employee_id != viewer.employee_id
    ]
    if rows:
        session.execute(insert(models.AccessLog), rows)
    return len(rows)


@dataclass(frozen=True)
class AccessLine:
    at: dt.datetime
    viewer: str
    roles: str
    nip: str | None
    name: str | None
    subject: str
    page: str
    purpose: str


def read_log(session: Session, nip: str | None = None, viewer: str | None = None, limit: int = 50) -> list[AccessLine]:
    """The newest entries, optionally about one employee or by one viewer."""
    log, employee = models.AccessLog, models.Employee
    stmt = (
        select(log.at, log.viewer, log.roles, employee.nip, employee.name, log.subject, log.page, log.purpose)
        .outerjoin(employee, employee.id == log.subject_employee_id)
        .order_by(log.id.desc())
        .limit(limit)
    )
    if nip is not None:
        stmt = stmt.where(employee.nip == nip)
    if viewer is not None:
        stmt = stmt.where(log.viewer == viewer)
    return [AccessLine(*row) for row in session.execute(stmt)]
