"""The clinic settings profile use cases (issue 11 item 6): a clinic's own values within each setting's bounds,
every change kept with who, when, before, after and why, and the plans and forecasts that use the clinic's
values saying so (``source: clinic``), a request's own values winning over them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from baclofen.adapters.edge.clinic_settings import change_clinic_setting_command
from baclofen.adapters.edge.plan import plan_taper_command
from baclofen.adapters.edge.pump import forecast_pump_command
from baclofen.adapters.memory import InMemoryClinicSettings, StaticSettings
from baclofen.domain.errors import InvalidInputError, InvalidInputs, NotFoundError
from baclofen.domain.itb.reservoir import REFILL_MARGIN_DAYS
from baclofen.domain.oral.taper import TAPER_STEP_INTERVAL_DAYS
from baclofen.domain.settings import SETTINGS
from baclofen.services import itb, planning
from baclofen.services.clinic_settings import (
    ClinicProfileSettings,
    change_clinic_setting,
    clinic_settings_history,
    read_clinic_settings,
)
from baclofen.services.commands import ChangeClinicSetting

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
STEP = TAPER_STEP_INTERVAL_DAYS.name
MARGIN = REFILL_MARGIN_DAYS.name


def _set(repository, name, value, clinic="C-1", reason="local protocol"):
    return change_clinic_setting(repository, ChangeClinicSetting(clinic, name, value, "admin:ann", AT, reason))


def _taper(**fields):
    return plan_taper_command(start_date="2026-03-02", from_mg_per_day=60, to_mg_per_day=0, **fields)


def _forecast(**fields):
    return forecast_pump_command(
        pump="synchromed-ii-20", volume_ml=20, concentration_mcg_per_ml=500, filled="2026-03-02", daily_dose_mcg=100,
        **fields,
    )  # fmt: skip


def _settings(result) -> dict[str, dict]:
    return {s["name"]: s for s in result.to_dict()["settings"]}


def test_a_change_is_kept_with_the_value_it_replaces_and_a_reset_is_a_change_too() -> None:
    repository = InMemoryClinicSettings()

    first = _set(repository, STEP, 5)
    second = _set(repository, STEP, 7)
    reset = _set(repository, STEP, None, reason="back to the label")

    assert [(c.old_value, c.new_value) for c in (first, second, reset)] == [(None, 5), (5, 7), (7, None)]
    assert clinic_settings_history(repository, "C-1") == (first, second, reset)
    assert clinic_settings_history(repository, "C-1", name=MARGIN) == ()
    assert dict(repository.values("C-1")) == {}


@pytest.mark.parametrize(("value", "expected"), [(61, "<= 60"), (0, ">= 1"), (2.5, "whole number"), ("3", "whole")])
def test_a_value_outside_the_settings_bounds_or_type_is_refused_naming_value(value, expected) -> None:
    repository = InMemoryClinicSettings()

    with pytest.raises(InvalidInputError) as err:
        _set(repository, STEP, value)

    assert err.value.field == "value" and expected in err.value.expected
    assert repository.history("C-1") == ()


def test_an_unknown_setting_is_not_found() -> None:
    with pytest.raises(NotFoundError, match="no setting 'taper.no_such'"):
        _set(InMemoryClinicSettings(), "taper.no_such", 3)
    with pytest.raises(NotFoundError):
        clinic_settings_history(InMemoryClinicSettings(), "C-1", name="taper.no_such")


def test_the_edge_reports_every_invalid_field_at_once() -> None:
    with pytest.raises(InvalidInputs) as err:
        change_clinic_setting_command(clinic_id="C-1", name=STEP, value=99, by="admin:ann", at=AT, reason="  ")

    assert {e.field for e in err.value.errors} == {"value", "reason"}


def test_the_profile_lists_every_setting_with_the_clinics_value_where_it_has_one() -> None:
    repository = InMemoryClinicSettings()
    _set(repository, STEP, 5)

    entries = {e.setting.name: e.to_dict() for e in read_clinic_settings(repository, "C-1")}

    assert set(entries) == set(SETTINGS)
    assert entries[STEP] | {"description": "", "evidence": []} == {
        "name": STEP,
        "value": 5,
        "default": 3,
        "unit": "days",
        "status": TAPER_STEP_INTERVAL_DAYS.status.value,
        "evidence": [],
        "description": "",
        "minimum": 1,
        "maximum": 60,
        "clinic_value": 5,
        "source": "clinic",
    }
    assert entries[MARGIN]["clinic_value"] is None and entries[MARGIN]["source"] == "default"
    assert entries[MARGIN]["value"] == REFILL_MARGIN_DAYS.default
    assert read_clinic_settings(repository, "C-2")[0].clinic_value is None


def test_the_clinics_profile_wins_over_the_service_configuration_and_only_for_that_clinic() -> None:
    repository = InMemoryClinicSettings()
    _set(repository, STEP, 5)
    base = StaticSettings({STEP: 4, MARGIN: 9})

    mine = ClinicProfileSettings(repository, "C-1", base)
    other = ClinicProfileSettings(repository, "C-2", base)

    assert dict(mine.overrides([TAPER_STEP_INTERVAL_DAYS, REFILL_MARGIN_DAYS])) == {STEP: 5, MARGIN: 9}
    assert dict(other.overrides([TAPER_STEP_INTERVAL_DAYS])) == {STEP: 4}
    assert dict(mine.overrides([REFILL_MARGIN_DAYS])) == {MARGIN: 9}


def test_a_taper_uses_the_clinics_value_and_says_so_and_a_requests_own_value_wins() -> None:
    repository = InMemoryClinicSettings()
    _set(repository, STEP, 7)
    clinic = ClinicProfileSettings(repository, "C-1")

    plain = planning.plan_oral_taper(_taper())
    local = planning.plan_oral_taper(_taper(), clinic=clinic)
    asked = planning.plan_oral_taper(_taper(settings={STEP: 2}), clinic=clinic)

    assert _settings(plain)[STEP]["value"] == 3 and "source" not in _settings(plain)[STEP]
    assert _settings(local)[STEP]["value"] == 7 and _settings(local)[STEP]["source"] == "clinic"
    assert (local.steps[1].start - local.steps[0].start).days == 7
    assert _settings(asked)[STEP]["value"] == 2 and "source" not in _settings(asked)[STEP]
    assert "source" not in _settings(local)["taper.max_step_mg_per_day"]


def test_a_forecast_uses_the_clinics_refill_margin_unless_the_request_gives_one() -> None:
    repository = InMemoryClinicSettings()
    _set(repository, MARGIN, 12)
    clinic = ClinicProfileSettings(repository, "C-1")

    plain = itb.forecast_pump(_forecast())
    local = itb.forecast_pump(_forecast(), clinic=clinic)
    asked = itb.forecast_pump(_forecast(margin_days=2), clinic=clinic)

    assert _settings(plain)[MARGIN]["value"] == 7
    assert _settings(local)[MARGIN] | {} == _settings(plain)[MARGIN] | {"value": 12, "source": "clinic"}
    assert (plain.recommended_refill_date - local.recommended_refill_date).days == 5
    assert _settings(asked)[MARGIN]["value"] == 2 and "source" not in _settings(asked)[MARGIN]


def test_a_requests_services_carry_the_callers_clinics_profile_over_the_service_configuration() -> None:
    from baclofen.bootstrap import bootstrap

    services = bootstrap(settings=StaticSettings({MARGIN: 9, STEP: 4}))
    services.change_clinic_setting(ChangeClinicSetting("C-1", STEP, 6, "admin:ann", AT, "local"))

    mine = services.for_request("C-1")
    theirs = services.for_request("C-2")
    nobody = mine.for_request()

    wanted = [TAPER_STEP_INTERVAL_DAYS, REFILL_MARGIN_DAYS]
    assert dict(mine.settings.overrides(wanted)) == {STEP: 6, MARGIN: 9} and mine.clinic_id == "C-1"
    assert dict(theirs.settings.overrides(wanted)) == {STEP: 4, MARGIN: 9}
    assert dict(nobody.settings.overrides(wanted)) == {STEP: 4, MARGIN: 9} and nobody.clinic_id is None
    assert mine.uow is not services.uow
    assert [
        (e.setting.name, e.clinic_value) for e in services.read_clinic_settings("C-1") if e.setting.name == STEP
    ] == [(STEP, 6)]
