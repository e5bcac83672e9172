"""``merit analisis``: item statistics and reliability from a course's gradebook, for trainers."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from merit.cli.common import console, user_errors
from merit.errors import MeritError

if TYPE_CHECKING:
    from merit.analysis.items import CourseAnalysis, ModuleAnalysis, ScaleReport
    from merit.analysis.similarity import SimilarityReport
    from merit.grading.coursedir import BuiltCourse
    from merit.settings import Settings


def _number(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _indented(console: Console, text: str, indent: int = 4) -> None:
    """A line that wraps under its own start, not under the margin."""
    console.print(Padding(Text(text), (0, 0, 0, indent)))


def _scale_line(console: Console, label: str, scale: ScaleReport) -> None:
    stats = scale.stats
    console.print(
        f"[bold]{label}:[/] N = {stats.n}, {stats.items} butir, skor maks {stats.max_score:g}, "
        f"rata-rata {stats.mean:.2f}, SD {stats.sd:.2f}; {stats.coefficient} {_number(stats.alpha)}, "
        f"SEM {_number(stats.sem)} poin",
        highlight=False,
    )
    _indented(console, scale.verdict, 2)


def render_module(console: Console, module: ModuleAnalysis) -> None:
    """The item table of one module, then its reliability and every flagged item with why."""
    if module.scale is None:
        console.print(f"[bold]{module.module}[/]: belum ada kiriman yang dinilai.")
        return
    table = Table(title=f"{module.module}: {module.title}", title_justify="left")
    table.add_column("Butir", no_wrap=True)
    for column in ("Poin", "Fas.", "SD", "D.beda", "Efis.", "!"):
        table.add_column(column, justify="right")
    for item in module.items:
        stats = item.stats
        table.add_row(
            stats.name,
            f"{stats.max_score:g}",
            _percent(stats.facility),
            _number(stats.sd),
            _number(stats.discrimination),
            _percent(stats.efficiency),
            "[red]![/]" if item.flags else "",
        )
    console.print(table)
    _scale_line(console, "Modul", module.scale)
    for item in module.items:
        if item.flags:
            console.print(f"  [red]![/] [bold]{item.stats.name}[/]", highlight=False)
        for reason in item.flags:
            _indented(console, f"- {reason}")
    if module.pending:
        _indented(console, f"Tidak dianalisis (menunggu penilaian manual): {', '.join(module.pending)}", 2)
    if module.incomplete:
        _indented(console, f"{module.incomplete} peserta tidak dihitung: sebagian butirnya belum bernilai.", 2)


def render_analysis(console: Console, analysis: CourseAnalysis) -> None:
    for module in analysis.modules:
        render_module(console, module)
        console.print()
    if analysis.competencies:
        table = Table(title="Reliabilitas per kompetensi (semua modul yang dianalisis)", title_justify="left")
        table.add_column("Kompetensi")
        for column in ("N", "Butir", "Koefisien", "Nilai", "SEM"):
            table.add_column(column, justify="right")
        for scale in analysis.competencies:
            stats = scale.stats
            table.add_row(
                scale.name, str(stats.n), str(stats.items), stats.coefficient, _number(stats.alpha), _number(stats.sem)
            )
        console.print(table)
        for scale in analysis.competencies:
            _indented(console, f"{scale.name}: {scale.verdict}", 2)
    limits = analysis.thresholds
    console.print(
        "Fas. = fasilitas (rata-rata ÷ poin); D.beda = korelasi butir dengan skor butir lain; "
        "Efis. = efisiensi daya beda (Moodle)."
    )
    console.print(
        f"Ambang: fasilitas ≤ {limits.facility_low:.0%} atau ≥ {limits.facility_high:.0%}; daya beda negatif; "
        f"efisiensi < {limits.efficiency_low:.0%}; konsistensi < {limits.alpha_unsatisfactory:.0%} tidak memuaskan, "
        f"> {limits.alpha_satisfactory:.0%} memuaskan; keputusan perorangan ≥ {limits.decisions:.2f}. "
        "Penjelasan: docs/item-analysis.md.",
        highlight=False,
    )


def built_course(settings: Settings, course: str) -> BuiltCourse:
    """The course's nbgrader directory, built and with a gradebook; otherwise a clear error."""
    from merit.content import load_content
    from merit.grading.coursedir import BuiltCourse

    content = load_content(settings)
    if course not in content.courses:
        raise MeritError(f"Kursus '{course}' tidak ditemukan. Kursus yang ada: {', '.join(sorted(content.courses))}.")
    built = BuiltCourse(content.courses[course], settings.workspace_dir / course)
    if not (built.root / "gradebook.db").is_file():
        raise MeritError(
            f"Kursus {course} belum dibangun dan dinilai: jalankan `merit course build` dan `merit grade`."
        )
    return built


