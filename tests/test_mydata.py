"""Data saya: a person's whole record as one zip, read back section by section (SQLite and PostgreSQL).

Three learners (two completed the course and hold certificates), their accounts, an HR
officer of one unit, an assessor's override and an HR view logged: the archive of one
learner holds each of their records and not one byte of anybody else's; a learner asking
for another's archive is refused in Indonesian; HR's export of someone else is logged.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from sqlalchemy import func, select

from merit.access.accounts import viewer_by_username
from merit.access.log import log_views
from merit.people.mydata.sections import SECTIONS
from merit.registry import models
from tests.completion_data import complete_and_issue
from tests.conftest import run

COURSE = "tata-kelola"
PASSWORD = "sandi-uji-12345"


@pytest.fixture
def people(registry, registry_cli, tmp_path):
    """Three learners with accounts, two certificates, an override, an HR officer of the first one's unit."""
    runner = registry_cli
    learners = complete_and_issue(registry, runner, tmp_path / "terbit", COURSE)
    with registry.session() as session:
        units = {e.id: e.unit for e in session.scalars(select(models.Employee))}
    first_unit = units[learners[0][0]]
    run(runner, ["akun", "buat", *(nip for _, nip, _ in learners), "--sandi", PASSWORD, "--oleh", "admin-bkpsdm"])
    for username, scope in (("hr-unit", first_unit), ("hr-lain", "Unit Lain")):
        staff = ["--nama-pengguna", username, "--nama", f"Petugas {scope}", "--peran", f"kepegawaian:{scope}"]
        run(runner, ["akun", "buat", *staff, "--sandi", PASSWORD])
    decision = ["integritas", "4", "--alasan", "hasil asesmen lapangan 2026", "--oleh", "asesor-a"]
    run(runner, ["level", "override", learners[0][1], *decision])
    for _, nip, _ in learners[:2]:  # each of the first two objects to a level: only one's own is in an archive
        run(runner, ["keberatan", "ajukan", nip, "--kompetensi", "integritas", "--alasan", f"level {nip} keliru"])
    with registry.session() as session:  # HR looked at the second learner's data: not the first one's business
        hr = viewer_by_username(session, "hr-unit")
        log_views(session, hr, [learners[1][0]], "profil", "kepegawaian", "uji")
        log_views(session, hr, [learners[0][0]], "peringkat jabatan", "kepegawaian", "seleksi")
    return runner, learners


def read_zip(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name.partition("/")[2]: archive.read(name) for name in archive.namelist()}


def rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def access_rows(registry) -> int:
    with registry.session() as session:
        return session.scalar(select(func.count()).select_from(models.AccessLog))


def test_archive_holds_each_section_of_my_data_and_nobody_elses(people, registry, tmp_path):
    runner, learners = people
    (me, my_nip, my_name), others = learners[0], learners[1:]
    target = tmp_path / "saya.zip"
    before = access_rows(registry)
    said = run(runner, ["data-saya", "ekspor", "--akun", my_nip, "--keluar", str(target)])
    assert my_name in said.output
    assert access_rows(registry) == before  # my own data: nothing to log
    files = read_zip(target)
    with zipfile.ZipFile(target) as archive:
        assert {n.partition("/")[0] for n in archive.namelist()} == {f"data-saya-{my_nip}"}

    with registry.session() as session:
        my_evidence = set(session.scalars(select(models.Evidence.id).where(models.Evidence.employee_id == me)))
        my_levels = {
            lv.competency_code: lv.level
            for lv in session.scalars(select(models.CompetencyLevel).where(models.CompetencyLevel.employee_id == me))
        }
        certificate = session.scalars(select(models.Certificate).where(models.Certificate.employee_id == me)).one()
        other_codes = set(session.scalars(select(models.Certificate.code).where(models.Certificate.employee_id != me)))
        other_rows = [session.get(models.Employee, e) for e, _, _ in others]
        account = session.scalars(select(models.Account.id).where(models.Account.employee_id == me)).one()

    # Every file a section describes is there, and the README explains each of them in Indonesian.
    readme = files["README.txt"].decode()
    for section in SECTIONS:
        for pattern, _ in section.files:
            assert pattern in readme
    assert f"sertifikat/{certificate.code}.pdf" in files and files[f"sertifikat/{certificate.code}.pdf"][:4] == b"%PDF"
    manifest = json.loads(files["isi.json"])
    assert set(manifest["berkas"]) == set(files) - {"README.txt", "isi.json"}

    profile = json.loads(files["profil.json"])
    assert (profile["nip"], profile["nama"]) == (my_nip, my_name)
    assert [a["nama_pengguna"] for a in profile["akun"]] == [my_nip]
    assert [c["kursus"] for c in profile["kelulusan_kursus"]] == [COURSE]

    scores = rows(files["nilai_per_sel.csv"])
    assert {int(r["id_bukti"]) for r in scores} == my_evidence and my_evidence

    levels = {entry["kompetensi"]: entry for entry in json.loads(files["level_kompetensi.json"])}
    assert {code: e["level"] for code, e in levels.items() if e["level"] is not None} == my_levels
    assert levels["integritas"]["sumber"] == "keputusan asesor"
    assert levels["integritas"]["keputusan_asesor"]["asesor"] == "asesor-a"
    explained = [e for e in levels.values() if e["sumber"] == "bukti"]
    assert explained and all(e["aturan"] and e["bukti"] for e in explained)
    assert {b["id_bukti"] for e in levels.values() for b in e["bukti"]} <= my_evidence

    [listed] = json.loads(files["sertifikat.json"])
    assert (listed["kode"], listed["status"]) == (certificate.code, "berlaku")
    assert files[f"sertifikat/{certificate.code}.jwt"].decode() == certificate.credential

    [objection] = rows(files["keberatan.csv"])
    assert (objection["atas"], objection["kompetensi"], objection["status"]) == ("level", "integritas", "terbuka")
    assert objection["alasan"] == f"level {my_nip} keliru"

    audit = rows(files["jejak_audit.csv"])
    kinds = {r["entitas"] for r in audit}
    assert {"employee", "competency_level", "level_override", "course_completion", "certificate", "account"} <= kinds
    assert "objection" in kinds
    mine = {
        "account_role": f"{account}/",
        "certificate": certificate.code,
        "employee": my_nip,
        "account": my_nip,
        "objection": objection["nomor"],
    }
    for r in audit:  # each entry is keyed by one of my records
        assert r["kunci"].startswith(mine.get(r["entitas"], f"{me}/")), r
    assert rows(files["log_akses.csv"]) == [
        {
            "waktu": rows(files["log_akses.csv"])[0]["waktu"],
            "oleh": "hr-unit",
            "peran": viewer_roles("hr-unit", registry),
            "yang_dilihat": "peringkat jabatan",
            "halaman": "kepegawaian",
            "tujuan": "seleksi",
        }
    ]

    # Not one byte of anybody else's: NIPs, names, e-mails, certificate codes.
    blob = b"".join(files.values()).decode("utf-8", errors="replace")
    for other in other_rows:
        for value in (other.nip, other.name, other.email):
            assert value not in blob, value
    for code in other_codes:
        assert code not in blob

    # Deterministic: the same registry state gives the same bytes.
    again = tmp_path / "lagi.zip"
    run(runner, ["data-saya", "ekspor", "--akun", my_nip, "--keluar", str(again)])
    assert again.read_bytes() == target.read_bytes()


