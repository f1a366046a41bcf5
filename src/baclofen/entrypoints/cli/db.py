"""`baclofen db ...` commands: migrate the SQL store's schema (SQLite file or PostgreSQL) up or down."""

from __future__ import annotations

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
