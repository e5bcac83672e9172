"""``merit level``: recompute, explain, and record or withdraw an assessor's decision."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from merit.cli.common import ACTOR_OPTION, actor_or_default, change_counts, console, registry_session, user_errors
from merit.nip import mask_nip

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from merit.competency.levels import LevelReport
    from merit.content import Content
    from merit.settings import Settings

level_app = typer.Typer(help="Level kompetensi: hitung ulang, jelaskan, keputusan asesor.", no_args_is_help=True)


def _recompute(
    session: Session, settings: Settings, content: Content, employees: set[int] | None, as_of: dt.date
) -> LevelReport:
    """Levels, matches and completions again; a certificate revoked with its completion is published."""
    from merit.certificates.issuing import refresh_status
    from merit.pipeline import after_evidence_change

    report = after_evidence_change(session, content.courses, content.level_rule, as_of, employees)
    refresh_status(session, settings)
    return report


@level_app.command("recompute")
def recompute(
    per_tanggal: dt.datetime | None = typer.Option(
        None,
        "--per-tanggal",
        formats=["%Y-%m-%d"],
        help="Tanggal acuan masa berlaku bukti (YYYY-MM-DD); bawaan hari ini.",
    ),
    oleh: str | None = ACTOR_OPTION,
) -> None:
    """Hitung ulang level semua pegawai (misalnya setelah bukti kedaluwarsa)."""
    from merit.content import load_content, register_content
    from merit.settings import Settings

    with user_errors():
        as_of = per_tanggal.date() if per_tanggal else dt.date.today()
        settings = Settings()
        content = load_content(settings)
        with registry_session(settings, actor_or_default(oleh), f"hitung ulang level per {as_of}") as session:
            register_content(session, content)
            report = _recompute(session, settings, content, None, as_of)
        console.print(
            f"Level dihitung ulang per {as_of}: {change_counts(report.counts, 'berubah')}, {report.removed} dihapus."
        )


@level_app.command("override")
def override(
    nip: str = typer.Argument(..., help="NIP pegawai."),
    kompetensi: str = typer.Argument(..., help="Kode kompetensi, misalnya integritas."),
    level: int = typer.Argument(..., help="Level 1-5 yang diputuskan asesor."),
    alasan: str = typer.Option(..., "--alasan", help="Dasar keputusan (wajib), misalnya hasil asesmen."),
    oleh: str | None = ACTOR_OPTION,
) -> None:
    """Catat keputusan asesor yang menggantikan level hasil hitungan."""
    from merit.competency.overrides import set_override
    from merit.content import load_content
    from merit.settings import Settings

    with user_errors():
        settings = Settings()
        content = load_content(settings)
        with registry_session(settings, actor_or_default(oleh), alasan) as session:
            employee = set_override(session, content.framework, nip, kompetensi, level, alasan, actor_or_default(oleh))
            _recompute(session, settings, content, {employee}, dt.date.today())
        console.print(f"Keputusan asesor dicatat: {mask_nip(nip)} {kompetensi} level {level}.")


@level_app.command("hapus-override")
def withdraw(
    nip: str = typer.Argument(...),
    kompetensi: str = typer.Argument(...),
    alasan: str = typer.Option(..., "--alasan", help="Mengapa keputusan asesor dicabut (wajib)."),
    oleh: str | None = ACTOR_OPTION,
) -> None:
    """Cabut keputusan asesor; level kembali dihitung dari bukti."""
    from merit.competency.overrides import remove_override
    from merit.content import load_content
    from merit.settings import Settings

    with user_errors():
        settings = Settings()
        with registry_session(settings, actor_or_default(oleh), alasan) as session:
            employee = remove_override(session, nip, kompetensi)
            _recompute(session, settings, load_content(settings), {employee}, dt.date.today())
        console.print(f"Keputusan asesor untuk {mask_nip(nip)} {kompetensi} dicabut.")


@level_app.command("jelaskan")
def explain(nip: str = typer.Argument(...), kompetensi: str = typer.Argument(...)) -> None:
    """Tampilkan asal sebuah level: aturan dan setiap bukti yang menghasilkannya."""
    from merit.competency.levels import load_level_rule
    from merit.competency.overrides import explain_level
    from merit.competency.reliability import stored_precisions
    from merit.settings import Settings

    with user_errors():
        settings = Settings()
        with registry_session(settings) as session:
            result = explain_level(session, nip, kompetensi)
            course_id = result.level.course_id if result.level is not None else None
            precision = stored_precisions(session).get((course_id, kompetensi)) if course_id else None
        if result.level is None:
            console.print(f"{mask_nip(nip)} belum memiliki level {kompetensi}.")
            return
        lv = result.level
        console.print(f"{mask_nip(nip)} — {kompetensi}: level {lv.level} ({lv.source}); aturan: {lv.rule}")
        if lv.source == "evidence" and lv.course_id:
            threshold = load_level_rule(settings.assessments_dir).min_reliability
            shown = precision.text(threshold) if precision else "reliabilitas bukti belum dihitung: sementara"
            console.print(f"Ketepatan bukti {lv.course_id}: {shown}", highlight=False)
        table = Table(title="Bukti")
        for column in ("Kursus", "Modul", "Notebook", "Sel", "Skor", "Maks", "Dikumpulkan", "Grade nbgrader"):
            table.add_column(column)
        for ev in result.evidence:
            table.add_row(
                ev.course_id,
                ev.assignment,
                ev.notebook,
                ev.cell,
                f"{ev.score:g}",
                f"{ev.max_score:g}",
                f"{ev.submitted_at:%Y-%m-%d %H:%M}" if ev.submitted_at else "-",
                ev.nbgrader_grade_id,
            )
        console.print(table)