def viewer_roles(username: str, registry) -> str:
    with registry.session() as session:
        return viewer_by_username(session, username).roles_text


def test_hr_export_of_someone_else_is_logged_and_a_learner_is_refused_anothers(people, registry, tmp_path):
    runner, learners = people
    (me, my_nip, _), (_, other_nip, other_name) = learners[0], learners[1]
    before = access_rows(registry)

    # A learner asking for another's archive: refused in Indonesian, nothing written, nothing read.
    target = tmp_path / "orang-lain.zip"
    refused = run(runner, ["data-saya", "ekspor", "--akun", my_nip, "--nip", other_nip, "--keluar", str(target)], 2)
    assert "Anda hanya dapat mengunduh data Anda sendiri" in " ".join(refused.output.split())
    assert other_name not in refused.output and not target.exists()
    unknown = run(runner, ["data-saya", "ekspor", "--akun", my_nip, "--nip", "199001012015031999"], 2)
    assert "Anda hanya dapat mengunduh data Anda sendiri" in " ".join(unknown.output.split())  # no existence oracle
    # HR of another unit is refused too.
    elsewhere = run(runner, ["data-saya", "ekspor", "--akun", "hr-lain", "--nip", my_nip], 2)
    assert "tidak berwenang melihat data unit kerja" in " ".join(elsewhere.output.split())
    assert access_rows(registry) == before

    # HR of the learner's unit may, and the export is in the access log, then in the learner's own archive.
    exported = tmp_path / "oleh-hr.zip"
    purpose = ["--alasan", "permintaan tertulis pegawai"]
    run(runner, ["data-saya", "ekspor", "--akun", "hr-unit", "--nip", my_nip, "--keluar", str(exported), *purpose])
    assert json.loads(read_zip(exported)["profil.json"])["nip"] == my_nip
    with registry.session() as session:
        entry = session.scalars(select(models.AccessLog).order_by(models.AccessLog.id.desc())).first()
    assert (entry.viewer, entry.subject_employee_id, entry.page, entry.purpose) == (
        "hr-unit",
        me,
        "cli data-saya",
        "permintaan tertulis pegawai",
    )
    mine = tmp_path / "saya.zip"
    run(runner, ["data-saya", "ekspor", "--akun", my_nip, "--keluar", str(mine)])
    assert any(r["tujuan"] == "permintaan tertulis pegawai" for r in rows(read_zip(mine)["log_akses.csv"]))


def test_a_revoked_certificate_is_listed_with_its_reason_and_credential_but_no_pdf(people, registry, tmp_path):
    from sqlalchemy import update

    runner, learners = people
    me, my_nip, _ = learners[1]
    with registry.session("widyaiswara", "nilai dikoreksi") as session:
        session.execute(update(models.Evidence).where(models.Evidence.employee_id == me).values(score=0.0))
    run(runner, ["level", "recompute", "--per-tanggal", "2026-12-01"])
    target = tmp_path / "saya.zip"
    run(runner, ["data-saya", "ekspor", "--akun", my_nip, "--keluar", str(target)])
    files = read_zip(target)
    [listed] = json.loads(files["sertifikat.json"])
    assert listed["status"] == "dicabut" and listed["alasan_pencabutan"].startswith("kelulusan ditarik")
    assert listed["pdf"] is None and f"sertifikat/{listed['kode']}.pdf" not in files
    assert f"sertifikat/{listed['kode']}.jwt" in files
    assert json.loads(files["profil.json"])["kelulusan_kursus"] == []
    audit = rows(files["jejak_audit.csv"])
    assert [r["tindakan"] for r in audit if r["entitas"] == "course_completion"] == ["create", "delete"]
