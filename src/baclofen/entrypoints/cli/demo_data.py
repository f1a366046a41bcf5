"""`baclofen demo-data`: write the demo clinic (fictional patients, pumps, refill histories, diaries, alerts and
demo logins) into an empty clinic database, through the same use cases as real work."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from typing import Annotated, Any

import typer
from rich.console import Console

from baclofen.domain.dates import read_iso_date
from baclofen.domain.errors import ConflictError, NotFoundError
from baclofen.domain.records import DEMO_CLINIC_ID
from baclofen.entrypoints.cli.db import DatabaseUrlOpt, JsonOpt
from baclofen.entrypoints.cli.output import emit
from baclofen.services.demo_clinic import DEMO_ZONE, MAX_DEMO_PATIENTS, PATIENT_COUNT, DemoLogin, demo_logins


def _as_of(day: date | None, now: datetime) -> datetime:
    """09:00 in the demo clinic's zone on ``day``, else now."""
    return now if day is None else datetime.combine(day, time(9, 0), tzinfo=DEMO_ZONE)


def _render_logins(out: Console, logins: list[dict[str, Any]]) -> None:
    out.print("demo logins (this demo database only):", highlight=False)
    for login in logins:
        out.print(f"  {login['role']:<10} {login['username']:<16} {login['password']}", highlight=False)


#: Where ``make run`` (``baclofen serve``'s defaults) serves the clinic.
SERVED_AT = "http://127.0.0.1:8000"


def _render_how_to_log_in(out: Console, logins: list[dict[str, Any]]) -> None:
    """The web address, and one curl line: the demo clinician's token (POST /api/v1/auth/token takes JSON
    ``{"username", "password"}``), then the clinic's worklist read with it."""
    clinician = next(x for x in logins if x["role"] == "clinician")
    body = json.dumps({"username": clinician["username"], "password": clinician["password"]})
    out.print(
        f"web: {SERVED_AT} (log in with a demo login above); API schema: {SERVED_AT}/openapi.json", highlight=False
    )
    out.print("API with curl: POST /api/v1/auth/token takes JSON {username, password}, e.g.", highlight=False)
    out.print(
        f"  TOKEN=$(curl -s -X POST {SERVED_AT}/api/v1/auth/token -H 'Content-Type: application/json' "
        f"-d '{body}' | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"access_token\"])')",
        highlight=False,
        soft_wrap=True,
        markup=False,
    )
    out.print(f'  curl -s {SERVED_AT}/api/v1/worklist -H "Authorization: Bearer $TOKEN"', highlight=False, markup=False)


def _logins(logins: tuple[DemoLogin, ...]) -> list[dict[str, Any]]:
    return [{"role": x.role.value, "username": x.username, "password": x.password} for x in logins]


def register(app: typer.Typer) -> None:
    """Add the demo-data command."""

    @app.command("demo-data")
    def demo_data(
        database_url: DatabaseUrlOpt = None,
        as_of: Annotated[
            str | None,
            typer.Option(
                "--as-of", help="The day the demo clinic stands at, YYYY-MM-DD (default: now).", metavar="DATE"
            ),
        ] = None,
        seed: Annotated[int, typer.Option("--seed", help="The same seed writes the same clinic.")] = 1,
        patients: Annotated[
            int,
            typer.Option(
                "--patients",
                min=PATIENT_COUNT,
                max=MAX_DEMO_PATIENTS,
                help=f"How many patients ({PATIENT_COUNT}-{MAX_DEMO_PATIENTS}; benchmarks): the same mix in each 40.",
            ),
        ] = PATIENT_COUNT,
        as_json: JsonOpt = False,
    ) -> None:
        """Write the demo clinic (40 fictional patients, 15 pumps with years of refills, diaries, alerts and demo
        logins; --patients grows it) into an empty database; a database that already holds it is left as it is."""
        from baclofen.adapters.sql import DEFAULT_DATABASE_URL, count_stored_records, create_database_engine
        from baclofen.bootstrap import bootstrap

        url = database_url or DEFAULT_DATABASE_URL
        day = None if as_of is None else read_iso_date(as_of, "as_of")  # a bad date before the database is opened
        services = bootstrap(database_url=url)
        moment = _as_of(day, services.clock.now())
        try:
            services.clinics.get(DEMO_CLINIC_ID)
        except NotFoundError:
            engine = create_database_engine(url)
            try:
                held = count_stored_records(engine)
            finally:
                engine.dispose()
            if held:
                raise ConflictError(
                    f"the database holds {held} records and is not a demo database: demo-data writes only into an "
                    "empty one (baclofen db upgrade --database-url sqlite:///demo.sqlite3 makes one)"
                ) from None
            written = services.write_demo_clinic(moment, seed, patients)
            data: dict[str, Any] = {"written": True, **written.to_dict(), "settings": []}
            data["logins"] = _logins(written.logins)
        else:
            data = {"written": False, "clinic_id": DEMO_CLINIC_ID, "seed": seed, "settings": []}
            data["logins"] = _logins(demo_logins(seed))

        def render(out: Console) -> None:
            if data["written"]:
                out.print(
                    f"demo clinic written at {data['as_of']} (seed {seed}): {data['patients']} patients, "
                    f"{data['pumps']} pumps, {data['refill_visits']} refill visits, {data['diary_entries']} diary "
                    f"entries, {data['alerts']} alerts, {data['saved_plans']} saved oral plans; "
                    f"overdue refill: {data['overdue_pump_id']}",
                    highlight=False,
                    soft_wrap=True,
                )
            else:
                out.print(
                    f"the database already holds the demo clinic: nothing written (logins of seed {seed}):",
                    highlight=False,
                )
            _render_logins(out, data["logins"])
            _render_how_to_log_in(out, data["logins"])

        emit(data, as_json, render)
