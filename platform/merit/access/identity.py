"""From a request to a viewer: the seam every page and the web server go through.

A request is described the way Voila hands it to a kernel, as CGI-style variables
(``HTTP_COOKIE``, ``QUERY_STRING``). The default source is Merit's own login: the
``merit_sesi`` cookie holds a session token that the registry knows by its SHA-256.
Another source is plugged in with ``MERIT_IDENTITAS=module:Class`` (for example the
JupyterHub user, issue 19); the class is built without arguments and answers
``viewer(session, environ)``. Nothing a browser sends other than a valid token, such as
a NIP in the query string, changes who the viewer is.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from http.cookies import CookieError, SimpleCookie
from typing import Protocol

from sqlalchemy.orm import Session

from merit.access.accounts import viewer_for_token
from merit.access.viewer import Refused, Viewer
from merit.errors import MeritError

COOKIE = "merit_sesi"
SETTING = "MERIT_IDENTITAS"
NOT_SIGNED_IN = "Anda belum masuk atau sesi Anda sudah berakhir. Silakan masuk lagi lewat halaman /masuk."


class IdentitySource(Protocol):
    def viewer(self, session: Session, environ: Mapping[str, str]) -> Viewer | None:
        """The viewer of the request described by ``environ``, or None when nobody is signed in."""
        ...


def cookie_value(header: str, name: str = COOKIE) -> str | None:
    try:
        jar = SimpleCookie(header)
    except CookieError:
        return None
    morsel = jar.get(name)
    return morsel.value if morsel is not None else None


class MeritLogin:
    """Merit's own login (``merit serve``): the session cookie against the registry."""

    def viewer(self, session: Session, environ: Mapping[str, str]) -> Viewer | None:
        return viewer_for_token(session, cookie_value(environ.get("HTTP_COOKIE", "")))


def identity_source(spec: str | None = None) -> IdentitySource:
    """The configured source: ``MERIT_IDENTITAS=module:Class``, or Merit's own login."""
    spec = spec if spec is not None else os.environ.get(SETTING, "")
    if not spec:
        return MeritLogin()
    module_name, _, class_name = spec.partition(":")
    try:
        source = getattr(importlib.import_module(module_name), class_name)()
    except (ImportError, AttributeError, ValueError) as exc:
        raise MeritError(
            f"{SETTING}={spec}: sumber identitas tidak dapat dimuat ({exc}). Bentuknya modul:Kelas."
        ) from exc
    if not callable(getattr(source, "viewer", None)):
        raise MeritError(f"{SETTING}={spec}: kelas ini tidak punya metode viewer(session, environ).")
    return source


def headers_environ(headers: Mapping[str, str]) -> dict[str, str]:
    """HTTP headers as the ``HTTP_*`` variables a Voila kernel receives."""
    return {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}


def request_environ() -> Mapping[str, str]:
    """Inside a page's kernel: the request's variables, waiting for them when the kernel was preheated.

    A preheated kernel runs the notebook before anyone asks for it; Voila hands the
    request over only through ``voila.utils.wait_for_request()``, which returns at once in
    a kernel started for the request.
    """
    from voila.utils import wait_for_request

    wait_for_request()
    return os.environ


def require_viewer(session: Session, environ: Mapping[str, str], source: IdentitySource | None = None) -> Viewer:
    viewer = (source or identity_source()).viewer(session, environ)
    if viewer is None:
        raise Refused(NOT_SIGNED_IN)
    return viewer
