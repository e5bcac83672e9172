"""``merit data-saya``: a person's whole record as one zip (UU 27/2022), from the command line.

The CLI acts on behalf of a Merit account (``--akun``, by default the system user's name):
its roles decide, as on the portal, whose data may be exported.
"""

from __future__ import annotations

import getpass
from pathlib import Path

import typer

from merit.cli.common import console, registry_session, user_errors

data_saya_app = typer.Typer(
    help="Data saya: unduh seluruh data pribadi seorang ASN sebagai satu arsip zip (UU 27/2022).",
    no_args_is_help=True,
)


@data_saya_app.command("ekspor")
def export_command(
    nip: str | None = typer.Option(
        None, "--nip", help="NIP pemilik data; bawaan: pemilik akun. Data ASN lain hanya untuk kepegawaian dan admin."
    ),
    keluar: Path | None = typer.Option(None, "--keluar", help="Berkas zip tujuan; bawaan data-saya-<NIP>.zip."),
    akun: str | None = typer.Option(
        None, "--akun", help="Akun Merit yang meminta (menentukan hak akses); bawaan: nama pengguna sistem."
    ),
    alasan: str | None = typer.Option(None, "--alasan", help="Tujuan ekspor data ASN lain, dicatat di log akses."),
) -> None:
    """Ekspor seluruh data pribadi (profil, nilai per sel, level dan penjelasannya, sertifikat, jejak audit,
    log akses) sebagai satu zip yang dapat dibaca mesin, dengan README.txt."""
    from merit.access.accounts import viewer_by_username
    from merit.certificates.issuer import load_issuer
    from merit.content import load_content
    from merit.errors import MeritError
    from merit.people.mydata.archive import DEFAULT_PURPOSE, export
    from merit.settings import Settings

    with user_errors():
        settings = Settings()
        content = load_content(settings)
        try:
            issuer = load_issuer(settings)
        except MeritError:
            issuer = None  # no sertifikat.yml: certificates are exported without their PDF
        with registry_session(settings) as session:
            viewer = viewer_by_username(session, akun or getpass.getuser())
            archive = export(
                session,
                viewer,
                content,
                issuer,
                settings.workspace_dir,
                nip,
                "cli data-saya",
                alasan or DEFAULT_PURPOSE,
            )
        target = keluar or Path(archive.filename)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(archive.data)
    console.print(
        f"Data {archive.name} ditulis ke [bold]{target}[/]: {len(archive.files)} berkas, "
        f"{len(archive.data) / 1024:.0f} KiB. Baca README.txt di dalamnya.",
        highlight=False,
    )
