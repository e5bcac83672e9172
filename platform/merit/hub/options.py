"""The hub's settings, read from ``MERIT_HUB_*`` environment variables (embedded defaults)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from merit.settings import Settings


class HubOptions(BaseSettings):
    """Ports, databases and the login method of ``merit hub``.

    Every port is on ``ip`` (loopback by default: put TLS termination or a reverse proxy
    in front for a real site, docs/deploy.md).
    """

    model_config = SettingsConfigDict(env_prefix="MERIT_HUB_")

    ip: str = "127.0.0.1"
    # How the proxy and servers reach services running beside the hub; None: ``ip``.
    # On Kubernetes the hub pod's Service name (``hub``), with ``ip`` 0.0.0.0.
    service_host: str | None = None
    port: int = 8000  # the proxy: what browsers open
    hub_port: int = 8081  # the hub's own API, reached by servers and services
    proxy_api_port: int = 8001
    exchange_port: int = 8090
    formgrader_port: int = 8100  # first formgrader; one port per course from here
    pages_port: int = 8866
    # The hub's own database; None: SQLite in <data dir>/hub. A PostgreSQL URL for larger sites.
    db_url: str | None = None
    # pam: the machine's Unix accounts (a single office); dummy: one shared password (tests,
    # demonstrations); oidc: a government single sign-on through OAuthenticator (docs/deploy.md).
    authenticator: Literal["pam", "dummy", "oidc"] = "pam"
    dummy_password: str | None = None
    admin_users: list[str] = []
    # Merit's pages as the hub service merit-halaman (`merit serve --hub`, behind the hub's
    # login), and the kernels kept ready per page (`merit serve --kernel-siap`).
    halaman: bool = True
    halaman_kernel_siap: int = 0
    exchange_limit_mb: float = 20.0
    # Run learners' servers and formgraders as their own Unix users (needs root).
    unix_users: bool = True
    # The bin folder of the Python environment learners' servers and formgraders run from:
    # the hub's own by default; another one when the learners' environment differs from the
    # hub's (it must be startable by every learner's Unix user, docs/deploy.md).
    server_bin: Path = Field(default_factory=lambda: Path(sys.executable).parent)
    # The standing grading service for instant feedback (docs/grading.md), and its slots (0: two per core).
    umpan_balik: bool = True
    umpan_balik_pekerja: int = 0

    @property
    def server_python(self) -> Path:
        """The interpreter learners' servers and formgraders run: every learner's user must start it."""
        return self.server_bin / "python"

    def service_url(self, port: int) -> str:
        return f"http://{self.service_host or self.ip}:{port}"

    def folder(self, settings: Settings) -> Path:
        """Where the hub keeps its database, cookie secret, tokens and the proxy's pid."""
        return settings.data_dir / "hub"

    def database(self, settings: Settings) -> str:
        return self.db_url or f"sqlite:///{self.folder(settings) / 'jupyterhub.sqlite'}"
