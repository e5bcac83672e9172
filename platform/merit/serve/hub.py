"""Signing in and out through JupyterHub, when the pages run as the hub service ``merit-halaman``.

The hub is the only login: ``/masuk`` (and ``/login``, where Voila sends a visitor without a
session) starts the hub's OAuth handshake, JupyterHub's own callback handler finishes it and
keeps the token in the service's cookie, and :class:`merit.access.hub_login.HubLogin` reads
that cookie wherever the pages ask who is looking. A hub user Merit does not know (no account,
no roster entry) gets an Indonesian explanation instead of a login loop.
"""

from __future__ import annotations

import html

from jupyter_server.utils import url_path_join
from jupyterhub.services.auth import HubOAuthCallbackHandler, HubOAuthenticated

from merit.access.hub_login import HubLogin, hub_auth, viewer_for_hub_name
from merit.access.identity import headers_environ
from merit.registry.database import Registry
from merit.serve.handlers import MeritHandler, page

NOT_LINKED = (
    "Anda sudah masuk ke JupyterHub sebagai <b>{name}</b>, tetapi nama ini tidak terdaftar di Merit: "
    "bukan akun halaman Merit dan bukan NIP di roster. Minta petugas kepegawaian membuatkan akun "
    "(<code>merit akun buat</code>) atau memperbaiki roster, lalu muat ulang halaman ini."
)


class HubSignInHandler(HubOAuthenticated, MeritHandler):
    """``/masuk``: already signed in at the hub, go on to ``next``; otherwise the hub's login first."""

    def get(self) -> None:
        next_url = self.local_next(self.get_argument("next", self.local()))
        model = HubLogin().hub_user(headers_environ(self.request.headers))
        if model is None:
            self.redirect(self.get_login_url())  # back here after the handshake, with the cookie
            return
        with self.registry.session() as session:
            linked = viewer_for_hub_name(session, model["name"]) is not None
        if not linked:
            self.set_status(403)
            explained = NOT_LINKED.format(name=html.escape(model["name"]))
            self.write(page("Akun belum terhubung", f'<p class="galat">{explained}</p>'))
            return
        self.redirect(next_url)


class HubSignOutHandler(MeritHandler):
    """``/keluar``: forget the service's cookie and sign out of the hub as well."""

    def get(self) -> None:
        auth = hub_auth()
        auth.clear_cookie(self)
        self.redirect(url_path_join(auth.hub_prefix, "logout"))


def hub_handlers(registry: Registry | None, base_url: str) -> list[tuple[str, type, dict[str, object]]]:
    ours: dict[str, object] = {"registry": registry}
    return [
        (url_path_join(base_url, "masuk"), HubSignInHandler, ours),
        (url_path_join(base_url, "login"), HubSignInHandler, ours),
        (url_path_join(base_url, "keluar"), HubSignOutHandler, ours),
        (url_path_join(base_url, "oauth_callback"), HubOAuthCallbackHandler, {}),
    ]
