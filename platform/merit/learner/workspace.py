"""A learner-grade JupyterLab: Indonesian, no news pop-up, no trainer tools, answers that reopen.

:func:`write_learner_config` writes a Jupyter configuration folder for learners' servers.
A site points each learner's server at it (``JUPYTER_CONFIG_DIR``, or first on
``JUPYTER_CONFIG_PATH`` as :mod:`merit.hub.config` does; the folder may be read-only for the
learner). Everything is JupyterLab's, nbgrader's and Voila's own configuration, no patch:

* the interface in Indonesian: the ``jupyterlab-language-pack-id-ID`` package (pinned; made for
  JupyterLab 4.5, it loads in the pinned 4.6 and translates about 530 of JupyterLab's strings,
  so some menus stay English) chosen with the translation extension's ``locale`` setting;
* no "official Jupyter news" pop-up: the notification extension's ``fetchNews`` and
  ``checkForUpdates`` off, and the announcements plugin disabled;
* nbgrader's trainer tools off, as nbgrader's installation guide lays out for students: the
  ``formgrader``, ``create-assignment`` and ``course-list`` lab extensions disabled and the
  ``formgrader`` and ``course_list`` server extensions off; the Assignments tab and Validate stay;
* a reopened module shows its saved answers: the widget manager saves widget state in the
  notebook (``saveState``), so JupyterLab draws the items from it instead of "Error displaying
  widget: model not found" until the cells run again;
* JupyterLab settings (language, news, widget state) as the site's defaults: an
  ``overrides.json`` in the folder's ``lab/settings``, made JupyterLab's ``app_settings_dir``;
  each learner's own settings (``~/.jupyter/lab/user-settings``) still win, so a shared,
  read-only folder serves every learner on a hub;
* the kernel websocket's legacy wire format (:data:`KERNEL_WS_PROTOCOL`), so a kernel restarted
  right after a notebook opens does not freeze the learner's server;
* Voila with Merit's offline template ``merit`` (installed with Merit into sys.prefix/share/jupyter;
  ``make setup`` links it for the editable install), so no request leaves the server.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jupyter_core.paths import jupyter_path

LOCALE = "id_ID"
VOILA_TEMPLATE = "merit"
TRAINER_LAB_EXTENSIONS = (
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:create-assignment",
    "@jupyter/nbgrader:course-list",
)
TRAINER_SERVER_EXTENSIONS = ("nbgrader.server_extensions.formgrader", "nbgrader.server_extensions.course_list")
NEWS_PLUGIN = "@jupyterlab/apputils-extension:announcements"
# The kernel websocket's legacy wire format, not v1.kernel.websocket.jupyter.org. jupyter_server
# 2.21 closes a "stale" websocket (the same session reconnecting, as JupyterLab does when a
# kernel is restarted while its first connection is still being set up) and then reads a v1
# frame still arriving on it with the legacy decoder: the frame's 64-bit offset count (6) read
# as a big-endian 32-bit count is 100,663,296, and ``struct.unpack("!" + "I" * n)`` builds and
# parses that format for 20-30 s of CPU while the server's event loop, every kernel message
# and request of the learner included, waits (py-spy; tests/test_hub_e2e.py). With the legacy
# format on both sides that frame decodes as what it is.
KERNEL_WS_PROTOCOL = ""

SITE_SETTINGS: dict[str, dict[str, Any]] = {
    "@jupyterlab/translation-extension:plugin": {"locale": LOCALE},
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyter-widgets/jupyterlab-manager:plugin": {"saveState": True},
}


def voila_template_installed(name: str = VOILA_TEMPLATE) -> bool:
    """True when a Voila template ``name`` is on the Jupyter data path."""
    return any(Path(base, name).is_dir() for base in jupyter_path("voila", "templates"))


def _write(path: Path, content: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def write_learner_config(folder: Path) -> list[Path]:
    """Write the learner configuration into ``folder``; returns the files written."""
    settings_dir = folder / "lab" / "settings"
    written = [
        _write(
            folder / "labconfig" / "page_config.json",
            {"disabledExtensions": dict.fromkeys((*TRAINER_LAB_EXTENSIONS, NEWS_PLUGIN), True)},
        ),
        _write(
            folder / "jupyter_server_config.json",
            {
                "ServerApp": {"jpserver_extensions": dict.fromkeys(TRAINER_SERVER_EXTENSIONS, False)},
                "LabApp": {"app_settings_dir": str(settings_dir.resolve())},
                "ZMQChannelsWebsocketConnection": {"kernel_ws_protocol": KERNEL_WS_PROTOCOL},
            },
        ),
        _write(settings_dir / "overrides.json", SITE_SETTINGS),
    ]
    voila: dict[str, Any] = {"VoilaConfiguration": {"strip_sources": True}}
    if voila_template_installed():
        voila["VoilaConfiguration"]["template"] = VOILA_TEMPLATE
    written.append(_write(folder / "voila.json", voila))
    return written
