"""Read a CSV or XLSX file of HR data into numbered rows with normalised column names.

HR offices export from different systems: headers vary in case and spacing, CSV may use
``;`` (Excel with Indonesian regional settings) and Windows-1252 rather than UTF-8 (Excel's
plain "CSV" on Windows), and XLSX cells may be numbers. Rows keep their spreadsheet row
numbers (header = row 1) so every error can point at them. What was converted on the way
in is kept as notes in Indonesian, so the import summary can say so.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from merit.errors import MeritError, Problem, ProblemsFound
from merit.nip import InvalidNIP, parse_nip


@dataclass(frozen=True)
class Table:
    path: Path
    columns: list[str]
    rows: list[tuple[int, dict[str, Any]]]  # (row number as the user sees it, values)
    notes: list[str] = field(default_factory=list)  # conversions made while reading, for the summary


# Excel's plain "CSV" on Windows writes the ANSI code page, Windows-1252 in Indonesia.
EXCEL_WINDOWS_ENCODING = "cp1252"


def normalise(header: object) -> str:
    """``"Unit Kerja"`` -> ``"unit_kerja"``; ``"Golongan/Pangkat"`` -> ``"golongan_pangkat"``."""
    return re.sub(r"[^a-z0-9]+", "_", str(header or "").strip().lower()).strip("_")


def decode_csv(data: bytes, name: str) -> tuple[str, list[str]]:
    """The text of a CSV file in UTF-8 (with or without BOM) or in Windows-1252, and a note if the latter.

    Bytes that are not UTF-8 are read as Windows-1252 only if charset-normalizer finds that
    reading coherent; anything else is refused rather than guessed at.
    """
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as error:
        first_bad_line = data[: error.start].count(b"\n") + 1
    from charset_normalizer import from_bytes

    match = from_bytes(data, cp_isolation=[EXCEL_WINDOWS_ENCODING]).best()
    if match is None:
        raise MeritError(
            f"{name}: berkas CSV harus berenkode UTF-8 atau Windows-1252 (CSV dari Excel di Windows); "
            f"baris {first_bad_line} berisi byte yang tidak terbaca. Simpan ulang dari Excel sebagai "
            "'CSV UTF-8 (Comma delimited)'."
        )
    text = str(match)
    return text, [f"berkas dibaca sebagai Windows-1252 (CSV dari Excel di Windows), bukan UTF-8; {_first_accent(text)}"]


def _first_accent(text: str) -> str:
    """Where the first non-ASCII character is, so the user can check the letters came out right."""
    number, line = next((n, line) for n, line in enumerate(text.splitlines(), start=1) if not line.isascii())
    word = re.search(r"[^\s;,]*[^\x00-\x7f][^\s;,]*", line)
    shown = f": '{word.group()}'" if word and word.group().strip() else ""
    return f"periksa huruf beraksen, misalnya di baris {number}{shown}"


def _read_csv(path: Path) -> tuple[list[str], list[list[Any]], list[str]]:
    text, notes = decode_csv(path.read_bytes(), path.name)
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else ",", delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(text.splitlines(), dialect))
    return (rows[0], rows[1:], notes) if rows else ([], [], notes)


def _read_xlsx(path: Path) -> tuple[list[str], list[list[Any]], list[str]]:
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        rows: list[list[Any]] = [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    return ([str(h or "") for h in rows[0]], rows[1:], []) if rows else ([], [], [])


def read_table(path: Path, aliases: dict[str, tuple[str, ...]]) -> Table:
    """Read ``path``; ``aliases`` maps each canonical column to the headers accepted for it."""
    if not path.is_file():
        raise MeritError(f"Berkas {path} tidak ditemukan.")
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            header, body, notes = _read_csv(path)
        elif suffix == ".xlsx":
            header, body, notes = _read_xlsx(path)
        else:
            raise MeritError(f"{path.name}: format tidak didukung; gunakan .csv atau .xlsx.")
    except (OSError, ValueError, KeyError) as exc:  # openpyxl raises these for damaged files
        raise MeritError(f"{path.name}: berkas tidak dapat dibaca ({exc}).") from None
    lookup = {alias: canonical for canonical, names in aliases.items() for alias in names}
    columns = [lookup.get(normalise(h), normalise(h)) for h in header]
    rows = []
    for offset, values in enumerate(body, start=2):
        if all(v is None or str(v).strip() == "" for v in values):
            continue  # blank lines at the end of exports
        padded = list(values) + [None] * (len(columns) - len(values))
        rows.append((offset, dict(zip(columns, padded, strict=False))))
    return Table(path, columns, rows, notes)


@dataclass(frozen=True)
class NipCell:
    """A NIP cell as text, whether Excel's text marker (a leading apostrophe) was dropped, or why it is refused."""

    text: str
    apostrophe: bool = False
    refused: str | None = None


