"""One stored patient as the ``baclofen-timeline/1`` document (docs/timeline.md): one record, one timeline.

:func:`stored_timeline` turns what the clinic keeps (the patient's record, pumps with their refill visits, diary
entries) into exactly the document that ``baclofen risk TIMELINE.json`` reads, so that the risk engine, the pump
forecasts and the exposure simulation run on stored data through the one reader
(:func:`~baclofen.domain.cds.timeline.timeline_from_dict`), with no second model of the patient.

What the document holds up to ``as_of``:

* ``patient``: the covariates of the record's snapshot (age, weight, sex, kidney function, dialysis, origin,
  locale), with the weight, kidney function and dialysis in effect on ``as_of``'s date: the latest covariate
  observation of each on or before it (:func:`~baclofen.domain.clinic.observations.snapshot_on`);
* ``pump``: the patient's current pump (the latest implanted; with several, the others are named in
  ``omitted``): model, implant date, and each visit that recorded a fill as a refill (time, volume,
  concentration, program as ``daily_dose_mcg`` or ``flex``, and the residual expected and aspirated at that
  visit);
* ``diary``: each entry with its symptoms (the one vocabulary), missed doses and note;
* ``oral.prescriptions``: the periods of the saved oral plans
  (:func:`~baclofen.domain.clinic.regimens.oral_prescriptions`: each plan until a later one starts; planned
  periods may lie after ``as_of``);
* ``pump.program_changes``: the current pump's program changes between refills up to ``as_of``.

Nothing is dropped silently: what the document cannot hold (a visit without a fill or without a time, a program
with periodic boluses, events after ``as_of``, the patient's conditions) is listed in
:attr:`StoredTimeline.omitted`, one line each.

>>> from datetime import date, datetime, timezone
>>> from baclofen.domain.itb.programs import continuous_program
>>> from baclofen.domain.itb.pumps import get_pump
>>> from baclofen.domain.patient import PatientSnapshot
>>> from baclofen.domain.records import PatientRecord, PumpRecord, RefillVisitRecord
>>> pump = PumpRecord("pump-1", get_pump("synchromed-ii-20"), "P-1", date(2024, 5, 1)).with_visit(
...     RefillVisitRecord(date(2026, 2, 20), fill_ml=20, concentration_mcg_per_ml=500,
...                       program=continuous_program(200)))
>>> stored = stored_timeline(PatientRecord("P-1", PatientSnapshot(age_years=52)), (pump,), (),
...                          datetime(2026, 3, 10, 9, 0, tzinfo=timezone.utc))
>>> stored.document["pump"]["refills"][0]["time"], stored.timeline().pump.model.key
('2026-02-20T00:00:00+00:00', 'synchromed-ii-20')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo
from typing import Any

from baclofen.domain.cds.timeline import PatientTimeline, timeline_from_dict
from baclofen.domain.clinic.diary import DiaryEntryRecord
from baclofen.domain.clinic.observations import CovariateObservation, snapshot_on
from baclofen.domain.clinic.regimens import ProgramChangeRecord, SavedPlan, oral_prescriptions
from baclofen.domain.documents import TIMELINE_SCHEMA
from baclofen.domain.errors import require
from baclofen.domain.itb.programs import InfusionProgram, ProgramMode, format_clock
from baclofen.domain.records import PatientRecord, PumpRecord, RefillVisitRecord

__all__ = ["StoredTimeline", "current_pump", "stored_timeline"]


@dataclass(frozen=True, slots=True)
class StoredTimeline:
    """The ``baclofen-timeline/1`` document of a stored patient, the pump it describes and what it left out."""

    document: dict[str, Any]
    pump_id: str | None = None
    omitted: tuple[str, ...] = field(default=())

    def timeline(self) -> PatientTimeline:
        """The document read by the one timeline reader (every field checked there)."""
        return timeline_from_dict(self.document)

    def to_dict(self) -> dict[str, Any]:
        """The document (``timeline``), the pump it describes and what it could not hold."""
        return {"timeline": self.document, "pump_id": self.pump_id, "omitted": list(self.omitted)}


def current_pump(pumps: Sequence[PumpRecord]) -> PumpRecord | None:
    """The pump the patient has now: the latest implanted (one without an implant date counts as earliest; among
    equals, the one whose last visit is latest, then the greatest id)."""
    if not pumps:
        return None

    def key(p: PumpRecord) -> tuple[date, date, str]:
        dated = [_day(v.refilled_at) for v in p.visits if v.refilled_at is not None]
        return (p.implanted or date.min, max(dated, default=date.min), p.pump_id)

    return max(pumps, key=key)


def _day(moment: date | datetime) -> date:
    return moment.date() if isinstance(moment, datetime) else moment


def _moment(moment: date | datetime, zone: tzinfo) -> datetime:
    """A recorded time in the ``as_of`` zone: a date is 00:00 there, a pump-clock time (no zone) is that wall time
    there (the pump clock is the clinic's), an instant is converted."""
    if isinstance(moment, datetime):
        return moment.astimezone(zone) if moment.utcoffset() is not None else moment.replace(tzinfo=zone)
    return datetime.combine(moment, time(0, 0), tzinfo=zone)


def _patient(
    record: PatientRecord, covariates: Sequence[CovariateObservation], as_of: datetime
) -> tuple[dict[str, Any], list[str]]:
    s = snapshot_on(record.snapshot, covariates, as_of.date())
    out: dict[str, Any] = {}
    for name in ("age_years", "weight_kg", "serum_creatinine_mg_dl", "crcl_ml_min", "egfr_ml_min_1_73m2"):
        if getattr(s, name) is not None:
            out[name] = getattr(s, name)
    if s.sex is not None:
        out["sex"] = s.sex.value
    out |= {"dialysis": s.dialysis, "origin": s.origin.value, "locale": s.locale.value}
    omitted = [
        f"covariates {o.observation_id}: observed {o.observed_on.isoformat()}, after as_of"
        for o in covariates
        if o.observed_on > as_of.date()
    ]
    if s.conditions:
        omitted.append(
            "patient.conditions: " + ", ".join(sorted(s.conditions)) + " (the timeline has no conditions field)"
        )
    return out, omitted


def _program(program: InfusionProgram) -> dict[str, Any] | None:
    if program.boluses or program.mode is ProgramMode.PERIODIC_BOLUS:
        return None
    if program.mode is ProgramMode.SIMPLE_CONTINUOUS or program.is_constant:
        return {"daily_dose_mcg": program.daily_dose_mcg}
    return {"flex": ",".join(f"{format_clock(s.start_minute)}={s.rate_mcg_per_h!r}" for s in program.steps)}


def _refill(visit: RefillVisitRecord, where: str, zone: tzinfo, as_of: datetime) -> tuple[dict[str, Any] | None, str]:
    """The timeline refill of a visit, or None and why it is left out."""
    if visit.fill_ml is None:
        return None, f"{where}: a residual without a fill (reconciled at its visit, not a refill)"
    assert visit.refilled_at is not None  # a fill has its date (RefillVisitRecord)
    when = _moment(visit.refilled_at, zone)
    if when > as_of:
        return None, f"{where}: refilled {when.isoformat()}, after as_of"
    if visit.program is None or visit.concentration_mcg_per_ml is None:
        return None, f"{where}: a fill without its program or concentration"
    program = _program(visit.program)
    if program is None:
        return None, f"{where}: a program with periodic boluses (the timeline holds continuous and flex programs)"
    refill: dict[str, Any] = {
        "time": when.isoformat(),
        "volume_ml": visit.fill_ml,
        "concentration_mcg_per_ml": visit.concentration_mcg_per_ml,
        **program,
    }
    if visit.has_residuals:
        refill |= {"expected_residual_ml": visit.expected_ml, "aspirated_ml": visit.aspirated_ml}
    return refill, ""


def _program_changes(
    pump: PumpRecord, changes: Sequence[ProgramChangeRecord], as_of: datetime
) -> tuple[list[dict[str, Any]], list[str]]:
    out: list[dict[str, Any]] = []
    omitted: list[str] = []
    for change in sorted((c for c in changes if c.pump_id == pump.pump_id), key=lambda c: c.changed_at):
        when = change.changed_at.astimezone(as_of.tzinfo)
        if when > as_of:
            omitted.append(f"pump {pump.pump_id} program change {change.change_id}: {when.isoformat()}, after as_of")
            continue
        program = _program(change.program)
        assert program is not None  # a program change is continuous or flex (ProgramChangeRecord)
        out.append({"time": when.isoformat(), **program})
    return out, omitted


def _pump(
    pump: PumpRecord, as_of: datetime, changes: Sequence[ProgramChangeRecord] = ()
) -> tuple[dict[str, Any], list[str]]:
    zone = as_of.tzinfo
    assert zone is not None
    refills: list[dict[str, Any]] = []
    omitted: list[str] = []
    for i, visit in enumerate(pump.visits):
        refill, why = _refill(visit, f"pump {pump.pump_id} visits[{i}]", zone, as_of)
        if refill is not None:
            refills.append(refill)
        else:
            omitted.append(why)
    out: dict[str, Any] = {"model": pump.model.key, "refills": refills}
    program_changes, more = _program_changes(pump, changes, as_of)
    if program_changes:
        out["program_changes"] = program_changes
    omitted += more
    if pump.implanted is not None:
        out["implanted"] = pump.implanted.isoformat()
    return out, omitted


def _diary(entries: Sequence[DiaryEntryRecord], as_of: datetime) -> tuple[list[dict[str, Any]], list[str]]:
    out: list[dict[str, Any]] = []
    omitted: list[str] = []
    for entry in sorted(entries, key=lambda e: e.recorded_at):
        when = entry.recorded_at.astimezone(as_of.tzinfo)
        if when > as_of:
            omitted.append(f"diary {entry.entry_id}: recorded {when.isoformat()}, after as_of")
            continue
        item: dict[str, Any] = {
            "time": when.isoformat(),
            "symptoms": [s.value for s in entry.symptoms],
            "missed_doses": entry.doses_missed,
        }
        if entry.note:
            item["note"] = entry.note
        out.append(item)
    return out, omitted


def stored_timeline(
    patient: PatientRecord | None,
    pumps: Sequence[PumpRecord],
    diary: Sequence[DiaryEntryRecord],
    as_of: datetime,
    covariates: Sequence[CovariateObservation] = (),
    *,
    plans: Sequence[SavedPlan] = (),
    program_changes: Sequence[ProgramChangeRecord] = (),
) -> StoredTimeline:
    """The ``baclofen-timeline/1`` document of a stored patient at ``as_of`` (aware; its zone is the clinic's).

    ``patient`` may be None (a pump recorded without its patient's record); ``pumps`` are the patient's (the
    current one is described, :func:`current_pump`); ``diary`` the patient's entries in any order;
    ``covariates`` the patient's covariate observations in any order (those in effect on ``as_of``'s date
    replace the record's weight, kidney function and dialysis); ``plans`` the patient's saved oral plans (their
    periods become ``oral.prescriptions``); ``program_changes`` the program changes of the patient's pumps (the
    current pump's, up to ``as_of``, become ``pump.program_changes``).
    """
    aware = isinstance(as_of, datetime) and as_of.utcoffset() is not None
    require(aware, "as_of", "a date and time with its UTC offset", as_of)
    document: dict[str, Any] = {"schema": TIMELINE_SCHEMA, "as_of": as_of.isoformat()}
    omitted: list[str] = []
    if patient is not None:
        document["patient"], more = _patient(patient, covariates, as_of)
        omitted += more
    prescriptions = oral_prescriptions(plans)
    if prescriptions:
        document["oral"] = {"prescriptions": prescriptions}
    pump = current_pump(pumps)
    if pump is not None:
        document["pump"], more = _pump(pump, as_of, program_changes)
        omitted += more
        omitted += [f"pump {p.pump_id}: not the current pump ({pump.pump_id})" for p in pumps if p is not pump]
    entries, more = _diary(diary, as_of)
    if entries:
        document["diary"] = entries
    omitted += more
    return StoredTimeline(document, None if pump is None else pump.pump_id, tuple(omitted))
