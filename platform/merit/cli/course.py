"""``merit course``: scaffold, build, validate and measure the coverage of courses."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from merit.cli.common import console, errors, user_errors
from merit.errors import MeritError

if TYPE_CHECKING:
    from collections.abc import Callable

    from rich.status import Status

    from merit.authoring.coverage import CoverageMatrix
    from merit.authoring.validate import CourseReport
    from merit.settings import Settings

course_app = typer.Typer(help="Kursus: buat, periksa, bangun, dan ukur cakupan kompetensinya.", no_args_is_help=True)


def _course_folder(settings: Settings, course: str) -> Path:
    folder = settings.courses_dir / course
    if not (folder / "course.yml").is_file():
        known = ", ".join(sorted(p.parent.name for p in settings.courses_dir.glob("*/course.yml")))
        raise MeritError(f"Kursus '{course}' tidak ditemukan di courses/. Kursus yang ada: {known}.")
    return folder


def _parse_competencies(values: list[str]) -> dict[str, int]:
    parsed: dict[str, int] = {}
    for value in values:
        code, _, level = value.partition("=")
        if not level.isdigit() or not 1 <= int(level) <= 5:
            raise MeritError(f"--kompetensi '{value}': tulis kode=level target, misalnya integritas=2 (level 1–5).")
        parsed[code.strip()] = int(level)
    return parsed


@course_app.command("new")
def course_new(
    course: str = typer.Argument(..., help="Kode kursus baru (nama folder), mis. etika-dasar."),
    judul: str = typer.Option(..., "--judul", help="Judul kursus dalam bahasa Indonesia."),
    modul: int = typer.Option(3, "--modul", min=1, max=20, help="Jumlah modul yang dibuat."),
    kompetensi: list[str] = typer.Option(
        ["integritas=2"], "--kompetensi", help="Kompetensi dan level target, mis. integritas=2; boleh berulang."
    ),
) -> None:
    """Buat kerangka kursus lengkap yang langsung dapat dibangun dan diperiksa."""
    from merit.authoring.scaffold import scaffold_course
    from merit.catalog import load_framework
    from merit.settings import Settings

    with user_errors():
        settings = Settings()
        framework = load_framework(settings.assessments_dir)
        folder = scaffold_course(
            settings.courses_dir,
            settings.assessments_dir,
            framework,
            course,
            judul,
            modul,
            _parse_competencies(kompetensi),
        )
        console.print(
            f"Kursus [bold]{course}[/] dibuat di {folder} dengan {modul} modul; rubrik di "
            f"assessments/rubrics/{course}/."
        )
        console.print(
            f"Ganti setiap \\[GANTI: ...], lalu jalankan: [bold]merit course validate {course}[/]. "
            "Panduan: docs/authoring.md"
        )


@course_app.command("build")
def course_build(course: str = typer.Argument(..., help="Kode kursus, nama foldernya di courses/.")) -> None:
    """Bangun direktori kursus nbgrader dan jalankan generate_assignment."""
    from merit.catalog import load_course, load_framework
    from merit.grading.coursedir import build_course
    from merit.settings import Settings

    with user_errors():
        settings = Settings()
        loaded = load_course(_course_folder(settings, course), load_framework(settings.assessments_dir))
        built = build_course(
            loaded, settings.workspace_dir, on_module=lambda m: console.print(f"  generate_assignment {m}")
        )
        console.print(
            f"Kursus [bold]{loaded.id}[/] dibangun: {len(loaded.cells)} sel dinilai; rilis di {built.root / 'release'}"
        )


def render_report(report: CourseReport) -> None:
    table = Table(title=f"Pemeriksaan kursus {report.course}")
    table.add_column("Pemeriksaan")
    table.add_column("Hasil")
    for check in report.checks:
        result = (
            "[dim]dilewati[/]"
            if check.skipped
            else (f"[red]{len(check.problems)} masalah[/]" if check.problems else "[green]lulus[/]")
        )
        table.add_row(check.name, result)
    console.print(table)
    if report.loaded is not None:
        cells = report.loaded.cells
        console.print(
            f"{len(report.loaded.spec.modules)} modul, {sum(not c.manual for c in cells)} butir dinilai "
            f"otomatis, {sum(c.manual for c in cells)} dinilai pelatih, {report.loaded.spec.jp} JP; "
            f"diperiksa dalam {report.seconds:.0f} s."
        )
    for problem in report.problems:
        errors.print(f"  - {problem}", markup=False, highlight=False)


@course_app.command("validate")
def course_validate(
    courses: list[str] = typer.Argument(None, help="Kode kursus; kosongkan bersama --semua untuk semua kursus."),
    semua: bool = typer.Option(False, "--semua", help="Periksa semua kursus di courses/."),
    cepat: bool = typer.Option(False, "--cepat", help="Tanpa menjalankan kode: tanpa autograde dan nbval."),
    tanpa_sandbox: bool = typer.Option(False, "--tanpa-sandbox", help="Jalankan solusi tanpa bubblewrap."),
) -> None:
    """Periksa kursus: skema, metadata nbgrader, kompetensi, rubrik, solusi vs rilis, nbval."""
    from merit.authoring.validate import validate_course
    from merit.catalog import load_framework
    from merit.catalog.quality import load_quality_rules
    from merit.grading.sandbox import Sandbox
    from merit.settings import Settings

    with user_errors():
        settings = Settings()
        if semua:
            courses = sorted(p.parent.name for p in settings.courses_dir.glob("*/course.yml"))
        if not courses:
            raise MeritError("Sebutkan kode kursus, atau pakai --semua.")
        framework = load_framework(settings.assessments_dir)
        rules = load_quality_rules(settings.assessments_dir)
        sandbox = None if cepat else Sandbox.detect(allow_unsandboxed=tanpa_sandbox)
        failed = []
        for course in courses:
            folder = _course_folder(settings, course)
            with console.status(f"Memeriksa {course}") as status:
                report = validate_course(
                    folder,
                    framework,
                    rules,
                    settings.assessments_dir,
                    settings.data_dir / "validasi",
                    sandbox,
                    on_check=_progress(status, course),
                )
            render_report(report)
            if not report.ok:
                failed.append(course)
        if failed:
            errors.print(f"Kursus bermasalah: {', '.join(failed)}", markup=False)
            raise typer.Exit(code=1)
        console.print(f"Semua pemeriksaan lulus untuk {len(courses)} kursus.")


def _abbreviations(course_ids: list[str]) -> dict[str, str]:
    """Short, unique column labels per course (etika-integritas -> EI) so the matrix fits a terminal."""
    labels: dict[str, str] = {}
    for course in course_ids:
        base = "".join(part[0] for part in course.split("-") if part).upper()
        label, n = base, 2
        while label in labels.values():
            label, n = f"{base}{n}", n + 1
        labels[course] = label
    return labels


def render_coverage(matrix: CoverageMatrix, titles: dict[str, str]) -> None:
    labels = _abbreviations(list(dict.fromkeys(course for course, _ in matrix.modules)))
    table = Table(
        title="Cakupan kompetensi: jumlah butir per modul", box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 0, 0, 1)
    )
    table.add_column("Kompetensi", overflow="ellipsis", no_wrap=True, max_width=22)
    numbers: dict[tuple[str, str], int] = {}
    for course, module in matrix.modules:
        numbers[(course, module)] = sum(1 for c, _ in numbers if c == course) + 1
        label = f"{labels[course]}{numbers[(course, module)]}"
        table.add_column(label, justify="right", no_wrap=True, width=len(label))
    for heading in ("Butir", "Modul", "OK"):
        table.add_column(heading, justify="right", no_wrap=True, width=len(heading))
    for row in matrix.rows:
        status = ("[green]✓[/]" if matrix.ok(row) else "[red]✗[/]") if row.required else "[dim]–[/]"
        table.add_row(row.code, *[str(n) if n else "·" for n in row.counts], str(row.items), str(row.modules), status)
    # Below its natural width rich would crop the module labels to "E…"; a wider line wraps
    # in a narrow terminal but stays readable, and is whole when saved to a file.
    needed = 24 + 5 * len(matrix.modules) + 20
    wide = console if console.width >= needed else Console(width=needed, force_terminal=console.is_terminal)
    wide.print(table)
    for course, label in labels.items():
        modules = ", ".join(f"{numbers[(c, m)]} = {m}" for c, m in matrix.modules if c == course)
        console.print(f"[bold]{label}[/] {course} ({titles[course]}): {modules}", highlight=False)
    console.print(
        f"Aturan: setiap kompetensi {', '.join(matrix.rules.groups)} diukur paling sedikit "
        f"{matrix.rules.min_items} butir di paling sedikit {matrix.rules.min_modules} modul "
        "(– : kompetensi di luar aturan, mis. teknis)."
    )


@course_app.command("coverage")
def course_coverage() -> None:
    """Cetak matriks kompetensi × modul × jumlah butir; gagal bila aturan cakupan dilanggar."""
    from merit.authoring.coverage import coverage_matrix
    from merit.catalog import load_courses, load_framework
    from merit.catalog.quality import load_quality_rules
    from merit.settings import Settings

    with user_errors():
        settings = Settings()
        framework = load_framework(settings.assessments_dir)
        rules = load_quality_rules(settings.assessments_dir)
        courses = load_courses(settings.courses_dir, framework)
        matrix = coverage_matrix(list(courses.values()), framework, rules.coverage)
        render_coverage(matrix, {c.id: c.spec.title.id for c in courses.values()})
        problems = matrix.problems()
        for problem in problems:
            errors.print(f"  - {problem}", markup=False, highlight=False)
        if problems:
            raise typer.Exit(code=1)


def _progress(status: Status, course: str) -> Callable[[str], None]:
    """Show which check of ``course`` is running in the spinner line."""
    return lambda name: status.update(f"{course}: {name}")
