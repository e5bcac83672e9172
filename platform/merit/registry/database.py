"""Opening the registry database and bringing its schema up to date.

The schema is owned by Alembic migrations shipped inside the package
(``merit/registry/migrations``); nothing calls ``create_all``. SQLite is the embedded
default; set ``MERIT_DATABASE_URL`` to a PostgreSQL URL for larger deployments.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

from merit.errors import MeritError
from merit.registry.audit import AuditTrail
from merit.settings import Settings

MIGRATIONS = Path(__file__).with_name("migrations")


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    """SQLite ignores foreign keys unless asked; WAL lets readers work during a sync."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for ``url``; for a SQLite file, its folder is created first."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply every pending migration (``merit db upgrade``)."""
    command.upgrade(alembic_config(engine), revision)


class Registry:
    """The registry database: one engine, a session factory and the audit key."""

    def __init__(self, url: str, audit_key: bytes | None = None):
        self.url = url
        self.audit_key = audit_key
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @classmethod
    def open(cls, url: str, audit_key: bytes | None = None) -> Registry:
        """Open the registry at ``url`` with its schema migrated to the newest revision."""
        registry = cls(url, audit_key)
        upgrade(registry.engine)
        return registry

    @contextmanager
    def session(self, actor: str | None = None, reason: str | None = None) -> Iterator[Session]:
        """A transaction: committed whole on success, rolled back whole on any error.

        A session that changes audited data names its ``actor`` and ``reason``; its
        audit entries are appended in the same transaction, so a change and its record
        are stored together or not at all.
        """
        trail = None
        if actor is not None:
            if not self.audit_key:
                raise MeritError("Kunci audit tidak tersedia: perubahan registri tidak dapat dicatat.")
            if not (reason or "").strip():
                raise MeritError("Alasan perubahan wajib diisi untuk jejak audit.")
            trail = AuditTrail(self.audit_key, actor, reason or "")
        with self._sessions() as session, session.begin():
            if trail is not None:
                session.info["audit"] = trail
            yield session
            if trail is not None:
                session.flush()
                trail.write(session)

    def close(self) -> None:
        self.engine.dispose()


def open_registry(settings: Settings) -> Registry:
    """The registry configured by ``settings``, migrated, with its audit key loaded."""
    return Registry.open(str(settings.database_url), settings.audit_key())
