"""SKP performance ratings (predikat kinerja, PermenPANRB 6/2022), imported per year.

``merit skp import FILE`` reads CSV or XLSX with columns nip, tahun, predikat. The rules
are the roster's: every row checked, one bad row rejects the file, every change audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from merit.people.tabular import NipColumn, RowProblems, Table, nip_cell, read_table, require_columns, text
from merit.predikat import PREDIKAT
from merit.registry import models
from merit.registry.sync import employee_ids
from merit.registry.upsert import Change, upsert, zero_counts

_ALIASES = {p.lower(): p for p in PREDIKAT} | {"kurang/misconduct": "Kurang", "misconduct": "Kurang"}
COLUMNS = {
    "nip": ("nip",),
    "tahun": ("tahun", "periode", "tahun_penilaian"),
    "predikat": ("predikat", "predikat_kinerja", "nilai_skp"),
}
FIRST_YEAR = 2000


@dataclass(frozen=True)
class SkpEntry:
    nip: str
    year: int
    predikat: str


@dataclass
class SkpReport:
    counts: dict[Change, int] = field(default_factory=zero_counts)
    notes: list[str] = field(default_factory=list)  # conversions made while reading the file


@dataclass(frozen=True)
class ParsedSkp:
    entries: list[SkpEntry]
    notes: list[str]  # what was converted on the way in (encoding, Excel's NIP apostrophe), in Indonesian


def parse_skp(table: Table, registered: dict[str, int], today: dt.date) -> ParsedSkp:
    """Validate every row against the format and the registry; all problems at once."""
    name = table.path.name
    require_columns(table, COLUMNS, "SKP")
    problems = RowProblems(name)
    entries: list[SkpEntry] = []
    first_row: dict[tuple[str, int], int] = {}
    nips = NipColumn(problems, today)
    for row_number, row in table.rows:
        nip = nips.read(row_number, row.get("nip"))
        if nip and nip not in registered:
            problems.add(row_number, "nip", "NIP belum terdaftar di roster; impor roster lebih dulu")
            nip = ""
        year_text = text(row.get("tahun"))
        year = int(year_text) if year_text.isdigit() else None
        if year is None or not FIRST_YEAR <= year <= today.year:
            problems.add(
                row_number, "tahun", f"tahun harus antara {FIRST_YEAR} dan {today.year}; diterima '{year_text}'"
            )
            year = None
        predikat = _ALIASES.get(" ".join(text(row.get("predikat")).split()).lower())
        if predikat is None:
            problems.add(
                row_number,
                "predikat",
                f"predikat harus salah satu dari {', '.join(PREDIKAT)}; diterima '{text(row.get('predikat'))}'",
            )
        if nip and year is not None:
            if (nip, year) in first_row:
                problems.add(row_number, "nip", f"NIP dan tahun yang sama sudah ada di baris {first_row[(nip, year)]}")
            else:
                first_row[(nip, year)] = row_number
                if predikat:
                    entries.append(SkpEntry(nip, year, predikat))
    if not table.rows:
        problems.add_file("berkas tidak berisi baris data")
    problems.raise_if_any("SKP")
    return ParsedSkp(entries, table.notes + nips.notes())


def import_skp(session: Session, path: Path, today: dt.date | None = None) -> SkpReport:
    """Validate ``path`` completely, then create or update one rating per NIP and year."""
    today = today or dt.date.today()
    table = read_table(path, COLUMNS)
    nips = sorted({nip_cell(row.get("nip")).text for _, row in table.rows})
    registered = employee_ids(session, nips)
    parsed = parse_skp(table, registered, today)
    report = register_skp(session, parsed.entries, registered)
    report.notes = parsed.notes
    return report


def register_skp(session: Session, entries: list[SkpEntry], registered: dict[str, int]) -> SkpReport:
    """Create or update one rating per NIP and year (audited); ``registered`` maps NIP -> employee id."""
    report = SkpReport()
    for entry in entries:
        _, change = upsert(
            session,
            models.SkpRating,
            {"employee_id": registered[entry.nip], "year": entry.year},
            {"predikat": entry.predikat},
        )
        report.counts[change] += 1
    return report
