"""``merit akun``: HR creates, lists, disables and re-enables the accounts of Merit's pages."""

from __future__ import annotations

import typer
from rich.table import Table

from merit.cli.common import ACTOR_OPTION, actor_or_default, console, registry_session, user_errors

akun_app = typer.Typer(help="Akun halaman web Merit (merit serve): buat, nonaktifkan, peran, log akses.")

ROLE_HELP = "Peran: peserta, widyaiswara:KURSUS, kepegawaian:UNIT atau kepegawaian:*, admin (boleh berulang)."


def _reason(alasan: str | None, default: str) -> str:
    return alasan or default


@akun_app.command("buat")
def create_command(
    nip: list[str] = typer.Argument(None, help="NIP dari roster; nama pengguna = NIP, nama dari roster."),
    nama_pengguna: str | None = typer.Option(None, "--nama-pengguna", help="Untuk akun tanpa NIP (staf, admin)."),
    nama: str | None = typer.Option(None, "--nama", help="Nama tampilan akun tanpa NIP."),
    peran: list[str] = typer.Option([], "--peran", help=ROLE_HELP),
    sandi: str | None = typer.Option(
        None, "--sandi", help="Kata sandi awal (minimal 10 karakter); bawaan: dibuat acak dan dicetak sekali."
    ),
    oleh: str | None = ACTOR_OPTION,
    alasan: str | None = typer.Option(None, "--alasan", help="Alasan untuk jejak audit."),
) -> None:
    """Buat akun dari roster (satu per NIP) atau satu akun bernama; kata sandi awal dicetak sekali."""
    from merit.access import Role
    from merit.access.accounts import create_account
    from merit.access.passwords import new_password
    from merit.errors import MeritError
    from merit.settings import Settings

    with user_errors():
        roles = [Role.parse(p) for p in peran]
        if not nip and not nama_pengguna:
            raise MeritError("Sebutkan NIP dari roster, atau --nama-pengguna untuk akun tanpa NIP.")
        if nip and nama_pengguna and len(nip) > 1:
            raise MeritError("--nama-pengguna hanya untuk satu akun.")
        targets: list[str | None] = list(nip) if nip else [None]
        created = []
        with registry_session(Settings(), actor_or_default(oleh), _reason(alasan, "pembuatan akun")) as session:
            for one in targets:
                password = sandi or new_password()
                account = create_account(
                    session,
                    password,
                    roles,
                    nip=one.replace(" ", "") if one else None,
                    username=nama_pengguna,
                    name=nama,
                )
                created.append((account.username, account.name, password))
        table = Table(title="Akun dibuat (kata sandi awal hanya dicetak sekali ini)")
        for column in ("Nama pengguna", "Nama", "Kata sandi awal"):
            table.add_column(column)
        for username, name, password in created:
            table.add_row(username, name, password if sandi is None else "(sesuai --sandi)")
        console.print(table)


@akun_app.command("daftar")
def list_command() -> None:
    """Daftar akun, perannya, dan statusnya."""
    from merit.access.accounts import list_accounts
    from merit.nip import format_nip
    from merit.settings import Settings

    with user_errors():
        with registry_session(Settings()) as session:
            lines = list_accounts(session)
        table = Table(title=f"Akun halaman web: {len(lines)}")
        for column in ("Nama pengguna", "Nama", "NIP", "Peran", "Status"):
            table.add_column(column, no_wrap=column == "NIP")
        for line in lines:
            nip = format_nip(line.nip) if line.nip else "-"
            table.add_row(line.username, line.name, nip, line.roles, "aktif" if line.active else "nonaktif")
        console.print(table)


def _set_active(username: str, active: bool, oleh: str | None, alasan: str | None) -> None:
    from merit.access.accounts import set_active
    from merit.settings import Settings

    with user_errors():
        what = "diaktifkan" if active else "dinonaktifkan"
        with registry_session(Settings(), actor_or_default(oleh), _reason(alasan, f"akun {what}")) as session:
            changed = set_active(session, username, active)
        console.print(f"Akun {username} {what}." if changed else f"Akun {username} sudah {what} sebelumnya.")


