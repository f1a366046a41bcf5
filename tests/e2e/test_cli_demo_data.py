"""`baclofen demo-data` and `baclofen db backup|restore` (issue 11 item 10): the demo clinic only in an empty
database; an online backup and an all-or-nothing restore that refuses to overwrite records without --force, on
SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from baclofen.adapters.sql import count_stored_records, create_database_engine
from tests.databases import empty_database_url

PASSWORD = "correct horse battery"


@pytest.fixture
def sqlite_url(run_cli, tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    assert run_cli("db", "upgrade", "--database-url", url).exit_code == 0
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, run_cli, tmp_path) -> Iterator[str]:
    """A migrated, empty database on each engine."""
    with empty_database_url(request.param, tmp_path) as url:
        assert run_cli("db", "upgrade", "--database-url", url).exit_code == 0
        yield url


def usernames(url: str) -> list[str]:
    engine = create_database_engine(url)
    try:
        with engine.connect() as connection:
            return sorted(connection.execute(text("SELECT username FROM users")).scalars())
    finally:
        engine.dispose()


def create_user(run_cli, url: str, username: str, monkeypatch) -> None:
    monkeypatch.setenv("BACLOFEN_USER_PASSWORD", PASSWORD)
    args = ("--role", "admin", "--clinic", "C-1", "--username", username, "--database-url", url)
    r = run_cli("user", "create", *args)
    assert r.exit_code == 0, r.stderr


def test_demo_data_writes_the_demo_clinic_once_and_prints_its_logins(run_cli, sqlite_url) -> None:
    first = run_cli("demo-data", "--database-url", sqlite_url, "--as-of", "2026-12-01", "--seed", "3", "--json")
    again = run_cli("demo-data", "--database-url", sqlite_url, "--seed", "3")

    assert first.exit_code == 0, first.stderr
    data = first.json()
    assert (data["written"], data["patients"], data["pumps"], data["as_of"]) == (
        True,
        40,
        15,
        "2026-12-01T09:00:00+01:00",
    )
    assert [x["username"] for x in data["logins"]] == ["demo.admin", "demo.clinician", "demo.nurse", "demo.patient"]
    assert data["saved_plans"] == 4  # the demo patient's "My day" has doses
    assert again.exit_code == 0, again.stderr
    assert "already holds the demo clinic" in again.stdout
    assert all(x["password"] in again.stdout for x in data["logins"])
    clinician = data["logins"][1]
    login = f'{{"username": "demo.clinician", "password": "{clinician["password"]}"}}'
    assert "http://127.0.0.1:8000" in again.stdout and login in again.stdout  # how to log in, on the web and with curl
    assert "POST /api/v1/auth/token" in again.stdout or "/api/v1/auth/token" in again.stdout
    assert "/api/v1/worklist" in again.stdout
    assert usernames(sqlite_url) == ["demo.admin", "demo.clinician", "demo.nurse", "demo.patient"]


def test_demo_data_refuses_a_database_that_is_not_a_demo_one(run_cli, sqlite_url, monkeypatch) -> None:
    create_user(run_cli, sqlite_url, "admin", monkeypatch)

    r = run_cli("demo-data", "--database-url", sqlite_url)
    bad = run_cli("demo-data", "--database-url", sqlite_url, "--as-of", "1 December")

    assert r.exit_code != 0 and "not a demo database" in r.stderr
    assert bad.exit_code == 2 and "--as-of" in bad.stderr
    assert usernames(sqlite_url) == ["admin"]
    engine = create_database_engine(sqlite_url)
    assert count_stored_records(engine) == 2  # the clinic and its admin
    engine.dispose()


def test_backup_then_restore_refuses_records_without_force_and_replaces_them_with_it(
    run_cli, database_url, tmp_path, monkeypatch
) -> None:
    backup = tmp_path / "clinic.backup"
    create_user(run_cli, database_url, "first", monkeypatch)

    saved = run_cli("db", "backup", str(backup), "--database-url", database_url, "--json")
    create_user(run_cli, database_url, "second", monkeypatch)
    refused = run_cli("db", "restore", str(backup), "--database-url", database_url)
    kept = usernames(database_url)
    restored = run_cli("db", "restore", str(backup), "--database-url", database_url, "--force", "--json")

    assert saved.exit_code == 0, saved.stderr
    assert saved.json()["action"] == "backup" and backup.is_file()
    assert refused.exit_code != 0 and "--force" in refused.stderr
    assert kept == ["first", "second"]
    assert restored.exit_code == 0, restored.stderr
    assert usernames(database_url) == ["first"]


def test_sqlite_restores_into_a_new_file_and_a_bad_backup_leaves_the_database_unchanged(
    run_cli, sqlite_url, tmp_path, monkeypatch
) -> None:
    backup, junk = tmp_path / "clinic.backup", tmp_path / "junk.backup"
    junk.write_text("not a database")
    create_user(run_cli, sqlite_url, "first", monkeypatch)
    assert run_cli("db", "backup", str(backup), "--database-url", sqlite_url).exit_code == 0
    fresh = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"

    into_new = run_cli("db", "restore", str(backup), "--database-url", fresh)
    bad = run_cli("db", "restore", str(junk), "--database-url", sqlite_url, "--force")
    missing = run_cli("db", "restore", str(tmp_path / "none"), "--database-url", sqlite_url)

    assert into_new.exit_code == 0, into_new.stderr
    assert usernames(fresh) == ["first"] and "revision" in run_cli("db", "current", "--database-url", fresh).stdout
    assert bad.exit_code == 2 and "FILE" in bad.stderr and "junk.backup" in bad.stderr
    assert missing.exit_code == 2
    assert usernames(sqlite_url) == ["first"]
    assert not list(tmp_path.glob(".restore-*"))


def test_demo_data_grows_the_clinic_for_benchmarks_within_bounds(run_cli, sqlite_url) -> None:
    too_small = run_cli("demo-data", "--database-url", sqlite_url, "--patients", "39")
    larger = run_cli("demo-data", "--database-url", sqlite_url, "--as-of", "2026-12-01", "--patients", "80", "--json")

    assert too_small.exit_code == 2 and "--patients" in too_small.stderr
    assert larger.exit_code == 0, larger.stderr
    assert (larger.json()["patients"], larger.json()["pumps"]) == (80, 30)
