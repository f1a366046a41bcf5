"""Schema migrations of the SQL store (Alembic), packaged with the code so that an installed copy can
upgrade its database: ``baclofen db upgrade`` / ``baclofen db downgrade REV`` / ``baclofen db current``.

The scripts are in ``migrations/versions`` beside this module; each runs in one transaction (SQLite and
PostgreSQL both have transactional DDL), so a failed upgrade leaves the database at its old revision.
"""

from __future__ import annotations

import re
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine

from baclofen.adapters.sql.engine import reaching, write_transaction
from baclofen.domain.errors import InvalidInputError, ServiceError

__all__ = [
    "MIGRATIONS",
    "alembic_config",
    "check_database_current",
    "current_revision",
    "downgrade_database",
    "head_revision",
    "upgrade_database",
]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_RELATIVE = re.compile(r"^[+-][0-9]{1,4}$")


def alembic_config() -> Config:
    """Alembic's configuration for the packaged scripts (no ``alembic.ini`` needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    """The revision the code needs (the newest script)."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None  # the package always ships its scripts
    return head


def _check_revision(revision: str) -> str:
    script = ScriptDirectory.from_config(alembic_config())
    known = ["head", "base", *(s.revision for s in script.walk_revisions())]
    if not isinstance(revision, str) or not (revision in known or _RELATIVE.match(revision)):
        raise InvalidInputError("revision", _expected_revision(known), revision)
    return revision


def _expected_revision(known: list[str]) -> str:
    return "one of " + ", ".join(known) + " (or a step from the current one, like -1)"


def _run(engine: Engine, action: str, revision: str) -> None:
    config = alembic_config()
    try:
        with reaching(engine), write_transaction(engine) as connection:
            config.attributes["connection"] = connection
            if action == "upgrade":
                command.upgrade(config, revision)
            else:
                command.downgrade(config, revision)
    except CommandError as exc:  # a relative step past the first or last revision, or the wrong direction
        raise InvalidInputError(
            "revision", f"a revision to {action} to from the current one ({exc})", revision
        ) from None


def upgrade_database(engine: Engine, revision: str = "head") -> None:
    """Migrate the database of ``engine`` up to ``revision`` (default: the newest); an empty database
    gets the whole schema."""
    _run(engine, "upgrade", _check_revision(revision))


def downgrade_database(engine: Engine, revision: str) -> None:
    """Migrate the database of ``engine`` down to ``revision`` (``base``: no table of the store left;
    the audit log goes with it)."""
    _run(engine, "downgrade", _check_revision(revision))


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None: not migrated, an empty database)."""
    with reaching(engine), engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def check_database_current(engine: Engine) -> None:
    """Raise :class:`~baclofen.domain.errors.ServiceError` unless the database is at the revision the code
    needs, saying which it is at and what to run."""
    found, needed = current_revision(engine), head_revision()
    if found == needed:
        return
    url = engine.url.render_as_string(hide_password=True)
    known = {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    if found is not None and found not in known:
        raise ServiceError(
            f"the database {url} is at revision {found}, which this version of baclofen does not know "
            f"(a newer version migrated it); this version needs revision {needed}"
        )
    at = "not migrated (no schema)" if found is None else f"at revision {found}"
    raise ServiceError(
        f"the database {url} is {at}; this version needs revision {needed}: "
        f"run 'baclofen db upgrade --database-url {url}'"
    )
