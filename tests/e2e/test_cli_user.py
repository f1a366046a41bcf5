"""`baclofen user create` (issue 11 item 10): an account of a clinic in the clinic database, its password
from the environment or standard input (never an argument), stored as an argon2id hash only."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import text

from baclofen.adapters.sql import create_database_engine

PASSWORD = "correct horse battery"


@pytest.fixture
def database_url(run_cli, tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    assert run_cli("db", "upgrade", "--database-url", url).exit_code == 0
    return url


def test_the_first_admin_creates_the_clinic_and_keeps_only_a_hash(run_cli, database_url, monkeypatch) -> None:
    monkeypatch.setenv("BACLOFEN_USER_PASSWORD", PASSWORD)

    r = run_cli(
        "user",
        "create",
        "--role",
        "admin",
        "--clinic",
        "C-1",
        "--username",
        "admin",
        "--database-url",
        database_url,
        "--json",
    )

    assert r.exit_code == 0, r.stderr
    data = r.json()
    assert (data["role"], data["clinic_id"], data["clinic_created"]) == ("admin", "C-1", True)
    engine = create_database_engine(database_url)
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT password_hash FROM users")).scalar_one()
    engine.dispose()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_the_password_comes_from_standard_input(run_cli, database_url, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    args = ("--clinic", "C-1", "--username", "p.one", "--patient-id", "P-1", "--database-url", database_url)

    r = run_cli("user", "create", "--role", "patient", *args, "--password-stdin", "--json")

    assert r.exit_code == 0, r.stderr
    assert r.json()["patient_id"] == "P-1"


def test_bad_input_is_one_line_per_field_and_a_taken_username_is_refused(run_cli, database_url, monkeypatch) -> None:
    monkeypatch.setenv("BACLOFEN_USER_PASSWORD", "short")
    short = run_cli(
        "user", "create", "--role", "nurse", "--clinic", "C-1", "--username", "n", "--database-url", database_url
    )
    monkeypatch.setenv("BACLOFEN_USER_PASSWORD", PASSWORD)
    patient = run_cli(
        "user", "create", "--role", "patient", "--clinic", "C-1", "--username", "p", "--database-url", database_url
    )
    first = run_cli(
        "user", "create", "--role", "nurse", "--clinic", "C-1", "--username", "n", "--database-url", database_url
    )
    again = run_cli(
        "user", "create", "--role", "nurse", "--clinic", "C-1", "--username", "n", "--database-url", database_url
    )

    assert short.exit_code == 2 and "password: expected a text of 12-128 characters" in short.stderr
    assert patient.exit_code == 2 and "--patient-id: expected the patient record" in patient.stderr
    assert first.exit_code == 0 and again.exit_code == 1 and "'n'" in again.stderr


def test_there_is_no_password_option(run_cli, database_url) -> None:
    r = run_cli("user", "create", "--role", "nurse", "--clinic", "C-1", "--username", "n", "--password", PASSWORD)

    assert r.exit_code == 2 and "No such option" in r.stderr


def test_a_new_password_ends_every_session_and_end_sessions_logs_out_everywhere(
    run_cli, database_url, monkeypatch
) -> None:
    from baclofen.bootstrap import bootstrap

    monkeypatch.setenv("BACLOFEN_USER_PASSWORD", PASSWORD)
    args = ("--clinic", "C-1", "--username", "n.one", "--database-url", database_url)
    user_id = run_cli("user", "create", "--role", "nurse", *args, "--json").json()["user_id"]
    services = bootstrap(database_url=database_url)
    assert services.signed_in_user(user_id, "session-1", 0) is not None

    monkeypatch.setattr("sys.stdin", io.StringIO("a new long passphrase\n"))
    r = run_cli("user", "set-password", "--username", "n.one", "--password-stdin", "--database-url", database_url)

    assert r.exit_code == 0, r.stderr
    assert "every web session and API token of the account is ended" in r.stdout
    assert services.signed_in_user(user_id, "session-1", 0) is None  # issued before: refused
    assert services.authenticate("n.one", PASSWORD) is None
    assert services.authenticate("n.one", "a new long passphrase") is not None
    assert services.signed_in_user(user_id, "session-2", 1) is not None  # a new login's session

    ended = run_cli("user", "end-sessions", "--username", "n.one", "--database-url", database_url, "--json")

    assert ended.exit_code == 0 and ended.json()["session_generation"] == 2
    assert services.signed_in_user(user_id, "session-2", 1) is None
    missing = run_cli("user", "end-sessions", "--username", "nobody", "--database-url", database_url)
    assert missing.exit_code != 0


def test_a_too_short_new_password_is_refused(run_cli, database_url, monkeypatch) -> None:
    monkeypatch.setenv("BACLOFEN_USER_PASSWORD", PASSWORD)
    run_cli(
        "user", "create", "--role", "nurse", "--clinic", "C-1", "--username", "n.one", "--database-url", database_url
    )
    monkeypatch.setenv("BACLOFEN_USER_PASSWORD", "short")

    r = run_cli("user", "set-password", "--username", "n.one", "--database-url", database_url)

    assert r.exit_code != 0 and "password" in r.stderr
