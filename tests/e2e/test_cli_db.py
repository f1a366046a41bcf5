"""`baclofen db upgrade|downgrade|current` (issue 11 items 1-2): migrate the clinic database, SQLite file or
PostgreSQL, from the command line; a bad URL or revision is one line naming the option, exit code 2."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from baclofen.adapters.sql import head_revision
from tests.databases import empty_database_url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """The URL of an empty database: a new SQLite file, or a new PostgreSQL schema."""
    with empty_database_url(request.param, tmp_path) as url:
        yield url


def test_upgrade_current_and_downgrade_on_both_engines(run_cli, database_url) -> None:
    up = run_cli("db", "upgrade", "--database-url", database_url, "--json")
    current = run_cli("db", "current", "--database-url", database_url)
    down = run_cli("db", "downgrade", "base", "--database-url", database_url, "--json")
    again = run_cli("db", "upgrade", "--database-url", database_url, "--json")

    assert up.exit_code == 0, up.stderr
    data = up.json()
    assert data["action"] == "upgrade" and data["revision"] == data["head"] == head_revision() and data["at_head"]
    assert current.exit_code == 0 and f"revision {head_revision()} (the newest)" in current.stdout
    assert down.exit_code == 0 and down.json()["revision"] is None and down.json()["at_head"] is False
    assert again.exit_code == 0 and again.json()["at_head"]


def test_the_database_url_comes_from_the_environment_when_not_given(run_cli, tmp_path, monkeypatch) -> None:
    url = f"sqlite:///{tmp_path / 'from-env.sqlite3'}"
    monkeypatch.setenv("BACLOFEN_DATABASE_URL", url)

    r = run_cli("db", "upgrade", "--json")

    assert r.exit_code == 0, r.stderr
    assert r.json()["database_url"] == url and (tmp_path / "from-env.sqlite3").exists()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["upgrade", "--database-url", "mysql://root@127.0.0.1/test"], "--database-url: expected sqlite:///PATH"),
        (["upgrade", "--database-url", "sqlite://"], "--database-url: expected sqlite:///PATH"),
        (["downgrade", "0042"], "revision: expected one of head, base, "),  # then every revision, newest first
        (["upgrade", "--revision", "+50"], "--revision: expected a revision to upgrade to"),
    ],
)
def test_a_bad_url_or_revision_is_one_line_naming_it(run_cli, tmp_path, args, expected) -> None:
    url = ["--database-url", f"sqlite:///{tmp_path / 'x.sqlite3'}"] if "--database-url" not in args else []

    r = run_cli("db", *args, *url)

    assert r.exit_code == 2
    assert expected in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_a_database_that_does_not_answer_is_one_line_naming_it(run_cli) -> None:
    r = run_cli("db", "current", "--database-url", "postgresql://postgres@127.0.0.1:1/test?connect_timeout=2")

    assert r.exit_code == 1
    assert "cannot use the database postgresql+psycopg://postgres@127.0.0.1:1/test" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
