"""Certificates: issued for a recorded completion as a PDF and a signed Open Badges 3.0 credential;
`merit sertifikat verifikasi` accepts the genuine one offline and rejects tampering, a wrong key
and a revoked status. Registry parts on SQLite and PostgreSQL; the PDF is rendered with poppler
and read back, its QR code decoded with zxing-cpp."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import select

from merit.catalog import load_courses
from merit.certificates.issuer import load_issuer
from merit.nip import format_nip
from merit.registry import models
from merit.settings import Settings
from tests.completion_data import complete_and_issue
from tests.conftest import ROOT, run

COURSE = "tata-kelola"


@pytest.fixture
def issued(registry, registry_cli, tmp_path):
    """Two learners who completed the course, a signing key, and their certificates issued by the CLI."""
    runner = registry_cli
    out = tmp_path / "terbit"
    people = complete_and_issue(registry, runner, out, COURSE)
    return runner, out, people, Settings()


def load_framework():
    from merit.catalog import load_framework as load

    return load(ROOT / "assessments")


def codes(registry) -> dict[int, str]:
    with registry.session() as session:
        return {c.employee_id: c.code for c in session.scalars(select(models.Certificate))}


def tampered(token: str, change) -> str:
    """The same signature over a payload with one field changed."""
    header, payload, signature = token.split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    change(data)
    body = base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    return f"{header}.{body}.{signature}"


def test_certificates_issue_only_for_completions_and_are_audited(issued, registry):
    runner, out, people, _ = issued
    issued_codes = codes(registry)
    assert set(issued_codes) == {people[0][0], people[1][0]}
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"{c}.{ext}" for c in issued_codes.values() for ext in ("pdf", "jwt")
    )
    with registry.session() as session:
        entries = session.scalars(select(models.AuditEntry).where(models.AuditEntry.entity == "certificate")).all()
    assert {(e.action, e.actor) for e in entries} == {("create", "admin-diklat")}
    # Issuing again changes nothing; a learner who did not pass gets a clear refusal.
    again = run(runner, ["sertifikat", "terbitkan", COURSE, "--keluar", str(out)])
    assert again.output.count("Sudah ada") == 2 and codes(registry) == issued_codes
    refused = run(runner, ["sertifikat", "terbitkan", COURSE, "--nip", people[2][1]], code=2)
    assert "belum menyelesaikan kursus tata-kelola" in refused.output


def test_genuine_credential_verifies_offline_and_any_change_is_rejected(issued, registry, tmp_path):
    runner, out, people, _ = issued
    code = codes(registry)[people[0][0]]
    token = (out / f"{code}.jwt").read_text()
    ok = run(runner, ["sertifikat", "verifikasi", str(out / f"{code}.jwt")])
    assert "SAH" in ok.output and people[0][2] in ok.output and "Tata Kelola" in ok.output

    changes = {
        "name": lambda d: d["credentialSubject"]["identifier"][0].update(identityHash="Orang Lain"),
        "jp": lambda d: d["credentialSubject"].update(creditsEarned=99),
        "level": lambda d: d["credentialSubject"]["result"][0].update(
            achievedLevel=d["credentialSubject"]["result"][0]["achievedLevel"][:-1] + "5"
        ),
        "date": lambda d: d.update(validFrom="2020-01-01T00:00:00Z"),
        "status": lambda d: d["credentialStatus"].update(statusListIndex="0"),
    }
    for field, change in changes.items():
        forged = tmp_path / f"palsu-{field}.jwt"
        forged.write_text(tampered(token, change))
        rejected = run(runner, ["sertifikat", "verifikasi", str(forged)], code=1)
        assert "TIDAK SAH" in rejected.output, field

    # A key set of another issuer: the same credential is not theirs to vouch for.
    other = tmp_path / "lain"
    shutil.copytree(Path(Settings().data_dir) / "sertifikat" / "publik", other)
    from merit.certificates.keys import create_key

    create_key(tmp_path / "kunci-lain", tmp_path / "publik-lain")
    wrong = run(
        runner,
        [
            "sertifikat",
            "verifikasi",
            str(out / f"{code}.jwt"),
            "--kunci-publik",
            str(tmp_path / "publik-lain" / "kunci-publik.json"),
        ],
        code=1,
    )
    assert "TIDAK SAH" in wrong.output and "tidak dikenal" in wrong.output


def test_a_credential_signed_by_a_foreign_key_with_the_issuers_kid_is_rejected(issued, registry, tmp_path):
    from joserfc import jws
    from joserfc.jwk import OKPKey

    runner, out, people, _ = issued
    code = codes(registry)[people[0][0]]
    token = (out / f"{code}.jwt").read_text()
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    payload = base64.urlsafe_b64decode(token.split(".")[1] + "==")
    intruder = OKPKey.generate_key("Ed25519", private=True)
    forged = tmp_path / "palsu.jwt"
    forged.write_text(jws.serialize_compact(header, payload, intruder, algorithms=["Ed25519"]))
    result = run(runner, ["sertifikat", "verifikasi", str(forged)], code=1)
    assert "TIDAK SAH" in result.output


def test_revoked_certificate_is_reported_and_rotation_keeps_old_certificates_valid(issued, registry):
    runner, out, people, _ = issued
    first, second = (codes(registry)[people[i][0]] for i in (0, 1))
    run(runner, ["sertifikat", "cabut", first, "--alasan", "salah terbit: nilai dikoreksi", "--oleh", "kepala-bkpsdm"])
    revoked = run(runner, ["sertifikat", "verifikasi", str(out / f"{first}.jwt")], code=1)
    assert "DICABUT" in revoked.output and people[0][2] in revoked.output
    assert "SAH" in run(runner, ["sertifikat", "verifikasi", str(out / f"{second}.jwt")]).output
    with registry.session() as session:
        row = session.get(models.Certificate, first)
        assert row.revoked_reason == "salah terbit: nilai dikoreksi"
        entry = session.scalars(
            select(models.AuditEntry).where(
                models.AuditEntry.entity == "certificate", models.AuditEntry.action == "update"
            )
        ).one()
    assert entry.actor == "kepala-bkpsdm" and entry.entity_key == first

    old_kid = json.loads(base64.urlsafe_b64decode((out / f"{second}.jwt").read_text().split(".")[0] + "=="))["kid"]
    run(runner, ["sertifikat", "kunci", "rotasi"])
    assert "SAH" in run(runner, ["sertifikat", "verifikasi", str(out / f"{second}.jwt")]).output
    # The status list is now signed by the new key; a withdrawn (leaked) old key invalidates what it signed.
    run(runner, ["sertifikat", "cabut", second, "--alasan", "uji rotasi"])
    assert "DICABUT" in run(runner, ["sertifikat", "verifikasi", str(out / f"{second}.jwt")], code=1).output
    run(runner, ["sertifikat", "kunci", "tarik", old_kid])
    withdrawn = run(runner, ["sertifikat", "verifikasi", str(out / f"{second}.jwt")], code=1)
    assert "TIDAK SAH" in withdrawn.output


@pytest.mark.parametrize("registry_url", ["sqlite"], indirect=True)
def test_pdf_certificate_reads_back_in_indonesian_with_a_qr_code_to_the_verification_page(issued, registry, tmp_path):
    _, out, people, settings = issued
    employee_id, nip, name = people[0]
    code = codes(registry)[employee_id]
    issuer = load_issuer(settings)
    text = subprocess.run(
        ["pdftotext", "-layout", str(out / f"{code}.pdf"), "-"], check=True, capture_output=True, text=True
    ).stdout
    course = load_courses(ROOT / "courses", load_framework())[COURSE]
    with registry.session() as session:
        levels = {
            lv.competency_code: lv.level
            for lv in session.scalars(
                select(models.CompetencyLevel).where(models.CompetencyLevel.employee_id == employee_id)
            )
        }
        names = {
            code: name for code, name in session.execute(select(models.Competency.code, models.Competency.name_id))
        }
    flat = " ".join(text.split())
    for expected in (
        "SERTIFIKAT",
        name,
        f"NIP {format_nip(nip)}",
        course.spec.title.id,
        f"sebanyak {course.spec.jp} JP ({course.spec.jp * 45} menit)",
        "pada tanggal 2 November 2026",
        issuer.instansi,
        f"Kode verifikasi: {code}",
    ):
        assert expected in flat, expected
    for competency in course.spec.competencies:
        assert names[competency.code] in flat
        line = next(ln for ln in text.splitlines() if names[competency.code] in ln)
        assert line.split()[-1] == str(levels[competency.code]), line

    subprocess.run(
        ["pdftoppm", "-r", "110", "-png", "-singlefile", str(out / f"{code}.pdf"), str(tmp_path / "page")], check=True
    )
    [barcode] = zxingcpp.read_barcodes(Image.open(tmp_path / "page.png"))
    assert barcode.format == zxingcpp.BarcodeFormat.QRCode
    assert barcode.text == f"{issuer.verifikasi}?kode={code}"


def test_a_withdrawn_completion_revokes_its_certificate_audited_and_published(issued, registry):
    """A trainer lowers grades so the pass mark is no longer reached: the next recompute removes the
    completion, revokes the certificate in the same transaction and publishes the status list again."""
    from sqlalchemy import update

    from merit.certificates.issuing import WITHDRAWN

    runner, out, people, _ = issued
    withdrawn, kept = (codes(registry)[people[i][0]] for i in (0, 1))
    with registry.session("widyaiswara", "nilai dikoreksi") as session:
        session.execute(update(models.Evidence).where(models.Evidence.employee_id == people[0][0]).values(score=0.0))
    run(runner, ["level", "recompute", "--per-tanggal", "2026-12-01", "--oleh", "widyaiswara-b"])
    with registry.session() as session:
        assert session.get(models.CourseCompletion, (people[0][0], COURSE)) is None
        row = session.get(models.Certificate, withdrawn)
        assert row.revoked_at is not None and row.revoked_reason == WITHDRAWN
        assert session.get(models.Certificate, kept).revoked_at is None
        entries = session.scalars(
            select(models.AuditEntry)
            .where(models.AuditEntry.entity_key.in_([withdrawn, f"{people[0][0]}/{COURSE}"]))
            .order_by(models.AuditEntry.seq)
        ).all()
    assert [(e.entity, e.action, e.actor) for e in entries] == [
        ("course_completion", "create", "widyaiswara"),
        ("certificate", "create", "admin-diklat"),
        ("course_completion", "delete", "widyaiswara-b"),
        ("certificate", "update", "widyaiswara-b"),
    ]
    assert WITHDRAWN in (entries[-1].after or "")
    revoked = run(runner, ["sertifikat", "verifikasi", str(out / f"{withdrawn}.jwt")], code=1)
    assert "DICABUT" in revoked.output
    assert "SAH" in run(runner, ["sertifikat", "verifikasi", str(out / f"{kept}.jwt")]).output
