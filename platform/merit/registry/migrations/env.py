"""Alembic environment: runs migrations on the engine Merit hands over."""

from alembic import context

from merit.registry.models import Base

engine = context.config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite needs table rebuilds for ALTER
    )
    context.run_migrations()
