"""The hub's configuration is generated from the registry's enrolment, never hand-written."""

from __future__ import annotations

import csv
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from traitlets.config import Config, PyFileConfigLoader
from typer.testing import CliRunner

from merit.cli import app
from merit.demo.roster import synthetic_roster
from merit.errors import MeritError
from merit.hub.config import configure, read_plan
from merit.hub.options import HubOptions
from merit.hub.plan import HubPlan
from merit.hub.sync import synchronise
from merit.settings import Settings


def jupyter_sees() -> dict[str, Any]:
    """What a Jupyter server started with this process's JUPYTER_CONFIG_PATH makes of it."""
    from jupyter_server.serverapp import ServerApp
    from jupyterlab_server.config import get_page_config

    app = ServerApp()
    app.load_config_file()
    app.find_server_extensions()
    extensions = {
        name.removeprefix("nbgrader.server_extensions."): on
        for name, on in app.jpserver_extensions.items()
        if name.startswith("nbgrader.server_extensions.") and name != "nbgrader.server_extensions.validate_assignment"
    }
    return {
        "server_extensions": extensions,
        "lab_disabled": get_page_config([], None)["disabledExtensions"],
        "app_settings_dir": app.config.LabApp.get("app_settings_dir", ""),
    }


def write_csv(path, header, rows):
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")  # Excel with Indonesian regional settings
        writer.writerow(header)
        writer.writerows(rows)
    return path


def import_roster(folder: Path, count: int) -> list[str]:
    """``merit roster import`` of ``count`` synthetic people; their NIPs."""
    people = synthetic_roster(count)
    roster = write_csv(
        folder / "roster.csv",
        ["NIP", "Nama", "Unit Kerja", "Jabatan", "Golongan", "Email"],
        [[p.nip, p.name, p.unit, p.position_code, p.golongan, p.email] for p in people],
    )
    assert CliRunner().invoke(app, ["roster", "import", str(roster), "--oleh", "petugas"]).exit_code == 0
    return [p.nip for p in people]


@pytest.fixture
def enrolled(settings: Settings, tmp_path):
    """Four people in the roster: two learners and a trainer of etika-integritas, one trainer elsewhere."""
    nips = import_roster(tmp_path, 4)
    runner = CliRunner()
    classes = write_csv(
        tmp_path / "kelas.csv",
        ["NIP", "Kursus", "Peran"],
        [
            [nips[0], "etika-integritas", "peserta"],
            [nips[1], "etika-integritas", "Peserta"],
            [nips[2], "etika-integritas", "pengajar"],
            [nips[3], "literasi-digital", "widyaiswara"],
        ],
    )
    result = runner.invoke(app, ["kelas", "import", str(classes), "--oleh", "petugas"])
    assert result.exit_code == 0, result.output
    assert "4 baru" in result.output
    return nips


def test_bad_class_rows_reject_the_whole_file(settings, enrolled, tmp_path):
    bad = write_csv(
        tmp_path / "salah.csv",
        ["nip", "kursus", "peran"],
        [
            [enrolled[0], "etika-integritas", "peserta"],
            ["199001012020011999", "etika-integritas", "peserta"],
            [enrolled[1], "kursus-fiktif", "peserta"],
            [enrolled[2], "literasi-digital", "kepala"],
            [enrolled[0], "etika-integritas", "pengajar"],
        ],
    )
    result = CliRunner().invoke(app, ["kelas", "import", str(bad), "--oleh", "petugas"])
    output = " ".join(result.output.split())
    assert result.exit_code == 2
    for where, why in [
        ("baris 3, kolom nip", "NIP belum terdaftar di roster"),
        ("baris 4, kolom kursus", "kursus 'kursus-fiktif' tidak ada di katalog"),
        ("baris 5, kolom peran", "peran harus 'peserta' atau 'pengajar'"),
        ("baris 6, kolom nip", "NIP dan kursus yang sama sudah ada di baris 2"),
    ]:
        assert f"{where}: {why}" in output
    plan = HubPlan(_class_lists(settings))
    assert plan.groups()["nbgrader-etika-integritas"] == sorted(enrolled[:3])  # unchanged


def _class_lists(settings):
    from merit.people.enrolment import class_lists
    from merit.registry.database import open_registry

    registry = open_registry(settings)
    with registry.session() as session:
        lists = class_lists(session)
    registry.close()
    return lists


