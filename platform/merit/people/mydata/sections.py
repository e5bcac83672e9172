"""The sections of a person's data archive (data saya), each one small function.

A section reads what the registry holds about one employee and returns its files
(archive path -> bytes); :data:`SECTIONS` lists them in the order the README explains them.
Adding a section is one function and one line in :data:`SECTIONS`. Every file is UTF-8:
JSON with sorted keys, CSV with a BOM (as the selection report's CSV, for spreadsheet
programs), so the same registry state always gives the same bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from merit.certificates.issuer import Issuer
from merit.certificates.issuing import achievement_of
from merit.certificates.pdf import write_certificate
from merit.competency.overrides import explain_level
from merit.competency.reliability import stored_precisions
from merit.content import Content
from merit.errors import MeritError
from merit.people.gradebooks import all_feedback
from merit.registry import models

Files = dict[str, bytes]


@dataclass(frozen=True)
class Subject:
    """The person whose data is exported, and the keys their records go by."""

    employee: models.Employee
    accounts: tuple[models.Account, ...]
    certificates: tuple[models.Certificate, ...]


@dataclass(frozen=True)
class Sources:
    """What the sections read: the registry, the content, the certificate issuer (if configured), the gradebooks."""

    session: Session
    content: Content
    issuer: Issuer | None
    workspace: Path  # nbgrader's course directories (merit.settings.Settings.workspace_dir)


@dataclass(frozen=True)
class Section:
    """One part of the archive: its files (name, Indonesian description for the README) and its builder."""

    name: str
    files: tuple[tuple[str, str], ...]
    build: Callable[[Sources, Subject], Files]


def subject_of(session: Session, employee: models.Employee) -> Subject:
    accounts = session.scalars(select(models.Account).where(models.Account.employee_id == employee.id))
    certificates = session.scalars(
        select(models.Certificate)
        .where(models.Certificate.employee_id == employee.id)
        .order_by(models.Certificate.code)
    )
    return Subject(employee, tuple(sorted(accounts, key=lambda a: a.username)), tuple(certificates))


# --- file formats ----------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def json_file(value: Any) -> bytes:
    return orjson.dumps(value, default=_plain, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2) + b"\n"


def csv_file(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\r\n")
    out.writerow(header)
    for row in rows:
        out.writerow(["" if v is None else _plain(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def _when(moment: dt.datetime | None) -> str | None:
    return moment.replace(microsecond=0).isoformat() if moment is not None else None


# --- the sections ----------------------------------------------------------------------


def profile(sources: Sources, subject: Subject) -> Files:
    session, employee = sources.session, subject.employee
    position = session.get(models.Position, employee.position_code)
    roles = {
        account.id: sorted(
            f"{role}:{scope}" if scope else role
            for role, scope in session.execute(
                select(models.AccountRole.role, models.AccountRole.scope).where(
                    models.AccountRole.account_id == account.id
                )
            )
        )
        for account in subject.accounts
    }
    enrolments = session.execute(
        select(models.Enrolment.course_id, models.Enrolment.role)
        .where(models.Enrolment.employee_id == employee.id)
        .order_by(models.Enrolment.course_id)
    )
    ratings = session.execute(
        select(models.SkpRating.year, models.SkpRating.predikat)
        .where(models.SkpRating.employee_id == employee.id)
        .order_by(models.SkpRating.year)
    )
    completions = session.scalars(
        select(models.CourseCompletion)
        .where(models.CourseCompletion.employee_id == employee.id)
        .order_by(models.CourseCompletion.completed_on, models.CourseCompletion.course_id)
    )
    data = {
        "nip": employee.nip,
        "nama": employee.name,
        "unit_kerja": employee.unit,
        "jabatan": {"kode": employee.position_code, "nama": position.title_id if position else None},
        "golongan": employee.golongan,
        "email": employee.email,
        "akun": [
            {
                "nama_pengguna": a.username,
                "nama": a.name,
                "peran": roles[a.id],
                "aktif": a.active,
                "dibuat": _when(a.created_at),
            }
            for a in subject.accounts
        ],
        "kursus_diikuti": [{"kursus": course, "peran": role} for course, role in enrolments],
        "skp": [{"tahun": year, "predikat": predikat} for year, predikat in ratings],
        "kelulusan_kursus": [
            {
                "kursus": c.course_id,
                "tanggal_lulus": c.completed_on,
                "jp": c.jp,
                "nilai_persen": c.score_pct,
                "nilai_lulus": c.pass_mark,
                "dicatat": _when(c.recorded_at),
            }
            for c in completions
        ],
    }
    return {"profil.json": json_file(data)}


SCORE_COLUMNS = (
    "id_bukti",
    "kursus",
    "modul",
    "notebook",
    "sel",
    "kompetensi",
    "skor",
    "skor_maks",
    "menunggu_penilaian_manual",
    "dikumpulkan",
    "dicatat",
    "id_nilai_nbgrader",
)


def scores(sources: Sources, subject: Subject) -> Files:
    ev = models.Evidence
    rows = sources.session.scalars(
        select(ev)
        .where(ev.employee_id == subject.employee.id)
        .order_by(ev.course_id, ev.assignment, ev.notebook, ev.cell)
    )
    return {
        "nilai_per_sel.csv": csv_file(
            SCORE_COLUMNS,
            (
                (
                    e.id,
                    e.course_id,
                    e.assignment,
                    e.notebook,
                    e.cell,
                    e.competency_code,
                    e.score,
                    e.max_score,
                    "ya" if e.needs_manual_grade else "tidak",
                    _when(e.submitted_at),
                    _when(e.recorded_at),
                    e.nbgrader_grade_id,
                )
                for e in rows
            ),
        )
    }


FEEDBACK_COLUMNS = ("kursus", "modul", "notebook", "sel", "skor", "skor_maks", "menunggu_penilaian_manual", "komentar")


def feedback(sources: Sources, subject: Subject) -> Files:
    """nbgrader's own record: every graded cell of every submitted module, with the automatic or trainer's comment."""
    rows = [
        (
            course_id,
            module,
            c.notebook,
            c.cell,
            c.score,
            c.max_score,
            "ya" if c.needs_manual_grade else "tidak",
            c.comment,
        )
        for course_id in sorted(sources.content.courses)
        for module, cells in all_feedback(sources.workspace, course_id, subject.employee.nip).items()
        for c in cells
    ]
    return {"umpan_balik_nbgrader.csv": csv_file(FEEDBACK_COLUMNS, rows)}


def levels(sources: Sources, subject: Subject) -> Files:
    """Each level with what `merit level jelaskan` shows: the rule, the evidence precision, the evidence rows."""
    session, employee = sources.session, subject.employee
    names = {code: name for code, name in session.execute(select(models.Competency.code, models.Competency.name_id))}
    requirement = models.PositionRequirement
    required = {
        code: level
        for code, level in session.execute(
            select(requirement.competency_code, requirement.level).where(
                requirement.position_code == employee.position_code
            )
        )
    }
    precisions = stored_precisions(session)
    threshold = sources.content.level_rule.min_reliability
    held = session.scalars(
        select(models.CompetencyLevel.competency_code).where(models.CompetencyLevel.employee_id == employee.id)
    )
    entries = []
    for code in sorted(set(held) | set(required)):
        explanation = explain_level(session, employee.nip, code)
        level = explanation.level
        override = session.get(models.LevelOverride, (employee.id, code))
        precision = precisions.get((level.course_id, code)) if level is not None and level.course_id else None
        entries.append(
            {
                "kompetensi": code,
                "nama": names.get(code, code),
                "level": level.level if level else None,
                "level_dipersyaratkan_jabatan": required.get(code),
                "sumber": {"evidence": "bukti", "override": "keputusan asesor"}.get(level.source, level.source)
                if level
                else None,
                "aturan": level.rule if level else None,
                "kursus": level.course_id if level else None,
                "skor": level.score if level else None,
                "skor_maks": level.max_score if level else None,
                "dihitung": _when(level.computed_at) if level else None,
                "ketepatan_bukti": precision.text(threshold) if precision else None,
                "keputusan_asesor": {
                    "level": override.level,
                    "alasan": override.reason,
                    "asesor": override.assessor,
                    "tanggal": _when(override.decided_at),
                }
                if override
                else None,
                "bukti": [
                    {
                        "id_bukti": e.id,
                        "kursus": e.course_id,
                        "modul": e.assignment,
                        "notebook": e.notebook,
                        "sel": e.cell,
                        "skor": e.score,
                        "skor_maks": e.max_score,
                    }
                    for e in explanation.evidence
                ],
            }
        )
    return {"level_kompetensi.json": json_file(entries)}


def certificates(sources: Sources, subject: Subject) -> Files:
    """The list, each signed credential as issued, and the PDF drawn again from the registry."""
    files: Files = {}
    listed = []
    for row in subject.certificates:
        course = sources.content.courses.get(row.course_id)
        files[f"sertifikat/{row.code}.jwt"] = row.credential.encode()
        pdf = None
        if sources.issuer is not None and course is not None:
            try:
                achievement = achievement_of(sources.session, course, row)
            except MeritError:  # the completion was withdrawn: the certificate is revoked, its PDF not drawn
                pass
            else:
                buffer = io.BytesIO()
                write_certificate(sources.issuer, achievement, buffer, reproducible=True)
                pdf = f"sertifikat/{row.code}.pdf"
                files[pdf] = buffer.getvalue()
        listed.append(
            {
                "kode": row.code,
                "kursus": row.course_id,
                "diterbitkan": _when(row.issued_at),
                "diterbitkan_oleh": row.issued_by,
                "kunci_penanda_tangan": row.key_id,
                "status": "dicabut" if row.revoked_at else "berlaku",
                "dicabut": _when(row.revoked_at),
                "alasan_pencabutan": row.revoked_reason,
                "kredensial": f"sertifikat/{row.code}.jwt",
                "pdf": pdf,
                "alamat_verifikasi": sources.issuer.verification_url(row.code) if sources.issuer else None,
            }
        )
    files["sertifikat.json"] = json_file(listed)
    return files


# Audited tables whose entity key starts with the employee id (merit.registry.upsert.entity_key).
KEYED_BY_EMPLOYEE = ("evidence", "competency_level", "level_override", "skp_rating", "course_completion")
AUDIT_COLUMNS = ("no_urut", "waktu", "pelaku", "tindakan", "entitas", "kunci", "alasan", "sebelum", "sesudah", "hash")


def audit(sources: Sources, subject: Subject) -> Files:
    """Every audit entry about the person's own records; a selection decision (which names others) is not one."""
    entry, employee = models.AuditEntry, subject.employee
    about = [
        (entry.entity == "employee") & (entry.entity_key == employee.nip),
        entry.entity.in_(KEYED_BY_EMPLOYEE) & entry.entity_key.startswith(f"{employee.id}/", autoescape=True),
        (entry.entity == "enrolment") & entry.entity_key.endswith(f"/{employee.id}", autoescape=True),
    ]
    objections = select(models.Objection.id).where(models.Objection.employee_id == employee.id)
    keys = [str(number) for number in sources.session.scalars(objections)]
    if keys:
        about.append((entry.entity == "objection") & entry.entity_key.in_(keys))
    if subject.certificates:
        about.append((entry.entity == "certificate") & entry.entity_key.in_([c.code for c in subject.certificates]))
    for account in subject.accounts:
        about.append((entry.entity == "account") & (entry.entity_key == account.username))
        about.append((entry.entity == "account_role") & entry.entity_key.startswith(f"{account.id}/", autoescape=True))
    rows = sources.session.scalars(select(entry).where(or_(*about)).order_by(entry.seq))
    return {
        "jejak_audit.csv": csv_file(
            AUDIT_COLUMNS,
            (
                (e.seq, _when(e.at), e.actor, e.action, e.entity, e.entity_key, e.reason, e.before, e.after, e.hash)
                for e in rows
            ),
        )
    }