@akun_app.command("nonaktifkan")
def disable_command(
    nama_pengguna: str = typer.Argument(..., help="Nama pengguna (NIP untuk akun dari roster)."),
    oleh: str | None = ACTOR_OPTION,
    alasan: str | None = typer.Option(None, "--alasan", help="Alasan untuk jejak audit, misalnya pindah tugas."),
) -> None:
    """Nonaktifkan akun; sesi yang sedang terbuka ikut berakhir."""
    _set_active(nama_pengguna, False, oleh, alasan)


@akun_app.command("aktifkan")
def enable_command(
    nama_pengguna: str = typer.Argument(..., help="Nama pengguna."),
    oleh: str | None = ACTOR_OPTION,
    alasan: str | None = typer.Option(None, "--alasan", help="Alasan untuk jejak audit."),
) -> None:
    """Aktifkan kembali akun yang dinonaktifkan."""
    _set_active(nama_pengguna, True, oleh, alasan)


@akun_app.command("sandi")
def password_command(
    nama_pengguna: str = typer.Argument(..., help="Nama pengguna."),
    sandi: str | None = typer.Option(None, "--sandi", help="Kata sandi baru; bawaan: dibuat acak dan dicetak sekali."),
    oleh: str | None = ACTOR_OPTION,
) -> None:
    """Ganti kata sandi akun; semua sesinya berakhir."""
    from merit.access.accounts import set_password
    from merit.access.passwords import new_password
    from merit.settings import Settings

    with user_errors():
        password = sandi or new_password()
        with registry_session(Settings(), actor_or_default(oleh), "penggantian kata sandi") as session:
            set_password(session, nama_pengguna, password)
        shown = password if sandi is None else "(sesuai --sandi)"
        console.print(f"Kata sandi {nama_pengguna} diganti: {shown}")


@akun_app.command("peran")
def roles_command(
    nama_pengguna: str = typer.Argument(..., help="Nama pengguna."),
    tambah: list[str] = typer.Option([], "--tambah", help=ROLE_HELP),
    hapus: list[str] = typer.Option([], "--hapus", help="Peran yang dicabut, bentuknya sama."),
    oleh: str | None = ACTOR_OPTION,
    alasan: str | None = typer.Option(None, "--alasan", help="Alasan untuk jejak audit."),
) -> None:
    """Tambah atau cabut peran akun."""
    from merit.access import Role
    from merit.access.accounts import change_roles
    from merit.settings import Settings

    with user_errors():
        add, remove = [Role.parse(p) for p in tambah], [Role.parse(p) for p in hapus]
        with registry_session(Settings(), actor_or_default(oleh), _reason(alasan, "perubahan peran akun")) as session:
            roles = change_roles(session, nama_pengguna, add, remove)
        console.print(f"Peran {nama_pengguna}: {', '.join(str(r) for r in sorted(roles)) or '-'}")


@akun_app.command("log-akses")
def access_log_command(
    nip: str | None = typer.Option(None, "--nip", help="Hanya akses ke data pegawai ini."),
    oleh: str | None = typer.Option(None, "--oleh", help="Hanya akses oleh akun ini."),
    jumlah: int = typer.Option(50, "--jumlah", min=1, help="Berapa entri terbaru."),
) -> None:
    """Log akses data pribadi (UU 27/2022): siapa melihat data siapa, kapan, di halaman apa."""
    from merit.access.log import read_log
    from merit.nip import format_nip
    from merit.settings import Settings

    with user_errors():
        with registry_session(Settings()) as session:
            lines = read_log(session, nip.replace(" ", "") if nip else None, oleh, jumlah)
        table = Table(title=f"Log akses data pribadi: {len(lines)} entri terbaru")
        for column in ("Waktu (UTC)", "Oleh", "Peran", "Data milik", "Yang dilihat", "Halaman"):
            table.add_column(column)
        for line in lines:
            who = f"{line.name} ({format_nip(line.nip)})" if line.nip else "-"
            table.add_row(f"{line.at:%d-%m-%Y %H:%M:%S}", line.viewer, line.roles, who, line.subject, line.page)
        console.print(table)
