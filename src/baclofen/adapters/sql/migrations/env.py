"""Alembic's environment for the SQL store: run by :mod:`baclofen.adapters.sql.migrate` (``baclofen db``).

The connection comes from the caller (``config.attributes["connection"]``); batch mode is on so that an
ALTER works on SQLite too. The target metadata is the ORM's, for ``alembic revision --autogenerate`` and
for the test that the migrated schema matches it.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from baclofen.adapters.sql.schema import Base

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError(
        "the migrations run on a connection given by baclofen.adapters.sql.migrate (baclofen db upgrade)"
    )
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
