"""Objections on the pages: the learner portal's form, and the HR page's review tab.

The NIP an objection is filed for is the signed-in viewer's, never a value from the
browser; who may see and answer which objection is checked again on the server
(merit.objections.filing), whatever the page offers.
"""

from __future__ import annotations

import datetime as dt

import ipywidgets as widgets

from merit.access import Viewer
from merit.dashboards.context import PageContext
from merit.dashboards.learner import LearnerPortal
from merit.dashboards.views.common import FULL, Raw, esc, guarded, table
from merit.objections import DECISIONS, LEVEL, OPEN, RANKING
from merit.objections.filing import answer_objection, file_objection, list_objections
from merit.objections.marks import ObjectionLine
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


def _text_box(description: str, placeholder: str, rows: int) -> widgets.Textarea:
    """A reason or an answer: free text, aligned with the dropdowns above it."""
    return widgets.Textarea(
        description=description,
        placeholder=placeholder,
        rows=rows,
        style={"description_width": "8rem"},
        layout=widgets.Layout(width="40rem"),
    )


def _toggle(options: list[tuple[str, str]]) -> widgets.ToggleButtons:
    return widgets.ToggleButtons(options=options, value=options[0][1], style={"button_width": "11rem"})


def _labelled(description: str, control: widgets.Widget) -> widgets.HBox:
    """A control with its label on the left, aligned with the dropdowns' descriptions."""
    label = widgets.HTML(
        f'<span style="display:block;text-align:right;padding-right:8px">{esc(description)}</span>',
        layout=widgets.Layout(width="8rem"),
    )
    return widgets.HBox([label, control])


class ObjectionForm(widgets.VBox):
    """``ObjectionForm(context, viewer, portal)``: the form and the viewer's own objections."""

    def __init__(self, ctx: PageContext, viewer: Viewer, portal: LearnerPortal) -> None:
        self.ctx, self.viewer = ctx, viewer
        self.rule = load_objection_rule(ctx.settings.assessments_dir)
        codes = sorted(set(portal.required) | set(portal.held), key=lambda c: portal.names.get(c, c))
        self.kind = _toggle([("Level kompetensi", LEVEL), ("Peringkat jabatan", RANKING)])
        self.competency = _dropdown(
            "Kompetensi",
            [(f"{portal.names.get(c, c)} (level saat ini: {portal.held.get(c, 0)})", c) for c in codes],
        )
        positions = sorted(ctx.content.positions.values(), key=lambda p: p.title["id"])
        self.position = _dropdown("Jabatan", [(f"{p.title['id']} ({p.code})", p.code) for p in positions])
        self.position.value = portal.position_code if portal.position_code in ctx.content.positions else None
        self.position.layout.display = "none"
        self.reason = _text_box(
            "Alasan", "Jelaskan mengapa level atau peringkat ini keliru dan sebutkan buktinya (minimal 10 karakter).", 4
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
                _labelled("Keberatan atas", self.kind),
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


def _status(line: ObjectionLine, now: dt.datetime) -> object:
    if line.overdue(now):
        return Raw('<b class="merit-tanda">lewat batas</b>')
    return OPEN if line.status == OPEN else line.outcome()


class ObjectionReview(widgets.VBox):
    """``ObjectionReview(context, viewer)``: the objections HR (or an assessor) may review, and the answer form."""

    def __init__(self, ctx: PageContext, viewer: Viewer) -> None:
        self.ctx, self.viewer = ctx, viewer
        self.answered = widgets.Checkbox(value=False, description="Tampilkan juga yang sudah dijawab", indent=False)
        self.listing = widgets.HTML(layout=FULL)
        self.choice = _dropdown("Keberatan", [])
        self.decision = _toggle([(d, d) for d in DECISIONS])
        names = sorted((c.name["id"], c.code) for c in ctx.content.framework.competencies)
        self.competency = _dropdown("Kompetensi", [("sesuai keberatan", None), *names])  # type: ignore[list-item]
        self.level = _dropdown("Level baru", [("tidak diubah", None), *((str(n), n) for n in range(1, 6))])  # type: ignore[list-item]
        self.answer = _text_box(
            "Jawaban", "Keputusan dan dasarnya, misalnya bukti yang diperiksa (minimal 10 karakter).", 3
        )
        self.send = widgets.Button(description="Kirim jawaban", icon="check", button_style="primary")
        self.result = widgets.VBox(layout=FULL)
        super().__init__(
            [
                widgets.HTML(
                    "<p>Keberatan peserta atas level atau peringkat, dengan batas jawabnya. Level baru dicatat "
                    "sebagai keputusan asesor (sama dengan <code>merit level override</code>); setiap jawaban "
                    "dicatat di jejak audit.</p>",
                    layout=FULL,
                ),
                self.answered,
                self.listing,
                widgets.HTML("<h3>Jawab keberatan</h3>"),
                self.choice,
                _labelled("Keputusan", self.decision),
                self.level,
                self.competency,
                self.answer,
                self.send,
                self.result,
            ],
            layout=FULL,
        )
        self.answered.observe(guarded(self.result, self.refresh), names="value")
        self.send.on_click(guarded(self.result, self.reply))
        self.refresh()

    def refresh(self, *_args: object) -> None:
        with self.ctx.registry.session() as session:
            lines = list_objections(session, self.viewer, open_only=not self.answered.value, page="kepegawaian")
        now = utcnow()
        rows = [
            [
                line.id,
                self.viewer.show_nip(line.nip),
                line.name,
                line.unit,
                line.subject,
                line.reason,
                f"{line.filed_at:%d-%m-%Y}",
                f"{line.due_at:%d-%m-%Y}",
                _status(line, now),
            ]
            for line in lines
        ]
        late = sum(line.overdue(now) for line in lines)
        title = f"<h3>Keberatan {'semua' if self.answered.value else 'terbuka'}: {len(lines)}"
        title += f", {late} lewat batas</h3>" if late else "</h3>"
        headers = ["No", "NIP", "Nama", "Unit kerja", "Atas", "Alasan", "Diajukan", "Batas jawab", "Status"]
        self.listing.value = title + table(headers, rows, numeric=(0,))
        options = [(f"{line.id}. {line.name} · {line.subject}", line.id) for line in lines if line.status == OPEN]
        self.choice.options = options
        self.choice.value = options[0][1] if options else None

    def reply(self, *_args: object) -> None:
        if self.choice.value is None:
            self.result.children = [widgets.HTML("<p>Pilih keberatan yang dijawab.</p>")]
            return
        number, text = self.choice.value, self.answer.value
        with self.ctx.registry.session(self.viewer.username, text.strip() or "-") as session:
            row = answer_objection(
                session,
                self.viewer,
                self.ctx.content,
                number,
                self.decision.value,
                text,
                level=self.level.value,
                competency=self.competency.value,
            )
        changed = f"; level {row.level_before} → {row.level_after}" if row.level_after is not None else ""
        self.answer.value = ""
        self.result.children = [
            widgets.HTML(f'<p role="status"><b>Keberatan nomor {number} {esc(row.status)}</b>{esc(changed)}.</p>')
        ]
        self.refresh()
