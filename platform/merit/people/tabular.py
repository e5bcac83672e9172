"""Read a CSV or XLSX file of HR data into numbered rows with normalised column names.

HR offices export from different systems: headers vary in case and spacing, CSV may use
``;`` (Excel with Indonesian regional settings), and XLSX cells may be numbers. Rows keep
their spreadsheet row numbers (header = row 1) so every error can point at them.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from merit.errors import MeritError, Problem, ProblemsFound


@dataclass(frozen=True)
class Table:
    path: Path
    columns: list[str]
    rows: list[tuple[int, dict[str, Any]]]  # (row number as the user sees it, values)


def normalise(header: object) -> str:
    """``"Unit Kerja"`` -> ``"unit_kerja"``; ``"Golongan/Pangkat"`` -> ``"golongan_pangkat"``."""
    return re.sub(r"[^a-z0-9]+", "_", str(header or "").strip().lower()).strip("_")


def _read_csv(path: Path) -> tuple[list[str], list[list[Any]]]:
    text = path.read_text(encoding="utf-8-sig")
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else ",", delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(text.splitlines(), dialect))
    return (rows[0], rows[1:]) if rows else ([], [])


def _read_xlsx(path: Path) -> tuple[list[str], list[list[Any]]]:
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    return (rows[0], rows[1:]) if rows else ([], [])


def read_table(path: Path, aliases: dict[str, tuple[str, ...]]) -> Table:
    """Read ``path``; ``aliases`` maps each canonical column to the headers accepted for it."""
    if not path.is_file():
        raise MeritError(f"Berkas {path} tidak ditemukan.")
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            header, body = _read_csv(path)
        elif suffix == ".xlsx":
            header, body = _read_xlsx(path)
        else:
            raise MeritError(f"{path.name}: format tidak didukung; gunakan .csv atau .xlsx.")
    except UnicodeDecodeError:
        raise MeritError(f"{path.name}: berkas CSV harus berenkode UTF-8.") from None
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
    return Table(path, columns, rows)


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
