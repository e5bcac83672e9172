"""``/data-saya``: the signed-in person's data archive (data saya), as a download.

The viewer comes from the identity seam (the session cookie, or JupyterHub's user), never
from the URL: ``?nip=`` only names another person, which HR of that person's unit and
admins may export (logged); anyone else gets an Indonesian refusal (403) and no data.
"""

from __future__ import annotations

import html
from functools import cached_property

from tornado.httputil import url_concat

from merit.access import Refused
from merit.certificates.issuer import Issuer, load_issuer
from merit.content import Content, load_content
from merit.errors import MeritError
from merit.people.mydata.archive import export
from merit.registry.database import Registry
from merit.serve.handlers import MeritHandler, page
from merit.settings import Settings


class Loaded:
    """The content and the certificate issuer, read on the first download and kept for the server's life."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def content(self) -> Content:
        return load_content(self.settings)

    @cached_property
    def issuer(self) -> Issuer | None:
        try:
            return load_issuer(self.settings)
        except MeritError:
            return None  # no sertifikat.yml: certificates go without their PDF


class MyDataHandler(MeritHandler):
    def initialize(self, registry: Registry, sources: Loaded) -> None:  # type: ignore[override]
        super().initialize(registry)
        self.sources = sources

    def get(self) -> None:
        nip = self.get_argument("nip", "").strip() or None
        try:
            with self.registry.session() as session:
                viewer = self.viewer_in(session)
                if viewer is None:
                    self.redirect(url_concat(self.local("masuk"), {"next": self.request.uri}))
                    return
                loaded = self.sources
                archive = export(session, viewer, loaded.content, loaded.issuer, loaded.settings.workspace_dir, nip)
        except Refused as exc:
            self._refuse(403, str(exc))
            return
        except MeritError as exc:
            self._refuse(404, str(exc))
            return
        self.set_header("Content-Type", "application/zip")
        self.set_header("Content-Disposition", f'attachment; filename="{archive.filename}"')
        self.set_header("Cache-Control", "no-store")
        self.write(archive.data)

    def _refuse(self, status: int, message: str) -> None:
        self.set_status(status)
        self.write(page("Data saya", f'<p class="merit-tolak" role="alert">{html.escape(message)}</p>'))


def mydata_handlers(registry: Registry | None, settings: Settings) -> list[tuple[str, type, dict[str, object]]]:
    return [(r"/data-saya", MyDataHandler, {"registry": registry, "sources": Loaded(settings)})]
