"""The roster of ASN: validated entries and their registration by NIP.

An employee is identified by NIP; re-registering a changed roster updates name, unit,
position and rank in place, so evidence and levels attached to the employee are kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.orm import Session

from merit.nip import parse_nip
from merit.registry import models
from merit.registry.upsert import Change, upsert

# PNS ranks: I/a–I/d, II/a–II/d, III/a–III/d, IV/a–IV/e.
GOLONGAN_PATTERN = r"^(I/[a-d]|II/[a-d]|III/[a-d]|IV/[a-e])$"


class RosterEntry(BaseModel):
    """One ASN as HR knows them. The NIP is validated structurally on creation."""

    model_config = ConfigDict(frozen=True)

    nip: str
    name: str = Field(min_length=1, max_length=200)
    unit: str = Field(min_length=1)
    job_title: str = Field(min_length=1)
    golongan: str = Field(pattern=GOLONGAN_PATTERN)
    email: str | None = None

    @field_validator("nip")
    @classmethod
    def _valid_nip(cls, value: str) -> str:
        return parse_nip(value, dt.date.today()).value


def register_roster(session: Session, entries: Iterable[RosterEntry]) -> dict[Change, int]:
    """Create or update employees by NIP; returns how many were created/updated/unchanged."""
    counts = {change: 0 for change in Change}
    for entry in entries:
        _, change = upsert(
            session,
            models.Employee,
            {"nip": entry.nip},
            entry.model_dump(exclude={"nip"}),
        )
        counts[change] += 1
    return counts
