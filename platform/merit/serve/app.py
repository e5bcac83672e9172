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

from voila.app import Voila

from merit.registry.database import Registry
from merit.serve.handlers import HomeHandler, LoginHandler, LogoutHandler
from merit.serve.identity import MeritIdentityProvider
from merit.serve.voila import TEMPLATE, use_template

DASHBOARDS = Path(__file__).resolve().parents[1] / "dashboards"


class MeritVoila(Voila):
    """Voila with Merit's handlers in front of its own."""

    registry: Registry | None = None

    def init_handlers(self) -> list:
        ours = [
            (r"/", HomeHandler, {"registry": self.registry}),
            (r"/masuk", LoginHandler, {"registry": self.registry}),
            (r"/login", LoginHandler, {"registry": self.registry}),
            (r"/keluar", LogoutHandler, {"registry": self.registry}),
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
    MeritVoila.launch_instance(voila_arguments(host, port, kernels))
