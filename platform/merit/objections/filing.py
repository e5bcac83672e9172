"""Filing, listing and answering objections, with every permission checked here on the server.

A learner files for themselves (HR of their unit or an admin may record a written objection
on their behalf); HR of the unit, the level's assessor (a trainer of the course its
evidence came from) or an admin answers, never the objector. Every step is an audited
change in the same transaction as its effect: the objection row, and when a level
objection is granted with a new level, the assessor's override through
:func:`merit.competency.overrides.set_override` and the levels and matches that follow.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from merit.access import TRAINER, Refused, Viewer
from merit.access.log import log_views
from merit.competency.overrides import employee_by_nip, set_override
from merit.errors import MeritError
from merit.nip import mask_nip
from merit.objections import DECISIONS, GRANTED, LEVEL, OPEN, RANKING
from merit.objections.marks import ObjectionLine, read_lines
from merit.objections.rules import ObjectionRule
from merit.registry import models
from merit.registry.upsert import assign_changed, create_row

if TYPE_CHECKING:
    from merit.content import Content

MIN_TEXT, MAX_TEXT = 10, 2000
PAGE = "keberatan"


def _text(value: str, what: str) -> str:
    text = (value or "").strip()
    if len(text) < MIN_TEXT:
        raise MeritError(f"{what} wajib diisi dengan jelas (minimal {MIN_TEXT} karakter).")
    if len(text) > MAX_TEXT:
        raise MeritError(f"{what} terlalu panjang ({len(text)} karakter; paling banyak {MAX_TEXT}).")
    return text


def file_objection(
    session: Session,
    viewer: Viewer,
    rule: ObjectionRule,
    nip: str,
    reason: str,
    *,
    competency: str | None = None,
    position: str | None = None,
    now: dt.datetime | None = None,
) -> models.Objection:
    """File an objection of ``nip`` against a level (``competency``) or a ranking (``position``).

    ``session`` is a writing session (actor and reason): the new row is audited.
    """
    if (competency is None) == (position is None):
        raise MeritError(
            "Sebutkan tepat satu: kompetensi (keberatan atas level) atau jabatan (keberatan atas peringkat)."
        )
    employee = employee_by_nip(session, nip)
    viewer.require_objector(employee.id, employee.unit)
    text = _text(reason, "Alasan keberatan")
    o = models.Objection
    if competency is not None:
        if session.get(models.Competency, competency) is None:
            raise MeritError(f"Kompetensi '{competency}' tidak dikenal.")
        same = o.competency_code == competency
    else:
        if session.get(models.Position, position) is None:
            raise MeritError(f"Jabatan '{position}' tidak dikenal.")
        same = o.position_code == position
    # Lock the audit head first: filings are numbered one after another, also on PostgreSQL.
    session.get(models.AuditHead, 1, with_for_update=True)
    earlier = session.scalar(
        select(o.id).where(o.employee_id == employee.id, o.status == OPEN, o.kind == _kind(competency), same)
    )
    if earlier is not None:
        raise MeritError(
            f"Keberatan yang sama (nomor {earlier}) masih terbuka untuk NIP {mask_nip(employee.nip)}: "
            "tunggu jawabannya sebelum mengajukan lagi."
        )
    filed = now or models.utcnow()
    number = (session.scalar(select(func.max(o.id))) or 0) + 1
    return create_row(
        session,
        models.Objection,
        {"id": number},
        {
            "employee_id": employee.id,
            "kind": _kind(competency),
            "competency_code": competency,
            "position_code": position,
            "reason": text,
            "filed_by": viewer.username,
            "filed_at": filed,
            "due_at": rule.due(filed),
            "status": OPEN,
            "answer": None,
            "answered_by": None,
            "answered_at": None,
            "level_before": None,
            "level_after": None,
        },
    )


def _kind(competency: str | None) -> str:
    return LEVEL if competency is not None else RANKING


def _level_course(session: Session, employee_id: int, code: str | None) -> str | None:
    """The course whose evidence produced the level: its trainers are the level's assessors."""
    if code is None:
        return None
    level = session.get(models.CompetencyLevel, (employee_id, code))
    return level.course_id if level is not None else None


