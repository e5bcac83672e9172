"""``merit serve``: Voila over the page notebooks, behind Merit's login, with the offline template.

One Voila server (standalone, tornado) serves ``merit/dashboards/*.ipynb`` with the
``merit`` template. Every request is authenticated by :class:`MeritIdentityProvider`;
the login, logout and home pages are Merit's own handlers. The kernels receive the
request's ``Cookie`` header (``VoilaConfiguration.http_header_envs``) and ask the same
identity seam who is looking. With ``kernel_siap`` > 0 each page keeps that many
preheated kernels (Voila's ``preheat_kernel``): the page's first cell (imports, content,
registry) has already run when a request arrives; the identity is read after
``voila.utils.wait_for_request()``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from traitlets.config import Config
from voila.app import Voila

from merit.registry.database import Registry
from merit.serve.handlers import HomeHandler, LoginHandler, LogoutHandler
from merit.serve.identity import MeritIdentityProvider
from merit.serve.mydata import mydata_handlers
from merit.serve.verification import verification_handlers
from merit.serve.voila import TEMPLATE, use_template
from merit.settings import Settings

DASHBOARDS = Path(__file__).resolve().parents[1] / "dashboards"


# Voila's front end loads every installed JupyterLab extension (nbgrader's, notebook's,
# pygments' ...); the pages need the widget manager, and the learner's radar needs plotly.
WIDGETS = {"@jupyter-widgets/jupyterlab-manager", "@voila-dashboards/widgets-manager8"}
EXTENSIONS = {"peserta.ipynb": WIDGETS | {"jupyterlab-plotly", "anywidget"}}


def lean_page_config(page_config: dict[str, Any], *, notebook_path: str, **_: Any) -> dict[str, Any]:
    """``VoilaConfiguration.page_config_hook``: load only the front-end extensions a page uses."""
    wanted = EXTENSIONS.get(Path(notebook_path).name, WIDGETS)
    page_config["federated_extensions"] = [
        e for e in page_config.get("federated_extensions", []) if e.get("name") in wanted
    ]
    return page_config


class MeritVoila(Voila):
    """Voila with Merit's handlers in front of its own."""

    registry: Registry | None = None

    def init_handlers(self) -> list:
        ours = [
            (r"/", HomeHandler, {"registry": self.registry}),
            (r"/masuk", LoginHandler, {"registry": self.registry}),
            (r"/login", LoginHandler, {"registry": self.registry}),
            (r"/keluar", LogoutHandler, {"registry": self.registry}),
            *verification_handlers(self.registry, Settings()),  # public: no login
            *mydata_handlers(self.registry, Settings()),  # the viewer's own data, checked by the handler
        ]
        return ours + super().init_handlers()  # tornado takes the first match: "/" is Merit's home


def voila_arguments(host: str, port: int, kernels: int) -> list[str]:
    args = [
        str(DASHBOARDS),
        f"--template={TEMPLATE}",
        "--no-browser",
        f"--port={port}",
        f"--Voila.ip={host}",
        "--Voila.identity_provider_class=merit.serve.identity.MeritIdentityProvider",
        "--VoilaConfiguration.http_header_envs=Cookie",
        "--VoilaConfiguration.show_tracebacks=False",
    ]
    if kernels > 0:
        args += ["--VoilaConfiguration.preheat_kernel=True", f"--VoilaConfiguration.default_pool_size={kernels}"]
    return args


def run(registry: Registry, host: str, port: int, kernels: int) -> None:
    """Serve until interrupted."""
    use_template()
    MeritIdentityProvider.registry = registry
    MeritVoila.registry = registry
    config = Config()
    config.VoilaConfiguration.page_config_hook = lean_page_config
    # Front-end extension files have content hashes in their names or URLs (?v=): a returning
    # browser may keep them, instead of asking again for each one (Voila serves them
    # "no-cache"). jupyter_server's static_immutable_cache setting does this by path.
    config.Voila.tornado_settings = {"static_immutable_cache": ["/voila/labextensions/"]}
    MeritVoila.launch_instance(voila_arguments(host, port, kernels), config=config)
