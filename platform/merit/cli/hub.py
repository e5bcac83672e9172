"""``merit hub`` and ``merit kelas``: JupyterHub in front of Merit, and who is in which course."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from merit.cli.common import ACTOR_OPTION, actor_or_default, change_counts, console, registry_session, user_errors

if TYPE_CHECKING:
    from merit.hub.options import HubOptions
    from merit.settings import Settings

hub_app = typer.Typer(help="JupyterHub untuk banyak peserta: mulai dan sinkronkan.", no_args_is_help=True)
kelas_app = typer.Typer(help="Peserta dan pengajar tiap kursus: impor dari CSV/XLSX.", no_args_is_help=True)


@hub_app.command("mulai")
def hub_start(
    demo: bool = typer.Option(
        False,
        "--demo",
        help="Coba di satu komputer setelah `make demo`: kelas contoh, satu kata sandi demo, semua server "
        "sebagai pengguna ini. Bukan untuk situs nyata.",
    ),
) -> None:
    """Jalankan JupyterHub (proxy, layanan pertukaran tugas, formgrader per kursus, halaman Merit) di localhost.

    Pengaturan lewat variabel lingkungan MERIT_HUB_* (lihat docs/deploy.md).
    """
    import os
    import sys

    from merit.hub.accounts import check_interpreter_shared
    from merit.hub.options import HubOptions
    from merit.settings import Settings

    with user_errors():
        if demo:
            from merit.hub.demo import ENVIRONMENT

            os.environ.update(ENVIRONMENT)  # read by HubOptions here and in the hub's own configuration
        settings, options = Settings(), HubOptions()
        if demo:
            _prepare_demo(settings, options)
        if options.unix_users:
            check_interpreter_shared(options.server_python)
        folder = options.folder(settings)
        folder.mkdir(parents=True, exist_ok=True)
        config = Path(__file__).resolve().parents[1] / "hub" / "jupyterhub_config.py"
        console.print(f"JupyterHub di [bold]http://{options.ip}:{options.port}[/], data di {folder}")
        hub = str(Path(sys.executable).parent / "jupyterhub")
        os.chdir(folder)
        os.execv(hub, [hub, "-f", str(config)])


def _prepare_demo(settings: Settings, options: HubOptions) -> None:
    from rich.table import Table

    from merit.demo.accounts import DEMO_PASSWORD
    from merit.hub.demo import prepare_demo
    from merit.hub.sync import synchronise

    prepared = prepare_demo(settings)
    synchronise(settings, options)  # nbgrader's student table of the course
    table = Table(title=f"Masuk di http://{options.ip}:{options.port} dengan kata sandi {DEMO_PASSWORD}")
    for column in ("Nama pengguna", "Yang dibuka"):
        table.add_column(column)
    for nip in prepared.learners[:2]:
        table.add_row(nip, f"JupyterLab peserta {prepared.course} (tab Assignments)")
    for nip in prepared.trainers:
        table.add_row(nip, f"JupyterLab pengajar; formgrader di /services/{prepared.course}/formgrader/")
    for account in prepared.accounts:
        table.add_row(account.username, f"halaman Merit: {account.what}")
    console.print(table)


@kelas_app.command("import")
def kelas_import(
    file: Path = typer.Argument(..., help="Berkas .csv atau .xlsx: nip, kursus, peran (peserta/pengajar)."),
    oleh: str | None = ACTOR_OPTION,
    alasan: str | None = typer.Option(None, "--alasan", help="Alasan perubahan untuk jejak audit."),
) -> None:
    """Impor kelas: tiap kursus dalam berkas berisi tepat orang-orang di berkas itu."""
    from merit.content import load_content, register_content
    from merit.people.enrolment import import_enrolment
    from merit.settings import Settings

    with user_errors():
        settings = Settings()
        with registry_session(settings, actor_or_default(oleh), alasan or f"impor kelas {file.name}") as session:
            register_content(session, load_content(settings))
            report = import_enrolment(session, file)
        console.print(f"Kelas {file.name} diimpor: {change_counts(report.counts)}, {report.removed} dikeluarkan.")


@hub_app.command("sinkron")
def hub_sync() -> None:
    """Samakan akun Unix, tabel peserta nbgrader dan grup hub dengan kelas di registri."""
    from merit.hub.options import HubOptions
    from merit.hub.sync import synchronise
    from merit.settings import Settings

    with user_errors():
        report = synchronise(Settings(), HubOptions())
    console.print(
        f"Akun Unix baru: {len(report.accounts_created)}; peserta terdaftar di nbgrader: {report.students_registered}."
    )
    if not report.hub_running:
        console.print("Hub tidak berjalan: grup dimuat saat `merit hub mulai`.")
        return
    console.print(f"Grup hub: {report.members_added} anggota ditambahkan, {report.members_removed} dikeluarkan.")
    if report.courses_needing_restart:
        names = ", ".join(report.courses_needing_restart)
        console.print(f"Kursus baru tanpa formgrader ({names}): mulai ulang hub agar layanannya dibuat.")