OBJECTION_COLUMNS = (
    "nomor",
    "atas",
    "kompetensi",
    "jabatan",
    "alasan",
    "diajukan_oleh",
    "diajukan",
    "batas_jawab",
    "status",
    "jawaban",
    "dijawab_oleh",
    "dijawab",
    "level_sebelum",
    "level_sesudah",
)


def objections(sources: Sources, subject: Subject) -> Files:
    """The person's objections (keberatan) to levels and rankings, with their answers, as filed and answered."""
    o = models.Objection
    rows = sources.session.scalars(select(o).where(o.employee_id == subject.employee.id).order_by(o.id))
    return {
        "keberatan.csv": csv_file(
            OBJECTION_COLUMNS,
            (
                (
                    r.id,
                    r.kind,
                    r.competency_code,
                    r.position_code,
                    r.reason,
                    r.filed_by,
                    _when(r.filed_at),
                    _when(r.due_at),
                    r.status,
                    r.answer,
                    r.answered_by,
                    _when(r.answered_at),
                    r.level_before,
                    r.level_after,
                )
                for r in rows
            ),
        )
    }


ACCESS_COLUMNS = ("waktu", "oleh", "peran", "yang_dilihat", "halaman", "tujuan")


def access(sources: Sources, subject: Subject) -> Files:
    log = models.AccessLog
    rows = sources.session.execute(
        select(log.at, log.viewer, log.roles, log.subject, log.page, log.purpose)
        .where(log.subject_employee_id == subject.employee.id)
        .order_by(log.at, log.id)
    )
    return {"log_akses.csv": csv_file(ACCESS_COLUMNS, ((_when(at), *rest) for at, *rest in rows))}


