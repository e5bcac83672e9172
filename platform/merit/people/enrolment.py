"""Course enrolment: who takes (``peserta``) and who teaches (``pengajar``) each course.

``merit kelas import FILE`` reads CSV or XLSX with columns nip, kursus, peran. The rules
are the roster's: every row checked, one bad row rejects the file, every change audited.
A file lists a course's whole class: people of that course missing from the file are
removed from it, so the hub's groups and nbgrader's student table follow the file
(``merit hub sinkron``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from merit.course_roles import LEARNER, TRAINER
from merit.nip import InvalidNIP, parse_nip
from merit.people.tabular import RowProblems, Table, read_table, require_columns, text
from merit.registry import models
from merit.registry.sync import employee_ids
from merit.registry.upsert import Change, delete_row, upsert, zero_counts

_ROLES = {"peserta": LEARNER, "learner": LEARNER, "student": LEARNER, "pengajar": TRAINER, "widyaiswara": TRAINER}
_ROLES |= {"trainer": TRAINER, "instructor": TRAINER}
COLUMNS = {
    "nip": ("nip",),
    "kursus": ("kursus", "course", "kode_kursus"),
    "peran": ("peran", "role"),
}


@dataclass(frozen=True)
class Enrolled:
    nip: str
    course_id: str
    role: str


@dataclass
class EnrolmentReport:
    counts: dict[Change, int] = field(default_factory=zero_counts)
    removed: int = 0


def parse_enrolment(table: Table, registered: dict[str, int], courses: set[str], today: dt.date) -> list[Enrolled]:
    """Validate every row against the format and the registry; all problems at once."""
    require_columns(table, COLUMNS, "kelas")
    problems = RowProblems(table.path.name)
    entries: list[Enrolled] = []
    first_row: dict[tuple[str, str], int] = {}
    for row_number, row in table.rows:
        nip = text(row.get("nip")).replace(" ", "")
        try:
            nip = parse_nip(nip, today).value
            if nip not in registered:
                problems.add(row_number, "nip", "NIP belum terdaftar di roster; impor roster lebih dulu")
                nip = ""
        except InvalidNIP as exc:
            problems.add(row_number, "nip", str(exc))
            nip = ""
        course = text(row.get("kursus"))
        if course not in courses:
            problems.add(row_number, "kursus", f"kursus '{course}' tidak ada di katalog ({', '.join(sorted(courses))})")
            course = ""
        role = _ROLES.get(text(row.get("peran")).lower())
        if role is None:
            problems.add(
                row_number, "peran", f"peran harus 'peserta' atau 'pengajar'; diterima '{text(row.get('peran'))}'"
            )
        if nip and course:
            if (nip, course) in first_row:
                problems.add(
                    row_number, "nip", f"NIP dan kursus yang sama sudah ada di baris {first_row[(nip, course)]}"
                )
            else:
                first_row[(nip, course)] = row_number
                if role:
                    entries.append(Enrolled(nip, course, role))
    if not table.rows:
        problems.add_file("berkas tidak berisi baris data")
    problems.raise_if_any("kelas")
    return entries


def import_enrolment(session: Session, path: Path, today: dt.date | None = None) -> EnrolmentReport:
    """Validate ``path`` completely, then make each course named in it hold exactly its rows."""
    table = read_table(path, COLUMNS)
    nips = sorted({text(row.get("nip")).replace(" ", "") for _, row in table.rows})
    registered = employee_ids(session, nips)
    courses = set(session.scalars(select(models.Course.id)))
    entries = parse_enrolment(table, registered, courses, today or dt.date.today())
    return register_enrolment(session, entries, registered)


def register_enrolment(session: Session, entries: list[Enrolled], registered: dict[str, int]) -> EnrolmentReport:
    """Bring each course in ``entries`` to exactly these people and roles (audited)."""
    report = EnrolmentReport()
    wanted = {(e.course_id, registered[e.nip]) for e in entries}
    for entry in entries:
        key = {"course_id": entry.course_id, "employee_id": registered[entry.nip]}
        _, change = upsert(session, models.Enrolment, key, {"role": entry.role})
        report.counts[change] += 1
    courses = {e.course_id for e in entries}
    for row in session.scalars(select(models.Enrolment).where(models.Enrolment.course_id.in_(courses))):
        if (row.course_id, row.employee_id) not in wanted:
            delete_row(session, row, {"course_id": row.course_id, "employee_id": row.employee_id})
            report.removed += 1
    return report


def class_lists(session: Session) -> dict[str, dict[str, list[str]]]:
    """course -> role -> sorted NIPs, for every course with anyone enrolled."""
    rows = session.execute(
        select(models.Enrolment.course_id, models.Enrolment.role, models.Employee.nip)
        .join(models.Employee, models.Employee.id == models.Enrolment.employee_id)
        .order_by(models.Enrolment.course_id, models.Employee.nip)
    )
    lists: dict[str, dict[str, list[str]]] = {}
    for course, role, nip in rows:
        lists.setdefault(course, {LEARNER: [], TRAINER: []})[role].append(nip)
    return lists
