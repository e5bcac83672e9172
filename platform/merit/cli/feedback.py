"""``merit umpan-balik``: the standing grading service for instant feedback, its queue and switches."""

from __future__ import annotations

import typer

from merit.cli.common import ACTOR_OPTION, actor_or_default, console, registry_session, user_errors
from merit.grading.sandbox import Limits

umpan_balik_app = typer.Typer(
    help="Umpan balik instan: kiriman dinilai otomatis segera setelah dikirim.", no_args_is_help=True
)


@umpan_balik_app.command("layani")
def serve_command(
    workers: int = typer.Option(0, "--pekerja", min=0, help="Jumlah slot penilai (0: dua per inti CPU)."),
    cell_timeout: int = typer.Option(Limits.cell_timeout, "--batas-sel", min=1, help="Batas waktu satu sel (detik)."),
    wall: int = typer.Option(
        Limits.wall_seconds, "--batas-notebook", min=1, help="Batas waktu nyata satu notebook (detik)."
    ),
    unsandboxed: bool = typer.Option(False, "--tanpa-sandbox", help="Izinkan penilaian tanpa bubblewrap (TIDAK aman)."),
    until_idle: bool = typer.Option(False, "--sampai-kosong", help="Berhenti setelah antrean kosong."),
) -> None:
    """Jalankan layanan penilai: setiap kiriman ke layanan pertukaran tugas dinilai segera, di sandbox.

    Berjalan sampai dihentikan (SIGTERM/SIGINT); kiriman yang sedang dinilai saat layanan mati
    dinilai ulang saat layanan dijalankan lagi.
    """
    import logging

    from merit.feedback.service import serve

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("traitlets").setLevel(logging.ERROR)  # nbgrader's per-cell notes: in the feedback
    with user_errors():
        stats = serve(workers, Limits(cell_timeout=cell_timeout, wall_seconds=wall), unsandboxed, until_idle)
        console.print(
            f"Layanan umpan balik berhenti: {stats.graded} dinilai, {stats.failed} gagal, "
            f"{stats.skipped} dilewati, {stats.recovered} diambil kembali dari layanan sebelumnya."
        )


@umpan_balik_app.command("antrean")
def queue_command(
    course: str = typer.Argument(None, help="Kode kursus (bawaan: semua kursus)."),
    everything: bool = typer.Option(False, "--semua", help="Tampilkan juga yang sudah selesai (terbaru dulu)."),
    limit: int = typer.Option(50, "--jumlah", min=1, help="Jumlah baris paling banyak."),
) -> None:
    """Tampilkan antrean umpan balik instan: kiriman yang menunggu dan yang sedang dinilai."""
    from rich import box
    from rich.table import Table

    from merit.feedback import queue
    from merit.nip import mask_nip
    from merit.settings import Settings

    with user_errors(), registry_session(Settings()) as session:
        rows = queue.queue_rows(session, course, everything, limit)
        counts = queue.counts(session, course)
    for course_id in sorted({row.course_id for row in rows}):
        table = Table(title=f"Antrean umpan balik instan {course_id} (NIP disamarkan)", box=box.SIMPLE_HEAD)
        table.add_column("Tugas", no_wrap=True)
        table.add_column("Peserta", no_wrap=True)
        table.add_column("Status", min_width=7)
        table.add_column("Masuk (UTC)", no_wrap=True)
        table.add_column("Tunggu", justify="right", no_wrap=True)
        for row in (r for r in rows if r.course_id == course_id):
            end = row.finished_at or row.started_at
            table.add_row(
                row.assignment,
                mask_nip(row.nip),
                row.state + (f" ({row.attempts}×)" if row.attempts > 1 else ""),
                f"{row.enqueued_at:%m-%d %H:%M}",
                f"{(end - row.enqueued_at).total_seconds():.1f} s" if end else "-",
            )
        console.print(table)
        for row in (r for r in rows if r.course_id == course_id and r.note):
            console.print(f"  {row.assignment}, {mask_nip(row.nip)}: {row.note}", highlight=False)
    console.print("  ".join(f"[bold]{state}:[/] {n}" for state, n in counts.items()))


def _switch(course: str, module: str | None, on: bool, actor: str | None) -> None:
    from merit.content import load_content
    from merit.errors import MeritError
    from merit.feedback import queue
    from merit.settings import Settings

    with user_errors():
        settings = Settings()
        content = load_content(settings)
        if course not in content.courses:
            known = ", ".join(sorted(content.courses))
            raise MeritError(f"Kursus '{course}' tidak ditemukan. Kursus yang ada: {known}.")
        modules = [m.id for m in content.courses[course].spec.modules]
        if module and module not in modules:
            raise MeritError(f"Modul '{module}' tidak ada di kursus {course}: {', '.join(modules)}.")
        word = "dinyalakan" if on else "dimatikan"
        target = f"{course}/{module}" if module else course
        with registry_session(settings, actor_or_default(actor), f"umpan balik instan {word}: {target}") as session:
            queue.set_enabled(session, course, module or "", on, actor_or_default(actor))
        console.print(f"Umpan balik instan {word} untuk {target}.")


@umpan_balik_app.command("matikan")
def off_command(
    course: str = typer.Argument(..., help="Kode kursus."),
    module: str = typer.Argument(None, help="Kode modul (mis. ujian); bawaan: seluruh kursus."),
    actor: str = ACTOR_OPTION,
) -> None:
    """Matikan umpan balik instan untuk kursus atau satu modul (mis. ujian): kiriman menunggu penilaian pengajar."""
    _switch(course, module, False, actor)


@umpan_balik_app.command("nyalakan")
def on_command(
    course: str = typer.Argument(..., help="Kode kursus."),
    module: str = typer.Argument(None, help="Kode modul; bawaan: seluruh kursus."),
    actor: str = ACTOR_OPTION,
) -> None:
    """Nyalakan umpan balik instan untuk kursus atau satu modul."""
    _switch(course, module, True, actor)
