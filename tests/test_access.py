"""Who is looking: accounts, Argon2id passwords, session tokens, roles, refusals, the access log.

Runs on SQLite and PostgreSQL (the ``registry`` fixture).
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from merit.access import Refused, Role, Viewer
from merit.access.accounts import create_account, set_active, set_password, sign_in, sign_out, token_digest
from merit.access.identity import COOKIE, MeritLogin, identity_source, require_viewer
from merit.access.log import log_views, read_log
from merit.cli import app
from merit.demo.roster import synthetic_roster
from merit.errors import MeritError
from merit.people.roster import register_roster
from merit.registry import models
from merit.registry.audit import verify
from tests.conftest import AUDIT_KEY

PASSWORD = "kata-sandi-uji-2026"


@pytest.fixture
def people(registry):
    roster = synthetic_roster(6, 3)
    with registry.session("pytest", "roster uji") as session:
        register_roster(session, roster)
    return roster


def test_sign_in_keeps_only_hashes_and_a_wrong_password_is_refused(registry, people):
    nip = people[0].nip
    with registry.session("hr", "akun peserta") as session:
        create_account(session, PASSWORD, [Role("peserta")], nip=nip)
    with registry.session() as session:
        account = session.scalars(select(models.Account)).one()
        assert account.username == nip and account.name == people[0].name
        assert account.password_hash.startswith("$argon2id$") and PASSWORD not in account.password_hash
        with pytest.raises(Refused, match="salah"):
            sign_in(session, nip, "bukan-kata-sandinya")
        with pytest.raises(Refused, match="salah"):
            sign_in(session, "tidak-ada", PASSWORD)
        token = sign_in(session, nip, PASSWORD)
    with registry.session() as session:
        stored = session.scalars(select(models.LoginSession.token_sha256)).one()
        assert stored == token_digest(token) and token not in stored
        viewer = require_viewer(session, {"HTTP_COOKIE": f"lain=1; {COOKIE}={token}"}, MeritLogin())
        assert viewer.nip == nip and viewer.employee_id is not None
        # The audit trail records the account and that a password was set, never the hash.
        entries = " ".join(e.after or "" for e in session.scalars(select(models.AuditEntry)))
        assert "kata_sandi" in entries and "$argon2" not in entries
        assert verify(session, AUDIT_KEY).ok


def test_disabling_or_a_new_password_ends_sessions_and_expiry_is_enforced(registry, people):
    with registry.session("hr", "akun") as session:
        create_account(session, PASSWORD, [], nip=people[1].nip)
    with registry.session() as session:
        token = sign_in(session, people[1].nip, PASSWORD)
    environ = {"HTTP_COOKIE": f"{COOKIE}={token}"}
    with registry.session() as session:
        later = models.utcnow() + dt.timedelta(hours=9)
        assert MeritLogin().viewer(session, environ) is not None
        from merit.access.accounts import viewer_for_token

        assert viewer_for_token(session, token, later) is None  # expired after 8 hours
    with registry.session("hr", "pindah tugas") as session:
        assert set_active(session, people[1].nip, False)
    with registry.session() as session:
        assert MeritLogin().viewer(session, environ) is None
        with pytest.raises(Refused, match="belum masuk"):
            require_viewer(session, environ, MeritLogin())
        with pytest.raises(Refused):
            sign_in(session, people[1].nip, PASSWORD)
    with registry.session("hr", "kembali") as session:
        set_active(session, people[1].nip, True)
    with registry.session() as session:
        token = sign_in(session, people[1].nip, PASSWORD)
    with registry.session("hr", "sandi baru") as session:
        set_password(session, people[1].nip, "sandi-baru-yang-panjang")
    with registry.session() as session:
        assert MeritLogin().viewer(session, {"HTTP_COOKIE": f"{COOKIE}={token}"}) is None
        sign_out(session, sign_in(session, people[1].nip, "sandi-baru-yang-panjang"))
        assert session.scalars(select(models.LoginSession)).all() == []


def test_bad_accounts_are_refused_with_reasons(registry, people):
    with registry.session("hr", "akun") as session:
        with pytest.raises(MeritError, match="tidak ada di roster"):
            create_account(session, PASSWORD, [], nip="199001012015031999")
        with pytest.raises(MeritError, match="terlalu pendek"):
            create_account(session, "pendek", [], nip=people[0].nip)
        with pytest.raises(MeritError, match="memerlukan NIP"):
            create_account(session, PASSWORD, [Role("peserta")], username="staf.bkpsdm", name="Staf")
        create_account(session, PASSWORD, [Role("kepegawaian", "*")], username="staf.bkpsdm", name="Staf")
        with pytest.raises(MeritError, match="sudah dipakai"):
            create_account(session, PASSWORD, [Role("admin")], username="staf.bkpsdm", name="Lagi")
    for bad, reason in (("guru", "tidak dikenal"), ("widyaiswara", "perlu cakupan"), ("admin:x", "tidak memakai")):
        with pytest.raises(MeritError, match=reason):
            Role.parse(bad)


def test_roles_answer_every_page_question():
    learner = Viewer("p", "P", frozenset({Role("peserta")}), 7, "199001012015031001")
    trainer = Viewer("w", "W", frozenset({Role("widyaiswara", "tata-kelola")}))
    unit_hr = Viewer("k", "K", frozenset({Role("kepegawaian", "Sekretariat Daerah")}))
    admin = Viewer("a", "A", frozenset({Role("admin")}))
    assert learner.require_learner() == 7
    learner.require_learner_self("199001012015031001")
    with pytest.raises(Refused, match="data Anda sendiri"):
        learner.require_learner_self("199202022016042002")
    with pytest.raises(Refused, match="kepegawaian"):
        learner.hr_units()
    with pytest.raises(Refused, match="widyaiswara"):
        learner.trainer_courses(["tata-kelola"])
    with pytest.raises(Refused, match="roster"):
        trainer.require_learner()
    assert trainer.trainer_courses(["etika-integritas", "tata-kelola"]) == ["tata-kelola"]
    with pytest.raises(Refused, match="bukan widyaiswara"):
        trainer.require_trainer_of("etika-integritas")
    assert unit_hr.hr_units() == {"Sekretariat Daerah"}
    with pytest.raises(Refused, match="Dinas"):
        unit_hr.require_unit("Dinas Kesehatan")
    assert admin.hr_units() is None and admin.trainer_courses(["a", "b"]) == ["a", "b"]
    # NIPs are masked for everyone but HR, admins and the person themself.
    other = "199202022016042002"
    assert learner.show_nip(learner.nip) == "19900101 201503 1 001"
    assert "*" in learner.show_nip(other) and "*" in trainer.show_nip(other)
    assert unit_hr.show_nip(other) == "19920202 201604 2 002"


class HubUser:
    """A stand-in identity source, as JupyterHub's would be plugged in."""

    def viewer(self, session, environ):
        return Viewer(environ["HTTP_X_HUB_USER"], "Hub", frozenset({Role("admin")}))


