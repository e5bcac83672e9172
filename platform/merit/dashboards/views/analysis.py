"""The trainer page's item analysis: what ``merit analisis`` prints, as HTML.

One table per module (the same columns as the CLI), the module's reliability, each
flagged item with why, and a small bar chart per item of its facility in each ability
group (learners ordered by module total, cut in thirds): an item that works rises from
the lowest group to the highest. The charts are inline SVG with their numbers as text,
so they need no script and a screen reader reads the same numbers.
"""

from __future__ import annotations

from merit.analysis.items import CourseAnalysis, ItemReport, ModuleAnalysis, ScaleReport, group_label
from merit.dashboards.views.common import Raw, esc, table

BAR_WIDTH, BAR_GAP, CHART_HEIGHT = 34, 8, 60


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def ability_chart(item: ItemReport) -> str:
    """Facility per ability group as vertical bars, lowest group on the left."""
    count = len(item.groups)
    width = count * (BAR_WIDTH + BAR_GAP)
    bars = []
    for index, facility in enumerate(item.groups):
        height = max(facility, 0.0) * CHART_HEIGHT
        x = index * (BAR_WIDTH + BAR_GAP)
        label = group_label(index, count)
        bars.append(
            f'<rect x="{x}" y="{14 + CHART_HEIGHT - height:.1f}" width="{BAR_WIDTH}" height="{height:.1f}" '
            f'fill="#1565c0"><title>{esc(label)}: {facility:.0%}</title></rect>'
            f'<text x="{x + BAR_WIDTH / 2}" y="{10 + CHART_HEIGHT - height:.1f}" font-size="10" '
            f'text-anchor="middle">{facility:.0%}</text>'
            f'<text x="{x + BAR_WIDTH / 2}" y="{CHART_HEIGHT + 26}" font-size="10" text-anchor="middle">'
            f"{esc(label if count == 3 else index + 1)}</text>"
        )
    summary = ", ".join(f"{group_label(i, count)} {f:.0%}" for i, f in enumerate(item.groups))
    return (
        f'<svg class="merit-grafik-butir" role="img" width="{width}" height="{CHART_HEIGHT + 30}" '
        f'aria-label="Fasilitas {esc(item.stats.name)} per kelompok kemampuan: {esc(summary)}">'
        f'<line x1="0" y1="{14 + CHART_HEIGHT}" x2="{width}" y2="{14 + CHART_HEIGHT}" stroke="#888"/>'
        f"{''.join(bars)}</svg>"
    )


def _scale(scale: ScaleReport) -> str:
    stats = scale.stats
    return (
        f"<p><b>Reliabilitas modul:</b> N = {stats.n}, {stats.items} butir, skor maks {stats.max_score:g}, "
        f"rata-rata {stats.mean:.2f}, SD {stats.sd:.2f}; {esc(stats.coefficient)} {_number(stats.alpha)}, "
        f"SEM {_number(stats.sem)} poin. {esc(scale.verdict)}.</p>"
    )


def module_analysis(module: ModuleAnalysis) -> str:
    """The analysis of one module: item table with a chart per item, reliability, flags, exclusions."""
    if module.scale is None:
        return "<p>Belum ada kiriman yang dinilai: analisis butir belum tersedia.</p>"
    rows = [
        [
            item.stats.name,
            item.cell.competency,
            f"{item.stats.max_score:g}",
            _percent(item.stats.facility),
            _number(item.stats.sd),
            _number(item.stats.discrimination),
            _percent(item.stats.efficiency),
            Raw(ability_chart(item)),
            Raw("<br>".join(f'<span class="merit-tanda">! {esc(r)}</span>' for r in item.flags) or "baik"),
        ]
        for item in module.items
    ]
    parts = [
        table(
            ["Butir", "Kompetensi", "Poin", "Fas.", "SD", "D.beda", "Efis.", "Fasilitas per kelompok", "Tanda"],
            rows,
            numeric=(2, 3, 4, 5, 6),
            css="merit-analisis",
        ),
        _scale(module.scale),
    ]
    if module.pending:
        parts.append(f"<p>Tidak dianalisis (menunggu penilaian manual): {esc(', '.join(module.pending))}.</p>")
    if module.incomplete:
        parts.append(f"<p>{module.incomplete} peserta tidak dihitung: sebagian butirnya belum bernilai.</p>")
    return "".join(parts)


def legend(analysis: CourseAnalysis) -> str:
    """What the columns mean and which thresholds flag an item, as under the CLI's report."""
    limits = analysis.thresholds
    return (
        '<p class="merit-catatan">Fas. = fasilitas (rata-rata ÷ poin); D.beda = korelasi butir dengan skor butir '
        "lain; Efis. = efisiensi daya beda (Moodle); kelompok kemampuan = peserta diurutkan menurut skor total "
        f"modul lalu dibagi tiga. Ambang: fasilitas ≤ {limits.facility_low:.0%} atau ≥ {limits.facility_high:.0%}; "
        f"daya beda negatif; efisiensi &lt; {limits.efficiency_low:.0%}; konsistensi "
        f"&lt; {limits.alpha_unsatisfactory:.0%} tidak memuaskan, &gt; {limits.alpha_satisfactory:.0%} memuaskan; "
        f"keputusan perorangan ≥ {limits.decisions:.2f}. Sama dengan <code>merit analisis</code>; penjelasan di "
        "docs/item-analysis.md.</p>"
    )
