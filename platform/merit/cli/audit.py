"""``merit audit verify``: check the audit trail's hash chain end to end."""

from __future__ import annotations

import typer

from merit.cli.common import console, errors, registry_session, user_errors

audit_app = typer.Typer(help="Jejak audit.", no_args_is_help=True)


@audit_app.command("verify")
def verify_command() -> None:
    """Periksa rantai hash jejak audit; laporkan entri pertama yang diubah, dihapus, disisipkan, atau dipindah."""
    from merit.registry.audit import verify
    from merit.settings import Settings

    with user_errors():
        settings = Settings()
        with registry_session(settings) as session:
            verdict = verify(session, settings.audit_key())
    if verdict.ok:
        console.print(f"Jejak audit utuh: {verdict.checked} entri diperiksa.")
        return
    errors.print(
        f"[bold red]Jejak audit rusak[/] pada entri {verdict.first_bad}: {verdict.reason} "
        f"({verdict.checked} entri sebelumnya utuh)."
    )
    raise typer.Exit(code=1)
