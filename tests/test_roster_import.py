"""Roster and SKP import: whole-file validation, Indonesian errors, safe re-import."""

from __future__ import annotations

import csv
import datetime as dt
import json

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

from merit.catalog import load_positions, load_units
from merit.cli import app
from merit.demo.roster import synthetic_roster
from merit.errors import ProblemsFound
from merit.people.roster import import_roster, normalise_golongan
from merit.people.skp import import_skp
from merit.registry import models

HEADER = ["NIP", "Nama", "Unit Kerja", "Jabatan", "Golongan", "Email"]


def rows_for(people) -> list[list[object]]:
    return [[p.nip, p.name, p.unit, p.position_code, p.golongan, p.email] for p in people]


def write(path, rows, header=HEADER):
    if path.suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(header)
            writer.writerows(rows)
    else:
        book = Workbook()
        book.active.append(header)
        for row in rows:
            book.active.append(row)
        book.save(path)
    return path


@pytest.fixture
def catalog(root, framework):
    return load_units(root / "assessments"), load_positions(root / "assessments", framework).values()


def count(registry, model) -> int:
    with registry.session() as session:
        return session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_roster_file_registers_everyone_with_audit(registry, catalog, tmp_path, suffix):
    people = synthetic_roster(5)
    path = write(tmp_path / f"roster{suffix}", rows_for(people))
    with registry.session("petugas BKPSDM", "impor roster") as session:
        report = import_roster(session, path, *catalog)
    assert sum(report.counts.values()) == 5 and len(report.employees) == 5
    assert count(registry, models.Employee) == 5
    assert count(registry, models.PositionMatch) == 5 * len(list(catalog[1]))  # new staff appear in rankings
    with registry.session() as session:
        actions = session.execute(select(models.AuditEntry.action, models.AuditEntry.entity)).all()
    assert [tuple(a) for a in actions].count(("create", "employee")) == 5


def test_bad_rows_reject_the_whole_file_listing_every_problem(registry, catalog, tmp_path):
    good = synthetic_roster(3)
    rows = rows_for(good) + [
        ["19850312201001102", "Tanpa Digit", "Sekretariat Daerah", "kasubbag-kepegawaian", "III/a", ""],
        ["198502302010011023", "Tanggal Salah", "Sekretariat Daerah", "kasubbag-kepegawaian", "III/a", ""],
        [good[0].nip, "Ganda", "Sekretariat Daerah", "kasubbag-kepegawaian", "III/a", ""],
        ["198503122010011024", "Unit Asing", "Dinas Antah Berantah", "kasubbag-kepegawaian", "III/a", ""],
        ["198503122010011025", "Jabatan Asing", "Sekretariat Daerah", "Juru Ramal", "III/a", ""],
        ["198503122010011026", "Golongan Asing", "Sekretariat Daerah", "kasubbag-kepegawaian", "V/z", ""],
        ["198503122010011027", "", "Sekretariat Daerah", "kasubbag-kepegawaian", "III/a", good[1].email],
    ]
    path = write(tmp_path / "roster.csv", rows)
    with pytest.raises(ProblemsFound) as caught:
        with registry.session("petugas", "impor") as session:
            import_roster(session, path, *catalog)
    message = str(caught.value)
    expected = [
        ("baris 5, kolom nip", "18 digit"),
        ("baris 6, kolom nip", "tanggal lahir"),
        ("baris 7, kolom nip", "NIP sama dengan baris 2"),
        ("baris 8, kolom unit_kerja", "unit kerja tidak dikenal"),
        ("baris 9, kolom jabatan", "jabatan tidak dikenal"),
        ("baris 10, kolom golongan", "golongan harus berbentuk"),
        ("baris 11, kolom nama", "wajib diisi"),
        ("baris 11, kolom email", "email sama dengan baris 3"),
    ]
    for where, reason in expected:
        assert any(where in line and reason in line for line in message.splitlines()), (where, message)
    assert "tidak ada yang disimpan" in message
    assert count(registry, models.Employee) == 0
    assert count(registry, models.AuditEntry) == 0


def test_reimport_updates_people_in_place_and_keeps_their_evidence(registry, catalog, tmp_path):
    people = synthetic_roster(3)
    with registry.session("petugas", "impor awal") as session:
        import_roster(session, write(tmp_path / "v1.csv", rows_for(people)), *catalog)
        employee = session.scalars(select(models.Employee).filter_by(nip=people[0].nip)).one()
        session.add(
            models.Evidence(
                employee_id=employee.id,
                competency_code="integritas",
                course_id="tata-kelola",
                assignment="m01-prinsip",
                notebook="prinsip_tata_kelola",
                cell="uji_skenario",
                nbgrader_grade_id="g1",
                score=2,
                max_score=2,
                needs_manual_grade=False,
                submitted_at=dt.datetime(2026, 11, 2),
            )
        )
        first_id = employee.id
    changed = rows_for(people[:2])  # the third person is missing from the new file
    changed[0][2] = "Inspektorat Daerah"
    changed[0][4] = "Penata Tingkat I (III/d)"
    with registry.session("petugas", "mutasi November") as session:
        report = import_roster(session, write(tmp_path / "v2.xlsx", changed), *catalog)
    assert report.counts["updated"] == 1 and report.counts["unchanged"] == 1 and report.not_in_file == 1
    with registry.session() as session:
        employee = session.scalars(select(models.Employee).filter_by(nip=people[0].nip)).one()
        assert (employee.id, employee.unit, employee.golongan) == (first_id, "Inspektorat Daerah", "III/d")
        assert len(employee.evidence) == 1
        assert session.scalar(select(func.count()).select_from(models.Employee)) == 3  # nobody deleted
        update = session.scalars(select(models.AuditEntry).where(models.AuditEntry.action == "update")).one()
    assert update.reason == "mutasi November" and update.actor == "petugas"
    assert json.loads(update.before)["unit"] == people[0].unit
    assert json.loads(update.after) == {"unit": "Inspektorat Daerah", "golongan": "III/d"}


