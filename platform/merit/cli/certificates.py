"""``merit sertifikat``: issue, verify and revoke certificates, and manage the signing keys."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from merit.cli.common import ACTOR_OPTION, actor_or_default, console, errors, registry_session, user_errors

if TYPE_CHECKING:
    from merit.certificates.issuer import Issuer
    from merit.certificates.keys import SigningKey
    from merit.settings import Settings

sertifikat_app = typer.Typer(
    help="Sertifikat kursus: PDF dan kredensial Open Badges 3.0 bertanda tangan Ed25519.", no_args_is_help=True
)
kunci_app = typer.Typer(
    help="Kunci penanda tangan sertifikat (Ed25519): buat, rotasi, daftar, tarik.", no_args_is_help=True
)
sertifikat_app.add_typer(kunci_app, name="kunci")


@sertifikat_app.command("terbitkan")
def issue_command(
    kursus: str = typer.Argument(..., help="Kode kursus."),
    nip: list[str] = typer.Option([], "--nip", help="NIP peserta (boleh berulang); bawaan: semua yang lulus."),
    keluar: Path | None = typer.Option(
        None, "--keluar", help="Folder PDF dan kredensial; bawaan <data>/sertifikat/terbit."
    ),
    oleh: str | None = ACTOR_OPTION,
) -> None:
    """Terbitkan sertifikat (PDF + kredensial .jwt) bagi peserta yang lulus kursus menurut aturan kelulusannya."""
    from sqlalchemy import select

    from merit.certificates import issuing
    from merit.certificates.issuer import certificate_dir, public_dir
    from merit.certificates.pdf import write_certificate
    from merit.competency.overrides import employee_by_nip
    from merit.content import load_content
    from merit.errors import MeritError
    from merit.nip import mask_nip
    from merit.registry import models

    with user_errors():
        settings, issuer, key = _signer()
        courses = load_content(settings).courses
        if kursus not in courses:
            raise MeritError(f"Kursus '{kursus}' tidak ditemukan. Kursus yang ada: {', '.join(sorted(courses))}.")
        course = courses[kursus]
        folder = keluar or certificate_dir(settings) / "terbit"
        folder.mkdir(parents=True, exist_ok=True)
        actor = actor_or_default(oleh)
        with registry_session(settings, actor, f"terbitkan sertifikat {kursus}") as session:
            if nip:
                employees = [employee_by_nip(session, n.replace(" ", "")) for n in nip]
            else:
                done = select(models.CourseCompletion.employee_id).where(models.CourseCompletion.course_id == kursus)
                employees = list(session.scalars(select(models.Employee).where(models.Employee.id.in_(done))))
            written = []
            for employee in sorted(employees, key=lambda e: e.nip):
                row, new = issuing.issue(session, issuer, key, course, employee, actor)
                achievement = issuing.achievement_of(session, course, row)
                write_certificate(issuer, achievement, folder / f"{row.code}.pdf")
                (folder / f"{row.code}.jwt").write_text(row.credential)
                written.append((mask_nip(employee.nip), employee.name, row.code, new))
            issuing.publish_status(session, issuer, key, public_dir(settings))
        for masked, name, code, new in written:
            console.print(f"{'Terbit' if new else 'Sudah ada'}: {masked} {name} -> {code}", highlight=False)
        console.print(f"{len(written)} sertifikat di [bold]{folder}[/] (PDF dan .jwt).")


def _signer() -> tuple[Settings, Issuer, SigningKey]:
    """The settings, issuer and active key: issuing and revoking both sign a new status list."""
    from merit.certificates.issuer import key_dir, load_issuer
    from merit.certificates.keys import active_key
    from merit.settings import Settings

    settings = Settings()
    return settings, load_issuer(settings), active_key(key_dir(settings))


@sertifikat_app.command("verifikasi")
def verify_command(
    berkas: Path = typer.Argument(..., help="Berkas kredensial (.jwt) yang diperiksa."),
    kunci_publik: Path | None = typer.Option(None, "--kunci-publik", help="Kunci publik penerbit (kunci-publik.json)."),
    daftar_status: Path | None = typer.Option(None, "--daftar-status", help="Daftar status penerbit (status.jwt)."),
) -> None:
    """Periksa kredensial tanpa jaringan: tanda tangan, penerbit, dan status pencabutan."""
    from merit.certificates.credential import Status, verify
    from merit.certificates.issuer import load_issuer, public_dir
    from merit.certificates.issuing import STATUS_FILE
    from merit.certificates.keys import PUBLIC_SET, read_public_set
    from merit.errors import MeritError
    from merit.settings import Settings

    with user_errors():
        settings = Settings()
        issuer = load_issuer(settings)
        keys = read_public_set(kunci_publik or public_dir(settings) / PUBLIC_SET)
        status_path = daftar_status or public_dir(settings) / STATUS_FILE
        for path in (berkas, status_path):
            if not path.is_file():
                raise MeritError(f"Berkas {path} tidak ditemukan.")
        result = verify(berkas.read_text(errors="replace"), keys, status_path.read_text(), issuer.id)
    if result.status is Status.VALID:
        console.print(f"[bold green]SAH[/]: {result.name}, {result.course} (kode {result.code}).", highlight=False)
        return
    label = "DICABUT" if result.status is Status.REVOKED else "TIDAK SAH"
    shown = f" {result.name}, {result.course} (kode {result.code})." if result.name else ""
    errors.print(f"[bold red]{label}[/]: {result.reason}.{shown}", highlight=False)
    raise typer.Exit(code=1)


@sertifikat_app.command("cabut")
def revoke_command(
    kode: str = typer.Argument(..., help="Kode verifikasi sertifikat."),
    alasan: str = typer.Option(..., "--alasan", help="Alasan pencabutan (wajib, dicatat di jejak audit)."),
    oleh: str | None = ACTOR_OPTION,
) -> None:
    """Cabut sertifikat: bitnya di daftar status diset dan daftar status diterbitkan ulang."""
    from merit.certificates import issuing
    from merit.certificates.issuer import public_dir

    with user_errors():
        settings, issuer, key = _signer()
        with registry_session(settings, actor_or_default(oleh), f"cabut sertifikat {kode}: {alasan}") as session:
            row = issuing.revoke(session, kode, alasan)
            issuing.publish_status(session, issuer, key, public_dir(settings))
        console.print(f"Sertifikat {row.code} dicabut; daftar status diterbitkan ulang.")


@kunci_app.command("buat")
def key_create() -> None:
    """Buat kunci pertama; gagal bila sudah ada kunci (gunakan rotasi)."""
    from merit.certificates.issuer import key_dir, public_dir
    from merit.certificates.keys import create_key, list_keys
    from merit.errors import MeritError
    from merit.settings import Settings

    with user_errors():
        settings = Settings()
        folder = key_dir(settings)
        if list_keys(folder):
            raise MeritError(f"Sudah ada kunci di {folder}; untuk kunci baru gunakan `merit sertifikat kunci rotasi`.")
        key = create_key(folder, public_dir(settings))
        console.print(f"Kunci {key.kid} dibuat di {folder} dan aktif; kunci publik di {public_dir(settings)}.")


@kunci_app.command("rotasi")
def key_rotate() -> None:
    """Buat kunci baru dan jadikan aktif; kunci lama tetap di daftar kunci publik untuk sertifikat lama."""
    from merit.certificates.issuer import key_dir, public_dir
    from merit.certificates.keys import active_key, create_key
    from merit.settings import Settings

    with user_errors():
        settings = Settings()
        old = active_key(key_dir(settings))
        key = create_key(key_dir(settings), public_dir(settings))
        console.print(f"Kunci {key.kid} aktif; kunci {old.kid} pensiun (tetap dipublikasikan untuk verifikasi).")


@kunci_app.command("daftar")
def key_list() -> None:
    """Daftar kunci: pengenal, tanggal dibuat, aktif atau tidak."""
    from merit.certificates.issuer import key_dir
    from merit.certificates.keys import ACTIVE, list_keys
    from merit.settings import Settings

    with user_errors():
        folder = key_dir(Settings())
        marker = folder / ACTIVE
        active = marker.read_text().strip() if marker.is_file() else ""
        for key in list_keys(folder):
            console.print(f"{key.kid}  dibuat {key.created}  {'AKTIF' if key.kid == active else 'pensiun'}")


@kunci_app.command("tarik")
def key_withdraw(kid: str = typer.Argument(..., help="Pengenal kunci yang bocor.")) -> None:
    """Tarik kunci yang bocor dari daftar kunci publik: sertifikat yang ditandatanganinya tidak lagi sah."""
    from merit.certificates.issuer import key_dir, public_dir
    from merit.certificates.keys import withdraw
    from merit.settings import Settings

    with user_errors():
        settings = Settings()
        withdraw(key_dir(settings), public_dir(settings), kid)
        console.print(
            f"Kunci {kid} ditarik dari {public_dir(settings)}; terbitkan ulang sertifikat yang ditandatanganinya."
        )
