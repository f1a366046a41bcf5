"""The refill visit use case on a stored pump: history from the pump repository, the visit recorded there
(only when valid), the clinic's settings; run on the in-memory adapters through the bootstrap."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from baclofen.adapters.clock import FixedClock
from baclofen.adapters.edge.pump import pump_record_from_options
from baclofen.adapters.memory import InMemoryUnitOfWork, StaticSettings
from baclofen.bootstrap import Services, bootstrap
from baclofen.domain.errors import ConflictError, InvalidInputError, NotFoundError
from baclofen.domain.itb.programs import continuous_program, parse_flex_schedule
from baclofen.domain.itb.pumps import get_pump
from baclofen.domain.patient import PatientSnapshot
from baclofen.domain.records import PatientRecord, PumpRecord, RefillVisitRecord
from baclofen.domain.rules.core import Override
from baclofen.services.commands import RecordRefillVisit
from baclofen.services.itb import NotStored, record_refill_visit, register_pump
from tests.pump_visits import refill_visit_from_options

SYNCHROMED = get_pump("synchromed-ii-20")
#: Journey 4: 500 mcg/day at 500 mcg/mL, filled with 20 mL on 2026-02-02, 3.1 mL aspirated where 4.9 mL
#: were expected on 2026-03-02.
LAST_FILL = RefillVisitRecord(
    date(2026, 2, 2), fill_ml=20, concentration_mcg_per_ml=500, program=continuous_program(500)
)
VISIT = RecordRefillVisit(
    "pump-1",
    concentration_mcg_per_ml=500,
    refilled=date(2026, 3, 2),
    daily_dose_mcg=500,
    expected_ml=4.9,
    aspirated_ml=3.1,
)
FOURTEEN_STEPS = parse_flex_schedule(",".join(f"{hour:02d}:00=10" for hour in range(14)))
#: The same visit as plain options (the CLI's), without the pump.
VISIT_OPTIONS: dict[str, Any] = {
    "concentration_mcg_per_ml": 500,
    "refilled": "2026-03-02",
    "daily_dose_mcg": 500,
    "expected_ml": 4.9,
    "aspirated_ml": 3.1,
}


def _services(*visits: RefillVisitRecord, **kwargs) -> Services:
    services = bootstrap(clock=FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC)), **kwargs)
    services.register_pump(PumpRecord("pump-1", SYNCHROMED, implanted=date(2025, 1, 1), visits=visits))
    return services


def _stored(services: Services) -> PumpRecord:
    with services.uow as uow:
        return uow.pumps.get("pump-1")


def _ids(visit) -> list[str]:
    return [f.rule_id for f in visit.findings]


def test_the_last_stored_fill_gives_the_observed_delivery() -> None:
    services = _services(LAST_FILL)

    visit = services.record_refill_visit(VISIT)

    assert visit.observed is not None and visit.observed.rate_factor == pytest.approx(16.9 / 15.1)
    assert visit.forecast.recommended_refill_date == date(2026, 3, 11)
    assert "PUMP-REFILL-004" in _ids(visit)


def test_the_stored_residuals_give_the_trend() -> None:
    earlier = (
        RefillVisitRecord(expected_ml=5.0, aspirated_ml=4.8),
        RefillVisitRecord(expected_ml=5.0, aspirated_ml=4.7),
    )
    services = _services(*earlier)

    visit = services.record_refill_visit(replace(VISIT, aspirated_ml=4.75))

    assert len(visit.reconciliation.trend.visits) == 3
    assert "PUMP-RECON-004" in _ids(visit)


def test_a_stored_history_gives_the_same_visit_as_the_same_history_in_options() -> None:
    stored = _services(RefillVisitRecord(expected_ml=5.0, aspirated_ml=4.8), LAST_FILL)

    from_store = stored.record_refill_visit(VISIT)
    from_options = refill_visit_from_options(
        "synchromed-ii-20",
        previous="5.0:4.8",
        previous_fill_ml=20,
        previous_filled="2026-02-02",
        implanted="2025-01-01",
        **VISIT_OPTIONS,
    )

    assert from_store.to_dict() == from_options.to_dict()


def test_the_visit_is_recorded_in_the_pump_history() -> None:
    services = _services(LAST_FILL)

    visit = services.record_refill_visit(VISIT)

    recorded = _stored(services).visits
    assert recorded[0] == LAST_FILL
    assert recorded[1] == RefillVisitRecord(
        date(2026, 3, 2),
        expected_ml=4.9,
        aspirated_ml=3.1,
        fill_ml=visit.refill.fill_ml,
        concentration_mcg_per_ml=500,
        program=continuous_program(500),
    )


def test_the_next_visit_takes_the_recorded_one_as_its_previous_fill() -> None:
    services = _services()
    first = services.record_refill_visit(replace(VISIT, expected_ml=None, aspirated_ml=None))

    second = services.record_refill_visit(replace(VISIT, refilled=date(2026, 3, 30), expected_ml=6.0))

    assert first.observed is None and first.reconciliation is None
    assert second.observed is not None
    assert second.observed.previous_fill_ml == 20 and second.observed.interval_days == 28
    assert [v.refilled_at for v in _stored(services).visits] == [date(2026, 3, 2), date(2026, 3, 30)]


def test_a_visit_a_block_stands_against_is_not_recorded() -> None:
    services = _services(LAST_FILL)
    before = _stored(services)

    with pytest.raises(NotStored) as err:
        services.record_refill_visit(replace(VISIT, aspirated_ml=0))  # an empty reservoir

    assert any(f.rule_id == "PUMP-RECON-007" and f.is_blocking and f.overridable for f in err.value.findings)
    assert _stored(services) == before


def test_a_visits_block_overridden_by_a_clinician_with_a_reason_is_recorded() -> None:
    services = _services(LAST_FILL)
    override = Override("PUMP-RECON-007", "restarted at a low dose under observation", "Dr Jane Doe")

    visit = services.record_refill_visit(replace(VISIT, aspirated_ml=0, overrides=(override,)))

    empty = [f for f in visit.findings if f.rule_id == "PUMP-RECON-007"]
    assert empty and empty[0].overridden_by == override and not empty[0].is_blocking
    assert len(_stored(services).visits) == 2


def test_an_override_of_no_block_of_the_visit_is_refused() -> None:
    services = _services(LAST_FILL)
    before = _stored(services)
    override = Override("PUMP-RECON-007", "restarted at a low dose under observation", "Dr Jane Doe")

    with pytest.raises(InvalidInputError) as err:
        services.record_refill_visit(replace(VISIT, overrides=(override,)))  # the residual is as expected

    assert err.value.field == "override"
    assert _stored(services) == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"aspirated_ml": None}, "aspirated_ml"),
        ({"flex": FOURTEEN_STEPS, "daily_dose_mcg": None}, "flex"),  # the stored SynchroMed takes 13 a day
        ({"concentration_mcg_per_ml": -500}, "concentration_mcg_per_ml"),
        ({"expected_ml": 25}, "expected_ml"),  # above the 20 mL reservoir
        ({"refilled": date(2026, 1, 15)}, "previous_filled"),  # before the stored fill: no interval to observe
        ({"refilled": date(2026, 1, 15), "expected_ml": None, "aspirated_ml": None}, "refilled_at"),
        ({"settings": {"pump.synchromed_ii.flow_accuracy_percent": 99}}, "pump.synchromed_ii.flow_accuracy_percent"),
    ],
)
def test_a_rejected_visit_leaves_the_stored_history_unchanged(change, field) -> None:
    services = _services(LAST_FILL)
    before = _stored(services)

    with pytest.raises(InvalidInputError) as err:
        services.record_refill_visit(replace(VISIT, **change))

    assert err.value.field == field
    assert _stored(services) == before


def test_a_visit_to_a_pump_not_on_file_is_not_found() -> None:
    services = _services()

    with pytest.raises(NotFoundError):
        services.record_refill_visit(replace(VISIT, pump_id="pump-404"))


def test_the_clinic_tolerances_decide_whether_a_residual_is_flagged() -> None:
    strict = _services(LAST_FILL).record_refill_visit(replace(VISIT, aspirated_ml=4.0))
    lenient = _services(
        LAST_FILL, settings=StaticSettings({"pump.reconcile.tolerance_percent": 20, "pump.reconcile.tolerance_ml": 1})
    ).record_refill_visit(replace(VISIT, aspirated_ml=4.0))

    assert strict.reconciliation.current.flagged and not lenient.reconciliation.current.flagged
    used = {s["name"]: s["value"] for s in lenient.reconciliation.to_dict()["settings"]}
    assert used["pump.reconcile.tolerance_percent"] == 20 and used["pump.reconcile.tolerance_ml"] == 1


def test_the_clinic_margin_and_trend_visits_apply_unless_the_visit_gives_its_own() -> None:
    clinic = StaticSettings({"pump.refill_margin_days": 10, "pump.reconcile.trend_visits": 2})
    earlier = RefillVisitRecord(expected_ml=5.0, aspirated_ml=4.8)

    by_clinic = _services(earlier, settings=clinic).record_refill_visit(replace(VISIT, aspirated_ml=4.75))
    by_visit = _services(earlier, settings=clinic).record_refill_visit(replace(VISIT, aspirated_ml=4.75, margin_days=7))

    assert by_clinic.refill.margin_days == 10 and by_visit.refill.margin_days == 7
    assert "PUMP-RECON-004" in _ids(by_clinic)  # 2 same-direction visits are a trend at this clinic


def test_the_visit_settings_win_over_the_clinic_flow_accuracy() -> None:
    clinic = StaticSettings({"pump.synchromed_ii.flow_accuracy_percent": 10})

    by_clinic = _services(LAST_FILL, settings=clinic).record_refill_visit(VISIT)
    by_visit = _services(LAST_FILL, settings=clinic).record_refill_visit(
        replace(VISIT, settings={"pump.synchromed_ii.flow_accuracy_percent": 3})
    )

    assert by_clinic.observed.accuracy_percent == 10 and by_clinic.forecast.flow_accuracy_percent == 10
    assert by_visit.observed.accuracy_percent == 3 and by_visit.forecast.flow_accuracy_percent == 3


def test_a_clinic_flow_accuracy_is_not_applied_to_a_pump_without_one() -> None:
    services = bootstrap(settings=StaticSettings({"pump.synchromed_ii.flow_accuracy_percent": 10}))
    services.register_pump(PumpRecord("pump-1", get_pump("prometra-ii-20")))

    visit = services.record_refill_visit(VISIT)

    assert visit.forecast.flow_accuracy_percent is None


def test_the_use_case_takes_any_unit_of_work() -> None:
    uow = InMemoryUnitOfWork()
    register_pump(uow, PumpRecord("pump-1", SYNCHROMED, visits=(LAST_FILL,)))

    visit = record_refill_visit(uow, VISIT)

    assert visit.observed is not None
    with uow:
        assert len(uow.pumps.get("pump-1").visits) == 2


def test_a_pump_is_registered_for_a_stored_patient_only() -> None:
    uow = InMemoryUnitOfWork()
    pump = PumpRecord("pump-1", SYNCHROMED, patient_id="P-1")

    with pytest.raises(NotFoundError):
        register_pump(uow, pump)
    with uow:
        uow.patients.add(PatientRecord("P-1", PatientSnapshot(age_years=46)))
        uow.commit()
    register_pump(uow, pump)
    with pytest.raises(ConflictError):
        register_pump(uow, pump)


# --- the history from plain options (the CLI's) -------------------------------------------------------------


def test_the_previous_fill_is_the_visit_of_the_last_residual_pair() -> None:
    record = pump_record_from_options(
        "synchromed-ii-20", previous="4.9:4.5,5:4.6", previous_fill_ml=20, previous_filled="2026-02-02"
    )

    assert record.visits == (
        RefillVisitRecord(expected_ml=4.9, aspirated_ml=4.5),
        RefillVisitRecord(date(2026, 2, 2), expected_ml=5.0, aspirated_ml=4.6, fill_ml=20),
    )


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"pump": "zzz"}, "pump"),
        ({"previous": "4.9:-1"}, "previous"),
        ({"previous": "nan:4"}, "previous"),
        ({"previous": "abc"}, "previous"),
        ({"previous_fill_ml": -1, "previous_filled": "2026-02-02"}, "previous_fill_ml"),
        ({"previous_fill_ml": 20, "previous_filled": "2026-02-30"}, "previous_filled"),
        ({"previous_fill_ml": 20}, "previous_filled"),
        ({"implanted": "2026-13-01"}, "implanted"),
        ({"previous": "4.9:4.5", "with_residuals": False}, "previous"),
        ({"previous_fill_ml": 20, "previous_filled": "2026-02-02", "with_residuals": False}, "previous_fill_ml"),
    ],
)
def test_bad_history_options_are_refused_naming_the_option(options, field) -> None:
    values = {"pump": "synchromed-ii-20"} | options
    pump = values.pop("pump")

    with pytest.raises(InvalidInputError) as err:
        pump_record_from_options(pump, **values)

    assert err.value.field == field