def test_the_identity_source_is_pluggable(registry, monkeypatch):
    monkeypatch.setenv("MERIT_IDENTITAS", "tests.test_access:HubUser")
    with registry.session() as session:
        assert require_viewer(session, {"HTTP_X_HUB_USER": "budi"}).username == "budi"
    with pytest.raises(MeritError, match="modul:Kelas"):
        identity_source("tests.test_access:TidakAda")
    assert isinstance(identity_source(""), MeritLogin)


def test_views_of_other_people_are_logged_but_not_ones_own(registry, people):
    with registry.session() as session:
        ids = list(session.scalars(select(models.Employee.id).order_by(models.Employee.id)))
        viewer = Viewer("hr", "HR", frozenset({Role("kepegawaian", "*")}), ids[0])
        assert log_views(session, viewer, ids[:3], "peringkat jabatan X", "kepegawaian", "seleksi") == 2
        lines = read_log(session)
        assert [line.nip for line in lines] == [people[2].nip, people[1].nip]
        assert read_log(session, nip=people[1].nip)[0].viewer == "hr"
        assert read_log(session, viewer="orang-lain") == []


def test_cli_creates_lists_disables_and_shows_the_log(settings, monkeypatch):
    runner = CliRunner()
    roster = synthetic_roster(3, 5)
    from merit.content import load_content, register_content
    from merit.registry.database import open_registry

    registry = open_registry(settings)
    with registry.session("pytest", "roster") as session:
        register_content(session, load_content(settings))
        register_roster(session, roster)
    registry.close()
    env = {"COLUMNS": "200"}
    result = runner.invoke(app, ["akun", "buat", roster[0].nip, roster[1].nip, "--oleh", "hr"], env=env)
    assert result.exit_code == 0, result.output
    assert roster[0].nip in result.output and "Kata sandi awal" in result.output
    result = runner.invoke(
        app,
        ["akun", "buat", "--nama-pengguna", "kepegawaian", "--nama", "Staf BKPSDM", "--peran", "kepegawaian:*"],
        env=env,
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["akun", "nonaktifkan", roster[1].nip, "--alasan", "pensiun"], env=env)
    assert result.exit_code == 0 and "dinonaktifkan" in result.output
    result = runner.invoke(app, ["akun", "peran", "kepegawaian", "--tambah", "widyaiswara:tata-kelola"], env=env)
    assert "kepegawaian:*, widyaiswara:tata-kelola" in result.output
    result = runner.invoke(app, ["akun", "daftar"], env=env)
    assert "nonaktif" in result.output and "Staf BKPSDM" in result.output
    result = runner.invoke(app, ["akun", "buat", "--nama-pengguna", "tanpa-nama"], env=env)
    assert result.exit_code == 2 and "Nama akun wajib" in result.output
    result = runner.invoke(app, ["akun", "log-akses"], env=env)
    assert result.exit_code == 0 and "0 entri" in result.output
