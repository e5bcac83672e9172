"""Insert-or-update by natural key, touching only rows whose content changed.

Leaving unchanged rows alone is what makes every sync idempotent down to the
timestamps. Every change to an audited model (``__audited__ = True``) is recorded in
the session's audit trail with its before and after values.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from merit.registry.audit import CREATE, DELETE, UPDATE, trail_of
from merit.registry.models import Base

T = TypeVar("T", bound=Base)


class Change(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


def zero_counts() -> dict[Change, int]:
    """A fresh tally of changes, for the reports of imports, syncs and recomputations."""
    return {change: 0 for change in Change}


def entity_key(key: dict[str, Any]) -> str:
    return "/".join(str(value) for value in key.values())


def _audited(model: type[Base]) -> bool:
    return bool(getattr(model, "__audited__", False))


def assign_changed(session: Session, row: Base, key: dict[str, Any], values: dict[str, Any]) -> bool:
    """Set the attributes that differ, auditing them; return whether anything changed."""
    changed = {k: v for k, v in values.items() if getattr(row, k) != v}
    if changed and _audited(type(row)):
        trail_of(session).record(
            UPDATE,
            row.__tablename__,
            entity_key(key),
            {k: getattr(row, k) for k in changed},
            changed,
        )
    for name, value in changed.items():
        setattr(row, name, value)
    return bool(changed)


def create_row(session: Session, model: type[T], key: dict[str, Any], values: dict[str, Any]) -> T:
    """Add a new row of ``model``, recording it when the model is audited."""
    row = model(**key, **values)
    session.add(row)
    if _audited(model):
        trail_of(session).record(CREATE, model.__tablename__, entity_key(key), None, {**key, **values})
    return row


def upsert(session: Session, model: type[T], key: dict[str, Any], values: dict[str, Any]) -> tuple[T, Change]:
    """Find the row of ``model`` with ``key`` and bring it to ``values``, or create it."""
    row = session.scalars(select(model).filter_by(**key)).one_or_none()
    if row is None:
        return create_row(session, model, key, values), Change.CREATED
    changed = assign_changed(session, row, key, values)
    return row, Change.UPDATED if changed else Change.UNCHANGED


def delete_row(session: Session, row: Base, key: dict[str, Any]) -> None:
    """Delete ``row``, recording every non-key value it held."""
    if _audited(type(row)):
        held = {c.key: getattr(row, c.key) for c in row.__table__.columns if c.key not in key}
        trail_of(session).record(DELETE, row.__tablename__, entity_key(key), held, None)
    session.delete(row)
