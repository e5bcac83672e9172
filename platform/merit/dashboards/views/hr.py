"""The HR page: ranking with requirements, evidence per candidate, nine-box, gap heatmap, training needs, export."""

from __future__ import annotations

import base64
import html
from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets

from merit.access import Refused, Viewer
from merit.catalog.eligibility import EligibilityRule
from merit.dashboards import hr
from merit.dashboards.context import PageContext
from merit.dashboards.views.common import FULL, Raw, esc, guarded, heading, problem, table
from merit.dashboards.views.objections import ObjectionReview
from merit.demo import DEMO_POSITION
from merit.errors import MeritError
from merit.golongan import PANGKAT
from merit.placement.eligibility import Criteria
from merit.placement.ranking import Ranking
from merit.placement.talent import PERFORMANCE, POTENTIAL, TalentGrid, label
from merit.predikat import PREDIKAT
from merit.reports import FORMATS

DEFAULT = "bawaan"
NONE = "tanpa syarat"
TABS = ("Peringkat", "Kotak talenta", "Peta kesenjangan", "Kebutuhan pelatihan", "Laporan seleksi", "Keberatan")
MIME = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def _dropdown(description: str, options: Sequence[tuple[str, object]], width: str = "16rem") -> widgets.Dropdown:
    return widgets.Dropdown(
        description=description,
        options=options,
        style={"description_width": "initial"},
        layout=widgets.Layout(width=width),
    )