_SCIENTIFIC = re.compile(r"^\d+(?:[.,]\d+)?E\+?\d+$", re.I)


def nip_cell(value: Any) -> NipCell:
    """Read a NIP cell; numbers and scientific notation lose digits in Excel and are refused.

    A leading apostrophe is how a user tells Excel to keep a number as text
    (``'197505062003091098``); some HR systems export it as part of the value.
    """
    if isinstance(value, float) or (isinstance(value, int) and value > 2**53):
        return NipCell(
            "",
            refused="NIP tersimpan sebagai angka dan bisa berubah karena pembulatan Excel; "
            "format kolom NIP sebagai teks",
        )
    raw = text(value).replace(" ", "")
    if _SCIENTIFIC.match(raw):
        return NipCell(
            "",
            refused=f"NIP tertulis dalam notasi ilmiah ({raw}): digit terakhirnya sudah hilang "
            "saat Excel menyimpannya; format kolom NIP sebagai teks dan ketik ulang",
        )
    if raw.startswith("'"):
        return NipCell(raw[1:], apostrophe=True)
    return NipCell(raw)


@dataclass
class NipColumn:
    """Reads the NIP column row by row: problems go to ``problems``, dropped apostrophes are counted."""

    problems: RowProblems
    today: dt.date | None = None
    apostrophes: list[int] = field(default_factory=list)  # rows, as the user numbers them

    def read(self, row_number: int, value: Any) -> str:
        """The row's valid NIP, or "" once the reason is recorded."""
        cell = nip_cell(value)
        if cell.refused:
            self.problems.add(row_number, "nip", cell.refused)
            return ""
        if cell.apostrophe:
            self.apostrophes.append(row_number)
        try:
            return parse_nip(cell.text, self.today).value
        except InvalidNIP as exc:
            self.problems.add(row_number, "nip", str(exc))
            return ""

    def notes(self) -> list[str]:
        """The summary line for NIPs whose Excel apostrophe was dropped."""
        rows = self.apostrophes
        if not rows:
            return []
        shown = ", ".join(map(str, rows[:10])) + (", …" if len(rows) > 10 else "")
        return [f"tanda petik Excel (') di depan NIP dibuang pada {len(rows)} baris (baris {shown})"]


def text(value: Any) -> str:
    """A cell as trimmed text (numbers without a trailing .0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def require_columns(table: Table, required: Iterable[str], what: str) -> None:
    """Reject a file whose header lacks a required column, before reading any row."""
    missing = [column for column in required if column not in table.columns]
    if missing:
        name = table.path.name
        raise ProblemsFound(
            f"Berkas {what} {name} ditolak:",
            [Problem(f"{name}, baris 1", f"kolom wajib tidak ada: {', '.join(missing)}")],
        )


@dataclass
class RowProblems:
    """Problems found in one file, each located by row and column, raised all at once."""

    file: str
    items: list[Problem] = field(default_factory=list)

    def add(self, row: int, column: str, reason: str) -> None:
        self.items.append(Problem(f"{self.file}, baris {row}, kolom {column}", reason))

    def add_file(self, reason: str) -> None:
        self.items.append(Problem(self.file, reason))

    def raise_if_any(self, what: str) -> None:
        """Reject the whole file if anything was found: nothing of it is stored."""
        if self.items:
            raise ProblemsFound(
                f"Berkas {what} {self.file} ditolak; tidak ada yang disimpan. {len(self.items)} masalah:", self.items
            )
