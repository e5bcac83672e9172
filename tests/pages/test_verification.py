"""The public verification page of ``merit serve``, in a real browser: the QR code's address and an
uploaded credential give valid / revoked / invalid with the course and the name, nothing more, and
no login is asked for."""

from __future__ import annotations

import base64
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from merit.cli import app
from merit.nip import format_nip
from merit.registry import models
from tests.completion_data import complete_and_issue
from tests.conftest import AUDIT_KEY, ROOT, open_registry
from tests.pages.conftest import SCREENSHOTS, free_port, python_env, start_server, stop_server


@dataclass(frozen=True)
class Served:
    url: str
    out: Path
    people: list[tuple[int, str, str]]
    codes: dict[int, str]


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("verifikasi")
    env = {"MERIT_ROOT": str(ROOT), "MERIT_DATA_DIR": str(folder / "data"), "MERIT_AUDIT_KEY": AUDIT_KEY.decode()}
    patch = pytest.MonkeyPatch()
    for name, value in env.items():
        patch.setenv(name, value)
    patch.delenv("MERIT_DATABASE_URL", raising=False)
    registry = open_registry(f"sqlite:///{folder / 'data' / 'registry.sqlite'}")
    runner = CliRunner()
    people = complete_and_issue(registry, runner, folder / "terbit")
    with registry.session() as session:
        codes = {c.employee_id: c.code for c in session.scalars(select(models.Certificate))}
    revoked = codes[people[1][0]]
    result = runner.invoke(app, ["sertifikat", "cabut", revoked, "--alasan", "uji halaman verifikasi"])
    assert result.exit_code == 0, result.output
    registry.close()
    patch.undo()
    port = free_port()
    merit = Path(sys.executable).with_name("merit")
    server_env = {**python_env(), **env}
    server_env.pop("MERIT_DATABASE_URL", None)
    argv = [str(merit), "serve", "--port", str(port), "--tanpa-akun-demo"]
    server = start_server(argv, port, folder / "serve.log", server_env, folder)
    yield Served(f"http://127.0.0.1:{port}", folder / "terbit", people, codes)
    stop_server(server)


def result_text(page) -> str:  # type: ignore[no-untyped-def]
    return page.locator("section[role=status]").inner_text()


def test_qr_address_shows_valid_with_name_and_course_only_without_login(served, context):
    employee_id, nip, name = served.people[0]
    page = context.new_page()
    page.goto(f"{served.url}/verifikasi?kode={served.codes[employee_id]}")
    assert page.url.startswith(f"{served.url}/verifikasi")  # not sent to /masuk
    shown = result_text(page)
    assert "SAH" in shown and "TIDAK SAH" not in shown
    assert name in shown and "Tata Kelola Pemerintahan yang Baik" in shown
    body = page.locator("body").inner_text()
    assert nip not in body and format_nip(nip) not in body and "JP" not in body  # nothing beyond name and course
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "verifikasi-sah.png"), full_page=True)


def test_revoked_and_unknown_codes(served, context):
    page = context.new_page()
    page.goto(f"{served.url}/verifikasi")
    page.fill("#kode", served.codes[served.people[1][0]])
    page.click("text=Periksa kode")
    assert "DICABUT" in result_text(page) and served.people[1][2] in result_text(page)
    page.fill("#kode", "AAAA-BBBB-CCCC-DDDD")
    page.click("text=Periksa kode")
    assert "TIDAK SAH" in result_text(page) and "Tidak ada sertifikat dengan kode ini" in result_text(page)


def test_uploaded_credential_genuine_and_tampered(served, context, tmp_path):
    employee_id, _, name = served.people[0]
    genuine = served.out / f"{served.codes[employee_id]}.jwt"
    page = context.new_page()
    page.goto(f"{served.url}/verifikasi")
    page.set_input_files("#berkas", str(genuine))
    page.click("text=Periksa berkas")
    assert "SAH" in result_text(page) and name in result_text(page) and "TIDAK" not in result_text(page)

    header, payload, signature = genuine.read_text().split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data["credentialSubject"]["creditsEarned"] = 40
    forged = tmp_path / "palsu.jwt"
    forged.write_text(
        f"{header}.{base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip('=')}.{signature}"
    )
    page.set_input_files("#berkas", str(forged))
    page.click("text=Periksa berkas")
    assert "TIDAK SAH" in result_text(page)
    assert name not in result_text(page)  # an invalid credential's claims are not repeated


def test_public_files_for_offline_verifiers(served, context):
    keys = context.request.get(f"{served.url}/verifikasi/kunci")
    assert keys.ok and json.loads(keys.text())["keys"][0]["crv"] == "Ed25519"
    status = context.request.get(f"{served.url}/verifikasi/status")
    assert status.ok and status.headers["content-type"] == "application/vc+jwt" and status.text().count(".") == 2
