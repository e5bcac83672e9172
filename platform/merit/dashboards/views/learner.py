"""The learner portal: my courses and modules, feedback per module, my competency radar, my JP."""

from __future__ import annotations

from pathlib import Path

import ipywidgets as widgets

from merit.access import Viewer
from merit.dashboards.learner import GRADED, WAITING, LearnerPortal, ModuleStatus
from merit.dashboards.views.common import FULL, Raw, esc, guarded, heading, table
from merit.people import gradebooks
from merit_widgets import ProgresJP, RadarKompetensi

# The archive is built by the server's /data-saya handler, which asks the identity seam who is looking.
MY_DATA = (
    "<h2>Data saya</h2><p>Unduh seluruh data pribadi Anda yang disimpan Merit dalam satu arsip zip: profil, "
    "nilai per soal, level kompetensi beserta penjelasannya, sertifikat, jejak audit, dan log siapa yang melihat "
    'data Anda (UU 27/2022). <a class="merit-unduh" href="../../data-saya" download '
    'style="display:inline-block;margin-left:.5rem;padding:.35rem .9rem;background:#1f3a5f;color:#fff;'
    'border-radius:4px;text-decoration:none">Unduh data saya (zip)</a></p>'
)
STATUS_COLOUR = {GRADED: "#2e7d32", WAITING: "#ef6c00"}


def _status(status: str) -> str:
    colour = STATUS_COLOUR.get(status, "#555")
    return f'<span style="color:{colour};font-weight:600">{esc(status)}</span>'


class LearnerPage(widgets.VBox):
    def __init__(
        self, portal: LearnerPortal, viewer: Viewer, workspace: Path, objections: widgets.Widget | None = None
    ) -> None:
        self.portal, self.viewer, self.workspace = portal, viewer, workspace
        rows = [
            [course.title, module.title, Raw(_status(module.status)), module.score_text]
            for course in portal.courses
            for module in course.modules
        ]
        modules = [(c, m) for c in portal.courses for m in c.modules]
        self.modules: list[ModuleStatus] = [m for _, m in modules]
        self.choice = widgets.Select(
            description="Umpan balik modul",
            options=[(f"{c.course_id} · {m.title} ({m.status})", i) for i, (c, m) in enumerate(modules)],
            value=None,
            rows=8,
            style={"description_width": "initial"},
            layout=widgets.Layout(width="44rem"),
        )
        self.feedback = widgets.VBox(layout=FULL)
        counted = [c for c in portal.courses if c.counted]
        counted_text = ", ".join(f"{c.title} ({c.jp} JP)" for c in counted) or "belum ada kursus yang selesai tahun ini"
        names = {code: portal.names.get(code, code) for code in portal.required}
        super().__init__(
            [
                heading("Portal peserta", viewer),
                widgets.HTML(
                    f"<p><b>{esc(portal.name)}</b> · NIP {esc(viewer.show_nip(portal.nip))} · {esc(portal.unit)} · "
                    f"jabatan {esc(portal.position_title)}</p><h2>Kursus dan modul saya</h2>"
                    + table(["Kursus", "Modul", "Status", "Skor"], rows),
                    layout=FULL,
                ),
                self.choice,
                self.feedback,
                widgets.HTML(f"<h2>Profil kompetensi terhadap standar jabatan {esc(portal.position_title)}</h2>"),
                RadarKompetensi(dimiliki=portal.held, dipersyaratkan=portal.required, nama=names),
                ProgresJP(portal.jp, tahun=portal.year),
                widgets.HTML(
                    f'<p class="merit-catatan">Kursus yang dihitung tahun {portal.year}: {esc(counted_text)}.</p>'
                ),
                widgets.HTML(MY_DATA, layout=FULL),
                *([objections] if objections is not None else []),
            ],
            layout=FULL,
        )
        self.choice.observe(guarded(self.feedback, self.show_feedback), names="value")

    def show_feedback(self, *_args: object) -> None:
        if self.choice.value is None:
            return
        module = self.modules[self.choice.value]
        lines = gradebooks.feedback(self.workspace, module.course_id, self.portal.nip, module.module)
        if not lines:
            text = {
                "belum mulai": "Modul ini belum Anda kerjakan.",
                "dikumpulkan": "Jawaban Anda sudah dikumpulkan dan menunggu dinilai.",
            }.get(module.status, "Umpan balik belum tersedia.")
            self.feedback.children = [widgets.HTML(f"<p>{esc(text)}</p>")]
            return
        rows = [
            [
                line.notebook,
                line.cell,
                "menunggu widyaiswara" if line.needs_manual_grade else f"{line.score or 0:g} / {line.max_score:g}",
                line.comment or "-",
            ]
            for line in lines
        ]
        self.feedback.children = [
            widgets.HTML(
                f"<h3>Umpan balik: {esc(module.title)}</h3>"
                + table(["Notebook", "Soal", "Skor", "Komentar (nbgrader)"], rows)
                + f"<p>Jumlah: {esc(module.score_text)}</p>",
                layout=FULL,
            )
        ]
