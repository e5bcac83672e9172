"""Login, logout and the home page of ``merit serve`` (plain tornado handlers, Indonesian)."""

from __future__ import annotations

import html

from jupyter_server.utils import url_path_join
from sqlalchemy.orm import Session
from tornado import web

from merit.access import Refused, Viewer
from merit.access.accounts import sign_in, sign_out
from merit.access.identity import COOKIE, headers_environ, identity_source
from merit.access.viewer import HR, TRAINER
from merit.registry.database import Registry

STYLE = """
body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#222}
label{display:block;margin:.8rem 0 .2rem}input{font-size:1rem;padding:.4rem;width:100%;box-sizing:border-box}
button{margin-top:1rem;font-size:1rem;padding:.5rem 1.2rem}.galat{color:#b71c1c}li{margin:.5rem 0}
"""
PAGES = (
    ("peserta", "Portal peserta: kursus, umpan balik, profil kompetensi, JP"),
    ("widyaiswara", "Halaman widyaiswara: progres kohort dan status penilaian"),
    ("kepegawaian", "Halaman kepegawaian: peringkat, talenta, kesenjangan, laporan seleksi"),
)


def page(title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="id"><head><meta charset="utf-8"><title>{html.escape(title)} · Merit</title>'
        f'<meta name="viewport" content="width=device-width,initial-scale=1"><style>{STYLE}</style></head>'
        f"<body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )


class MeritHandler(web.RequestHandler):
    def initialize(self, registry: Registry) -> None:
        self.registry = registry

    def local(self, path: str = "") -> str:
        """A path of this server (the base itself, with its slash, for ""): under the hub, its
        pages live below ``/services/merit-halaman/``."""
        base: str = self.settings.get("base_url", "/")
        return url_path_join(base, path) if path else base

    def local_next(self, wanted: str) -> str:
        """Where to go after signing in: a path of this site only (no other host, not ``//host``)."""
        return wanted if wanted.startswith("/") and not wanted.startswith("//") else self.local()

    def viewer(self) -> Viewer | None:
        with self.registry.session() as session:
            return self.viewer_in(session)

    def viewer_in(self, session: Session) -> Viewer | None:
        return identity_source().viewer(session, headers_environ(self.request.headers))


class LoginHandler(MeritHandler):
    def get(self) -> None:
        self.write(self._form())

    def _form(self, error: str = "") -> str:
        next_url = html.escape(self.get_argument("next", self.local()))
        message = f'<p class="galat" role="alert">{html.escape(error)}</p>' if error else ""
        return page(
            "Masuk ke Merit",
            f'{message}<form method="post" action="{self.local("masuk")}">'
            f'<input type="hidden" name="next" value="{next_url}">'
            '<label for="u">Nama pengguna (NIP untuk peserta)</label><input id="u" name="nama_pengguna" autofocus>'
            '<label for="p">Kata sandi</label><input id="p" name="kata_sandi" type="password">'
            '<button type="submit">Masuk</button></form>',
        )

    def post(self) -> None:
        try:
            with self.registry.session() as session:
                token = sign_in(
                    session, self.get_body_argument("nama_pengguna", ""), self.get_body_argument("kata_sandi", "")
                )
        except Refused as exc:
            self.set_status(401)
            self.write(self._form(str(exc)))
            return
        self.set_cookie(COOKIE, token, httponly=True, samesite="Strict", path="/")
        self.redirect(self.local_next(self.get_body_argument("next", self.local())))


class LogoutHandler(MeritHandler):
    def get(self) -> None:
        token = self.get_cookie(COOKIE)
        if token:
            with self.registry.session() as session:
                sign_out(session, token)
        self.clear_cookie(COOKIE, path="/")
        self.redirect(self.local("masuk"))


class HomeHandler(MeritHandler):
    def get(self) -> None:
        viewer = self.viewer()
        if viewer is None:
            self.redirect(self.local("masuk"))
            return
        offered = [
            (name, text)
            for name, text in PAGES
            if viewer.is_admin
            or (name == "peserta" and viewer.employee_id is not None)
            or (name == "widyaiswara" and viewer.has(TRAINER))
            or (name == "kepegawaian" and viewer.has(HR))
        ]
        items = "".join(
            f'<li><a href="{self.local(f"voila/render/{name}.ipynb")}">{html.escape(text)}</a></li>'
            for name, text in offered
        )
        self.write(
            page(
                "Merit",
                f"<p>Masuk sebagai {html.escape(viewer.name)} ({html.escape(viewer.username)}; peran: "
                f'{html.escape(viewer.roles_text)}). <a href="{self.local("keluar")}">Keluar</a></p><ul>{items}</ul>',
            )
        )
