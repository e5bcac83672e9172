"""The public verification page of ``merit serve``: no login, and nothing beyond what a certificate shows.

``/verifikasi?kode=…`` (the QR code's address) or an uploaded credential file gives *sah*,
*dicabut* or *tidak sah*, and, when the signature holds, the name and the course: no NIP, no
score, no levels. A code is checked by verifying the credential stored for it exactly as an
uploaded one is (signature, issuer, status list), so both ways agree. ``/verifikasi/status``
and ``/verifikasi/kunci`` publish the status list and the public keys that offline verifiers
(``merit sertifikat verifikasi``) use.
"""

from __future__ import annotations

import html
from typing import Any

from tornado import web

from merit.certificates.credential import Status, Verification, verify
from merit.certificates.issuer import load_issuer, public_dir
from merit.certificates.issuing import STATUS_FILE
from merit.certificates.keys import PUBLIC_SET, read_public_set
from merit.errors import MeritError
from merit.registry import models
from merit.registry.database import Registry
from merit.serve.handlers import page
from merit.settings import Settings

MAX_UPLOAD = 64 * 1024  # a credential is a few kilobytes
LABELS = {Status.VALID: "SAH", Status.REVOKED: "DICABUT", Status.INVALID: "TIDAK SAH"}
COLOURS = {Status.VALID: "#1b5e20", Status.REVOKED: "#b71c1c", Status.INVALID: "#b71c1c"}


class VerificationHandler(web.RequestHandler):
    """GET with ``kode``, or POST with ``kode`` or an uploaded ``kredensial``."""

    def initialize(self, registry: Registry | None, settings: Settings) -> None:
        self.registry = registry
        self.settings_ = settings

    def get(self) -> None:
        code = self.get_argument("kode", "").strip()
        self._answer(self._by_code(code) if code else None, code)

    def post(self) -> None:
        uploads = self.request.files.get("kredensial", [])
        if uploads and uploads[0].body:
            body = uploads[0].body
            if len(body) > MAX_UPLOAD:
                result = Verification(Status.INVALID, "berkas terlalu besar untuk sebuah kredensial")
            else:
                result = self._verify(body.decode("utf-8", errors="replace"))
            self._answer(result, "")
            return
        code = self.get_body_argument("kode", "").strip()
        self._answer(self._by_code(code) if code else None, code)

    def _verify(self, token: str) -> Verification:
        folder = public_dir(self.settings_)
        try:
            issuer = load_issuer(self.settings_)
            keys = read_public_set(folder / PUBLIC_SET)
            status = (folder / STATUS_FILE).read_text()
        except (MeritError, OSError):
            return Verification(Status.INVALID, "penerbit belum menerbitkan kunci publik dan daftar status")
        return verify(token, keys, status, issuer.id)

    def _by_code(self, code: str) -> Verification:
        if self.registry is None:  # MeritVoila is always given one by merit.serve.app.run
            raise web.HTTPError(503)
        with self.registry.session() as session:
            row = session.get(models.Certificate, code.upper())
            token = row.credential if row is not None else None
        if token is None:
            return Verification(Status.INVALID, "tidak ada sertifikat dengan kode ini")
        return self._verify(token)

    def _answer(self, result: Verification | None, code: str) -> None:
        form = (
            '<form method="get" action="verifikasi"><label for="kode">Kode verifikasi</label>'
            f'<input id="kode" name="kode" value="{html.escape(code)}" placeholder="XXXX-XXXX-XXXX-XXXX">'
            '<button type="submit">Periksa kode</button></form>'
            '<form method="post" action="verifikasi" enctype="multipart/form-data">'
            f"{self.xsrf_form_html()}"
            '<label for="berkas">atau unggah berkas kredensial (.jwt)</label>'
            '<input id="berkas" type="file" name="kredensial" accept=".jwt,.txt,application/jwt">'
            '<button type="submit">Periksa berkas</button></form>'
        )
        shown = ""
        if result is not None:
            who = (
                f"<p>Atas nama <strong>{html.escape(result.name)}</strong>, "
                f"kursus <strong>{html.escape(result.course)}</strong>.</p>"
                if result.name
                else ""
            )
            shown = (
                f'<section role="status" aria-live="polite"><p style="font-size:1.6rem;color:{COLOURS[result.status]}">'
                f"<strong>{LABELS[result.status]}</strong></p>{who}<p>{html.escape(result.reason.capitalize())}.</p>"
                "</section>"
            )
            if result.status is Status.INVALID:
                self.set_status(404 if result.reason.startswith("tidak ada sertifikat") else 422)
        self.write(page("Verifikasi sertifikat", shown + form))


class PublicFileHandler(web.RequestHandler):
    """One of the issuer's public files, as offline verifiers download it."""

    def initialize(self, settings: Settings, name: str, media_type: str) -> None:
        self.path_ = public_dir(settings) / name
        self.media_type = media_type

    def get(self) -> None:
        if not self.path_.is_file():
            raise web.HTTPError(404)
        self.set_header("Content-Type", self.media_type)
        self.write(self.path_.read_bytes())


def verification_handlers(registry: Registry | None, settings: Settings) -> list[tuple[str, type, dict[str, Any]]]:
    """The routes of the verification page and the issuer's public files."""
    return [
        (r"/verifikasi", VerificationHandler, {"registry": registry, "settings": settings}),
        (
            r"/verifikasi/status",
            PublicFileHandler,
            {"settings": settings, "name": STATUS_FILE, "media_type": "application/vc+jwt"},
        ),
        (
            r"/verifikasi/kunci",
            PublicFileHandler,
            {"settings": settings, "name": PUBLIC_SET, "media_type": "application/jwk-set+json"},
        ),
    ]
