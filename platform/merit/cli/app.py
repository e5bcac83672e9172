"""Commands of the ``merit`` CLI."""

from __future__ import annotations

from pathlib import Path

import typer

from merit.cli.accounts import akun_app
from merit.cli.analysis import analysis_command, similarity_command
from merit.cli.audit import audit_app
from merit.cli.certificates import sertifikat_app
from merit.cli.common import console, user_errors
from merit.cli.course import course_app
from merit.cli.feedback import umpan_balik_app
from merit.cli.grade import grade_command
from merit.cli.hub import hub_app, kelas_app
from merit.cli.levels import level_app
from merit.cli.mydata import data_saya_app
from merit.cli.objections import keberatan_app
from merit.cli.people import jp_command, roster_app, skp_app
from merit.cli.placement import laporan_app, plan_command, rank_command, talent_command, tna_command
from merit.cli.serve import serve_command
from merit.demo import DEMO_POSITION

# The command modules import their domain modules inside each command: see merit/cli/__init__.py.

app = typer.Typer(
    help="Merit: pembelajaran dan asesmen kompetensi ASN untuk sistem merit.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Basis data registri kompetensi.", no_args_is_help=True)
app.add_typer(course_app, name="course")
app.add_typer(db_app, name="db")
app.add_typer(roster_app, name="roster")
app.add_typer(skp_app, name="skp")
app.add_typer(level_app, name="level")
app.add_typer(audit_app, name="audit")
app.add_typer(laporan_app, name="laporan")
app.add_typer(akun_app, name="akun")
app.add_typer(hub_app, name="hub")
app.add_typer(kelas_app, name="kelas")
app.add_typer(sertifikat_app, name="sertifikat")
app.add_typer(data_saya_app, name="data-saya")
app.add_typer(keberatan_app, name="keberatan")
app.add_typer(umpan_balik_app, name="umpan-balik")
app.command("jp")(jp_command)
app.command("grade")(grade_command)
app.command("rank")(rank_command)
app.command("talenta")(talent_command)
app.command("rencana")(plan_command)
app.command("tna")(tna_command)
app.command("analisis")(analysis_command)
app.command("kemiripan")(similarity_command)
app.command("serve")(serve_command)


@app.command()
def demo(
    peserta: int = typer.Option(30, min=4, max=999, help="Jumlah ASN sintetis dalam roster."),
    jabatan: str = typer.Option(DEMO_POSITION, help="Kode jabatan yang diperingkat."),
    seed: int = typer.Option(2017, help="Benih acak: seed yang sama memberi data yang sama."),
) -> None:
    """Jalankan alur lengkap: roster, kursus, penilaian nbgrader, registri, peringkat."""
    from merit.cli.tables import render_demo
    from merit.demo.run import run_demo
    from merit.settings import Settings

    with user_errors():
        settings = Settings()
        console.print(f"Data demo disimpan di [bold]{settings.data_dir}[/]")
        result = run_demo(settings, peserta, jabatan, seed)
        render_demo(console, result, settings)


@app.command("ruang-peserta")
def learner_workspace(
    folder: Path = typer.Argument(..., help="Folder konfigurasi Jupyter untuk server peserta."),
) -> None:
    """Tulis konfigurasi JupyterLab peserta: bahasa Indonesia, tanpa berita, tanpa alat pelatih nbgrader."""
    from merit.learner.workspace import write_learner_config

    with user_errors():
        written = write_learner_config(folder)
        console.print(f"{len(written)} berkas ditulis di [bold]{folder}[/]. Jalankan server peserta dengan:")
        console.print(f"  JUPYTER_CONFIG_DIR={folder}")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Perbarui skema registri ke revisi terbaru (Alembic)."""
    from merit.registry.database import open_registry
    from merit.settings import Settings

    with user_errors():
        open_registry(Settings()).close()
        console.print("Skema registri sudah revisi terbaru.")
