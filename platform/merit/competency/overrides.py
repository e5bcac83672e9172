"""Assessor overrides and explanations of competency levels.

An override replaces the computed level of one employee in one competency, with the
assessor's name and a reason; it is audited like every other change. An explanation
answers "why does this person hold this level?": the rule and the evidence rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from merit.catalog import Framework
from merit.errors import MeritError
from merit.nip import mask_nip
from merit.registry import models
from merit.registry.upsert import delete_row, upsert


def employee_by_nip(session: Session, nip: str) -> models.Employee:
    employee = session.scalars(select(models.Employee).filter_by(nip=nip)).one_or_none()
    if employee is None:
        raise MeritError(f"Pegawai dengan NIP {mask_nip(nip)} tidak terdaftar di registri.")
    return employee


def set_override(
    session: Session, framework: Framework, nip: str, code: str, level: int, reason: str, assessor: str
) -> int:
    """Record an assessor's level for ``nip`` in ``code``; returns the employee id."""
    framework.get(code)  # unknown competency -> clear error
    if not 1 <= level <= 5:
        raise MeritError(f"Level harus 1 sampai 5, bukan {level}.")
    if len(reason.strip()) < 10:
        raise MeritError("Alasan keputusan asesor wajib diisi dengan jelas (minimal 10 karakter).")
    employee = employee_by_nip(session, nip)
    upsert(
        session,
        models.LevelOverride,
        {"employee_id": employee.id, "competency_code": code},
        {"level": level, "reason": reason.strip(), "assessor": assessor, "decided_at": models.utcnow()},
    )
    return employee.id


def remove_override(session: Session, nip: str, code: str) -> int:
    """Withdraw an override so the computed level applies again; returns the employee id."""
    employee = employee_by_nip(session, nip)
    row = session.get(models.LevelOverride, (employee.id, code))
    if row is None:
        raise MeritError(f"Tidak ada keputusan asesor untuk {mask_nip(nip)} pada kompetensi '{code}'.")
    delete_row(session, row, {"employee_id": employee.id, "competency_code": code})
    return employee.id


@dataclass(frozen=True)
class Explanation:
    level: models.CompetencyLevel | None
    evidence: list[models.Evidence]


def explain_level(session: Session, nip: str, code: str) -> Explanation:
    """The level row of ``nip`` in ``code`` and every evidence row that produced it."""
    employee = employee_by_nip(session, nip)
    level = session.get(models.CompetencyLevel, (employee.id, code))
    link = models.LevelEvidence
    evidence = list(
        session.scalars(
            select(models.Evidence)
            .join(link, link.evidence_id == models.Evidence.id)
            .where(link.employee_id == employee.id, link.competency_code == code)
            .order_by(
                models.Evidence.course_id, models.Evidence.assignment, models.Evidence.notebook, models.Evidence.cell
            )
        )
    )
    return Explanation(level, evidence)
