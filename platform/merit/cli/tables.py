"""Terminal rendering of results with rich: what an HR officer or trainer reads."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from merit.demo.run import DemoResult
from merit.nip import mask_nip
from merit.placement.ranking import Ranking
from merit.registry.upsert import Change
from merit.settings import Settings


def _gap_text(ranking: Ranking, codes: list[str], candidate_index: int) -> str:
    candidate = ranking.candidates[candidate_index]
    rows = {g.code: g for g in candidate.match.gaps}
    parts = [f"{ranking.names.get(c, c)} {rows[c].held}/{rows[c].required}" for c in codes if c in rows]
    return ", ".join(parts) or "tidak ada"


def render_ranking(console: Console, ranking: Ranking) -> None:
    """The ranking table, then its formula, bands, tie-break and level rule.

    Competencies no candidate holds any level in are named once under the table rather
    than repeated on every row; the per-candidate column shows the gaps that differ.
    """
    held_by_anyone = {
        row.code for c in ranking.candidates for row in c.match.rows if row.held > 0
    }
    without_evidence = [c for c in sorted(ranking.required) if c not in held_by_anyone]
    shown = [c for c in sorted(ranking.required) if c in held_by_anyone]

    table = Table(
        title=f"Peringkat kandidat: {ranking.position.title_id} ({ranking.position.code})",
        show_lines=False,
    )
    table.add_column("No", justify="right")
    table.add_column("NIP (disamarkan)", no_wrap=True)
    table.add_column("Nama")
    table.add_column("JPM %", justify="right")
    table.add_column("Kategori")
    table.add_column("Kesenjangan (dimiliki/dipersyaratkan)")
    for index, candidate in enumerate(ranking.candidates):
        table.add_row(
            str(index + 1),
            mask_nip(candidate.nip),
            candidate.name,
            f"{candidate.match.percent:.2f}",
            candidate.match.band,
            _gap_text(ranking, shown, index),
        )
    console.print(table)
    console.print(f"[bold]Rumus:[/] {ranking.rule.formula()}")
    console.print(f"[bold]Kategori:[/] {ranking.rule.bands_text()}")
    console.print(f"[bold]Urutan:[/] {ranking.tie_break.removeprefix('Urutan: ')}")
    if ranking.level_rule:
        console.print(f"[bold]Level dari bukti:[/] {ranking.level_rule}")
    required = ", ".join(f"{ranking.names.get(c, c)} {lv}" for c, lv in sorted(ranking.required.items()))
    console.print(f"[bold]Standar jabatan:[/] {required}")
    if without_evidence:
        names = ", ".join(ranking.names.get(c, c) for c in without_evidence)
        console.print(
            f"[bold]Belum ada bukti untuk semua kandidat[/] (dihitung level 0): {names}. "
            "Bukti datang dari kursus lain, asesmen, atau jawaban tertulis yang belum dinilai widyaiswara."
        )
    console.print(
        "[italic]Peringkat ini alat bantu keputusan, bukan keputusan: ditinjau oleh pejabat "
        "yang berwenang, dan pegawai berhak mengajukan keberatan (UU 27/2022).[/]"
    )


def render_demo(console: Console, result: DemoResult, settings: Settings) -> None:
    graded = sum(len(run.graded) for run in result.grading)
    failed = [r for run in result.grading for r in run.failed]
    sandbox = result.grading[0].sandbox.mode if result.grading else "-"
    console.print()
    render_ranking(console, result.ranking)
    console.print()
    summary = Table(title="Ringkasan demo", show_header=False)
    summary.add_column("apa")
    summary.add_column("hasil")
    r = result.roster.counts
    summary.add_row("Roster ASN", f"{r[Change.CREATED]} baru, {r[Change.UPDATED]} diperbarui, {r[Change.UNCHANGED]} tetap")
    summary.add_row("Kursus", f"{result.course.spec.title.id} ({result.course.spec.jp} JP), {len(result.course.cells)} sel dinilai")
    summary.add_row("Pengumpulan dinilai (merit grade)", f"{graded} berhasil, {len(failed)} gagal; sandbox: {sandbox}")
    for outcome in failed:
        summary.add_row("", f"{mask_nip(outcome.student)}: {outcome.error}")
    s = result.sync.counts
    summary.add_row(
        "Bukti kompetensi",
        f"{s[Change.CREATED]} baru, {s[Change.UPDATED]} diperbarui, {s[Change.UNCHANGED]} tetap; "
        f"{result.sync.pending_manual} menunggu penilaian manual oleh widyaiswara",
    )
    lv = result.levels.counts
    summary.add_row(
        "Level kompetensi",
        f"{lv[Change.CREATED]} baru, {lv[Change.UPDATED]} berubah, {lv[Change.UNCHANGED]} tetap, "
        f"{result.levels.removed} dihapus",
    )
    summary.add_row("Registri", str(settings.database_url))
    summary.add_row("Gradebook nbgrader", str(settings.workspace_dir / result.course.id / "gradebook.db"))
    summary.add_row("Waktu", f"{result.seconds:.1f} detik")
    console.print(summary)
