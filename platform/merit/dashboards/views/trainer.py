"""The trainer page: cohort progress and grading status per module, score distribution per item, item analysis."""

from __future__ import annotations

import ipywidgets as widgets
from sqlalchemy.orm import Session

from merit.access import Viewer
from merit.access.log import log_views
from merit.analysis.items import CourseAnalysis, Thresholds
from merit.competency.levels import load_level_rule
from merit.dashboards.context import PageContext
from merit.dashboards.trainer import CourseCohort, ItemStats, course_cohort, item_analysis
from merit.dashboards.views.analysis import legend, module_analysis
from merit.dashboards.views.common import FULL, Raw, esc, guarded, heading, table


def _bars(item: ItemStats) -> str:
    total = sum(n for _, n in item.distribution) or 1
    return "<br>".join(
        f'<span style="display:inline-block;width:4rem">{score:g}</span>'
        f'<span style="display:inline-block;background:#1565c0;height:0.8rem;width:{12 * n / total:.1f}rem"></span> {n}'
        for score, n in item.distribution
    )


class TrainerPage(widgets.VBox):
    def __init__(self, ctx: PageContext, viewer: Viewer, courses: list[str]) -> None:
        self.ctx, self.viewer = ctx, viewer
        self.course = widgets.Dropdown(
            description="Kursus",
            options=[(f"{ctx.content.courses[c].spec.title.id} ({c})", c) for c in courses],
            layout=widgets.Layout(width="34rem"),
        )
        self.overview = widgets.HTML(layout=FULL)
        self.module = widgets.Select(
            description="Rincian modul",
            rows=4,
            style={"description_width": "initial"},
            layout=widgets.Layout(width="34rem"),
        )
        self.detail = widgets.VBox(layout=FULL)
        self.cohort: CourseCohort | None = None
        self.analysis: CourseAnalysis | None = None
        # the reliability decisions need is the one levels are held to, as in `merit analisis`
        self.thresholds = Thresholds(decisions=load_level_rule(ctx.settings.assessments_dir).min_reliability)
        self.body = widgets.VBox([self.overview, self.module, self.detail], layout=FULL)
        super().__init__([heading("Halaman widyaiswara", viewer), self.course, self.body], layout=FULL)
        self.course.observe(guarded(self.body, self.refresh), names="value")
        self.module.observe(guarded(self.detail, self.show_module), names="value")
        self.refresh()

    def refresh(self, *_args: object) -> None:
        self.viewer.require_trainer_of(self.course.value)
        course = self.ctx.content.courses[self.course.value]
        with self.ctx.registry.session() as session:
            self.cohort = course_cohort(session, course, self.ctx.workspace)
            self.analysis = item_analysis(session, self.viewer, course, self.thresholds)
        rows = [
            [m.title, m.enrolled, m.submitted, m.not_submitted, m.graded, len(m.waiting)] for m in self.cohort.modules
        ]
        link = (
            f'<a href="{esc(self.cohort.formgrader)}" target="_blank" rel="noopener">Buka formgrader '
            f"{esc(self.cohort.course_id)} (tab baru)</a>"
        )
        self.overview.value = (
            f"<h2>{esc(self.cohort.title)}</h2>"
            + table(
                ["Modul", "Peserta", "Dikumpulkan", "Belum", "Dinilai", "Menunggu penilaian manual"],
                rows,
                numeric=(1, 2, 3, 4, 5),
            )
            + f"<p>Jawaban tertulis dinilai di formgrader nbgrader: {link}</p>"
        )
        self.module.options = [(m.title, i) for i, m in enumerate(self.cohort.modules)]
        self.module.value = None
        self.detail.children = []
        self.body.children = [self.overview, self.module, self.detail]

    def show_module(self, *_args: object) -> None:
        if self.module.value is None or self.cohort is None or self.analysis is None:
            return
        module = self.cohort.modules[self.module.value]
        analysis = self.analysis.modules[self.module.value]
        items = table(
            [
                "Notebook",
                "Soal",
                "Skor maks.",
                "Dinilai",
                "Menunggu",
                "Rata-rata",
                "Sebaran skor (skor, jumlah peserta)",
            ],
            [
                [
                    i.notebook,
                    i.cell,
                    f"{i.max_score:g}",
                    i.graded,
                    i.pending,
                    "-" if i.mean is None else i.mean,
                    Raw(_bars(i)),
                ]
                for i in module.items
            ],
            numeric=(2, 3, 4, 5),
        )
        waiting = table(
            ["Nama", "NIP", "Sel menunggu"],
            [[w.name, self.viewer.show_nip(w.nip), w.cells] for w in module.waiting],
            numeric=(2,),
        )
        with self.ctx.registry.session() as session:
            _log_waiting(session, self.viewer, [w.employee_id for w in module.waiting], self.cohort.course_id)
        self.detail.children = [
            widgets.HTML(
                f"<h3>{esc(module.title)}</h3>{items}"
                f"<h4>Menunggu penilaian manual ({len(module.waiting)})</h4>{waiting}"
                f"<h4>Analisis butir</h4>{module_analysis(analysis)}{legend(self.analysis)}",
                layout=FULL,
            )
        ]


def _log_waiting(session: Session, viewer: Viewer, ids: list[int], course_id: str) -> None:
    log_views(session, viewer, ids, f"daftar menunggu penilaian {course_id}", "widyaiswara", "penilaian kursus")
