"""`baclofen serve`: the clinic service's web pages (``/``) and REST API (``/api/v1``), uvicorn with one worker, over
the clinic database.

The database must be at the schema revision this version needs (``baclofen db upgrade``: checked before the
server starts), and the token-signing secret comes from ``$BACLOFEN_SECRET_KEY`` (at least 32 characters):
without one the server refuses to start. ``--demo`` serves an in-memory store instead, with a random secret
and one demo clinician whose password is printed once (everything is lost when the process ends). Population jobs
run on the Dask scheduler of ``--scheduler`` or ``$BACLOFEN_DASK_SCHEDULER``, else on a local cluster started in
the server process for each job; jobs a stopped server left queued or running are marked failed (interrupted)."""

from __future__ import annotations

import secrets
from dataclasses import replace
from typing import Annotated

import typer

from baclofen.domain.records import DEMO_CLINIC_ID, DEMO_CLINIC_NAME, DEMO_USERNAME_PREFIX
from baclofen.entrypoints.cli.db import DatabaseUrlOpt
from baclofen.entrypoints.cli.errors import map_errors

#: The demo server's user (in the demo clinic).
DEMO_USERNAME = DEMO_USERNAME_PREFIX + "clinician"


def register(app: typer.Typer) -> None:
    """Add the serve command."""

    @app.command("serve")
    def serve(
        host: Annotated[str, typer.Option("--host", help="The address to listen on.")] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", help="The port to listen on.", min=1, max=65535)] = 8000,
        database_url: DatabaseUrlOpt = None,
        demo: Annotated[
            bool, typer.Option("--demo", help="An in-memory store, a random secret and a demo clinician.")
        ] = False,
        scheduler: Annotated[
            str | None,
            typer.Option(
                "--scheduler",
                help="Run population jobs on this Dask scheduler (tcp://host:8786; default $BACLOFEN_DASK_SCHEDULER, "
                "else a local cluster in the server process).",
            ),
        ] = None,
    ) -> None:
        """Serve the web pages (/) and the REST API (/api/v1, /openapi.json, /healthz, /readyz) with one worker."""
        import uvicorn

        from baclofen.adapters.sql import DEFAULT_DATABASE_URL
        from baclofen.bootstrap import bootstrap
        from baclofen.entrypoints.api import ApiSettings
        from baclofen.entrypoints.web import create_site

        with map_errors():
            settings = ApiSettings.from_environment(demo=demo)
            if scheduler is not None:
                settings = replace(settings, dask_scheduler=scheduler)
        if demo:
            services = bootstrap()
            password = secrets.token_urlsafe(12)
            services.create_user(
                clinic_id=DEMO_CLINIC_ID,
                username=DEMO_USERNAME,
                role="clinician",
                password=password,
                clinic_name=DEMO_CLINIC_NAME,
            )
            typer.echo(f"demo server (in memory, nothing kept): log in as {DEMO_USERNAME} / {password}", err=True)
        else:
            services = bootstrap(database_url=database_url or DEFAULT_DATABASE_URL)
        with map_errors():  # a malformed scheduler address is refused before the server starts
            app = create_site(services, settings)
        uvicorn.run(app, host=host, port=port, workers=1, log_level="info")
