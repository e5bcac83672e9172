"""The learner portal's objection form: contest my level or a ranking, and follow my objections.

The NIP an objection is filed for is the signed-in viewer's, never a value from the
browser; the service checks it again on the server (merit.objections.filing).
"""

from __future__ import annotations

import ipywidgets as widgets

from merit.access import Viewer
from merit.dashboards.context import PageContext
from merit.dashboards.learner import LearnerPortal
from merit.dashboards.views.common import FULL, esc, guarded, table
from merit.objections import LEVEL, OPEN, RANKING
from merit.objections.filing import file_objection, list_objections
from merit.objections.rules import load_objection_rule
from merit.registry.models import utcnow

HELP = (
    "Anda berhak mengajukan keberatan bila level kompetensi Anda atau hasil pemeringkatan jabatan "
    "menurut Anda keliru (UU 27/2022 tentang Pelindungan Data Pribadi). Tuliskan alasannya dan, bila ada, "
    "buktinya: modul yang sudah dikerjakan, nilai yang belum tercatat, SKP yang berbeda. Petugas kepegawaian "
    "atau asesor meninjau dan menjawab paling lambat {days} hari sejak keberatan diajukan. Bila keberatan "
    "dikabulkan, asesor dapat mengubah level Anda. Setiap langkah (pengajuan, jawaban, perubahan level) "
    "dicatat di jejak audit dengan nama petugas, waktu, dan alasannya. Selama keberatan Anda terbuka, "
    "peringkat yang memuat Anda ditandai agar ditinjau oleh pejabat yang berwenang."
)


def _dropdown(description: str, options: list[tuple[str, str]]) -> widgets.Dropdown:
    return widgets.Dropdown(
        description=description,
        options=options,
        style={"description_width": "8rem"},
        layout=widgets.Layout(width="40rem"),
    )


class ObjectionForm(widgets.VBox):
    """``ObjectionForm(context, viewer, portal)``: the form and the viewer's own objections."""

    def __init__(self, ctx: PageContext, viewer: Viewer, portal: LearnerPortal) -> None:
        self.ctx, self.viewer = ctx, viewer
        self.rule = load_objection_rule(ctx.settings.assessments_dir)
        codes = sorted(set(portal.required) | set(portal.held), key=lambda c: portal.names.get(c, c))
        self.kind = widgets.ToggleButtons(
            description="Keberatan atas",
            options=[("Level kompetensi saya", LEVEL), ("Peringkat jabatan", RANKING)],
            value=LEVEL,
            style={"description_width": "8rem"},
        )
        self.competency = _dropdown(
            "Kompetensi",
            [(f"{portal.names.get(c, c)} (level saat ini: {portal.held.get(c, 0)})", c) for c in codes],
        )
        positions = sorted(ctx.content.positions.values(), key=lambda p: p.title["id"])
        self.position = _dropdown("Jabatan", [(f"{p.title['id']} ({p.code})", p.code) for p in positions])
        self.position.value = portal.position_code if portal.position_code in ctx.content.positions else None
        self.position.layout.display = "none"
        self.reason = widgets.Textarea(
            description="Alasan",
            placeholder="Jelaskan mengapa level atau peringkat ini keliru dan sebutkan buktinya (minimal 10 karakter).",
            rows=4,
            style={"description_width": "8rem"},
            layout=widgets.Layout(width="40rem"),
        )
        self.submit = widgets.Button(description="Ajukan keberatan", icon="paper-plane", button_style="primary")
        self.result = widgets.VBox(layout=FULL)
        self.mine = widgets.HTML(layout=FULL)
        super().__init__(
            [
                widgets.HTML(
                    "<h2>Keberatan atas level atau peringkat</h2>"
                    f'<p class="merit-catatan">{esc(HELP.format(days=self.rule.batas_hari))}</p>',
                    layout=FULL,
                ),
                self.kind,
                self.competency,
                self.position,
                self.reason,
                self.submit,
                self.result,
                self.mine,
            ],
            layout=FULL,
        )
        self.add_class("merit-keberatan")
        self.kind.observe(self._switch, names="value")
        self.submit.on_click(guarded(self.result, self.file))
        self.show_mine()

    def _switch(self, *_args: object) -> None:
        ranking = self.kind.value == RANKING
        self.competency.layout.display = "none" if ranking else None
        self.position.layout.display = None if ranking else "none"

    def file(self, *_args: object) -> None:
        """File for the signed-in viewer: the NIP is theirs, whatever the page sends."""
        nip = self.viewer.nip or ""
        level = self.kind.value == LEVEL
        competency, position = (self.competency.value, None) if level else (None, self.position.value)
        reason = self.reason.value
        with self.ctx.registry.session(self.viewer.username, f"keberatan diajukan: {reason.strip()}") as session:
            row = file_objection(session, self.viewer, self.rule, nip, reason, competency=competency, position=position)
        self.reason.value = ""
        self.result.children = [
            widgets.HTML(
                f'<p role="status"><b>Keberatan nomor {row.id} tercatat.</b> Batas jawab: {row.due_at:%d-%m-%Y}. '
                "Jawabannya akan tampil di daftar di bawah ini.</p>",
                layout=FULL,
            )
        ]
        self.show_mine()

    def show_mine(self) -> None:
        with self.ctx.registry.session() as session:
            lines = list_objections(session, self.viewer, own=True)
        if not lines:
            self.mine.value = '<p class="merit-catatan">Anda belum pernah mengajukan keberatan.</p>'
            return
        now = utcnow()
        rows = [
            [
                line.id,
                line.subject,
                f"{line.filed_at:%d-%m-%Y}",
                f"{line.due_at:%d-%m-%Y}",
                ("terbuka, lewat batas" if line.overdue(now) else OPEN) if line.status == OPEN else line.outcome(),
                line.answer or "-",
            ]
            for line in reversed(lines)
        ]
        self.mine.value = "<h3>Keberatan saya</h3>" + table(
            ["No", "Atas", "Diajukan", "Batas jawab", "Status", "Jawaban"], rows, numeric=(0,)
        )
