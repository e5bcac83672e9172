"""What every command shares: consoles, error handling, the acting user."""

from __future__ import annotations

import getpass
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from merit.errors import MeritError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from merit.registry.upsert import Change
    from merit.settings import Settings

console = Console()
errors = Console(stderr=True)

ACTOR_OPTION = typer.Option(None, "--oleh", help="Nama pelaku untuk jejak audit (bawaan: pengguna sistem).")


def change_counts(counts: Mapping[Change, int], changed: str = "diperbarui") -> str:
    """``3 baru, 1 diperbarui, 26 tetap``: what an import, sync or recompute did."""
    from merit.registry.upsert import Change

    return f"{counts[Change.CREATED]} baru, {counts[Change.UPDATED]} {changed}, {counts[Change.UNCHANGED]} tetap"


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


@contextmanager
def registry_session(settings: Settings, actor: str | None = None, reason: str | None = None) -> Iterator[Session]:
    """Open the configured registry for one transaction and close it afterwards."""
    from merit.registry.database import open_registry

    registry = open_registry(settings)
    try:
        with registry.session(actor, reason) as session:
            yield session
    finally:
        registry.close()
