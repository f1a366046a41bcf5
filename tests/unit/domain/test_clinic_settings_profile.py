"""A clinic's settings profile in the domain: each change checked against its setting, the values in force those
the changes leave, and a value a result used at the clinic's value says so (``source``) and is read back."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from baclofen.domain.clinic.settings_profile import SettingChange, SettingProfileEntry, values_in_force
from baclofen.domain.errors import InvalidInputError, UnknownNameError
from baclofen.domain.itb.reservoir import REFILL_MARGIN_DAYS
from baclofen.domain.oral.plan import Plan
from baclofen.domain.oral.taper import TAPER_STEP_INTERVAL_DAYS, plan_taper
from baclofen.domain.settings import SettingUse, with_clinic_sources

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MARGIN = REFILL_MARGIN_DAYS.name


def _change(old, new, **fields):
    values = {"clinic_id": "C-1", "name": MARGIN, "by": "admin:ann", "at": AT, "reason": "local protocol"} | fields
    return SettingChange(old_value=old, new_value=new, **values)


def test_a_change_outside_the_settings_bounds_is_refused_naming_the_setting() -> None:
    with pytest.raises(InvalidInputError) as err:
        _change(None, 0)

    assert err.value.field == MARGIN


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"name": "pump.no_such"}, "name"), ({"reason": " "}, "reason"), ({"at": datetime(2026, 3, 2)}, "at")],
)
def test_a_change_needs_a_known_setting_a_reason_and_an_instant(fields, field) -> None:
    with pytest.raises(InvalidInputError) as err:
        _change(None, 10, **fields)

    assert err.value.field == field
    if field == "name":
        assert isinstance(err.value, UnknownNameError)


def test_the_values_in_force_are_the_last_of_each_setting_and_a_reset_removes_it() -> None:
    changes = [_change(None, 10), _change(10, 12), _change(12, None), _change(None, 9)]

    assert values_in_force(changes[:2]) == {MARGIN: 12}
    assert values_in_force(changes[:3]) == {}
    assert values_in_force(changes) == {MARGIN: 9}
    assert changes[2].is_reset and changes[2].to_dict()["reset"] is True


def test_a_profile_entry_says_where_its_value_comes_from() -> None:
    assert SettingProfileEntry(REFILL_MARGIN_DAYS).to_dict()["source"] == "default"
    entry = SettingProfileEntry(REFILL_MARGIN_DAYS, 10).to_dict()
    assert (entry["value"], entry["clinic_value"], entry["source"], entry["minimum"]) == (10, 10, "clinic", 1)


def test_only_the_uses_at_the_clinics_value_that_the_request_did_not_set_are_marked() -> None:
    uses = (SettingUse(REFILL_MARGIN_DAYS, 10), SettingUse(TAPER_STEP_INTERVAL_DAYS, 3))

    marked = with_clinic_sources(uses, {MARGIN: 10, TAPER_STEP_INTERVAL_DAYS.name: 5})
    asked = with_clinic_sources(uses, {MARGIN: 10}, given=[MARGIN])

    assert [u.source for u in marked] == ["clinic", None]
    assert [u.source for u in asked] == [None, None]
    assert marked[0].to_dict()["source"] == "clinic" and "source" not in marked[1].to_dict()


def test_a_plan_with_a_clinic_value_reads_back_the_same() -> None:
    plan = plan_taper(
        start_date=AT.date(), from_mg_per_day=60, to_mg_per_day=0, settings={TAPER_STEP_INTERVAL_DAYS.name: 7}
    )
    document = Plan.from_dict(
        {
            **plan.to_dict(),
            "settings": [u.to_dict() for u in with_clinic_sources(plan.settings, {"taper.step_interval_days": 7})],
        }
    ).to_dict()

    assert document["settings"][1]["source"] == "clinic"
    assert Plan.from_dict(document).to_dict() == document


def test_a_source_that_is_not_the_clinic_is_refused_naming_it() -> None:
    with pytest.raises(InvalidInputError) as err:
        SettingUse.from_dict({"name": MARGIN, "value": 7, "source": "guess"}, "settings[0]")

    assert err.value.field == "settings[0].source"
