"""Insert-or-update by natural key, touching only rows whose content changed.

Leaving unchanged rows alone is what makes every sync idempotent down to the
timestamps: running the same sync twice leaves the registry byte-for-byte the same.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from merit.registry.models import Base

T = TypeVar("T", bound=Base)


class Change(str, Enum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


def assign_changed(row: Base, values: dict[str, Any]) -> bool:
    """Set the attributes that differ; return whether anything changed."""
    changed = {k: v for k, v in values.items() if getattr(row, k) != v}
    for key, value in changed.items():
        setattr(row, key, value)
    return bool(changed)


def upsert(session: Session, model: type[T], key: dict[str, Any], values: dict[str, Any]) -> tuple[T, Change]:
    """Find the row of ``model`` with ``key`` and bring it to ``values``, or create it."""
    row = session.scalars(select(model).filter_by(**key)).one_or_none()
    if row is None:
        row = model(**key, **values)
        session.add(row)
        return row, Change.CREATED
    return row, Change.UPDATED if assign_changed(row, values) else Change.UNCHANGED