SECTIONS: tuple[Section, ...] = (
    Section(
        "profil",
        (
            (
                "profil.json",
                "Data diri dari roster (NIP, nama, unit kerja, jabatan, golongan, email), akun dan perannya, "
                "kursus yang diikuti, predikat SKP per tahun, dan kursus yang lulus beserta JP-nya.",
            ),
        ),
        profile,
    ),
    Section(
        "nilai",
        (
            (
                "nilai_per_sel.csv",
                "Skor setiap sel (soal) yang dinilai nbgrader dan tercatat di registri sebagai bukti kompetensi: "
                "kursus, modul, notebook, sel, kompetensi, skor, skor maksimum, apakah masih menunggu penilaian "
                "manual, waktu dikumpulkan dan dicatat.",
            ),
        ),
        scores,
    ),
    Section(
        "umpan_balik",
        (
            (
                "umpan_balik_nbgrader.csv",
                "Nilai dan komentar setiap sel dari gradebook nbgrader kursus (komentar otomatis atau dari "
                "widyaiswara), termasuk jawaban yang masih menunggu penilaian manual.",
            ),
        ),
        feedback,
    ),
    Section(
        "level",
        (
            (
                "level_kompetensi.json",
                "Level kompetensi (1-5) beserta penjelasannya seperti `merit level jelaskan`: aturan, sumber "
                "(bukti atau keputusan asesor), ketepatan bukti, level yang dipersyaratkan jabatan, dan setiap "
                "bukti (id_bukti di nilai_per_sel.csv) yang menghasilkannya.",
            ),
        ),
        levels,
    ),
    Section(
        "sertifikat",
        (
            (
                "sertifikat.json",
                "Daftar sertifikat: kode verifikasi, kursus, tanggal terbit, status (berlaku atau dicabut, "
                "dengan alasannya) dan alamat verifikasinya.",
            ),
            (
                "sertifikat/<kode>.jwt",
                "Kredensial Open Badges 3.0 bertanda tangan Ed25519, persis seperti diterbitkan; periksa dengan "
                "`merit sertifikat verifikasi` atau di halaman verifikasi.",
            ),
            (
                "sertifikat/<kode>.pdf",
                "Sertifikat PDF yang digambar ulang dari registri (tidak ada bila kelulusannya sudah ditarik).",
            ),
        ),
        certificates,
    ),
    Section(
        "keberatan",
        (
            (
                "keberatan.csv",
                "Keberatan Anda atas level kompetensi atau peringkat jabatan: alasan, siapa mengajukan, kapan, "
                "batas jawab, status (terbuka, dikabulkan, ditolak), jawaban petugas, dan level sebelum dan "
                "sesudah bila level diubah.",
            ),
        ),
        objections,
    ),
    Section(
        "audit",
        (
            (
                "jejak_audit.csv",
                "Setiap entri jejak audit tentang data Anda: siapa mengubah apa, kapan, mengapa, nilai sebelum dan "
                "sesudah (JSON), dan hash rantai audit.",
            ),
        ),
        audit,
    ),
    Section(
        "akses",
        (
            (
                "log_akses.csv",
                "Log akses (UU 27/2022): siapa (akun dan perannya) melihat data Anda, kapan, di halaman apa, "
                "dan untuk tujuan apa. Anda sendiri tidak tercatat.",
            ),
        ),
        access,
    ),
)
