"""Issue 8 defect 15 below the CLI: population limit, scheduler address, one date range, JSON reader."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from baclofen.domain.errors import InvalidInputError
from baclofen.domain.evidence import REFERENCES
from baclofen.services.simulation import MAX_POPULATION_IN_PROCESS
from tests.simulations import oral_simulation


def test_issue8_d15_the_in_process_population_limit_is_a_cited_assumption() -> None:
    """`--population 10000000` ran without limit or warning."""
    limit = MAX_POPULATION_IN_PROCESS
    assert limit.default == 1_000_000 and limit.status.value == "assumption"
    assert limit.evidence and all(key in REFERENCES for key in limit.evidence)

    with pytest.raises(InvalidInputError) as err:
        oral_simulation(10.0, population=limit.default + 1)
    assert err.value.field == "population" and limit.name in err.value.expected


@pytest.mark.parametrize(
    "address", ["tcp://10.0.0.5:8786", "10.0.0.5:8786", "tls://sched.example.org:8786", "tcp://[::1]:8786"]
)
def test_issue8_d15_a_scheduler_address_is_accepted(address: str) -> None:
    from baclofen.adapters.distributed import check_scheduler_address

    assert check_scheduler_address(address) == address


@pytest.mark.parametrize(
    "address", ["notaurl", "", "tcp://", "http://x:1", "tcp://x:0", "tcp://x:99999", "x:y", "tcp://a b:1"]
)
def test_issue8_d15_a_malformed_scheduler_address_names_the_scheduler(address: str) -> None:
    from baclofen.adapters.distributed import check_scheduler_address

    with pytest.raises(InvalidInputError) as err:
        check_scheduler_address(address)
    assert err.value.field == "scheduler"


@pytest.mark.parametrize("value", [date(1899, 12, 31), date(2201, 1, 1), datetime(9999, 12, 31, 8)])
def test_issue8_d15_one_date_range_for_dates_and_date_times(value: date) -> None:
    from baclofen.domain.dates import check_date_range

    with pytest.raises(InvalidInputError) as err:
        check_date_range(value, "filled")
    assert err.value.field == "filled" and "1900-01-01" in err.value.expected
    assert check_date_range(date(2026, 1, 1), "filled") == date(2026, 1, 1)


def test_issue8_d15_the_json_reader_accepts_an_ordinary_file(tmp_path: Path) -> None:
    from baclofen.entrypoints.cli.files import read_json_file

    path = tmp_path / "ok.json"
    path.write_text('{"steps": [{"daily_dose_mg": 12.5, "n": 3}]}', encoding="utf-8")

    assert read_json_file(path, "FILE") == {"steps": [{"daily_dose_mg": 12.5, "n": 3}]}