def test_reimport_makes_a_course_hold_exactly_the_file(settings, enrolled, tmp_path):
    smaller = write_csv(
        tmp_path / "kelas2.csv",
        ["nip", "kursus", "peran"],
        [[enrolled[0], "etika-integritas", "peserta"], [enrolled[2], "etika-integritas", "pengajar"]],
    )
    result = CliRunner().invoke(app, ["kelas", "import", str(smaller), "--oleh", "petugas"])
    assert result.exit_code == 0 and "1 dikeluarkan" in result.output
    lists = _class_lists(settings)
    assert lists["etika-integritas"] == {"peserta": [enrolled[0]], "pengajar": [enrolled[2]]}
    assert lists["literasi-digital"] == {"peserta": [], "pengajar": [enrolled[3]]}  # other course untouched
    from sqlalchemy import select

    from merit.registry.database import open_registry
    from merit.registry.models import AuditEntry

    registry = open_registry(settings)
    with registry.session() as session:
        entries = session.execute(select(AuditEntry.action, AuditEntry.actor).where(AuditEntry.entity == "enrolment"))
        assert sorted(entries) == [("create", "petugas")] * 4 + [("delete", "petugas")]
    registry.close()


def test_configuration_follows_nbgraders_multi_course_setup(settings, enrolled, monkeypatch):
    monkeypatch.setenv("MERIT_HUB_AUTHENTICATOR", "dummy")
    c = Config()
    configure(c, settings, HubOptions())
    groups = {name: spec["users"] for name, spec in c.JupyterHub.load_groups.items()}
    assert groups == {
        "nbgrader-etika-integritas": sorted(enrolled[:3]),
        "formgrade-etika-integritas": [enrolled[2]],
        "nbgrader-literasi-digital": [enrolled[3]],
        "formgrade-literasi-digital": [enrolled[3]],
    }
    services = {s["name"]: s for s in c.JupyterHub.services}
    assert set(services) == {
        "merit-exchange",
        "merit-sinkron",
        "merit-umpan-balik",
        "merit-halaman",
        "etika-integritas",
        "literasi-digital",
    }
    # Merit's pages: a hub service behind the hub's OAuth, the hub its only login.
    pages = services["merit-halaman"]
    assert pages["command"][-3:-1] == ["serve", "--hub"] and pages["oauth_no_confirm"] is True
    assert pages["environment"]["MERIT_DATA_DIR"] == str(settings.data_dir)
    assert "access:services!service=merit-halaman" in c.JupyterHub.load_roles[0]["scopes"]
    formgrader = services["etika-integritas"]
    assert formgrader["cwd"] == str(settings.workspace_dir / "etika-integritas")
    assert formgrader["user"] == "grader-etika-integritas"
    roles = {r["name"]: r for r in c.JupyterHub.load_roles}
    assert roles["formgrade-etika-integritas"] == {
        "name": "formgrade-etika-integritas",
        "groups": ["formgrade-etika-integritas"],
        "scopes": ["access:services!service=etika-integritas"],
    }
    assert "access:services!service=merit-exchange" in roles["user"]["scopes"]
    assert c.Authenticator.allowed_users == set(enrolled)
    assert c.JupyterHub.db_url == f"sqlite:///{settings.data_dir / 'hub' / 'jupyterhub.sqlite'}"
    assert c.JupyterHub.spawner_class == "localprocess"
    # The nbgrader configuration every server reads: Merit's exchange, many courses, hub groups.
    learners, folder = c.Spawner.environment["JUPYTER_CONFIG_PATH"].split(os.pathsep)
    nbgrader = PyFileConfigLoader("nbgrader_config.py", folder).load_config()
    # Users' own servers read the learner workspace first, as Jupyter resolves the path:
    # nbgrader's trainer tools and the news pop-up off, Indonesian; formgrader keeps them.
    assert formgrader["environment"]["JUPYTER_CONFIG_PATH"] == folder
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", c.Spawner.environment["JUPYTER_CONFIG_PATH"])
    seen = jupyter_sees()
    assert seen["server_extensions"] == {"formgrader": False, "course_list": False, "assignment_list": True}
    assert set(seen["lab_disabled"]) == {
        "@jupyter/nbgrader:create-assignment",
        "@jupyter/nbgrader:formgrader",
        "@jupyter/nbgrader:course-list",
        "@jupyterlab/apputils-extension:announcements",
    }
    overrides = json.loads((Path(seen["app_settings_dir"]) / "overrides.json").read_text())
    assert overrides["@jupyterlab/translation-extension:plugin"]["locale"] == "id_ID"
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", folder)
    assert jupyter_sees()["server_extensions"]["formgrader"] is True
    assert nbgrader.Exchange.path_includes_course is True
    assert nbgrader.Authenticator.plugin_class == "nbgrader.auth.JupyterHubAuthPlugin"
    assert nbgrader.ExchangeFactory.submit == "merit.exchange.client.MeritSubmit"
    assert c.Spawner.environment["MERIT_EXCHANGE_URL"].endswith("/services/merit-exchange/")
    # A site without the pages (MERIT_HUB_HALAMAN=false) gives nobody access to them.
    monkeypatch.setenv("MERIT_HUB_HALAMAN", "false")
    monkeypatch.setenv("MERIT_HUB_DB_URL", "postgresql+psycopg://hub@db/jupyterhub")
    c = Config()
    configure(c, settings, HubOptions())
    assert "merit-halaman" not in {s["name"] for s in c.JupyterHub.services}
    assert not any("merit-halaman" in scope for role in c.JupyterHub.load_roles for scope in role["scopes"])
    assert c.JupyterHub.db_url == "postgresql+psycopg://hub@db/jupyterhub"


