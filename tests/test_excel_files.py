"""HR files as offices save them: Excel on Windows writes `;`-separated Windows-1252 CSV,
and NIPs often carry Excel's text marker, a leading apostrophe. Both are read and the
import summary says what was converted; what cannot be trusted is still refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import select
from typer.testing import CliRunner

from merit.cli import app
from merit.demo.roster import synthetic_roster
from merit.errors import MeritError, ProblemsFound
from merit.people.roster import import_roster
from merit.people.tabular import decode_csv
from merit.registry import models
from merit.registry.database import Registry
from merit.settings import Settings

HEADER = b"NIP;Nama;Unit Kerja;Jabatan;Golongan;Email\r\n"


def excel_windows_line(nip: bytes, name: bytes, person) -> bytes:
    """One roster line as Excel on Windows writes it: `;` between cells, CRLF, cp1252 bytes."""
    rest = ";".join([person.unit, person.position_code, person.golongan, person.email or ""]).encode("ascii")
    return nip + b";" + name + b";" + rest + b"\r\n"


def cli(*args: str):
    return CliRunner().invoke(app, [*args, "--oleh", "petugas"], env={"COLUMNS": "200"})


def names_in_registry(settings: Settings) -> dict[str, str]:
    registry = Registry.open(settings.database_url, settings.audit_key)
    try:
        with registry.session() as session:
            return {nip: name for nip, name in session.execute(select(models.Employee.nip, models.Employee.name))}
    finally:
        registry.close()


def test_excel_windows_roster_with_accents_and_apostrophes_is_imported_and_the_summary_says_so(settings, tmp_path):
    first, second = synthetic_roster(2)
    data = (
        HEADER
        + excel_windows_line(b"'" + first.nip.encode(), b"Jos\xe9 Andr\xe9as", first)  # é is 0xE9 in Windows-1252
        + excel_windows_line(second.nip.encode(), second.name.encode("ascii"), second)
    )
    path = tmp_path / "roster-excel.csv"
    path.write_bytes(data)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the file really is not UTF-8

    result = cli("roster", "import", str(path))

    assert result.exit_code == 0, result.output
    assert "2 baru" in result.output
    lines = [line for line in result.output.splitlines() if line.startswith("Dikonversi:")]
    assert lines == [
        "Dikonversi: berkas dibaca sebagai Windows-1252 (CSV dari Excel di Windows), bukan UTF-8; "
        "periksa huruf beraksen, misalnya di baris 2: 'José'.",
        "Dikonversi: tanda petik Excel (') di depan NIP dibuang pada 1 baris (baris 2).",
    ]
    assert names_in_registry(settings) == {first.nip: "José Andréas", second.nip: second.name}


def test_skp_file_from_excel_windows_is_imported_with_its_conversions(settings, tmp_path):
    people = synthetic_roster(2)
    roster = tmp_path / "roster.csv"
    roster.write_bytes(HEADER + b"".join(excel_windows_line(p.nip.encode(), b"Ren\xe9", p) for p in people))
    assert cli("roster", "import", str(roster)).exit_code == 0
    skp = tmp_path / "skp.csv"
    skp.write_bytes(
        b"NIP;Tahun;Predikat;Catatan\r\n"
        + b"'"
        + people[0].nip.encode()
        + b";2025;Sangat Baik;sesuai ekspektasi \x96 di atas\r\n"  # an en dash, 0x96 in Windows-1252
        + b"'"
        + people[1].nip.encode()
        + b";2025;Baik;\r\n"
    )
    result = cli("skp", "import", str(skp))
    assert result.exit_code == 0, result.output
    assert "2 baru" in result.output
    assert "misalnya di baris 2: '\u2013'" in result.output
    assert "dibuang pada 2 baris (baris 2, 3)" in result.output


@pytest.mark.parametrize("written", [b"1.97505E+17", b"1,97505E+17", b"1.97505e17"])
def test_a_nip_in_scientific_notation_is_still_refused(settings, tmp_path, written):
    person = synthetic_roster(1)[0]
    path = tmp_path / "ilmiah.csv"
    path.write_bytes(HEADER + excel_windows_line(written, b"Jos\xe9", person))
    result = cli("roster", "import", str(path))
    assert result.exit_code == 2
    output = " ".join(result.output.split())
    assert "ilmiah.csv, baris 2, kolom nip: NIP tertulis dalam notasi ilmiah" in output
    assert "tidak ada yang disimpan" in output
    assert names_in_registry(settings) == {}


def test_bytes_that_are_neither_utf8_nor_windows_1252_are_refused_naming_the_line():
    cyrillic = "Александр Петров".encode("cp1251")
    data = b"nip;nama\r\n197505062003091098;Budi\r\n198503122010011023;" + cyrillic + b"\r\n"
    with pytest.raises(MeritError) as refused:
        decode_csv(data, "roster.csv")
    assert str(refused.value).startswith(
        "roster.csv: berkas CSV harus berenkode UTF-8 atau Windows-1252 (CSV dari Excel di Windows); "
        "baris 3 berisi byte yang tidak terbaca."
    )


def test_utf8_files_with_or_without_bom_need_no_conversion():
    text = "nip;nama\r\n197505062003091098;José\r\n"
    assert decode_csv(text.encode("utf-8"), "a.csv") == (text, [])
    assert decode_csv(b"\xef\xbb\xbf" + text.encode("utf-8"), "a.csv") == (text, [])


def test_xlsx_nip_typed_with_apostrophe_is_accepted(registry, root, framework, tmp_path: Path):
    """Excel keeps the apostrophe out of the value (a quote-prefix style); a value holding
    one, as some HR systems write it, is read the same way and reported."""
    from merit.catalog import load_positions, load_units

    first, second = synthetic_roster(2)
    book = Workbook()
    book.active.append(["NIP", "Nama", "Unit Kerja", "Jabatan", "Golongan", "Email"])
    for nip, person in ((f"'{first.nip}", first), (second.nip, second)):
        book.active.append([nip, "Zoë " + person.name, person.unit, person.position_code, person.golongan, None])
    book.active["A3"].quotePrefix = True
    path = tmp_path / "roster.xlsx"
    book.save(path)
    units, positions = load_units(root / "assessments"), load_positions(root / "assessments", framework).values()
    with registry.session("petugas", "impor") as session:
        report = import_roster(session, path, units, positions)
    assert report.notes == ["tanda petik Excel (') di depan NIP dibuang pada 1 baris (baris 2)"]
    with registry.session() as session:
        assert sorted(session.scalars(select(models.Employee.nip))) == sorted([first.nip, second.nip])
    wrong = Workbook()
    wrong.active.append(["NIP", "Nama", "Unit Kerja", "Jabatan", "Golongan"])
    wrong.active.append(["1.97505E+17", "Zoë", first.unit, first.position_code, first.golongan])
    wrong.save(path)
    with pytest.raises(ProblemsFound, match="baris 2, kolom nip: NIP tertulis dalam notasi ilmiah"):
        with registry.session("petugas", "impor") as session:
            import_roster(session, path, units, positions)
