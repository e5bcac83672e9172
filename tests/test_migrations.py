"""The Alembic migrations build exactly the schema the models describe, on each backend."""

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from merit.registry.database import Registry, alembic_config, upgrade
from merit.registry.models import Base


def test_migrations_match_models_and_downgrade_cleanly(registry_url):
    registry = Registry.open(registry_url)
    with registry.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []
    command.downgrade(alembic_config(registry.engine), "base")
    assert set(inspect(registry.engine).get_table_names()) == {"alembic_version"}
    upgrade(registry.engine)
    assert "evidence" in inspect(registry.engine).get_table_names()
    registry.close()
