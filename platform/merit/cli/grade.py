"""``merit grade``: grade a cohort's submissions and bring the scores into the registry."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

from merit.cli.common import ACTOR_OPTION, actor_or_default, change_counts, console, user_errors
from merit.errors import MeritError
from merit.grading.sandbox import Limits, Sandbox, SandboxError  # light: no nbgrader, no Jupyter
from merit.grading.slots import close_slots, default_workers, prestart_slots, submitted_count
from merit.nip import mask_nip

if TYPE_CHECKING:
    from merit.grading.engine import GradingRun
    from merit.settings import Settings


def render_grading(console: Console, run: GradingRun, show_all: bool = False) -> None:
    """The summary: failures always, every learner on request, then totals and limits."""
    table = Table(title=f"Penilaian {run.course} / {run.assignment}")
    table.add_column("Peserta (NIP disamarkan)", no_wrap=True)
    table.add_column("Hasil")
    table.add_column("Nilai otomatis", justify="right")
    table.add_column("Catatan / alasan")
    table.add_column("Waktu (s)", justify="right")
    shown = (
        run.results
        if show_all
        else [r for r in run.results if not r.ok or r.notes or any(nb.changes for nb in r.notebooks)]
    )
    for result in sorted(shown, key=lambda r: (r.ok, r.student)):
        scores = [s for nb in result.notebooks for s in nb.scores.values() if s is not None]
        notes = [*result.notes, *(c for nb in result.notebooks for c in nb.changes)]
        table.add_row(
            mask_nip(result.student),  # learner ids are NIPs: never print one whole
            ("[red]ditolak[/]" if result.rejected and not result.notebooks else "dinilai")
            if result.ok
            else "[red]gagal[/]",
            f"{sum(scores):g}" if result.ok else "-",
            result.error or "; ".join(notes),
            f"{result.seconds:.2f}",
        )
    if shown:
        console.print(table)
    rate = len(run.results) / run.seconds if run.seconds else 0.0
    console.print(
        f"[bold]Dinilai:[/] {len(run.graded)}   [bold]Gagal:[/] {len(run.failed)}   "
        f"[bold]Dilewati[/] (sudah dinilai, tidak berubah): {len(run.skipped)}   "
        f"[bold]Dikumpulkan dari exchange:[/] {run.collected}   "
        f"[bold]Waktu:[/] {run.seconds:.1f} s ({rate:.1f} kiriman/s, {run.workers} pekerja)"
    )
    enforced = ", ".join(f"{'✓' if on else '✗'} {what}" for what, on in run.sandbox.enforced())
    console.print(f"[bold]Sandbox ({run.sandbox.mode}):[/] {enforced}")
    console.print(f"[bold]Batas sumber daya:[/] {run.sandbox.limit_mechanism()}")


def _start_zygotes(settings: Settings, course: str, assignment: str, sandbox: Sandbox, workers: int) -> None:
    """Start the grading slots' zygotes now, before the command imports nbgrader, nbconvert,
    SQLAlchemy and the executor, not after: each zygote's import of ipykernel then runs on
    a core those imports leave idle.

    Only cheap checks come first (the course's folder, its built gradebook); the real ones
    follow the imports, and zygotes of a run they stop are closed unused.
    """
    built = settings.workspace_dir / course
    if not (settings.courses_dir / course / "course.yml").is_file() or not (built / "gradebook.db").is_file():
        return
    prestart_slots(sandbox, min(workers or default_workers(), submitted_count(built, assignment)))


def grade_command(
    course: str = typer.Argument(..., help="Kode kursus (folder di courses/)."),
    assignment: str = typer.Argument(..., help="Kode modul/tugas nbgrader, mis. m01-prinsip."),
    workers: int = typer.Option(0, "--pekerja", min=0, help="Jumlah penilai paralel (0: dua per inti CPU)."),
    scheduler: str = typer.Option(
        None, "--scheduler", help="Alamat penjadwal Dask, mis. tcp://host:8786 (bawaan: klaster lokal)."
    ),
    force: bool = typer.Option(False, "--ulang", help="Nilai ulang juga kiriman yang sudah dinilai dan tidak berubah."),
    unsandboxed: bool = typer.Option(False, "--tanpa-sandbox", help="Izinkan penilaian tanpa bubblewrap (TIDAK aman)."),
    cell_timeout: int = typer.Option(Limits.cell_timeout, "--batas-sel", min=1, help="Batas waktu satu sel (detik)."),
    wall: int = typer.Option(
        Limits.wall_seconds, "--batas-notebook", min=1, help="Batas waktu nyata satu notebook (detik)."
    ),
    through_exchange: bool = typer.Option(
        False,
        "--kumpulkan",
        "--collect",
        help="Kumpulkan dulu dari layanan pertukaran tugas hub (token pengajar: JUPYTERHUB_API_TOKEN, "
        "alamat: MERIT_EXCHANGE_URL; keduanya ada di server pengajar di hub).",
    ),
    show_all: bool = typer.Option(False, "--semua", help="Tampilkan setiap peserta, bukan hanya yang bermasalah."),
    no_sync: bool = typer.Option(False, "--tanpa-registri", help="Jangan sinkronkan nilai ke registri kompetensi."),
    actor: str = ACTOR_OPTION,
) -> None:
    """Kumpulkan, nilai otomatis secara paralel dalam sandbox, catat di gradebook dan registri."""
    from merit.settings import Settings

    with user_errors():
        settings = Settings()
        refusal: SandboxError | None = None  # reported after the course checks below, as before
        try:
            sandbox: Sandbox | None = Sandbox.detect(
                Limits(cell_timeout=cell_timeout, wall_seconds=wall), allow_unsandboxed=unsandboxed
            )
        except SandboxError as error:
            sandbox, refusal = None, error
        try:
            if sandbox is not None and scheduler is None:  # a scheduler's workers have slots of their own
                _start_zygotes(settings, course, assignment, sandbox, workers)
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            from merit.content import load_content
            from merit.grading.coursedir import BuiltCourse
            from merit.grading.engine import grade_assignment

            content = load_content(settings)
            if course not in content.courses:
                raise MeritError(
                    f"Kursus '{course}' tidak ditemukan. Kursus yang ada: {', '.join(sorted(content.courses))}."
                )
            loaded = content.courses[course]
            if assignment not in {m.id for m in loaded.spec.modules}:
                raise MeritError(
                    f"Modul '{assignment}' tidak ada di kursus {course}: "
                    f"{', '.join(m.id for m in loaded.spec.modules)}."
                )
            built = BuiltCourse(loaded, settings.workspace_dir / course)
            if not (built.root / "gradebook.db").is_file():
                raise MeritError(f"Kursus {course} belum dibangun: jalankan dulu `merit course build {course}`.")
            if sandbox is None:
                raise MeritError(str(refusal)) from refusal
            progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
            )
            with progress:
                task = progress.add_task(f"Menilai {assignment}", total=None)
                run = grade_assignment(
                    built,
                    assignment,
                    sandbox,
                    workers=workers or None,
                    scheduler=scheduler,
                    force=force,
                    through_exchange=through_exchange,
                    on_total=lambda n: progress.update(task, total=n),
                    on_result=lambda _r: progress.advance(task),
                )
        finally:
            close_slots()  # grade_assignment stops them itself; this is for the checks that end the command first
        render_grading(console, run, show_all)
        if no_sync:
            return
        from merit.certificates.issuing import refresh_status
        from merit.pipeline import sync_gradebook
        from merit.registry.database import open_registry

        # Always: a run killed after its gradebook commit but before this sync leaves
        # nothing to grade the next time, and the sync is idempotent.
        registry = open_registry(settings)
        try:
            reason = f"merit grade {course} {assignment}: sinkronisasi nilai nbgrader"
            with registry.session(actor_or_default(actor), reason) as session:
                sync, levels = sync_gradebook(session, content, loaded, built.db_url, [assignment], dt.date.today())
                refresh_status(session, settings)  # a lowered grade may have revoked a certificate
        finally:
            registry.close()
        console.print(
            f"[bold]Registri:[/] bukti {change_counts(sync.counts)}, {sync.pending_manual} menunggu penilaian "
            f"manual; level {change_counts(levels.counts, 'berubah')}"
        )
