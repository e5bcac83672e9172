"""``merit keberatan``: file, list, read and answer objections to levels and rankings.

The CLI is run by staff with access to the registry (like ``merit level override``): it
acts as an admin named by ``--oleh``. Learners file from the portal, where the server
checks that they object for themselves only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.table import Table

from merit.cli.common import ACTOR_OPTION, actor_or_default, console, registry_session, user_errors

if TYPE_CHECKING:
    from merit.access import Viewer

keberatan_app = typer.Typer(
    help="Keberatan atas level kompetensi atau peringkat jabatan: ajukan, daftar, lihat, jawab.",
    no_args_is_help=True,
)


def _operator(actor: str) -> Viewer:
    """The person at the terminal, as an admin viewer named for the audit trail."""
    from merit.access import ADMIN, Role, Viewer

    return Viewer(actor, actor, frozenset({Role(ADMIN)}))


@keberatan_app.command("ajukan")
def file_command(
    nip: str = typer.Argument(..., help="NIP pegawai yang mengajukan keberatan."),
    kompetensi: str | None = typer.Option(None, "--kompetensi", help="Kode kompetensi: keberatan atas level."),
    jabatan: str | None = typer.Option(None, "--jabatan", help="Kode jabatan: keberatan atas peringkat."),
    alasan: str = typer.Option(..., "--alasan", help="Alasan keberatan (wajib, minimal 10 karakter)."),
    oleh: str | None = ACTOR_OPTION,
) -> None:
    """Catat keberatan seorang ASN atas levelnya (--kompetensi) atau peringkatnya (--jabatan)."""
    from merit.nip import mask_nip
    from merit.objections.filing import file_objection
    from merit.objections.rules import load_objection_rule
    from merit.settings import Settings

    with user_errors():
        settings = Settings()
        rule = load_objection_rule(settings.assessments_dir)
        actor = actor_or_default(oleh)
        with registry_session(settings, actor, f"keberatan diajukan: {alasan.strip()}") as session:
            row = file_objection(
                session, _operator(actor), rule, nip.replace(" ", ""), alasan, competency=kompetensi, position=jabatan
            )
        console.print(
            f"Keberatan nomor {row.id} dicatat untuk {mask_nip(nip.replace(' ', ''))}; "
            f"batas jawab {row.due_at:%d-%m-%Y} ({rule.batas_hari} hari).",
            highlight=False,
        )


@keberatan_app.command("daftar")
def list_command(
    semua: bool = typer.Option(False, "--semua", help="Tampilkan juga keberatan yang sudah dijawab."),
    tampilkan_nip: bool = typer.Option(
        False, "--tampilkan-nip", help="Tampilkan NIP lengkap (hanya untuk petugas kepegawaian)."
    ),
    oleh: str | None = ACTOR_OPTION,
) -> None:
    """Daftar keberatan terbuka (atau --semua) dengan batas jawabnya; yang lewat batas ditandai."""
    from merit.nip import format_nip, mask_nip
    from merit.objections import OPEN
    from merit.objections.filing import list_objections
    from merit.registry.models import utcnow
    from merit.settings import Settings

    with user_errors():
        with registry_session(Settings()) as session:
            lines = list_objections(session, _operator(actor_or_default(oleh)), open_only=not semua, page="cli")
    now = utcnow()
    late = sum(line.overdue(now) for line in lines)
    title = f"Keberatan {'semua' if semua else 'terbuka'}: {len(lines)}" + (f", {late} lewat batas" if late else "")
    table = Table(title=title)
    for column in ("No", "NIP" if tampilkan_nip else "NIP (disamarkan)", "Nama", "Atas", "Batas jawab"):
        table.add_column(column, no_wrap=column in ("No", "Batas jawab"))
    table.add_column("Status")
    for line in lines:
        if line.overdue(now):
            status = "[bold red]lewat batas[/]"
        else:
            status = line.outcome() if line.status != OPEN else OPEN
        table.add_row(
            str(line.id),
            format_nip(line.nip) if tampilkan_nip else mask_nip(line.nip),
            line.name,
            line.subject,
            f"{line.due_at:%d-%m-%Y}",
            status,
        )
    console.print(table)
    console.print("Rincian dan alasan: `merit keberatan lihat NOMOR`; jawab: `merit keberatan jawab NOMOR`.")


@keberatan_app.command("lihat")
def show_command(
    nomor: int = typer.Argument(..., help="Nomor keberatan."),
    oleh: str | None = ACTOR_OPTION,
) -> None:
    """Rincian satu keberatan: siapa, atas apa, alasannya, batas jawab, dan jawabannya."""
    from merit.errors import MeritError
    from merit.nip import mask_nip
    from merit.objections.filing import list_objections
    from merit.registry.models import utcnow
    from merit.settings import Settings

    with user_errors():
        with registry_session(Settings()) as session:
            found = list_objections(session, _operator(actor_or_default(oleh)), number=nomor, page="cli")
        if not found:
            raise MeritError(f"Keberatan nomor {nomor} tidak ada. Lihat `merit keberatan daftar --semua`.")
    line = found[0]
    console.print(f"[bold]Keberatan nomor {line.id}[/]: {mask_nip(line.nip)} {line.name}, {line.unit}", highlight=False)
    console.print(f"Atas: {line.subject}", highlight=False)
    console.print(f"Diajukan {line.filed_at:%d-%m-%Y %H:%M} UTC oleh {line.filed_by}", highlight=False)
    console.print(f"Alasan: {line.reason}", highlight=False)
    console.print(f"Status: {line.outcome(utcnow())}", highlight=False)
    if line.answer:
        console.print(f"Jawaban ({line.answered_by}): {line.answer}", highlight=False)


@keberatan_app.command("jawab")
def answer_command(
    nomor: int = typer.Argument(..., help="Nomor keberatan."),
    keputusan: str = typer.Option(..., "--keputusan", help="dikabulkan atau ditolak."),
    alasan: str = typer.Option(..., "--alasan", help="Jawaban dan dasarnya (wajib, minimal 10 karakter)."),
    level: int | None = typer.Option(
        None, "--level", min=1, max=5, help="Level baru (keputusan asesor) bila keberatan atas level dikabulkan."
    ),
    kompetensi: str | None = typer.Option(
        None, "--kompetensi", help="Kompetensi yang levelnya diubah, untuk keberatan atas peringkat."
    ),
    oleh: str | None = ACTOR_OPTION,
) -> None:
    """Jawab keberatan; bila dikabulkan dengan --level, level diganti lewat keputusan asesor (level override)."""
    from merit.content import load_content
    from merit.objections.filing import answer_objection
    from merit.settings import Settings

    with user_errors():
        settings = Settings()
        content = load_content(settings)
        actor = actor_or_default(oleh)
        with registry_session(settings, actor, alasan.strip() or "-") as session:
            row = answer_objection(
                session, _operator(actor), content, nomor, keputusan, alasan, level=level, competency=kompetensi
            )
        changed = f"; level {row.competency_code} {row.level_before} → {row.level_after}" if row.level_after else ""
        console.print(f"Keberatan nomor {nomor} {row.status}{changed}.", highlight=False)
