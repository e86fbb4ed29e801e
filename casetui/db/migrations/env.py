"""Alembic environment: always run from ``casetui.db.migrate`` with a live connection."""

from __future__ import annotations

from alembic import context

from casetui.domain import models

config = context.config
connection = config.attributes["connection"]

context.configure(
    connection=connection,
    target_metadata=models.metadata,
    # SQLite cannot ALTER most things in place; batch mode copies the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