def test_email_of_another_registered_employee_is_rejected(registry, catalog, tmp_path):
    first, second = synthetic_roster(2)
    with registry.session("petugas", "impor") as session:
        import_roster(session, write(tmp_path / "a.csv", rows_for([first])), *catalog)
    row = rows_for([second])[0]
    row[5] = first.email
    with pytest.raises(ProblemsFound, match=r"baris 2, kolom email: email sudah dipakai pegawai lain"):
        with registry.session("petugas", "impor") as session:
            import_roster(session, write(tmp_path / "b.csv", [row]), *catalog)


def test_nip_stored_as_a_number_in_excel_is_rejected(registry, catalog, tmp_path):
    person = synthetic_roster(1)[0]
    row = rows_for([person])[0]
    row[0] = float(person.nip)
    with pytest.raises(ProblemsFound, match=r"baris 2, kolom nip: NIP tersimpan sebagai angka"):
        with registry.session("petugas", "impor") as session:
            import_roster(session, write(tmp_path / "angka.xlsx", [row]), *catalog)


@pytest.mark.parametrize(
    ("raw", "value"),
    [("III/a", "III/a"), ("iii / B", "III/b"), ("Pembina (IV/a)", "IV/a"), ("IV/f", None), ("3a", None)],
)
def test_golongan_is_normalised_or_refused(raw, value):
    assert normalise_golongan(raw) == value


def test_skp_import_validates_every_row_then_upserts(registry, catalog, tmp_path):
    people = synthetic_roster(3)
    with registry.session("petugas", "impor") as session:
        import_roster(session, write(tmp_path / "r.csv", rows_for(people)), *catalog)
    header = ["NIP", "Tahun", "Predikat"]
    bad = write(
        tmp_path / "skp-bad.csv",
        [
            [people[0].nip, 2025, "Sangat Baik"],
            ["198503122010011099", 2025, "Baik"],
            [people[1].nip, 1999, "Baik"],
            [people[1].nip, 2025, "Luar Biasa"],
            [people[0].nip, 2025, "Baik"],
        ],
        header,
    )
    with pytest.raises(ProblemsFound) as caught:
        with registry.session("petugas", "impor skp") as session:
            import_skp(session, bad, dt.date(2026, 11, 23))
    message = str(caught.value)
    for where, reason in [
        ("baris 3, kolom nip", "belum terdaftar"),
        ("baris 4, kolom tahun", "antara 2000"),
        ("baris 5, kolom predikat", "Sangat Baik, Baik, Butuh Perbaikan"),
        ("baris 6, kolom nip", "sudah ada di baris 2"),
    ]:
        assert any(where in line and reason in line for line in message.splitlines()), (where, message)
    assert count(registry, models.SkpRating) == 0

    good = write(
        tmp_path / "skp.xlsx",
        [[p.nip, 2025, "baik"] for p in people] + [[people[0].nip, 2024, "Kurang/Misconduct"]],
        header,
    )
    with registry.session("petugas", "impor skp 2025") as session:
        assert import_skp(session, good, dt.date(2026, 11, 23)).counts["created"] == 4
    fixed = write(tmp_path / "skp2.csv", [[people[0].nip, 2025, "Sangat Baik"]], header)
    with registry.session("petugas", "koreksi skp") as session:
        assert import_skp(session, fixed, dt.date(2026, 11, 23)).counts["updated"] == 1
    with registry.session() as session:
        ratings = {(r.year, r.predikat) for r in session.scalars(select(models.SkpRating))}
    assert (2025, "Sangat Baik") in ratings and (2024, "Kurang") in ratings


def test_cli_roster_import_reports_errors_in_indonesian(settings, tmp_path):
    path = write(tmp_path / "salah.csv", [["123", "Nama", "Sekretariat Daerah", "kasubbag-kepegawaian", "III/a", ""]])
    result = CliRunner().invoke(app, ["roster", "import", str(path), "--oleh", "petugas"])
    assert result.exit_code == 2
    assert "salah.csv, baris 2, kolom nip: NIP harus terdiri dari 18 digit" in " ".join(result.output.split())
    ok = write(tmp_path / "benar.csv", rows_for(synthetic_roster(2)))
    result = CliRunner().invoke(app, ["roster", "import", str(ok), "--oleh", "petugas"])
    assert result.exit_code == 0, result.output
    assert "2 baru" in result.output


def test_example_files_in_docs_import_cleanly(settings, root):
    runner = CliRunner()
    roster = runner.invoke(
        app, ["roster", "import", str(root / "docs/examples/roster-contoh.csv"), "--oleh", "petugas"]
    )
    assert roster.exit_code == 0, roster.output
    skp = runner.invoke(app, ["skp", "import", str(root / "docs/examples/skp-contoh.csv"), "--oleh", "petugas"])
    assert skp.exit_code == 0, skp.output
    assert "12 baru" in roster.output and "12 baru" in skp.output
