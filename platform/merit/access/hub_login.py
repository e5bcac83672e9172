"""JupyterHub's user as the viewer: the identity source of Merit's pages served as a hub service.

``merit hub mulai`` runs the pages (``merit serve --hub``) as the hub service
``merit-halaman``. A browser signs in once, at the hub; the service completes the hub's
OAuth handshake (:mod:`merit.serve.hub`) and keeps the hub's access token in a cookie signed
with the service's secret (``MERIT_HALAMAN_COOKIE_SECRET``, made when the service starts).
This source reads that cookie from the request's variables, the same way in the web server
and in a page's kernel (both have the service's environment), and asks the hub whose token
it is (cached by :class:`~jupyterhub.services.auth.HubAuth` for five minutes). A revoked
token or a hub logout ends the page session with it.

The hub user name is a Merit account's user name: the account's roles apply. A hub user
without an account whose name is a NIP in the roster (the class lists put learners on the
hub by NIP) sees their own data as a learner; roles beyond that are granted in Merit's
accounts (``merit akun``), as for ``merit serve``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from jupyterhub.services.auth import HubOAuth
from sqlalchemy import select
from sqlalchemy.orm import Session
from tornado.web import decode_signed_value

from merit.access.accounts import account_named, viewer_of
from merit.access.identity import cookie_value
from merit.access.viewer import LEARNER, Role, Viewer
from merit.registry import models

SECRET = "MERIT_HALAMAN_COOKIE_SECRET"
COOKIE_DAYS = 31  # tornado's get_secure_cookie, which HubOAuth reads the cookie with in the server
SOURCE = "merit.access.hub_login:HubLogin"
log = logging.getLogger(__name__)


def hub_auth() -> HubOAuth:
    """The service's one HubOAuth (the OAuth states of handshakes under way live in it)."""
    return HubOAuth.instance()


def viewer_for_hub_name(session: Session, name: str) -> Viewer | None:
    """The viewer a hub user stands for: their Merit account, else their roster entry as a learner."""
    account = account_named(session, name)
    if account is not None:
        return viewer_of(session, account) if account.active else None
    employee = session.scalars(select(models.Employee).where(models.Employee.nip == name)).one_or_none()
    if employee is None:
        return None
    return Viewer(employee.nip, employee.name, frozenset({Role(LEARNER)}), employee.id, employee.nip)


class HubLogin:
    """``MERIT_IDENTITAS=merit.access.hub_login:HubLogin`` (set by ``merit serve --hub``)."""

    def __init__(self) -> None:
        self.auth = hub_auth()
        self.secret = os.environ.get(SECRET, "")

    def hub_user(self, environ: Mapping[str, str]) -> dict[str, Any] | None:
        """The hub's model of the signed-in user, or None (no cookie, forged, expired, revoked)."""
        signed = cookie_value(environ.get("HTTP_COOKIE", ""), self.auth.cookie_name)
        if not signed or not self.secret:
            return None
        token = decode_signed_value(self.secret, self.auth.cookie_name, signed, max_age_days=COOKIE_DAYS)
        if token is None:
            return None
        model: dict[str, Any] | None = self.auth.user_for_token(token.decode("ascii", "replace"), sync=True)
        if model is None or model.get("kind", "user") != "user":
            return None
        if self.auth.access_scopes and not self.auth.check_scopes(self.auth.access_scopes, model):
            log.warning("hub user %s has no access to this service", model.get("name"))
            return None
        return model

    def viewer(self, session: Session, environ: Mapping[str, str]) -> Viewer | None:
        model = self.hub_user(environ)
        return viewer_for_hub_name(session, model["name"]) if model is not None else None
