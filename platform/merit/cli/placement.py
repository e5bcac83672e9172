"""``merit rank``, ``merit talenta``, ``merit rencana``, ``merit tna`` and ``merit laporan seleksi``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from merit.cli.common import ACTOR_OPTION, actor_or_default, console, registry_session, user_errors
from merit.cli.requirements import requirement_options
from merit.errors import MeritError
from merit.reports import FORMATS

if TYPE_CHECKING:
    from merit.catalog.eligibility import EligibilityRule
    from merit.content import Content
    from merit.placement.eligibility import Criteria

laporan_app = typer.Typer(help="Laporan untuk diumumkan.", no_args_is_help=True)

AS_OF = typer.Option(None, "--per-tanggal", formats=["%Y-%m-%d"], help="Tanggal seleksi (YYYY-MM-DD); bawaan hari ini.")
SHOW_NIP = typer.Option(False, "--tampilkan-nip", help="Tampilkan NIP lengkap (hanya untuk petugas kepegawaian).")


def _criteria(content: Content, position: str, as_of: dt.datetime | None, override: EligibilityRule) -> Criteria:
    from merit.placement.eligibility import resolve_criteria

    if position not in content.positions:
        raise MeritError(
            f"Jabatan '{position}' tidak dikenal. Jabatan yang ada: {', '.join(sorted(content.positions))}."
        )
    return resolve_criteria(
        content.placement,
        content.positions[position],
        content.units,
        as_of.date() if as_of else dt.date.today(),
        override,
    )


@requirement_options
def rank_command(
    jabatan: str = typer.Argument(..., help="Kode jabatan, nama berkasnya di assessments/positions/."),
    jumlah: int = typer.Option(10, "--jumlah", min=1, help="Berapa kandidat teratas yang ditampilkan."),
    ringkas: bool = typer.Option(False, "--ringkas", help="Tanpa rincian kompetensi dan bukti per kandidat."),
    per_tanggal: dt.datetime | None = AS_OF,
    *,  # requirements come from the options requirement_options adds
    requirements: EligibilityRule,
    tampilkan_nip: bool = SHOW_NIP,
) -> None:
    """Peringkat kandidat untuk jabatan: syarat, JPM, rumus, dan bukti di balik setiap level."""
    from merit.cli.placement_views import render_ranking
    from merit.content import load_content
    from merit.placement.ranking import rank_position
    from merit.settings import Settings

    with user_errors():
        settings = Settings()
        content = load_content(settings)
        criteria = _criteria(content, jabatan, per_tanggal, requirements)
        with registry_session(settings) as session:
            ranking = rank_position(
                session, jabatan, content.jpm_rule, jumlah, criteria=criteria, level_rule=content.level_rule
            )
        render_ranking(console, ranking, details=not ringkas, show_nip=tampilkan_nip)


@requirement_options
def talent_command(
    jabatan: str | None = typer.Option(None, "--jabatan", help="Peta dan kelompok talenta untuk satu jabatan sasaran."),
    tahun_skp: int | None = typer.Option(None, "--tahun-skp", help="Tahun SKP untuk sumbu kinerja; bawaan tahun lalu."),
    per_tanggal: dt.datetime | None = AS_OF,
    *,  # requirements come from the options requirement_options adds
    requirements: EligibilityRule,
    tampilkan_nip: bool = SHOW_NIP,
) -> None:
    """Kotak talenta (nine-box, PermenPANRB 3/2020) per unit kerja atau per jabatan, dengan kelompok talenta.

    Tanpa --jabatan: peta satu --unit-kerja (potensial terhadap jabatan sekarang).
    Dengan --jabatan: --unit-kerja membatasi kandidat, seperti di `merit rank`.
    """
    from merit.cli.placement_views import render_grid
    from merit.content import load_content
    from merit.placement.talent import grid_for_position, grid_for_unit, load_grid_rule, reference_year
    from merit.settings import Settings

    with user_errors():
        units = requirements.units or []
        if jabatan is None and len(units) != 1:
            raise MeritError("Pilih --jabatan KODE, atau tepat satu --unit-kerja NAMA.")
        settings = Settings()
        content = load_content(settings)
        rule = load_grid_rule(settings.assessments_dir)
        as_of = per_tanggal.date() if per_tanggal else dt.date.today()
        year = tahun_skp or reference_year(as_of)
        with registry_session(settings) as session:
            if jabatan is not None:
                criteria = _criteria(content, jabatan, per_tanggal, requirements)
                grid = grid_for_position(session, jabatan, rule, content.jpm_rule, year, criteria)
                console.print(f"[bold]Syarat administrasi:[/] {criteria.text()}")
            else:
                grid = grid_for_unit(session, units[0], rule, content.jpm_rule, year)
        render_grid(console, grid, show_nip=tampilkan_nip)


def plan_command(
    nip: str = typer.Argument(..., help="NIP pegawai."),
    jabatan: str = typer.Argument(..., help="Kode jabatan sasaran."),
) -> None:
    """Rencana belajar satu ASN menuju jabatan sasaran: kursus yang menutup kesenjangan, berurutan, dengan JP."""
    from merit.cli.placement_views import render_plan
    from merit.content import load_content
    from merit.placement.learning import learning_plan
    from merit.placement.ranking import competency_names
    from merit.settings import Settings

    with user_errors():
        settings = Settings()
        content = load_content(settings)
        with registry_session(settings) as session:
            plan = learning_plan(session, content.courses, nip.replace(" ", ""), jabatan)
            names = competency_names(session)
        render_plan(console, plan, names)


def tna_command(unit: str = typer.Argument(..., help="Nama unit kerja, seperti di assessments/units.yml.")) -> None:
    """Analisis kebutuhan pelatihan unit kerja: kesenjangan paling umum dan kursus untuk berapa orang."""
    from merit.cli.placement_views import render_tna
    from merit.content import load_content
    from merit.placement.learning import training_needs
    from merit.placement.ranking import competency_names
    from merit.settings import Settings

    with user_errors():
        settings = Settings()
        content = load_content(settings)
        with registry_session(settings) as session:
            needs = training_needs(session, content.courses, unit)
            names = competency_names(session)
        render_tna(console, needs, names)


@laporan_app.command("seleksi")
@requirement_options
def selection_command(
    jabatan: str = typer.Argument(..., help="Kode jabatan."),
    alasan: str = typer.Option(..., "--alasan", help="Untuk apa laporan ini (wajib), misalnya seleksi terbuka 2026."),
    keluaran: Path = typer.Option(Path("laporan"), "--keluaran", help="Folder tujuan berkas laporan."),
    format_: list[str] = typer.Option(list(FORMATS), "--format", help="csv, xlsx, pdf (boleh berulang)."),
    per_tanggal: dt.datetime | None = AS_OF,
    *,  # requirements come from the options requirement_options adds
    requirements: EligibilityRule,
    oleh: str | None = ACTOR_OPTION,
) -> None:
    """Laporan hasil seleksi untuk diumumkan (CSV, XLSX, PDF); keputusannya dicatat di jejak audit."""
    from merit.content import load_content
    from merit.registry.database import open_registry
    from merit.reports.selection import publish_to_folder
    from merit.settings import Settings

    with user_errors():
        settings = Settings()
        content = load_content(settings)
        criteria = _criteria(content, jabatan, per_tanggal, requirements)
        registry = open_registry(settings)
        try:
            published, files = publish_to_folder(
                registry, content, jabatan, criteria, keluaran, format_, actor_or_default(oleh), alasan
            )
        finally:
            registry.close()
        report = published.report
        console.print(
            f"Laporan seleksi {report.ranking.position.title_id}: {len(report.ranking.candidates)} kandidat, "
            f"keputusan nomor {report.decision} dicatat di jejak audit."
        )
        console.print(
            f"Status registri yang dipakai: entri audit ke-{report.registry_seq}, hash {report.registry_hash}"
        )
        for extension, path in files.items():
            console.print(f"  {path}  sha256 {published.sha256[extension]}")
