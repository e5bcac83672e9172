"""The web server's side of the identity seam: jupyter_server's IdentityProvider for Voila.

Voila 0.5 standalone authenticates every page, kernel and websocket request through an
IdentityProvider; Merit's asks :mod:`merit.access.identity` (the same seam the page
kernels use), so a request without a valid session never reaches a notebook.
"""

from __future__ import annotations

from jupyter_server.auth.identity import IdentityProvider, User
from tornado import web

from merit.access.identity import headers_environ, identity_source
from merit.registry.database import Registry


class MeritIdentityProvider(IdentityProvider):
    """Signed-in viewers become jupyter_server users; everyone else is sent to the login page."""

    registry: Registry | None = None  # set by the server before it starts

    def get_user(self, handler: web.RequestHandler) -> User | None:
        if self.registry is None:
            return None
        with self.registry.session() as session:
            viewer = identity_source().viewer(session, headers_environ(handler.request.headers))
        return User(username=viewer.username, name=viewer.name) if viewer is not None else None

    def get_handlers(self) -> list[tuple[str, object]]:
        return []  # Merit's own login handlers are added by merit.serve.app

    @property
    def auth_enabled(self) -> bool:
        return True

    @property
    def login_available(self) -> bool:
        return True
