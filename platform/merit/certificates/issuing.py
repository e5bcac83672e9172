"""Issuing and revoking certificates in the registry, audited, and publishing the status list.

A certificate is issued only for a recorded completion (merit.people.completion); it
states the competency levels the learner holds in the course's competencies at issue time.
Issuing twice for the same completion returns the certificate already issued. Revoking
keeps the row (who, when, why) and sets the certificate's bit in the status list.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
from dataclasses import replace
from pathlib import Path

from joserfc import jws
from joserfc.errors import JoseError
from sqlalchemy import select
from sqlalchemy.orm import Session

from merit.catalog import Course
from merit.certificates import credential, statuslist
from merit.certificates.credential import Achievement
from merit.certificates.issuer import Issuer, key_dir, load_issuer, public_dir
from merit.certificates.keys import ACTIVE, SigningKey, active_key
from merit.errors import MeritError
from merit.registry import models
from merit.registry.upsert import assign_changed, create_row
from merit.settings import Settings

STATUS_FILE = "status.jwt"


def new_code() -> str:
    """A verification code: 80 random bits as four groups of base32, e.g. ``K7QM-2XAB-PL4R-9ZTC``."""
    text = base64.b32encode(secrets.token_bytes(10)).decode()
    return "-".join(text[i : i + 4] for i in range(0, 16, 4))


def achievement_of(session: Session, course: Course, certificate: models.Certificate) -> Achievement:
    """What ``certificate`` states: the levels as signed at issue time, the rest from the registry."""
    employee = session.get(models.Employee, certificate.employee_id)
    completion = session.get(models.CourseCompletion, (certificate.employee_id, certificate.course_id))
    if employee is None or completion is None:
        raise MeritError(f"Sertifikat {certificate.code}: data pegawai atau kelulusan tidak ada di registri.")
    current = _achievement(
        session, course, employee, completion, certificate.code, certificate.issued_at, certificate.status_index
    )
    signed = credential.signed_levels(certificate.credential)
    return replace(current, levels=tuple((code, name, signed.get(code, 0)) for code, name, _ in current.levels))


def _achievement(
    session: Session,
    course: Course,
    employee: models.Employee,
    completion: models.CourseCompletion,
    code: str,
    issued_at: dt.datetime,
    status_index: int,
) -> Achievement:
    held = {lv.competency_code: lv.level for lv in employee.levels}
    names = {code: name for code, name in session.execute(select(models.Competency.code, models.Competency.name_id))}
    return Achievement(
        code=code,
        name=employee.name,
        nip=employee.nip,
        course_id=course.id,
        course_title=course.spec.title.id,
        jp=completion.jp,
        completed_on=completion.completed_on,
        issued_at=issued_at,
        score_pct=completion.score_pct,
        levels=tuple((c.code, names.get(c.code, c.code), held.get(c.code, 0)) for c in course.spec.competencies),
        status_index=status_index,
    )


def issue(
    session: Session, issuer: Issuer, key: SigningKey, course: Course, employee: models.Employee, actor: str
) -> tuple[models.Certificate, bool]:
    """The certificate of ``employee`` for ``course``, issued now if not yet; returns (row, new)."""
    existing = session.scalars(
        select(models.Certificate).filter_by(employee_id=employee.id, course_id=course.id)
    ).one_or_none()
    if existing is not None:
        return existing, False
    completion = session.get(models.CourseCompletion, (employee.id, course.id))
    if completion is None:
        raise MeritError(
            f"{employee.name} belum menyelesaikan kursus {course.id} menurut aturan kelulusannya "
            "(semua modul dikumpulkan, penilaian manual selesai, nilai lulus tercapai): sertifikat tidak diterbitkan."
        )
    used = set(session.scalars(select(models.Certificate.status_index)))
    code, index, now = new_code(), statuslist.free_index(used), models.utcnow().replace(microsecond=0)
    achievement = _achievement(session, course, employee, completion, code, now, index)
    token = credential.sign(credential.build(issuer, achievement), key)
    row = create_row(
        session,
        models.Certificate,
        {"code": code},
        {
            "employee_id": employee.id,
            "course_id": course.id,
            "status_index": index,
            "key_id": key.kid,
            "issued_at": now,
            "issued_by": actor,
            "credential": token,
            "revoked_at": None,
            "revoked_reason": None,
        },
    )
    return row, True


def find(session: Session, code: str) -> models.Certificate:
    row = session.get(models.Certificate, code.strip().upper())
    if row is None:
        raise MeritError(f"Sertifikat dengan kode {code} tidak ditemukan di registri.")
    return row


def revoke(session: Session, code: str, reason: str) -> models.Certificate:
    """Revoke a certificate: the row stays, with when and why; the audit entry says who."""
    row = find(session, code)
    if row.revoked_at is not None:
        raise MeritError(f"Sertifikat {row.code} sudah dicabut pada {row.revoked_at:%d-%m-%Y}.")
    assign_changed(session, row, {"code": row.code}, {"revoked_at": models.utcnow(), "revoked_reason": reason})
    return row


WITHDRAWN = "kelulusan ditarik: aturan kelulusan kursus tidak lagi terpenuhi"


def revoke_withdrawn(session: Session, employee_id: int, course_id: str) -> models.Certificate | None:
    """Revoke the certificate of a completion that no longer holds (a grade was lowered); audited.

    Called by :func:`merit.people.completion.refresh_completions` in the transaction that
    removes the completion; the status list is published again by
    :func:`publish_if_stale` once that transaction is written.
    """
    row = session.scalars(
        select(models.Certificate).filter_by(employee_id=employee_id, course_id=course_id)
    ).one_or_none()
    if row is None or row.revoked_at is not None:
        return None
    assign_changed(session, row, {"code": row.code}, {"revoked_at": models.utcnow(), "revoked_reason": WITHDRAWN})
    return row


def publish_status(session: Session, issuer: Issuer, key: SigningKey, public: Path) -> Path:
    """Write the signed status list of every revoked certificate to ``public/status.jwt``."""
    revoked = list(
        session.scalars(select(models.Certificate.status_index).where(models.Certificate.revoked_at.is_not(None)))
    )
    token = credential.status_list(issuer, revoked, key, models.utcnow())
    public.mkdir(parents=True, exist_ok=True)
    target = public / STATUS_FILE
    temporary = target.with_suffix(".tmp")
    temporary.write_text(token)
    temporary.replace(target)
    return target


def published_revocations(public: Path) -> str | None:
    """The ``encodedList`` of the status list now published (read, not verified: it is the issuer's own file)."""
    path = public / STATUS_FILE
    if not path.is_file():
        return None
    try:
        payload = json.loads(jws.extract_compact(path.read_text().strip().encode()).payload)
        return str(payload["credentialSubject"]["encodedList"])
    except (JoseError, ValueError, KeyError, TypeError):
        return None  # unreadable: publishing again repairs it


def publish_if_stale(session: Session, issuer: Issuer, key: SigningKey, public: Path) -> bool:
    """Publish the status list again when it does not say what the registry says; returns whether it did."""
    revoked = sorted(
        session.scalars(select(models.Certificate.status_index).where(models.Certificate.revoked_at.is_not(None)))
    )
    if published_revocations(public) == statuslist.encode(revoked):
        return False
    publish_status(session, issuer, key, public)
    return True


def refresh_status(session: Session, settings: Settings) -> bool:
    """After levels and completions were recomputed: publish the status list again if a
    withdrawn completion revoked a certificate. Without a signing key nothing was ever issued."""
    folder = key_dir(settings)
    if not (folder / ACTIVE).is_file():
        return False
    return publish_if_stale(session, load_issuer(settings), active_key(folder), public_dir(settings))