def test_pages_refuse_to_pose_as_the_hub_service_outside_the_hub(monkeypatch):
    """`merit serve --hub` takes its address and login from the hub that starts it, or does not start."""
    from typer.testing import CliRunner

    from merit.cli.app import app

    for name in ("JUPYTERHUB_SERVICE_URL", "JUPYTERHUB_SERVICE_PREFIX"):
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(app, ["serve", "--hub"])
    assert result.exit_code != 0
    assert "JUPYTERHUB_SERVICE_URL dan JUPYTERHUB_SERVICE_PREFIX tidak ada" in " ".join(result.output.split())


def test_demo_hub_makes_a_class_from_the_demo_roster_once(settings: Settings, tmp_path):
    """`merit hub mulai --demo` after `make demo`: one class (five learners, a trainer) and the
    demo accounts; a class already there is left as it is; without a roster, it says what to run."""
    from merit.hub.demo import DEMO_COURSE, LEARNERS, prepare_demo

    with pytest.raises(MeritError, match="jalankan `make demo` dulu"):
        prepare_demo(settings)
    nips = import_roster(tmp_path, LEARNERS + 1)
    first = prepare_demo(settings)
    assert first.learners == sorted(nips)[:LEARNERS] and first.trainers == sorted(nips)[LEARNERS:]
    assert first.course == DEMO_COURSE
    assert {a.username for a in first.accounts} >= {"kepegawaian", "admin"}
    assert read_plan(settings).class_lists[DEMO_COURSE]["peserta"] == first.learners
    assert set(read_plan(settings).accounts) >= {"kepegawaian", "admin"}  # allowed into the hub, too
    assert prepare_demo(settings) == first


def test_servers_run_from_the_environment_the_site_names(settings, enrolled, monkeypatch, tmp_path):
    """The hub's own environment by default; another (the learners' image) by MERIT_HUB_SERVER_BIN,
    run as a module when it has no JupyterHub scripts, and checked by `merit hub sinkron`."""
    monkeypatch.setenv("MERIT_HUB_AUTHENTICATOR", "dummy")
    c = Config()
    configure(c, settings, HubOptions())
    assert c.Spawner.cmd == [str(Path(sys.executable).parent / "jupyterhub-singleuser")]
    shared = tmp_path / "bersama" / "bin"
    monkeypatch.setenv("MERIT_HUB_SERVER_BIN", str(shared))
    c = Config()
    configure(c, settings, HubOptions())
    assert c.Spawner.cmd == [str(shared / "python"), "-m", "jupyterhub.singleuser"]
    formgrader = next(s for s in c.JupyterHub.services if s["name"] == "etika-integritas")
    assert formgrader["command"][:3] == c.Spawner.cmd
    assert formgrader["environment"]["PATH"].startswith(f"{shared}{os.pathsep}")
    shared.mkdir(parents=True)  # under pytest's base folder, closed to other users
    (shared / "python").symlink_to(sys.executable)
    with pytest.raises(MeritError, match=f"Python {shared / 'python'} tidak dapat dijalankan .* tertutup"):
        synchronise(settings, HubOptions())
