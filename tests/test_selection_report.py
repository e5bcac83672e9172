"""Selection reports: each file opened and read back, the decision audited; the CLI end to end."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib

import orjson
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select
from typer.testing import CliRunner

from merit.catalog import load_course
from merit.cli import app
from merit.content import load_content, register_content
from merit.errors import MeritError
from merit.nip import format_nip, mask_nip
from merit.pipeline import after_evidence_change
from merit.placement.eligibility import Criteria, resolve_criteria
from merit.registry import models
from merit.registry.audit import verify
from merit.registry.database import open_registry
from merit.reports.formats import WRITERS
from merit.reports.selection import publish_selection
from merit.settings import Settings
from tests.conftest import AUDIT_KEY
from tests.placement_data import AS_OF, POSITION, add_evidence, build_agency

ACTOR, REASON = "Panitia Seleksi", "Seleksi terbuka Kepala Subbagian Umum dan Kepegawaian 2026"


def _words(text: str) -> str:
    return " ".join(text.split())


def test_report_files_state_everything_and_the_decision_is_audited(registry, root, framework, tmp_path):
    content = load_content(Settings(root=root))
    agency = build_agency(registry, root, framework)
    criteria = resolve_criteria(content.placement, content.positions[POSITION], content.units, AS_OF)
    with registry.session() as session:
        head = session.get(models.AuditHead, 1)
        state = (head.seq, head.hash)
    with registry.session(ACTOR, REASON) as session:
        published = publish_selection(
            session,
            POSITION,
            content.jpm_rule,
            criteria,
            content.level_rule,
            tmp_path,
            WRITERS,
            clock=lambda: dt.datetime(2026, 11, 23, 9, 15),
        )
    ranking = published.report.ranking
    masked = [mask_nip(c.nip) for c in ranking.candidates]
    assert len(masked) == ranking.pool.eligible > 1
    title = content.positions[POSITION].title["id"]

    with published.files["csv"].open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header = {row[0]: row[1] for row in rows[1:14]}
    assert rows[0] == [f"Hasil pemeringkatan kandidat: {title}"]
    assert header["Tanggal seleksi"] == "23-11-2026" and header["Nomor keputusan"] == "1"
    assert header["Rumus"] == content.jpm_rule.formula()
    assert header["Syarat administrasi"] == criteria.text() and "III/b" in header["Syarat administrasi"]
    assert header["Status registri"] == f"entri audit ke-{state[0]}, hash {state[1]}"
    assert header["Alasan"] == REASON and ACTOR in header["Dibuat"]
    table = rows[rows.index(list(rows[15])) :]
    assert table[0][:2] == ["Peringkat", "NIP (disamarkan)"]
    assert [r[1] for r in table[1 : len(masked) + 1]] == masked
    assert [float(r[5]) for r in table[1 : len(masked) + 1]] == [c.match.percent for c in ranking.candidates]
    notes = " ".join(r[1] for r in rows if r and r[0] == "Catatan")
    assert "alat bantu keputusan" in notes and "keberatan" in notes

    book = load_workbook(published.files["xlsx"])
    sheet = [[v for v in row if v is not None] for row in book["Hasil seleksi"].iter_rows(values_only=True)]
    assert ["Status registri", f"entri audit ke-{state[0]}, hash {state[1]}"] in sheet
    assert [r[1] for r in sheet if r and isinstance(r[0], int)] == masked
    detail = list(book["Rincian kompetensi"].iter_rows(values_only=True))
    assert len(detail) == 1 + len(masked) * len(ranking.required)
    assert {r[6] for r in detail[1:]} >= {"belum ada bukti"} and any("keputusan asesor" in str(r[6]) for r in detail)

    pdf = _words("\n".join(page.extract_text() for page in PdfReader(published.files["pdf"]).pages))
    for expected in (
        f"Hasil pemeringkatan kandidat: {title}",
        "Tanggal seleksi 23-11-2026",
        state[1],
        "JPM = ∑ min(level dimiliki, level dipersyaratkan) ÷ ∑ level dipersyaratkan × 100",
        masked[0],
        masked[-1],
        "keberatan",
        "alat bantu keputusan",
        criteria.text(),
    ):
        assert expected in pdf, expected

    everything = pdf + published.files["csv"].read_text(encoding="utf-8-sig") + str(sheet) + str(detail)
    for person in agency.people:
        assert person.nip not in everything and format_nip(person.nip) not in everything

    with registry.session() as session:
        decision = session.get(models.SelectionDecision, 1)
        entry = session.scalars(select(models.AuditEntry).order_by(models.AuditEntry.seq.desc()).limit(1)).one()
        assert verify(session, AUDIT_KEY).ok
    assert (decision.registry_seq, decision.registry_hash) == state
    assert orjson.loads(decision.report_sha256) == {
        ext: hashlib.sha256(path.read_bytes()).hexdigest() for ext, path in published.files.items()
    }
    assert [row[0] for row in orjson.loads(decision.candidates)] == [c.nip for c in ranking.candidates]
    assert (entry.entity, entry.action, entry.actor, entry.reason) == ("selection_decision", "create", ACTOR, REASON)
    assert entry.seq == state[0] + 1 and entry.prev_hash == state[1]  # nothing slipped in between
    assert orjson.loads(entry.after)["report_sha256"] == decision.report_sha256


def test_a_report_is_refused_while_levels_rest_on_expired_evidence(registry, root, framework, tmp_path):
    content = load_content(Settings(root=root))
    agency = build_agency(registry, root, framework, size=6)
    course = load_course(root / "courses" / "tata-kelola", framework)
    with registry.session("pytest", "bukti lama") as session:
        employee = session.scalars(select(models.Employee).where(models.Employee.nip == agency.people[0].nip)).one()
        add_evidence(session, employee.id, course, 1.0, dt.datetime(2022, 1, 10))
        after_evidence_change(session, content.courses, content.level_rule, dt.date(2023, 1, 1), {employee.id})
    with pytest.raises(MeritError, match="kedaluwarsa per 23-11-2026.*merit level recompute --per-tanggal 2026-11-23"):
        with registry.session(ACTOR, REASON) as session:
            publish_selection(
                session,
                POSITION,
                content.jpm_rule,
                Criteria(as_of=AS_OF),
                content.level_rule,
                tmp_path / "out",
                WRITERS,
            )
    assert not (tmp_path / "out").exists()
    with registry.session() as session:
        assert session.scalars(select(models.SelectionDecision)).all() == []


def _run(*args: str):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})


def test_placement_commands(settings, root, framework, tmp_path):
    registry = open_registry(settings)
    with registry.session("pytest", "katalog") as session:
        register_content(session, load_content(settings))
    agency = build_agency(registry, root, framework)
    registry.close()
    day = ["--per-tanggal", AS_OF.isoformat()]

    ranked = _run("rank", POSITION, "--jumlah", "3", *day)
    assert ranked.exit_code == 0, ranked.output
    out = _words(ranked.output)
    for expected in (
        "Peringkat kandidat",
        "Rumus: JPM = Σ min",
        "Urutan: JPM tertinggi",
        "Syarat administrasi: pangkat/golongan",
        "Dasar level",
        "keputusan asesor Asesor Uji",
        "ditampilkan 3",
        "keberatan",
    ):
        assert expected in out, expected
    assert not any(p.nip in ranked.output for p in agency.people)
    for args, message in [
        (("rank", "kepala-dinas-antah"), "Jabatan 'kepala-dinas-antah' tidak dikenal"),
        (("rank", POSITION, "--golongan-min", "IV/e", *day), "Tidak ada kandidat"),
        (("rank", POSITION, "--per-tanggal", "2023-05-01"), "Predikat SKP tahun 2021, 2022 belum ada"),
        (("rank", POSITION, "--skp-min", "Lumayan"), "Predikat SKP 'Lumayan' tidak dikenal"),
        (("rank", POSITION, "--golongan-min", "V/a"), "Golongan 'V/a' tidak dikenal"),
        (("talenta",), "Pilih --jabatan KODE, atau tepat satu --unit-kerja NAMA."),
        (("talenta", "--unit-kerja", "Sekretariat Daerah", "--tahun-skp", "2019"), "Predikat SKP tahun 2019 belum ada"),
        (("rencana", "199001012015011999", POSITION), "tidak terdaftar"),
        (("laporan", "seleksi", POSITION, "--alasan", "uji", *day), "Alasan laporan wajib"),
    ]:
        result = _run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert message in _words(result.output), (args, result.output)
        assert "Traceback" not in result.output

    relaxed = _run("rank", POSITION, "--tanpa-syarat", "--ringkas", "--jumlah", "50", *day)
    assert relaxed.exit_code == 0 and f"{len(agency.people)} dari {len(agency.people)} pegawai" in _words(
        relaxed.output
    )
    grid = _run("talenta", "--jabatan", POSITION, *day)
    assert grid.exit_code == 0, grid.output
    assert "Kotak 9" in grid.output and "Siap sekarang" in grid.output and "PermenPANRB 3/2020" in grid.output
    unit = _run("talenta", "--unit-kerja", "Sekretariat Daerah", *day)
    assert unit.exit_code == 0 and "jabatan yang sedang diduduki" in unit.output
    plan = _run("rencana", agency.people[0].nip, POSITION)
    assert plan.exit_code == 0 and "Rencana belajar" in plan.output
    tna = _run("tna", "Sekretariat Daerah")
    assert tna.exit_code == 0 and "Kesenjangan paling umum" in tna.output
    assert any(course in tna.output for course in ("tata-kelola", "etika-integritas", "pelayanan-publik"))

    report = _run(
        "laporan", "seleksi", POSITION, "--alasan", REASON, "--keluaran", str(tmp_path / "out"), "--oleh", ACTOR, *day
    )
    assert report.exit_code == 0, report.output
    assert sorted(p.suffix for p in (tmp_path / "out").iterdir()) == [".csv", ".pdf", ".xlsx"]
    assert "keputusan nomor 1 dicatat" in report.output
    assert "Jejak audit utuh" in _run("audit", "verify").output
