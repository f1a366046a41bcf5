"""`baclofen db ...` commands: migrate the SQL store's schema (SQLite file or PostgreSQL) up or down."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from baclofen.entrypoints.cli.output import emit

if TYPE_CHECKING:
    from sqlalchemy import Engine

app = typer.Typer(
    help="The clinic database (SQLite file or PostgreSQL): migrate its schema, show its revision.",
    no_args_is_help=True,
)

#: The environment variable that gives the database when --database-url is not given.
DATABASE_URL_ENV = "BACLOFEN_DATABASE_URL"

DatabaseUrlOpt = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="sqlite:///PATH or postgresql+psycopg://USER@HOST:PORT/DATABASE "
        f"(default: ${DATABASE_URL_ENV}, else sqlite:///baclofen.sqlite3 in the working directory).",
        envvar=DATABASE_URL_ENV,
        show_default=False,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


def _engine(database_url: str | None) -> Engine:
    # imported here: SQLAlchemy and Alembic are loaded only by the commands that use a database
    from baclofen.adapters.sql import DEFAULT_DATABASE_URL, create_database_engine

    return create_database_engine(database_url or DEFAULT_DATABASE_URL)


def _report(engine: Engine, as_json: bool, action: str) -> None:
    from baclofen.adapters.sql import current_revision, head_revision

    revision, head = current_revision(engine), head_revision()
    data: dict[str, Any] = {
        "database_url": engine.url.render_as_string(hide_password=True),
        "action": action,
        "revision": revision,
        "head": head,
        "at_head": revision == head,
        "settings": [],  # the one "settings used" list of every --json: no clinical setting is read here
    }

    def render(out: Console) -> None:
        at = "no schema (base)" if revision is None else f"revision {revision}"
        state = "the newest" if revision == head else f"the newest is {head}"
        out.print(f"{data['database_url']}: {at} ({state})", highlight=False, soft_wrap=True)

    emit(data, as_json, render)


@app.command("upgrade")
def upgrade_command(
    revision: Annotated[str, typer.Option("--revision", help="The revision to migrate to.")] = "head",
    database_url: DatabaseUrlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Migrate the database up to the newest schema (or --revision); an empty database gets the whole schema."""
    from baclofen.adapters.sql import upgrade_database

    engine = _engine(database_url)
    try:
        upgrade_database(engine, revision)
        _report(engine, as_json, "upgrade")
    finally:
        engine.dispose()


@app.command("downgrade")
def downgrade_command(
    revision: Annotated[str, typer.Argument(help="The revision to migrate down to ('base': no table left).")],
    database_url: DatabaseUrlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Migrate the database down to REVISION; data of the tables removed is lost (the audit log too at base)."""
    from baclofen.adapters.sql import downgrade_database

    engine = _engine(database_url)
    try:
        downgrade_database(engine, revision)
        _report(engine, as_json, "downgrade")
    finally:
        engine.dispose()


@app.command("current")
def current_command(database_url: DatabaseUrlOpt = None, as_json: JsonOpt = False) -> None:
    """Show the revision the database is at and the newest this version of baclofen has."""
    engine = _engine(database_url)
    try:
        _report(engine, as_json, "current")
    finally:
        engine.dispose()


FileArg = Annotated[Path, typer.Argument(help="The backup file.", metavar="FILE", show_default=False)]


@app.command("backup")
def backup_command(file: FileArg, database_url: DatabaseUrlOpt = None, as_json: JsonOpt = False) -> None:
    """Back the database up to FILE while it serves: SQLite through its online backup API, PostgreSQL with
    pg_dump (custom format; pg_dump must be on PATH). FILE appears only once complete."""
    from baclofen.adapters.sql import backup_database

    engine = _engine(database_url)
    try:
        backup_database(engine, file)
        _report_file(engine, as_json, "backup", file)
    finally:
        engine.dispose()


@app.command("restore")
def restore_command(
    file: FileArg,
    database_url: DatabaseUrlOpt = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace a database that holds records (they are lost).")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Replace the database with the backup FILE (from `baclofen db backup`): all of it or, on any error, none.
    A database that holds records is refused without --force."""
    from baclofen.adapters.sql import restore_database

    engine = _engine(database_url)
    try:
        restore_database(engine, file, force=force)
        _report_file(engine, as_json, "restore", file)
    finally:
        engine.dispose()


def _report_file(engine: Engine, as_json: bool, action: str, file: Path) -> None:
    from baclofen.adapters.sql import current_revision

    data: dict[str, Any] = {
        "database_url": engine.url.render_as_string(hide_password=True),
        "action": action,
        "file": str(file),
        "revision": current_revision(engine),
        "settings": [],
    }

    def render(out: Console) -> None:
        done = f"backed up to {file}" if action == "backup" else f"restored from {file}"
        out.print(f"{data['database_url']}: {done} (revision {data['revision']})", highlight=False, soft_wrap=True)

    emit(data, as_json, render)