class HrPage(widgets.VBox):
    """``HrPage(context, viewer)``; the viewer must be HR or admin (checked by the services)."""

    def __init__(
        self, ctx: PageContext, viewer: Viewer, position: str | None = None, prepared: Ranking | None = None
    ) -> None:
        self.ctx, self.viewer, self.prepared = ctx, viewer, prepared
        allowed = viewer.hr_units()
        self.units = sorted(ctx.content.units if allowed is None else allowed)
        positions = sorted(ctx.content.positions.values(), key=lambda p: p.title["id"])
        self.position = _dropdown("Jabatan", [(f"{p.title['id']} ({p.code})", p.code) for p in positions], "30rem")
        for wanted in (position, DEMO_POSITION):
            if wanted in ctx.content.positions:
                self.position.value = wanted
                break
        self.golongan = _dropdown("Golongan min.", [(DEFAULT, None), (NONE, "")] + [(g, g) for g in PANGKAT], "15rem")
        self.service = _dropdown(
            "Masa kerja min.",
            [(DEFAULT, None), (NONE, 0)] + [(f"{n} th", n) for n in (2, 4, 5, 7, 10, 15, 20)],
            "15rem",
        )
        self.skp = _dropdown("SKP min.", [(DEFAULT, None), (NONE, "")] + [(p, p) for p in PREDIKAT], "14rem")
        self.unit = _dropdown("Unit asal", [("semua unit", None)] + [(u, u) for u in self.units], "22rem")
        self.apply = widgets.Button(description="Terapkan syarat", icon="filter", button_style="primary")
        self.summary = widgets.HTML(layout=FULL)
        self.ranking_table = widgets.HTML(layout=FULL)
        self.candidates = widgets.Select(
            description="Bukti kandidat",
            rows=6,
            style={"description_width": "initial"},
            layout=widgets.Layout(width="40rem"),
        )
        self.evidence = widgets.VBox(layout=FULL)
        self.ranked: Ranking | None = None
        self.criteria: Criteria = hr.criteria_for(ctx.content, viewer, self.position.value, self._override(), ctx.as_of)
        self.candidates_hint = widgets.HTML("<b>Klik kandidat untuk melihat bukti di balik setiap level:</b>")
        self.ranking_box = widgets.VBox(layout=FULL)
        self.tab_boxes = [self.ranking_box] + [widgets.VBox(layout=FULL) for _ in TABS[1:]]
        self.tabs = widgets.Tab(children=self.tab_boxes, titles=TABS, layout=FULL)
        self.built: set[int] = {0}
        filters = widgets.HBox(
            [self.golongan, self.service, self.skp, self.unit, self.apply], layout=widgets.Layout(flex_flow="row wrap")
        )
        super().__init__(
            [
                heading(
                    "Halaman kepegawaian", viewer, "Peringkat adalah alat bantu keputusan, ditinjau pejabat berwenang."
                ),
                self.position,
                filters,
                self.tabs,
            ],
            layout=FULL,
        )
        self.position.observe(guarded(self.ranking_box, self.refresh), names="value")
        self.apply.on_click(guarded(self.ranking_box, self.refresh))
        self.candidates.observe(guarded(self.evidence, self.show_evidence), names="value")
        self.tabs.observe(self._tab_opened, names="selected_index")
        self._first_ranking()

    def _first_ranking(self) -> None:
        """The default requirements' ranking; when it cannot be made (say, no SKP ratings yet),
        the reason shows where the ranking would be and the filters stay usable. A refusal
        (not HR) still refuses the whole page."""
        try:
            self.refresh()
        except Refused:
            raise
        except MeritError as exc:
            self.ranking_box.children = [problem(str(exc))]

    # --- ranking ------------------------------------------------------------------

    def _override(self) -> EligibilityRule:
        values: dict[str, object] = {}
        if self.golongan.value is not None:
            values["golongan_min"] = self.golongan.value or None
        if self.service.value is not None:
            values["masa_kerja_min"] = self.service.value or None
        if self.skp.value is not None:
            values["skp_min"] = self.skp.value or None
        if self.unit.value is not None:
            values["units"] = [self.unit.value]
        return EligibilityRule(**values)

    def refresh(self, *_args: object) -> None:
        ctx = self.ctx
        self.criteria = hr.criteria_for(ctx.content, self.viewer, self.position.value, self._override(), ctx.as_of)
        with ctx.registry.session() as session:
            self.ranked = hr.ranking(
                session, ctx.content, self.viewer, self.position.value, self.criteria, prepared=self.prepared
            )
        self.prepared = None  # used once, for the page's first view
        r = self.ranked
        self.summary.value = (
            f"<h2>{esc(r.position.title_id)}</h2>"
            f"<p><b>Syarat administrasi:</b> {esc(r.criteria.text())}<br><b>Kandidat:</b> {esc(r.pool.text())}; "
            f"ditampilkan {len(r.candidates)} teratas<br><b>Rumus:</b> {esc(r.rule.formula())} · "
            f"<b>Kategori:</b> {esc(r.rule.bands_text())}<br><b>Standar:</b> {esc(r.required_text)}</p>"
        )
        rows = []
        for index, c in enumerate(r.candidates, start=1):
            gaps = (
                ", ".join(f"{r.names.get(g.code, g.code)} {g.held}/{g.required}" for g in c.match.gaps) or "tidak ada"
            )
            objection = Raw(f'<b class="merit-tanda">{esc(c.objection_text)}</b>') if c.objections else "-"
            rows.append(
                [
                    index,
                    self.viewer.show_nip(c.nip),
                    c.name,
                    c.unit,
                    c.golongan,
                    c.match.percent,
                    c.match.band,
                    gaps,
                    objection,
                ]
            )
        self.ranking_table.value = (
            table(
                [
                    "No",
                    "NIP",
                    "Nama",
                    "Unit kerja",
                    "Gol.",
                    "JPM %",
                    "Kategori",
                    "Kesenjangan (dimiliki/dipersyaratkan)",
                    "Keberatan terbuka",
                ],
                rows,
                numeric=(0, 5),
            )
            + f'<p class="merit-catatan">{esc(r.tie_break)} {esc(r.notice)}{esc(_objection_note(r))}</p>'
        )
        self.candidates.options = [
            (f"{i}. {c.name} · JPM {c.match.percent:.2f}% ({c.match.band})", i - 1)
            for i, c in enumerate(r.candidates, start=1)
        ]
        self.candidates.value = None
        self.evidence.children = []
        self.ranking_box.children = [
            self.summary,
            self.ranking_table,
            self.candidates_hint,
            self.candidates,
            self.evidence,
        ]
        self.built = {0}

    def show_evidence(self, *_args: object) -> None:
        if self.candidates.value is None or self.ranked is None:
            return
        candidate = self.ranked.candidates[self.candidates.value]
        with self.ctx.registry.session() as session:
            rows = hr.candidate_evidence(session, self.viewer, candidate, self.ranked.required)
        lines = []
        for row in rows:
            if row.evidence:
                cells = "<br>".join(
                    f"{esc(e.course_id)}/{esc(e.assignment)}/{esc(e.cell)}: {e.score:g}/{e.max_score:g}"
                    + (" (menunggu widyaiswara)" if e.needs_manual_grade else "")
                    + (f", {e.submitted_at:%d-%m-%Y}" if e.submitted_at else "")
                    for e in row.evidence
                )
            else:
                cells = "keputusan asesor" if row.source == "override" else "belum ada bukti"
            lines.append(
                [
                    row.name,
                    row.required,
                    row.held,
                    row.required - row.held if row.held < row.required else 0,
                    row.rule,
                    Raw(cells),
                ]
            )
        self.evidence.children = [
            widgets.HTML(
                f"<h3>Bukti level: {esc(candidate.name)} ({esc(self.viewer.show_nip(candidate.nip))})</h3>"
                + table(
                    ["Kompetensi", "Standar", "Dimiliki", "Kurang", "Aturan level", "Sel yang dinilai (nbgrader)"],
                    lines,
                    numeric=(1, 2, 3),
                ),
                layout=FULL,
            )
        ]

    # --- the other tabs, built when first opened ----------------------------------

    def _tab_opened(self, change: dict[str, Any]) -> None:
        index = int(change["new"] or 0)
        if index in self.built:
            return
        self.built.add(index)
        builders: dict[int, Callable[[widgets.VBox], None]] = {
            1: self._grid_tab,
            2: self._heatmap_tab,
            3: self._needs_tab,
            4: self._export_tab,
            5: self._objections_tab,
        }
        box = self.tab_boxes[index]
        guarded(box, lambda: builders[index](box))()

    def _grid_tab(self, box: widgets.VBox) -> None:
        mode = widgets.ToggleButtons(options=["per jabatan", "per unit kerja"], value="per jabatan")
        unit = _dropdown("Unit kerja", [(u, u) for u in self.units], "22rem")
        out = widgets.VBox(layout=FULL)

        def draw(*_args: object) -> None:
            with self.ctx.registry.session() as session:
                if mode.value == "per jabatan":
                    grid = hr.grid_position(
                        session, self.ctx.content, self.viewer, self.ctx.grid_rule, self.position.value, self.criteria
                    )
                else:
                    grid = hr.grid_unit(
                        session, self.ctx.content, self.viewer, self.ctx.grid_rule, unit.value, self.ctx.as_of
                    )
            out.children = [widgets.HTML(self._grid_html(grid), layout=FULL)]

        mode.observe(guarded(out, draw), names="value")
        unit.observe(guarded(out, draw), names="value")
        box.children = [widgets.HBox([mode, unit]), out]
        guarded(out, draw)()

    def _grid_html(self, grid: TalentGrid) -> str:
        shown = {e.nip for e in hr.shown_in_grid(grid)}
        rows = []
        for performance in reversed(PERFORMANCE):
            cells: list[object] = [label(performance)]
            for potential in POTENTIAL:
                box = grid.rule.box(performance, potential)
                people = grid.cell(performance, potential)
                names = "<br>".join(
                    f"{esc(e.name)} <span class='merit-catatan'>"
                    f"{esc(self.viewer.show_nip(e.nip))}, JPM {e.jpm:.0f}%</span>"
                    for e in people
                    if e.nip in shown
                )
                more = len(people) - sum(e.nip in shown for e in people)
                extra = f"<br><i>… {more} lagi</i>" if more else ""
                cells.append(Raw(f"<b>Kotak {box.kotak}</b>: {len(people)} orang<br>{names}{extra}"))
            rows.append(cells)
        unrated = f"<p>Tidak dipetakan (tanpa SKP {grid.year}): {len(grid.unrated)} orang.</p>" if grid.unrated else ""
        rules = "<br>".join(esc(line) for line in grid.rule.rules_text())
        return (
            f"<h3>Kotak talenta {esc(grid.subject)}, SKP {grid.year}</h3>"
            + table(["Kinerja \\ Potensial", *(label(p) for p in POTENTIAL)], rows, css="merit-kotak")
            + unrated
            + f'<p class="merit-catatan">Potensial: {esc(grid.potential_basis)}.<br>{rules}</p>'
        )

    def _heatmap_tab(self, box: widgets.VBox) -> None:
        with self.ctx.registry.session() as session:
            heat = hr.gap_heatmap(session, self.viewer)
        rows = []
        for code in heat.competencies:
            cells: list[object] = [heat.names.get(code, code)]
            for unit in heat.units:
                cell = heat.cells.get((code, unit))
                if cell is None:
                    cells.append("")
                    continue
                alpha = 0.1 + 0.8 * cell.share / 100
                cells.append(
                    Raw(
                        f'<span title="{cell.with_gap} dari {cell.employees} pegawai" '
                        f'style="display:block;background:rgba(198,40,40,{alpha:.2f});padding:2px 4px">'
                        f"{cell.share:.0f}%</span>"
                    )
                )
            rows.append(cells)
        box.children = [
            widgets.HTML(
                "<h3>Peta kesenjangan: persentase pegawai di bawah standar jabatannya</h3>"
                + table(["Kompetensi", *heat.units], rows, numeric=range(1, len(heat.units) + 1))
                + '<p class="merit-catatan">Setiap pegawai dibandingkan dengan standar jabatan '
                "yang sedang didudukinya; "
                "level tanpa bukti dihitung 0. Angka agregat, tanpa nama.</p>",
                layout=FULL,
            )
        ]

    def _needs_tab(self, box: widgets.VBox) -> None:
        unit = _dropdown("Unit kerja", [(u, u) for u in self.units], "22rem")
        out = widgets.VBox(layout=FULL)

        def draw(*_args: object) -> None:
            with self.ctx.registry.session() as session:
                result = hr.needs(session, self.ctx.content, self.viewer, unit.value)
                from merit.placement.ranking import competency_names

                names = competency_names(session)
            gaps = table(
                ["Kompetensi", "Pegawai", "Jumlah level kurang", "Rata-rata"],
                [[names.get(g.code, g.code), g.people, g.levels, f"{g.mean:.1f}"] for g in result.gaps],
                numeric=(1, 2, 3),
            )
            courses = table(
                ["Kursus", "Judul", "Peserta", "JP/peserta", "JP total", "Kompetensi"],
                [
                    [
                        c.course_id,
                        c.title,
                        c.people,
                        c.jp,
                        c.total_jp,
                        ", ".join(names.get(x, x) for x in c.competencies),
                    ]
                    for c in result.courses
                ],
                numeric=(2, 3, 4),
            )
            uncovered = ", ".join(f"{names.get(g.code, g.code)} ({g.people})" for g in result.uncovered)
            out.children = [
                widgets.HTML(
                    f"<p>{result.employees} pegawai, {result.with_gaps} "
                    f"dengan kesenjangan terhadap standar jabatannya.</p>"
                    f"<h4>Kesenjangan paling umum</h4>{gaps}<h4>Kursus yang perlu dijadwalkan</h4>{courses}"
                    + (f"<p>Belum ada kursus di katalog untuk: {esc(uncovered)}.</p>" if uncovered else ""),
                    layout=FULL,
                )
            ]

        unit.observe(guarded(out, draw), names="value")
        box.children = [unit, out]
        guarded(out, draw)()

    def _objections_tab(self, box: widgets.VBox) -> None:
        box.children = [ObjectionReview(self.ctx, self.viewer)]

    def _export_tab(self, box: widgets.VBox) -> None:
        reason = widgets.Text(
            description="Alasan",
            placeholder="misalnya: Seleksi terbuka JPT 2026",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="36rem"),
        )
        formats = [
            widgets.Checkbox(value=True, description=f.upper(), indent=False, layout=widgets.Layout(width="6rem"))
            for f in FORMATS
        ]
        make = widgets.Button(description="Buat laporan seleksi", icon="download", button_style="primary")
        out = widgets.VBox(layout=FULL)

        def export(*_args: object) -> None:
            chosen = [f for f, box_ in zip(FORMATS, formats, strict=True) if box_.value]
            published, files = hr.export_selection(
                self.ctx.registry,
                self.ctx.content,
                self.viewer,
                self.position.value,
                self.criteria,
                self.ctx.reports_dir,
                chosen,
                reason.value,
            )
            links = " ".join(
                f'<a download="{html.escape(path.name)}" href="data:{MIME[ext]};base64,'
                f'{base64.b64encode(path.read_bytes()).decode()}">Unduh {ext.upper()}</a>'
                for ext, path in files.items()
            )
            report = published.report
            out.children = [
                widgets.HTML(
                    f"<p>Keputusan nomor {report.decision} dicatat di jejak audit "
                    f"(registri entri ke-{report.registry_seq}, "
                    f"hash {report.registry_hash[:16]}…). {links}</p>",
                    layout=FULL,
                )
            ]

        make.on_click(guarded(out, export))
        box.children = [
            widgets.HTML(
                "<p>Laporan yang sama dengan <code>merit laporan seleksi</code>: jabatan dan syarat "
                "yang dipilih di atas, "
                "NIP disamarkan, keputusan dan hash setiap berkas dicatat di jejak audit.</p>"
            ),
            reason,
            widgets.HBox(formats),
            make,
            out,
        ]


def _objection_note(ranking: Ranking) -> str:
    """Said under a ranking in which someone has an open objection (``merit keberatan``)."""
    count = sum(1 for c in ranking.candidates if c.objections)
    if not count:
        return ""
    return (
        f" {count} kandidat mengajukan keberatan yang masih terbuka: peringkatnya ditinjau ulang setelah "
        "keberatan dijawab (merit keberatan daftar)."
    )