def analysis_command(
    kursus: str = typer.Argument(..., help="Kode kursus (folder di courses/)."),
    modul: list[str] = typer.Argument(None, help="Modul yang dianalisis (bawaan: semua modul kursus)."),
    kelompok: int = typer.Option(3, "--kelompok", min=2, max=10, help="Banyak kelompok kemampuan per butir."),
) -> None:
    """Analisis butir: fasilitas, daya beda, efisiensi, reliabilitas (alpha/KR-20) dan SEM."""
    from merit.analysis.items import Thresholds, analyse_course
    from merit.competency.levels import load_level_rule
    from merit.settings import Settings

    with user_errors():
        settings = Settings()
        built = built_course(settings, kursus)
        # the reliability decisions need is the one levels are held to (assessments/levels.yml)
        thresholds = Thresholds(decisions=load_level_rule(settings.assessments_dir).min_reliability)
        analysis = analyse_course(built.course, built.db_url, modul or None, thresholds, kelompok)
        render_analysis(console, analysis)


def render_similarity(console: Console, report: SimilarityReport, show_nip: bool = False) -> None:
    """Each group of near-identical answers, the most similar pair side by side, then what was not paired."""
    from merit.nip import format_nip, mask_nip

    shown = format_nip if show_nip else mask_nip
    console.print(
        f"[bold]Kemiripan jawaban {report.course} / {report.module}[/]: {report.learners} peserta, "
        f"ambang {report.threshold:.0%}",
        highlight=False,
    )
    groups = report.groups()
    if not groups:
        console.print("Tidak ada pasangan jawaban yang hampir sama.")
    for cell, pairs in groups:
        learners = sorted({p.first.learner for p in pairs} | {p.second.learner for p in pairs})
        best = pairs[0]
        kind = "kode" if best.kind == "kode" else "jawaban tertulis"
        console.print()
        console.print(
            f"[bold]{cell}[/] ({kind}): {len(learners)} peserta, kemiripan {min(p.score for p in pairs):.0%}–"
            f"{best.score:.0%}",
            highlight=False,
        )
        _indented(console, ", ".join(shown(learner) for learner in learners), 2)
        table = Table(show_lines=False, expand=True)
        table.add_column(shown(best.first.learner), overflow="fold", ratio=1)
        table.add_column(shown(best.second.learner), overflow="fold", ratio=1)
        table.add_row(Text(best.first.source), Text(best.second.source))
        console.print(table)
    if report.as_key:
        counts = ", ".join(f"{cell} {count}" for cell, count in sorted(report.as_key.items()))
        console.print()
        _indented(console, f"Sama dengan kunci jawaban (tidak dipasangkan; banyak peserta): {counts}", 0)
    console.print()
    console.print(
        "Kode dibandingkan setelah komentar, spasi, dan nama variabel diseragamkan; jawaban tertulis setelah "
        "huruf besar-kecil, tanda baca, dan spasi diseragamkan. Jawaban yang sangat pendek atau masih "
        "kosong tidak dipasangkan. Kemiripan bukan bukti kecurangan dan tidak mengubah nilai apa pun: "
        "periksa bersama peserta sebelum memutuskan. Penjelasan: docs/item-analysis.md."
    )


def similarity_command(
    kursus: str = typer.Argument(..., help="Kode kursus (folder di courses/)."),
    modul: str = typer.Argument(..., help="Kode modul yang kirimannya dibandingkan."),
    ambang: float = typer.Option(0.9, "--ambang", min=0.5, max=1.0, help="Kemiripan terendah yang dilaporkan (0-1)."),
    tampilkan_nip: bool = typer.Option(False, "--tampilkan-nip", help="Tampilkan NIP lengkap peserta."),
) -> None:
    """Daftar jawaban (kode dan tertulis) yang hampir sama antarpeserta, berdampingan; tanpa sanksi otomatis."""
    from merit.analysis.similarity import find_similar
    from merit.settings import Settings

    with user_errors():
        built = built_course(Settings(), kursus)
        report = find_similar(built, modul, ambang)
        render_similarity(console, report, tampilkan_nip)