def answer_objection(
    session: Session,
    viewer: Viewer,
    content: Content,
    number: int,
    decision: str,
    answer: str,
    *,
    level: int | None = None,
    competency: str | None = None,
    now: dt.datetime | None = None,
) -> models.Objection:
    """Answer objection ``number``: ``dikabulkan`` or ``ditolak``, why, and optionally a new level.

    A new level goes through the assessor's override (the path of ``merit level override``)
    and the levels, matches and completions of the employee are recomputed in the same
    transaction. For a ranking objection ``competency`` names the level that changes.
    """
    from merit.pipeline import after_evidence_change

    row = session.get(models.Objection, number, with_for_update=True)
    if row is None:
        raise MeritError(f"Keberatan nomor {number} tidak ada. Lihat `merit keberatan daftar`.")
    employee = session.get(models.Employee, row.employee_id)
    assert employee is not None  # the foreign key keeps it
    code = row.competency_code if row.kind == LEVEL else competency
    viewer.require_objection_reviewer(employee.id, employee.unit, _level_course(session, employee.id, code))
    if row.status != OPEN:
        day = f" pada {row.answered_at:%d-%m-%Y}" if row.answered_at else ""
        raise MeritError(f"Keberatan nomor {number} sudah dijawab ({row.status}{day}); jawaban tidak dapat diubah.")
    if decision not in DECISIONS:
        raise MeritError(f"Keputusan harus salah satu dari {', '.join(DECISIONS)}, bukan '{decision}'.")
    text = _text(answer, "Jawaban keberatan")
    if row.kind == LEVEL and competency not in (None, row.competency_code):
        raise MeritError(f"Keberatan nomor {number} menyangkut level {row.competency_code}, bukan {competency}.")
    values: dict[str, object] = {
        "status": decision,
        "answer": text,
        "answered_by": viewer.username,
        "answered_at": now or models.utcnow(),
    }
    if level is not None:
        if decision != GRANTED:
            raise MeritError("Level hanya diubah bila keberatan dikabulkan.")
        if code is None:
            raise MeritError("Sebutkan kompetensi yang levelnya diubah untuk keberatan atas peringkat.")
        held = session.get(models.CompetencyLevel, (employee.id, code))
        values |= {"level_before": held.level if held is not None else 0, "level_after": level}
        if row.kind == RANKING:
            values["competency_code"] = code
        set_override(
            session, content.framework, employee.nip, code, level, f"keberatan nomor {number}: {text}", viewer.username
        )
        as_of = (now or models.utcnow()).date()
        after_evidence_change(session, content.courses, content.level_rule, as_of, {employee.id})
    assign_changed(session, row, {"id": number}, values)
    return row


def list_objections(
    session: Session,
    viewer: Viewer,
    *,
    open_only: bool = False,
    own: bool = False,
    number: int | None = None,
    page: str = PAGE,
) -> list[ObjectionLine]:
    """The objections ``viewer`` may see, oldest first: their own, and those they may review.

    HR sees its units' objections (all units: every one), an admin every one, a trainer the
    level objections of levels from their courses, a learner their own (``own``: only those).
    ``number`` picks one objection. Viewing other
    people's objections is written to the access log.
    """
    o = models.Objection
    scope: list[ColumnElement[bool]] = []
    if viewer.employee_id is not None:
        scope.append(o.employee_id == viewer.employee_id)
    if not own:
        units = _hr_units(viewer)
        if units is None:
            scope = [o.id.is_not(None)]
        else:
            if units:
                scope.append(models.Employee.unit.in_(sorted(units)))
            courses = sorted(r.scope for r in viewer.roles if r.name == TRAINER)
            if courses:
                lv = models.CompetencyLevel
                assessed = (
                    select(lv.employee_id)
                    .where(
                        lv.employee_id == o.employee_id,
                        lv.competency_code == o.competency_code,
                        lv.course_id.in_(courses),
                    )
                    .exists()
                )
                scope.append((o.kind == LEVEL) & assessed)
    if not scope:
        raise Refused("Akun ini tidak terhubung ke NIP mana pun dan tidak berperan meninjau keberatan.")
    conditions = [or_(*scope)]
    if open_only:
        conditions.append(o.status == OPEN)
    if number is not None:
        conditions.append(o.id == number)
    lines = read_lines(session, *conditions)
    others = [line.nip for line in lines if line.nip != viewer.nip]
    if others:
        ids = session.scalars(select(models.Employee.id).where(models.Employee.nip.in_(sorted(set(others)))))
        log_views(session, viewer, ids, "daftar keberatan", page, "peninjauan keberatan")
    return lines


def _hr_units(viewer: Viewer) -> set[str] | None:
    """Units whose objections the viewer reviews as HR; ``None`` for all, empty for none."""
    try:
        return viewer.hr_units()
    except Refused:
        return set()
