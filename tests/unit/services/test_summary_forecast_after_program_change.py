"""The patient summary's reservoir forecast (the patient page, the visit summary PDF, the reservoir chart) follows
the program changes since the last fill, as the risk engine, the worklist and the refill calendar do: after a dose
increase the reservoir empties earlier, so the refill and alarm dates shown must be the earlier ones."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from baclofen.adapters.charts import render_reservoir_chart
from baclofen.adapters.clock import FixedClock
from baclofen.adapters.edge.pump import record_refill_visit_command
from baclofen.adapters.pdf_documents import render_visit_summary_pdf
from baclofen.bootstrap import Services, bootstrap
from baclofen.domain.clinic.regimens import ProgramChangeRecord
from baclofen.domain.itb.programs import continuous_program
from baclofen.domain.itb.pumps import get_pump
from baclofen.domain.patient import PatientSnapshot
from baclofen.domain.records import PatientRecord, PumpRecord
from baclofen.services.commands import AssessPatientRisk, ForecastNextRefill
from baclofen.services.patient_summary import PatientSummary, read_patient_records, summarize_patient
from tests.pdf_text import flat, pdf_text

AS_OF = datetime(2026, 3, 12, 12, tzinfo=UTC)


def _store(change_mcg_per_day: float | None) -> Services:
    """A 20 mL fill at 500 mcg/mL, 300 mcg/day on 2026-03-02; optionally reprogrammed on 2026-03-10 09:00 UTC."""
    services = bootstrap(clock=FixedClock(AS_OF))
    with services.uow as uow:
        uow.patients.add(PatientRecord("P-1", PatientSnapshot(age_years=50), "C-1"))
        uow.pumps.add(PumpRecord("pump-1", get_pump("synchromed-ii-20"), "P-1", date(2025, 1, 1)))
        uow.commit()
    fill = record_refill_visit_command(
        pump_id="pump-1", concentration_mcg_per_ml=500, refilled="2026-03-02", daily_dose_mcg=300
    )
    services.record_refill_visit(fill)
    if change_mcg_per_day is not None:
        with services.uow as uow:
            changed_at = datetime(2026, 3, 10, 9, tzinfo=UTC)
            program = continuous_program(change_mcg_per_day)
            uow.program_changes.add(
                ProgramChangeRecord("pump-1", 0, changed_at, program, 300.0, "clinician:c", "spasms")
            )
            uow.commit()
    return services


def _summary(services: Services) -> PatientSummary:
    with services.uow as uow:
        records = read_patient_records(uow, uow.patients.get("P-1"))
    risk = services.assess_patient_risk(AssessPatientRisk("P-1", AS_OF))
    return summarize_patient(records, risk, AS_OF, clinic=services.settings)


def test_after_a_dose_increase_the_summary_forecast_is_the_worklists_earlier_refill_and_alarm() -> None:
    before = _summary(_store(None)).forecast
    services = _store(600)

    summary = _summary(services)
    refill = services.forecast_next_refill(ForecastNextRefill("pump-1", AS_OF))

    forecast = summary.forecast
    assert forecast is not None and before is not None
    assert forecast.recommended_refill_date == refill.refill_date
    assert refill.analysis.alarm_at is not None and refill.analysis.empty_at is not None
    assert forecast.low_reservoir_alarm_date == refill.analysis.alarm_at.date()
    assert forecast.empty_date == refill.analysis.empty_at.date()
    assert forecast.low_reservoir_alarm_date < before.low_reservoir_alarm_date
    assert forecast.recommended_refill_date is not None and before.recommended_refill_date is not None
    assert forecast.recommended_refill_date < before.recommended_refill_date
    assert forecast.fill.program.daily_dose_mcg == 600


def test_the_visit_summary_pdf_prints_the_worklists_refill_and_alarm_dates_after_the_change() -> None:
    services = _store(600)
    refill = services.forecast_next_refill(ForecastNextRefill("pump-1", AS_OF))
    assert refill.analysis.alarm_at is not None

    text = flat(pdf_text(render_visit_summary_pdf(_summary(services))))

    assert f"Next refill {refill.refill_date.isoformat()}" in text
    assert f"Low-reservoir alarm {refill.analysis.alarm_at.date().isoformat()}" in text


def test_without_a_program_change_the_summary_forecast_is_the_last_fills_and_the_worklists() -> None:
    services = _store(None)

    forecast = _summary(services).forecast
    refill = services.forecast_next_refill(ForecastNextRefill("pump-1", AS_OF))

    assert forecast is not None and forecast.recommended_refill_date == refill.refill_date
    assert forecast.fill.filled_at == datetime(2026, 3, 2) and forecast.fill.program.daily_dose_mcg == 300


def test_the_reservoir_chart_after_a_change_says_the_fill_and_the_change_it_starts_from() -> None:
    forecast = _summary(_store(600)).forecast
    assert forecast is not None and forecast.drug_filled_on == date(2026, 3, 2)

    svg = render_reservoir_chart(forecast)

    assert "fill of 2026-03-02, from the program change of 2026-03-10" in svg
    assert "filled 2026-03-02; from the program change of 2026-03-10" in svg and "at 600 mcg/day" in svg
    assert forecast.stability_limit_date == date(2026, 3, 2) + timedelta(days=forecast.max_refill_interval_days)
