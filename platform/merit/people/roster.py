"""The roster of ASN: validation of a roster file and its registration by NIP.

``merit roster import FILE`` reads CSV or XLSX with Indonesian column names (nip, nama,
unit_kerja, jabatan, golongan, email). Every row is checked; one bad row rejects the whole
file and the report lists every bad row, column and reason. An employee is identified by
NIP: re-importing a changed roster updates name, unit, position and rank in place, so
evidence, levels and history stay attached, and every change is audited. People missing
from a new file are reported, never deleted.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from merit.catalog import Position
from merit.nip import mask_nip, parse_nip
from merit.people.tabular import NipColumn, RowProblems, Table, read_table, require_columns, text
from merit.pipeline import after_roster_change
from merit.registry import models
from merit.registry.upsert import Change, upsert, zero_counts

# PNS ranks: I/a–I/d, II/a–II/d, III/a–III/d, IV/a–IV/e.
GOLONGAN_PATTERN = r"^(I/[a-d]|II/[a-d]|III/[a-d]|IV/[a-e])$"
_GOLONGAN_IN_TEXT = re.compile(r"\b(IV|III|II|I)\s*/\s*([a-e])\b", re.I)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
COLUMNS = {
    "nip": ("nip",),
    "nama": ("nama", "nama_lengkap", "nama_pegawai"),
    "unit_kerja": ("unit_kerja", "unit", "satuan_kerja"),
    "jabatan": ("jabatan", "nama_jabatan", "kode_jabatan"),
    "golongan": ("golongan", "gol", "golongan_pangkat", "pangkat_golongan", "gol_ruang"),
    "email": ("email", "e_mail", "surel"),
}
REQUIRED = ("nip", "nama", "unit_kerja", "jabatan", "golongan")


class RosterEntry(BaseModel):
    """One ASN as HR knows them. The NIP is validated structurally on creation."""

    model_config = ConfigDict(frozen=True)

    nip: str
    name: str = Field(min_length=1, max_length=200)
    unit: str = Field(min_length=1)
    position_code: str = Field(min_length=1)
    golongan: str = Field(pattern=GOLONGAN_PATTERN)
    email: str | None = None

    @field_validator("nip")
    @classmethod
    def _valid_nip(cls, value: str) -> str:
        return parse_nip(value, dt.date.today()).value


def normalise_golongan(raw: str) -> str | None:
    """``"iii / b"`` or ``"Penata Muda Tingkat I (III/b)"`` -> ``"III/b"``; None if absent."""
    found = _GOLONGAN_IN_TEXT.search(raw)
    if not found:
        return None
    value = f"{found.group(1).upper()}/{found.group(2).lower()}"
    return value if re.match(GOLONGAN_PATTERN, value) else None


def _position_lookup(positions: Iterable[Position]) -> dict[str, str]:
    lookup = {}
    for position in positions:
        lookup[position.code.lower()] = position.code
        lookup[position.title["id"].strip().lower()] = position.code
    return lookup


@dataclass
class RosterReport:
    counts: dict[Change, int] = field(default_factory=zero_counts)
    not_in_file: int = 0  # registered employees the file did not mention (kept)
    employees: set[int] = field(default_factory=set)  # created or changed
    notes: list[str] = field(default_factory=list)  # conversions made while reading the file


@dataclass(frozen=True)
class ParsedRoster:
    entries: list[RosterEntry]
    notes: list[str]  # what was converted on the way in (encoding, Excel's NIP apostrophe), in Indonesian


def parse_roster(
    table: Table, units: set[str], positions: Iterable[Position], registered_emails: dict[str, str]
) -> ParsedRoster:
    """Validate every row; raise :class:`ProblemsFound` listing all bad rows at once.

    ``registered_emails`` maps email -> NIP for people already in the registry, so an
    email taken by someone else is caught before anything is written.
    """
    name = table.path.name
    require_columns(table, REQUIRED, "roster")
    position_of = _position_lookup(positions)
    unit_of = {u.lower(): u for u in units}
    problems = RowProblems(name)
    entries: list[RosterEntry] = []
    first_row_of_nip: dict[str, int] = {}
    first_row_of_email: dict[str, int] = {}
    nips = NipColumn(problems)
    for row_number, row in table.rows:
        nip = nips.read(row_number, row.get("nip"))
        if nip:
            if nip in first_row_of_nip:
                problems.add(row_number, "nip", f"NIP sama dengan baris {first_row_of_nip[nip]}")
            else:
                first_row_of_nip[nip] = row_number
        person = text(row.get("nama"))
        if not person:
            problems.add(row_number, "nama", "wajib diisi")
        unit = unit_of.get(text(row.get("unit_kerja")).lower())
        if unit is None:
            problems.add(
                row_number,
                "unit_kerja",
                f"unit kerja tidak dikenal: '{text(row.get('unit_kerja'))}' (lihat assessments/units.yml)",
            )
        position = position_of.get(text(row.get("jabatan")).lower())
        if position is None:
            problems.add(
                row_number,
                "jabatan",
                f"jabatan tidak dikenal: '{text(row.get('jabatan'))}' "
                "(kode atau nama jabatan di assessments/positions/)",
            )
        golongan = normalise_golongan(text(row.get("golongan")))
        if golongan is None:
            problems.add(
                row_number,
                "golongan",
                f"golongan harus berbentuk I/a sampai IV/e, misalnya III/b; diterima '{text(row.get('golongan'))}'",
            )
        email = text(row.get("email")).lower() or None
        if email:
            if not _EMAIL.match(email):
                problems.add(row_number, "email", f"alamat email tidak valid: '{email}'")
            elif email in first_row_of_email:
                problems.add(row_number, "email", f"email sama dengan baris {first_row_of_email[email]}")
            else:
                first_row_of_email[email] = row_number
                owner = registered_emails.get(email)
                if owner and owner != nip:
                    problems.add(
                        row_number, "email", f"email sudah dipakai pegawai lain di registri (NIP {mask_nip(owner)})"
                    )
        if nip and person and unit and position and golongan:
            entries.append(
                RosterEntry(nip=nip, name=person, unit=unit, position_code=position, golongan=golongan, email=email)
            )
    if not table.rows:
        problems.add_file("berkas tidak berisi baris data")
    problems.raise_if_any("roster")
    return ParsedRoster(entries, table.notes + nips.notes())


def register_roster(session: Session, entries: Iterable[RosterEntry]) -> RosterReport:
    """Create or update employees by NIP (audited); returns what changed.

    Created and changed employees get their position-match rows in the same
    transaction, so a newcomer appears in rankings at once (with no levels yet).
    """
    report = RosterReport()
    seen: set[str] = set()
    for entry in entries:
        row, change = upsert(session, models.Employee, {"nip": entry.nip}, entry.model_dump(exclude={"nip"}))
        report.counts[change] += 1
        seen.add(entry.nip)
        if change is not Change.UNCHANGED:
            session.flush()
            report.employees.add(row.id)
    after_roster_change(session, report.employees)
    report.not_in_file = sum(1 for nip in session.scalars(select(models.Employee.nip)) if nip not in seen)
    return report


def import_roster(session: Session, path: Path, units: set[str], positions: Iterable[Position]) -> RosterReport:
    """Validate ``path`` completely, then register it; nothing is written if any row is bad."""
    table = read_table(path, COLUMNS)
    emails = {
        email: nip
        for email, nip in session.execute(
            select(models.Employee.email, models.Employee.nip).where(models.Employee.email.is_not(None))
        )
        if email is not None
    }
    parsed = parse_roster(table, units, positions, emails)
    report = register_roster(session, parsed.entries)
    report.notes = parsed.notes
    return report
