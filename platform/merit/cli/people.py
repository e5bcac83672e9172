"""``merit roster``, ``merit skp`` and ``merit jp``: HR data in, JP shortfalls out."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer
from rich.table import Table

from merit.cli.common import ACTOR_OPTION, actor_or_default, change_counts, console, registry_session, user_errors
from merit.nip import format_nip, mask_nip
from merit.people import MINIMUM_JP

roster_app = typer.Typer(help="Roster ASN: impor dari CSV/XLSX.", no_args_is_help=True)
skp_app = typer.Typer(help="Predikat kinerja SKP: impor per tahun.", no_args_is_help=True)


@roster_app.command("import")
def roster_import(
    file: Path = typer.Argument(..., help="Berkas .csv atau .xlsx: nip, nama, unit_kerja, jabatan, golongan, email."),
    oleh: str | None = ACTOR_OPTION,
    alasan: str | None = typer.Option(None, "--alasan", help="Alasan perubahan untuk jejak audit."),
) -> None:
    """Impor roster; satu baris salah menolak seluruh berkas."""
    from merit.content import load_content, register_content
    from merit.people.roster import import_roster
    from merit.settings import Settings

    with user_errors():
        settings = Settings()
        content = load_content(settings)
        with registry_session(settings, actor_or_default(oleh), alasan or f"impor roster {file.name}") as session:
            register_content(session, content)
            report = import_roster(session, file, content.units, content.positions.values())
        console.print(f"Roster {file.name} diimpor: {change_counts(report.counts)}.")
        print_conversions(report.notes)
        if report.not_in_file:
            console.print(
                f"{report.not_in_file} pegawai di registri tidak ada di berkas ini; data mereka tetap disimpan."
            )


@skp_app.command("import")
def skp_import(
    file: Path = typer.Argument(..., help="Berkas .csv atau .xlsx: nip, tahun, predikat."),
    oleh: str | None = ACTOR_OPTION,
    alasan: str | None = typer.Option(None, "--alasan", help="Alasan perubahan untuk jejak audit."),
) -> None:
    """Impor predikat kinerja SKP; satu baris salah menolak seluruh berkas."""
    from merit.people.skp import import_skp
    from merit.settings import Settings

    with user_errors():
        with registry_session(Settings(), actor_or_default(oleh), alasan or f"impor SKP {file.name}") as session:
            report = import_skp(session, file)
        console.print(f"SKP {file.name} diimpor: {change_counts(report.counts)}.")
        print_conversions(report.notes)


def print_conversions(notes: list[str]) -> None:
    """Say what was converted while reading the file, so nothing changes silently."""
    for note in notes:
        console.print(f"Dikonversi: {note}.", highlight=False)


def jp_command(
    year: int | None = typer.Option(None, "--tahun", help="Tahun kalender; bawaan tahun ini."),
    below: int | None = typer.Option(
        None, "--kurang-dari", help=f"Tampilkan yang JP-nya di bawah angka ini; bawaan {MINIMUM_JP}."
    ),
    show_nip: bool = typer.Option(
        False, "--tampilkan-nip", help="Tampilkan NIP lengkap (hanya untuk petugas kepegawaian)."
    ),
    # Earlier spellings, still accepted but not shown in --help (docs/contributing.md, "Names").
    year_old: int | None = typer.Option(None, "--year", hidden=True),
    below_old: int | None = typer.Option(None, "--below", hidden=True),
) -> None:
    """Daftar ASN yang JP pengembangan kompetensinya kurang, per unit kerja."""
    from merit.people.jp import shortfalls
    from merit.settings import Settings

    year = year or year_old or dt.date.today().year
    below = below if below is not None else below_old if below_old is not None else MINIMUM_JP
    with user_errors():
        settings = Settings()
        with registry_session(settings) as session:
            rows = shortfalls(session, year, below)
        table = Table(title=f"ASN dengan JP < {below} pada tahun {year} (1 JP = 45 menit)")
        for column in ("Unit kerja", "NIP", "Nama", "JP", "Kurang"):
            table.add_column(column, justify="right" if column in ("JP", "Kurang") else "left")
        for row in rows:
            table.add_row(
                row.unit,
                format_nip(row.nip) if show_nip else mask_nip(row.nip),
                row.name,
                str(row.jp),
                str(below - row.jp),
            )
        console.print(table)
        units = len({r.unit for r in rows})
        console.print(
            f"{len(rows)} ASN di {units} unit kerja belum mencapai {below} JP. "
            "JP dihitung dari kursus yang lulus pada tahun itu."
        )
