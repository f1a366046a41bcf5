"""`baclofen user create`: a user account of a clinic in the clinic database (the first admin, staff,
patients); `baclofen user set-password`: a new password for an account, which ends every one of its web sessions
and API tokens; `baclofen user end-sessions`: end them without changing the password ("log out everywhere", a lost
device). The password never comes from an argument (a process list or shell history would show it): it is
read from standard input (``--password-stdin``), the environment (``BACLOFEN_USER_PASSWORD``) or a prompt."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from baclofen.domain.records import Role, UserRecord
from baclofen.entrypoints.cli.db import DatabaseUrlOpt, JsonOpt
from baclofen.entrypoints.cli.errors import map_errors
from baclofen.entrypoints.cli.output import emit

if TYPE_CHECKING:
    from baclofen.bootstrap import Services

app = typer.Typer(help="User accounts of the clinic service (stored in the clinic database).", no_args_is_help=True)

#: The environment variable a password may come from (for scripts; a prompt otherwise).
PASSWORD_ENV = "BACLOFEN_USER_PASSWORD"


UsernameOpt = Annotated[str, typer.Option("--username", help="The account's username (case-sensitive).")]
PasswordStdinOpt = Annotated[
    bool,
    typer.Option(
        "--password-stdin",
        help=f"Read the password from the first line of standard input (else ${PASSWORD_ENV}, else a prompt).",
    ),
]


def _services(database_url: str | None) -> Services:
    """The services over the clinic database (``--database-url``, else the default)."""
    from baclofen.adapters.sql import DEFAULT_DATABASE_URL
    from baclofen.bootstrap import bootstrap

    return bootstrap(database_url=database_url or DEFAULT_DATABASE_URL)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    from_env = os.environ.get(PASSWORD_ENV)
    if from_env is not None:
        return from_env
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@app.command("create")
def create_command(
    role: Annotated[
        Role,
        typer.Option("--role", help="clinician, nurse, patient or admin.", case_sensitive=False, show_default=False),
    ],
    clinic: Annotated[str, typer.Option("--clinic", help="The clinic's id (created when it is not stored yet).")],
    username: Annotated[str, typer.Option("--username", help="Letters, digits and . _ @ - (case-sensitive).")],
    patient_id: Annotated[
        str | None, typer.Option("--patient-id", help="For --role patient: the patient record the account reads.")
    ] = None,
    clinic_name: Annotated[
        str | None, typer.Option("--clinic-name", help="The name of a clinic created here (default: its id).")
    ] = None,
    password_stdin: PasswordStdinOpt = False,
    database_url: DatabaseUrlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a user account (12-128 character password, stored as an argon2id hash)."""
    services = _services(database_url)
    password = _password(password_stdin)
    with map_errors():
        user, clinic_created = services.create_user(
            clinic_id=clinic,
            username=username,
            role=role,
            password=password,
            patient_id=patient_id,
            clinic_name=clinic_name,
        )
    data: dict[str, object] = {
        "user_id": user.user_id,
        "username": user.username,
        "role": user.role.value,
        "clinic_id": user.clinic_id,
        "clinic_created": clinic_created,
        "patient_id": user.patient_id,
        "settings": [],  # the one "settings used" list of every --json: no clinical setting is read here
    }

    def render(out: Console) -> None:
        made = " (clinic created)" if clinic_created else ""
        out.print(
            f"created {user.role.value} {user.username} ({user.user_id}) in clinic {user.clinic_id}{made}",
            highlight=False,
        )

    emit(data, as_json, render)


def _emit_ended(user: UserRecord, what: str, as_json: bool) -> None:
    data: dict[str, object] = {
        "user_id": user.user_id,
        "username": user.username,
        "session_generation": user.session_generation,
        "sessions_ended": True,
        "settings": [],  # no clinical setting is read here
    }

    def render(out: Console) -> None:
        out.print(f"{what} {user.username}: every web session and API token of the account is ended", highlight=False)

    emit(data, as_json, render)


@app.command("set-password")
def set_password_command(
    username: UsernameOpt,
    password_stdin: PasswordStdinOpt = False,
    database_url: DatabaseUrlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Set a new password (12-128 characters) for an account; every one of its sessions and tokens is ended."""
    services = _services(database_url)
    password = _password(password_stdin)
    with map_errors():
        user = services.change_password(username, password)
    _emit_ended(user, "new password for", as_json)


@app.command("end-sessions")
def end_sessions_command(username: UsernameOpt, database_url: DatabaseUrlOpt = None, as_json: JsonOpt = False) -> None:
    """Log an account out everywhere: every web session and API token of it is refused from now on."""
    services = _services(database_url)
    with map_errors():
        user = services.end_sessions(username)
    _emit_ended(user, "logged out", as_json)
