"""``merit serve``: the web pages for learners, trainers and HR on this machine."""

from __future__ import annotations

import typer

from merit.cli.common import console, user_errors


def serve_command(
    port: int = typer.Option(8866, "--port", help="Port HTTP."),
    host: str = typer.Option("127.0.0.1", "--host", help="Alamat yang didengarkan; bawaan hanya komputer ini."),
    kernel_siap: int = typer.Option(
        0, "--kernel-siap", min=0, max=8, help="Kernel yang disiapkan lebih dulu per halaman (lebih cepat dibuka)."
    ),
    akun_demo: bool = typer.Option(
        True, "--akun-demo/--tanpa-akun-demo", help="Buat akun demo (satu per peran) bila belum ada."
    ),
    hub: bool = typer.Option(
        False,
        "--hub",
        help="Sebagai layanan JupyterHub merit-halaman (dijalankan `merit hub mulai`): alamat dan login dari hub.",
    ),
) -> None:
    """Jalankan halaman web Merit (Voila) di atas registri: portal peserta, widyaiswara, kepegawaian."""
    from merit.content import load_content
    from merit.registry.database import open_registry
    from merit.serve.app import Address, hub_service_address, run
    from merit.settings import Settings

    with user_errors():
        settings = Settings()
        address = hub_service_address() if hub else Address(host, port)
        registry = open_registry(settings)
        shown = "localhost" if address.host == "127.0.0.1" else address.host
        console.print(f"Halaman Merit: [bold]http://{shown}:{address.port}{address.base_url}[/]")
        console.print(f"Registri: {settings.database_url}", soft_wrap=True)
        if akun_demo and not hub:  # on the hub, people sign in with the hub's accounts
            from merit.demo.accounts import DEMO_PASSWORD, demo_accounts

            console.print(f"Akun demo (kata sandi [bold]{DEMO_PASSWORD}[/]):")
            for account in demo_accounts(registry, load_content(settings)):
                console.print(f"  {account.username:<12} {account.what}")
        if kernel_siap:
            console.print(f"{kernel_siap} kernel disiapkan per halaman.")
        console.print("Hentikan dengan Ctrl+C.")
    run(registry, address, kernel_siap, behind_hub=hub)
