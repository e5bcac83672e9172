"""``merit serve``: Voila over the page notebooks, behind Merit's login, with the offline template.

``merit serve --hub`` is the same server as the JupyterHub service ``merit-halaman``: below
the service's prefix, on the address the hub gives it, with the hub as its only login
(:mod:`merit.serve.hub`, :mod:`merit.access.hub_login`).

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

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from jupyter_server.utils import url_path_join
from traitlets.config import Config
from voila.app import Voila

from merit.access.hub_login import SECRET, SOURCE
from merit.access.identity import SETTING
from merit.errors import MeritError
from merit.registry.database import Registry
from merit.serve.handlers import HomeHandler, LoginHandler, LogoutHandler
from merit.serve.hub import hub_handlers
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
    behind_hub = False

    def init_handlers(self) -> list:
        ours = [
            *verification_handlers(self.registry, Settings()),  # public: no login
            *mydata_handlers(self.registry, Settings()),  # the viewer's own data, checked by the handler
        ]
        if not self.behind_hub:
            ours += [
                (r"/masuk", LoginHandler, {"registry": self.registry}),
                (r"/login", LoginHandler, {"registry": self.registry}),
                (r"/keluar", LogoutHandler, {"registry": self.registry}),
            ]
        ours = [(url_path_join(self.base_url, path), handler, kwargs) for path, handler, kwargs in ours]
        if self.behind_hub:
            ours += hub_handlers(self.registry, self.base_url)
        ours.append((self.base_url, HomeHandler, {"registry": self.registry}))
        return ours + super().init_handlers()  # tornado takes the first match: the base is Merit's home


@dataclass(frozen=True)
class Address:
    """Where the server listens and the path its pages live under."""

    host: str
    port: int
    base_url: str = "/"


def hub_service_address(environ: dict[str, str] | os._Environ[str] = os.environ) -> Address:
    """The address JupyterHub gives a service it starts (``JUPYTERHUB_SERVICE_URL`` and ``_PREFIX``)."""
    url, prefix = environ.get("JUPYTERHUB_SERVICE_URL"), environ.get("JUPYTERHUB_SERVICE_PREFIX")
    if not url or not prefix:
        raise MeritError(
            "merit serve --hub dijalankan oleh JupyterHub (layanan merit-halaman dari `merit hub mulai`): "
            "JUPYTERHUB_SERVICE_URL dan JUPYTERHUB_SERVICE_PREFIX tidak ada."
        )
    parsed = urlparse(url)
    return Address(parsed.hostname or "127.0.0.1", parsed.port or 80, prefix)


def voila_arguments(address: Address, kernels: int) -> list[str]:
    args = [
        str(DASHBOARDS),
        f"--template={TEMPLATE}",
        "--no-browser",
        f"--port={address.port}",
        f"--Voila.ip={address.host}",
        f"--Voila.base_url={address.base_url}",
        "--Voila.identity_provider_class=merit.serve.identity.MeritIdentityProvider",
        "--VoilaConfiguration.http_header_envs=Cookie",
        "--VoilaConfiguration.show_tracebacks=False",
    ]
    if kernels > 0:
        args += ["--VoilaConfiguration.preheat_kernel=True", f"--VoilaConfiguration.default_pool_size={kernels}"]
    return args


def run(registry: Registry, address: Address, kernels: int, behind_hub: bool = False) -> None:
    """Serve until interrupted."""
    use_template()
    MeritIdentityProvider.registry = registry
    MeritVoila.registry = registry
    MeritVoila.behind_hub = behind_hub
    config = Config()
    config.VoilaConfiguration.page_config_hook = lean_page_config
    # Front-end extension files have content hashes in their names or URLs (?v=): a returning
    # browser may keep them, instead of asking again for each one (Voila serves them
    # "no-cache"). jupyter_server's static_immutable_cache setting does this by path.
    config.Voila.tornado_settings = {
        "static_immutable_cache": [url_path_join(address.base_url, "voila/labextensions/")]
    }
    if behind_hub:
        # The pages' kernels inherit this environment: they read the hub's cookie as the server does.
        os.environ[SETTING] = SOURCE
        os.environ.setdefault(SECRET, secrets.token_hex(32))
        config.Voila.cookie_secret = os.environ[SECRET].encode()
    MeritVoila.launch_instance(voila_arguments(address, kernels), config=config)
