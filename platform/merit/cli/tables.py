"""Terminal rendering of the demo's results with rich: what an HR officer or trainer reads."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from merit.cli.common import change_counts
from merit.cli.placement_views import render_ranking
from merit.demo.run import DemoResult
from merit.nip import mask_nip
from merit.settings import Settings


def render_demo(console: Console, result: DemoResult, settings: Settings) -> None:
    graded = sum(len(run.graded) for run in result.grading)
    failed = [r for run in result.grading for r in run.failed]
    sandbox = result.grading[0].sandbox.mode if result.grading else "-"
    console.print()
    render_ranking(console, result.ranking, compact=True)
    console.print()
    summary = Table(title="Ringkasan demo", show_header=False)
    summary.add_column("apa")
    summary.add_column("hasil")
    r = result.roster.counts
    summary.add_row("Roster ASN", change_counts(r))
    for course in result.courses:
        summary.add_row("Kursus", f"{course.spec.title.id} ({course.spec.jp} JP), {len(course.cells)} sel dinilai")
    summary.add_row("Pengumpulan dinilai (merit grade)", f"{graded} berhasil, {len(failed)} gagal; sandbox: {sandbox}")
    for outcome in failed:
        summary.add_row("", f"{mask_nip(outcome.student)}: {outcome.error}")
    s = result.sync.counts
    summary.add_row(
        "Bukti kompetensi",
        f"{change_counts(s)}; {result.sync.pending_manual} menunggu penilaian manual oleh widyaiswara",
    )
    lv = result.levels.counts
    summary.add_row(
        "Level kompetensi",
        f"{change_counts(lv, 'berubah')}, {result.levels.removed} dihapus",
    )
    summary.add_row("Registri", str(settings.database_url))
    summary.add_row("Gradebook nbgrader", str(settings.workspace_dir / "KURSUS" / "gradebook.db"))
    summary.add_row("Waktu", f"{result.seconds:.1f} detik")
    console.print(summary)
