"""The learner's Jupyter configuration as files (the browser test checks what JupyterLab makes of it)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from merit.cli import app
from merit.learner.workspace import write_learner_config


def _json(path):
    return json.loads(path.read_text(encoding="utf-8"))


def test_config_turns_off_trainer_tools_and_news_and_picks_indonesian(tmp_path):
    written = write_learner_config(tmp_path / "cfg")
    assert len(written) == 4
    disabled = _json(tmp_path / "cfg" / "labconfig" / "page_config.json")["disabledExtensions"]
    assert disabled == {
        "@jupyter/nbgrader:formgrader": True,
        "@jupyter/nbgrader:create-assignment": True,
        "@jupyter/nbgrader:course-list": True,
        "@jupyterlab/apputils-extension:announcements": True,
    }
    server = _json(tmp_path / "cfg" / "jupyter_server_config.json")
    assert server["ServerApp"]["jpserver_extensions"] == {
        "nbgrader.server_extensions.formgrader": False,
        "nbgrader.server_extensions.course_list": False,
    }
    # JupyterLab's settings as site defaults (a learner's own settings still win).
    settings = tmp_path / "cfg" / "lab" / "settings"
    assert server["LabApp"]["app_settings_dir"] == str(settings.resolve())
    overrides = _json(settings / "overrides.json")
    assert overrides["@jupyterlab/translation-extension:plugin"] == {"locale": "id_ID"}
    assert overrides["@jupyter-widgets/jupyterlab-manager:plugin"]["saveState"]


def test_voila_uses_merits_offline_template(tmp_path):
    # make setup links the template into sys.prefix/share/jupyter (a wheel installs it there)
    result = CliRunner().invoke(app, ["ruang-peserta", str(tmp_path / "cfg")])
    assert result.exit_code == 0 and "4 berkas ditulis" in result.output
    assert _json(tmp_path / "cfg" / "voila.json")["VoilaConfiguration"]["template"] == "merit"
