"""What every command shares: consoles, error handling, the acting user."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from merit.errors import MeritError

console = Console()
errors = Console(stderr=True)

ACTOR_OPTION = typer.Option(None, "--oleh", help="Nama pelaku untuk jejak audit (bawaan: pengguna sistem).")


def actor_or_default(actor: str | None) -> str:
    return actor or getpass.getuser()


@contextmanager
def user_errors() -> Iterator[None]:
    """Print input errors in Indonesian, without a traceback, and exit with status 2."""
    try:
        yield
    except MeritError as exc:
        errors.print(f"[bold red]Galat:[/] {exc}", markup=True, highlight=False)
        raise typer.Exit(code=2) from None
