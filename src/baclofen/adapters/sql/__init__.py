"""The SQL store (SQLAlchemy 2): SQLite, the embedded default, and PostgreSQL through psycopg 3.

- :mod:`.engine`: engines with the store's settings (SQLite: WAL, ``synchronous=FULL``, foreign keys,
  busy timeout; a database gone mid-run is reported, and the engine recovers once it is back).
- :mod:`.schema`: the tables; :mod:`.mapping`: domain records to rows and back.
- :mod:`.uow`: :class:`SqlUnitOfWork`, the ports' unit of work and repositories (optimistic concurrency
  on a version column).
- :mod:`.accounts`: :class:`SqlClinicRepository` and :class:`SqlUserRepository`, the clinics and their
  user accounts.
- :mod:`.audit`: :class:`SqlAuditLog`, the append-only audit log.
- :mod:`.clinic_settings`: :class:`SqlClinicSettings`, each clinic's settings profile (append-only changes).
- :mod:`.migrate`: the Alembic migrations packaged in ``migrations/`` (``baclofen db upgrade``).
- :mod:`.maintenance`: whether a database holds records, backup and restore (``baclofen db backup/restore``).
"""

from __future__ import annotations

from baclofen.adapters.sql.accounts import SqlClinicRepository, SqlUserRepository
from baclofen.adapters.sql.audit import SqlAuditLog
from baclofen.adapters.sql.clinic_settings import SqlClinicSettings
from baclofen.adapters.sql.engine import DEFAULT_DATABASE_URL, check_database_writable, create_database_engine
from baclofen.adapters.sql.maintenance import backup_database, count_stored_records, restore_database
from baclofen.adapters.sql.migrate import (
    check_database_current,
    current_revision,
    downgrade_database,
    head_revision,
    upgrade_database,
)
from baclofen.adapters.sql.uow import SqlUnitOfWork

__all__ = [
    "DEFAULT_DATABASE_URL",
    "SqlAuditLog",
    "SqlClinicRepository",
    "SqlClinicSettings",
    "SqlUnitOfWork",
    "SqlUserRepository",
    "backup_database",
    "check_database_current",
    "check_database_writable",
    "count_stored_records",
    "create_database_engine",
    "current_revision",
    "downgrade_database",
    "head_revision",
    "restore_database",
    "upgrade_database",
]
