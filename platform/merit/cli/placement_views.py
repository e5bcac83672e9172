"""Terminal views of placement results: rankings, talent grids, learning plans, TNA.

Every view prints the rules its numbers come from under the numbers themselves.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from merit.nip import format_nip, mask_nip
from merit.placement.jpm import Gap
from merit.placement.learning import LearningPlan, TrainingNeeds
from merit.placement.ranking import Candidate, Ranking
from merit.placement.talent import PERFORMANCE, POOLS, POTENTIAL, TalentGrid, label


def _gap_text(ranking: Ranking, codes: list[str], candidate: Candidate) -> str:
    rows = {g.code: g for g in candidate.match.gaps}
    parts = [f"{ranking.names.get(c, c)} {rows[c].held}/{rows[c].required}" for c in codes if c in rows]
    return ", ".join(parts) or "tidak ada"


def _candidate_details(console: Console, ranking: Ranking, index: int, candidate: Candidate, nip: str) -> None:
    skp = ", ".join(f"{year} {value}" for year, value in candidate.skp.items()) or "-"
    title = (
        f"{index}. {candidate.name} ({nip}), {candidate.unit}, {candidate.golongan}, masa kerja "
        f"{candidate.years_of_service} th, SKP {skp}: JPM {candidate.match.percent:.2f}% ({candidate.match.band})"
    )
    table = Table(title=title, title_justify="left")
    table.add_column("Kompetensi")
    for column in ("Standar", "Dimiliki", "Selisih"):
        table.add_column(column, justify="right")
    table.add_column("Dasar level: kursus/modul, tanggal, skor; atau keputusan asesor")
    for row in candidate.match.rows:
        table.add_row(
            ranking.names.get(row.code, row.code),
            str(row.required),
            str(row.held),
            str(row.gap),
            _with_precision(ranking, candidate, row),
        )
    console.print(table)


def _with_precision(ranking: Ranking, candidate: Candidate, row: Gap) -> str:
    """The basis of a level, then how reliable its evidence is (when a level rule was applied)."""
    text = candidate.basis_text(row)
    basis = candidate.basis.get(row.code)
    if ranking.min_reliability is None or basis is None or basis.source != "evidence" or not row.held:
        return text
    if basis.precision is None:
        return f"{text}; reliabilitas bukti belum dihitung: level sementara"
    return f"{text}; {basis.precision.text(ranking.min_reliability)}"


def _jpm_text(ranking: Ranking, index: int, candidate: Candidate) -> str:
    """``72.22`` with ``≈`` when the next candidate is within measurement error, ``*`` when provisional."""
    marks = ""
    if ranking.close_to_next and ranking.close_to_next[index]:
        marks += "≈"
    if candidate.precision is not None and candidate.precision.provisional:
        marks += "*"
    return f"{candidate.match.percent:.2f}{' ' if marks else ''}{marks}"


def render_ranking(
    console: Console, ranking: Ranking, details: bool = False, show_nip: bool = False, compact: bool = False
) -> None:
    """The ranking table, optionally each candidate's competencies, then every rule applied.

    ``compact`` (the demo) shows the gaps in the table instead of the administrative
    columns. Competencies no candidate holds any level in are named once under the table
    rather than repeated on every row.
    """
    held_by_anyone = {row.code for c in ranking.candidates for row in c.match.rows if row.held > 0}
    without_evidence = [c for c in sorted(ranking.required) if c not in held_by_anyone]
    shown = [c for c in sorted(ranking.required) if c in held_by_anyone]
    years = sorted({y for c in ranking.candidates for y in c.skp}, reverse=True)

    def nip_of(candidate: Candidate) -> str:
        return format_nip(candidate.nip) if show_nip else mask_nip(candidate.nip)

    table = Table(title=f"Peringkat kandidat: {ranking.position.title_id} ({ranking.position.code})")
    table.add_column("No", justify="right")
    table.add_column("NIP" if show_nip else "NIP (disamarkan)", no_wrap=True)
    table.add_column("Nama")
    if not compact:
        for column in ("Gol.", "Masa kerja", f"SKP {years[0]}" if years else "SKP"):
            table.add_column(column)
    table.add_column("JPM %", justify="right", no_wrap=True, min_width=8)  # 52.00 ≈*: never cut
    table.add_column("Kategori")
    table.add_column("Kesenjangan (dimiliki/dipersyaratkan)" if compact else "Memenuhi standar", justify="left")
    objecting = [c for c in ranking.candidates if c.objections]
    if objecting:
        table.add_column("Keberatan terbuka")
    for index, candidate in enumerate(ranking.candidates, start=1):
        jpm = _jpm_text(ranking, index - 1, candidate)
        admin = (
            []
            if compact
            else [
                candidate.golongan,
                f"{candidate.years_of_service} th",
                candidate.skp.get(years[0], "-") if years else "-",
            ]
        )
        last = _gap_text(ranking, shown, candidate) if compact else f"{candidate.match.met}/{len(candidate.match.rows)}"
        table.add_row(
            str(index),
            nip_of(candidate),
            candidate.name,
            *admin,
            jpm,
            candidate.match.band,
            last,
            *([candidate.objection_text] if objecting else []),
        )
    console.print(table)
    if objecting:
        console.print(
            f"[bold]Keberatan terbuka:[/] {len(objecting)} kandidat; peringkatnya ditinjau setelah keberatan dijawab "
            "(`merit keberatan daftar`)."
        )
    if details:
        for index, candidate in enumerate(ranking.candidates, start=1):
            _candidate_details(console, ranking, index, candidate, nip_of(candidate))
    console.print(f"[bold]Syarat administrasi:[/] {ranking.criteria.text()}")
    console.print(f"[bold]Kandidat:[/] {ranking.pool.text()}; ditampilkan {len(ranking.candidates)}")
    console.print(f"[bold]Rumus:[/] {ranking.rule.formula()}")
    console.print(f"[bold]Kategori:[/] {ranking.rule.bands_text()}")
    console.print(f"[bold]Urutan:[/] {ranking.tie_break.removeprefix('Urutan: ')}")
    if ranking.level_rule:
        console.print(f"[bold]Level dari bukti:[/] {ranking.level_rule}")
    console.print(f"[bold]Standar jabatan:[/] {ranking.required_text}")
    if without_evidence:
        names = ", ".join(ranking.names.get(c, c) for c in without_evidence)
        console.print(
            f"[bold]Belum ada bukti untuk semua kandidat[/] (dihitung level 0): {names}. "
            "Bukti datang dari kursus lain, asesmen, atau jawaban tertulis yang belum dinilai widyaiswara."
        )
    _precision_notes(console, ranking)
    stale = [c for c in ranking.candidates if c.expired_evidence]
    if stale:
        console.print(
            f"[bold red]Perhatian:[/] level {len(stale)} kandidat bertumpu pada bukti yang sudah kedaluwarsa per "
            f"{ranking.as_of:%d-%m-%Y}. "
            f"Jalankan `merit level recompute --per-tanggal {ranking.as_of}` sebelum memutuskan."
        )
    console.print(f"[italic]{ranking.notice}[/]")


def _precision_notes(console: Console, ranking: Ranking) -> None:
    """What ``≈`` and ``*`` mean, printed only when some candidate carries them."""
    if any(ranking.close_to_next):
        console.print(
            "[bold]≈[/] selisih dalam batas galat ukur: JPM kandidat ini dan kandidat berikutnya tidak berbeda "
            "lebih dari galat ukur (skor setiap bukti digeser satu SEM turun/naik). Urutan keduanya jangan "
            "dibaca sebagai perbedaan kemampuan."
        )
    if ranking.min_reliability is not None and any(c.precision and c.precision.provisional for c in ranking.candidates):
        console.print(
            f"[bold]*[/] sebagian level kandidat ini sementara: reliabilitas buktinya di bawah "
            f"{ranking.min_reliability:.2f} atau belum dapat dihitung (docs/competency-levels.md, bagian 5)."
        )


def render_grid(console: Console, grid: TalentGrid, show_nip: bool = False) -> None:
    """The 3×3 grid (performance rows, best on top; potential columns), then the pools and the rules."""
    table = Table(title=f"Kotak talenta {grid.subject}, SKP {grid.year}", show_lines=True)
    table.add_column("Kinerja \\ Potensial")
    for potential in POTENTIAL:
        table.add_column(potential)
    for performance in reversed(PERFORMANCE):
        cells = []
        for potential in POTENTIAL:
            box = grid.rule.box(performance, potential)
            people = grid.cell(performance, potential)
            names = "\n".join(e.name for e in people[:6]) + (f"\n… {len(people) - 6} lagi" if len(people) > 6 else "")
            cells.append(f"[bold]Kotak {box.kotak}[/]: {len(people)} orang\n{names}".rstrip())
        table.add_row(label(performance), *cells)
    console.print(table)
    pools = grid.position_code is not None
    members = Table(title=f"Kelompok talenta {grid.subject}" if pools else "Pegawai per kotak")
    for column in (
        "Kelompok" if pools else None,
        "Kotak",
        "NIP",
        "Nama",
        "Unit kerja",
        "SKP",
        "JPM %",
        "Tindak lanjut",
    ):
        if column is not None:
            members.add_column(column, no_wrap=column == "NIP")
    for pool in POOLS:
        for entry, box in grid.boxed():
            if box.kelompok != pool:
                continue
            nip = format_nip(entry.nip) if show_nip else mask_nip(entry.nip)
            first = [grid.rule.kelompok[pool]] if pools else []
            members.add_row(
                *first,
                str(box.kotak),
                nip,
                entry.name,
                entry.unit,
                entry.predikat,
                f"{entry.jpm:.2f}",
                box.tindak_lanjut,
            )
    console.print(members)
    if grid.unrated:
        names = ", ".join(f"{e.name} ({mask_nip(e.nip)})" for e in grid.unrated)
        console.print(f"[bold]Tidak dipetakan[/] (tidak ada SKP {grid.year}): {names}")
    console.print(f"[bold]Potensial diukur dengan:[/] {grid.potential_basis}")
    for line in grid.rule.rules_text():
        console.print(line)
    console.print("Aturan: assessments/talent-grid.yml (PermenPANRB 3/2020); penjelasan di docs/placement.md.")


def render_plan(console: Console, result: LearningPlan, names: dict[str, str]) -> None:
    position = result.position
    console.print(
        f"Rencana belajar {result.name} ({mask_nip(result.nip)}) menuju {position.title_id} ({position.code})"
    )
    if not result.plan.gaps:
        console.print("Tidak ada kesenjangan: semua level sudah memenuhi standar jabatan.")
        return
    gaps = Table(title="Kesenjangan (terbesar dulu)")
    for column in ("Kompetensi", "Dimiliki", "Dipersyaratkan", "Kesenjangan"):
        gaps.add_column(column)
    for gap in result.plan.gaps:
        gaps.add_row(names.get(gap.code, gap.code), str(gap.held), str(gap.required), str(gap.gap))
    console.print(gaps)
    steps = Table(title="Kursus, berurutan")
    for column in ("No", "Kursus", "Judul", "JP", "Menutup (dimiliki → level kursus / dipersyaratkan)"):
        steps.add_column(column, justify="right" if column in ("No", "JP") else "left")
    for index, step in enumerate(result.plan.steps, start=1):
        closes = ", ".join(f"{names.get(c.code, c.code)} {c.held}→{c.reaches}/{c.required}" for c in step.closes)
        steps.add_row(str(index), step.course_id, step.title, str(step.jp), closes)
    console.print(steps)
    console.print(
        f"[bold]Jumlah:[/] {result.plan.total_jp} JP ({result.plan.total_jp * 45 / 60:g} jam; 1 JP = 45 menit)"
    )
    if result.plan.uncovered:
        rest = ", ".join(f"{names.get(g.code, g.code)} {g.held}/{g.required}" for g in result.plan.uncovered)
        console.print(
            f"[bold]Belum ada kursus di katalog[/] yang menutup: {rest}. Rujuk ke pelatihan lain atau asesmen."
        )
    console.print("Level hanya tercapai bila skor kursus memenuhi aturan level (docs/competency-levels.md).")


def render_tna(console: Console, needs: TrainingNeeds, names: dict[str, str]) -> None:
    console.print(
        f"Analisis kebutuhan pelatihan unit kerja {needs.unit}: {needs.employees} pegawai, "
        f"{needs.with_gaps} dengan kesenjangan terhadap standar jabatan yang diduduki"
    )
    gaps = Table(title="Kesenjangan paling umum")
    for column in ("Kompetensi", "Pegawai", "Jumlah level kurang", "Rata-rata kesenjangan"):
        gaps.add_column(column, justify="left" if column == "Kompetensi" else "right")
    for gap in needs.gaps:
        gaps.add_row(names.get(gap.code, gap.code), str(gap.people), str(gap.levels), f"{gap.mean:.1f}")
    console.print(gaps)
    courses = Table(title="Kursus yang perlu dijadwalkan")
    for column in ("Kursus", "Judul", "Peserta", "JP per peserta", "JP total", "Kompetensi"):
        courses.add_column(column, justify="right" if column in ("Peserta", "JP per peserta", "JP total") else "left")
    for course in needs.courses:
        courses.add_row(
            course.course_id,
            course.title,
            str(course.people),
            str(course.jp),
            str(course.total_jp),
            ", ".join(names.get(c, c) for c in course.competencies),
        )
    console.print(courses)
    if needs.uncovered:
        rest = ", ".join(f"{names.get(g.code, g.code)} ({g.people} pegawai)" for g in needs.uncovered)
        console.print(f"[bold]Belum ada kursus di katalog[/] untuk: {rest}.")
