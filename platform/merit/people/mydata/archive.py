"""My data (data saya): everything Merit holds about one ASN, as one zip (UU 27/2022, the data subject's access).

Who may ask is decided here, for the portal and the CLI alike: a person for their own
data; HR for the employees of their unit kerja (or all, ``kepegawaian:*``) and admins for
anyone, and such an export of another person's data is written to the access log.
Everyone else is refused in Indonesian before the NIP is even looked up, so a refusal
says nothing about whether the NIP exists.

The archive is deterministic: its files (the sections of
:data:`merit.people.mydata.sections.SECTIONS`, a README.txt in Indonesian and a
manifest with each file's SHA-256) are written in name order with a fixed timestamp, so
the same registry state always gives the same bytes. The access-log entry of an export
is written after the archive is read, so an export does not list itself.
"""

from __future__ import annotations

import hashlib
import textwrap
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from merit.access import HR, Refused, Viewer
from merit.access.log import log_views
from merit.certificates.issuer import Issuer
from merit.competency.overrides import employee_by_nip
from merit.content import Content
from merit.nip import format_nip
from merit.people.mydata.sections import SECTIONS, Sources, json_file, subject_of
from merit.registry import models

OTHERS_REFUSED = (
    "Anda hanya dapat mengunduh data Anda sendiri. Permintaan data ASN lain ditolak; tidak ada data yang diberikan."
)
NO_ROSTER_ENTRY = (
    "Akun ini tidak terhubung ke NIP mana pun, jadi tidak ada data pribadi untuk diunduh. "
    "Petugas kepegawaian dapat mengekspor data seorang ASN dengan menyebut NIP-nya."
)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry holds: no clock in the bytes
SUBJECT = "seluruh data pribadi (ekspor data saya)"
DEFAULT_PURPOSE = "permintaan data pribadi oleh atau untuk pemiliknya (UU 27/2022)"


@dataclass(frozen=True)
class Archive:
    nip: str
    name: str
    data: bytes
    files: tuple[str, ...]

    @property
    def filename(self) -> str:
        return f"data-saya-{self.nip}.zip"


def authorise(session: Session, viewer: Viewer, nip: str | None) -> models.Employee:
    """The employee whose data ``viewer`` may export: themselves, or ``nip`` for HR of its unit and admins."""
    nip = nip.replace(" ", "") if nip else None
    if nip is None or nip == viewer.nip:
        if viewer.employee_id is None:
            raise Refused(NO_ROSTER_ENTRY)
        employee = session.get(models.Employee, viewer.employee_id)
    else:
        if not (viewer.is_admin or viewer.has(HR)):
            raise Refused(OTHERS_REFUSED)
        employee = employee_by_nip(session, nip)
        viewer.require_unit(employee.unit)
    if employee is None:  # an account linked to a roster entry that was removed
        raise Refused(NO_ROSTER_ENTRY)
    return employee


def readme(nip: str, name: str, files: list[str], audit_seq: int) -> bytes:
    lines = [
        "DATA SAYA - seluruh data pribadi yang disimpan Merit",
        "",
        f"Pemilik data: {name}, NIP {format_nip(nip)}.",
        f"Keadaan registri: sampai entri jejak audit nomor {audit_seq}.",
        "",
        "Arsip ini berisi semua data tentang Anda yang disimpan di registri kompetensi Merit, sesuai hak",
        "subjek data untuk mengakses datanya (UU 27/2022 tentang Pelindungan Data Pribadi). Semua berkas",
        "berformat UTF-8 dan dapat dibaca mesin: JSON, atau CSV (dibuka dengan program lembar kerja).",
        "Waktu ditulis dalam UTC. Bila ada data yang menurut Anda keliru, hubungi petugas kepegawaian;",
        "untuk keberatan atas level atau peringkat gunakan jalur keberatan.",
        "",
        "Isi arsip:",
    ]
    for section in SECTIONS:
        for pattern, text in section.files:
            lines.append(f"- {pattern}")
            lines += textwrap.wrap(text, 96, initial_indent="    ", subsequent_indent="    ")
    lines += [
        "- isi.json",
        "    Daftar setiap berkas arsip ini dengan ukuran dan sidik SHA-256-nya, untuk memeriksa keutuhannya.",
        "",
        f"Berkas dalam arsip ini: {len(files) + 2} (termasuk README.txt dan isi.json).",
        "",
    ]
    return "\r\n".join(lines).encode("utf-8")


def build_archive(
    session: Session, content: Content, issuer: Issuer | None, workspace: Path, employee: models.Employee
) -> Archive:
    """The zip of every section about ``employee``; the same registry state gives the same bytes."""
    sources = Sources(session, content, issuer, workspace)
    subject = subject_of(session, employee)
    files: dict[str, bytes] = {}
    for section in SECTIONS:
        for path, data in section.build(sources, subject).items():
            if path in files:
                raise ValueError(f"two sections write {path}")
            files[path] = data
    audit_seq = session.scalar(select(models.AuditHead.seq).where(models.AuditHead.id == 1)) or 0
    manifest = {
        "nip": employee.nip,
        "keadaan_registri_audit": audit_seq,
        "berkas": {
            path: {"bita": len(data), "sha256": hashlib.sha256(data).hexdigest()} for path, data in files.items()
        },
    }
    files["README.txt"] = readme(employee.nip, employee.name, sorted(files), audit_seq)
    files["isi.json"] = json_file(manifest)
    folder = f"data-saya-{employee.nip}"
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(files):
            entry = zipfile.ZipInfo(f"{folder}/{path}", date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, files[path])
    return Archive(employee.nip, employee.name, buffer.getvalue(), tuple(sorted(files)))


def export(
    session: Session,
    viewer: Viewer,
    content: Content,
    issuer: Issuer | None,
    workspace: Path,
    nip: str | None = None,
    page: str = "data-saya",
    purpose: str = DEFAULT_PURPOSE,
) -> Archive:
    """Check who asks, build the archive, and log the export when the data is someone else's."""
    employee = authorise(session, viewer, nip)
    archive = build_archive(session, content, issuer, workspace, employee)
    log_views(session, viewer, [employee.id], SUBJECT, page, purpose)
    return archive
