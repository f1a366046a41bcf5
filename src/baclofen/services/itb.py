"""Use cases for intrathecal baclofen: screening, initial dose, titration, pump programs and visits.

Callable alike from the CLI, a REST API or a web page: each use case takes one typed command
(:mod:`baclofen.services.commands`: dates, programs, numbers in named units; text is read at the edge,
:mod:`baclofen.adapters.edge`); each result has ``to_dict()`` giving JSON-ready data with the findings,
reasoning and the settings used. Nothing here reads the clock: ``as_of`` is passed in. A refill visit reads
the pump's history and records the visit through a unit of work (:mod:`baclofen.services.ports`).

Raises
------
InvalidInputError
    For invalid input, naming the field (``volume_ml``, ``daily_dose_mcg``, ``previous`` ...).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from baclofen.domain.clinic.regimens import ProgramChangeRecord, ProgramInEffect, moment_in, program_in_effect
from baclofen.domain.errors import ConflictError, InvalidInputError, NotFoundError
from baclofen.domain.itb.concentration import ConcentrationChange, plan_concentration_change
from baclofen.domain.itb.dosing import (
    DAILY_DOSE_CONFIRMATION_THRESHOLD,
    HIGH_DOSE_THRESHOLD,
    InitialDose,
    TitrationRange,
    compute_initial_daily_dose,
    daily_dose_value,
    titration_range,
)
from baclofen.domain.itb.programs import (
    InfusionProgram,
    ProgramMode,
    ProgramPlan,
    continuous_program,
    plan_pump_program,
)
from baclofen.domain.itb.pumps import MAX_REFILL_INTERVAL_DAYS, PUMPS, PumpModel, get_pump, require_rate_steps
from baclofen.domain.itb.refill import (
    RECONCILE_TOLERANCE_ML,
    RECONCILE_TOLERANCE_PERCENT,
    RECONCILE_TREND_VISITS,
    DiscrepancyTrend,
    ObservedDelivery,
    RefillReconciliation,
    RefillVolumePlan,
    assess_discrepancy_trend,
    assess_next_refill,
    observe_delivery,
    plan_refill_volume,
    reconcile_refill,
)
from baclofen.domain.itb.reservoir import (
    REFILL_MARGIN_DAYS,
    ReservoirFill,
    ReservoirForecast,
    follow_program_changes,
    forecast_reservoir,
)
from baclofen.domain.itb.screening import (
    ScreeningAssessment,
    ScreeningDose,
    ashworth_points,
    assess_screening,
    responses_to_doses,
)
from baclofen.domain.itb.transition import TransitionPlan, plan_oral_to_itb_transition
from baclofen.domain.oral.plan import Plan
from baclofen.domain.records import PumpRecord, RefillVisitRecord
from baclofen.domain.rules.core import (
    Finding,
    Override,
    apply_overrides,
    findings_to_dicts,
    is_offerable,
    sort_findings,
)
from baclofen.domain.settings import SettingUse, SettingValues, settings_to_dicts, with_clinic_sources
from baclofen.services.commands import (
    ForecastPump,
    PlanConcentrationChange,
    PlanInitialDose,
    PlanItbTitrationStep,
    PlanPumpProgram,
    PlanTransition,
    ReconcileVisit,
    RecordRefillVisit,
    ScreenTrial,
)
from baclofen.services.planning import resolve_product
from baclofen.services.ports import SettingsProvider, UnitOfWork

__all__ = [
    "REFILL_VISIT_SETTINGS",
    "PumpInEffect",
    "PumpVisit",
    "ReconcileResult",
    "StoredVisit",
    "assess_refill_visit",
    "describe_pumps",
    "forecast_last_fill",
    "forecast_pump",
    "plan_concentration",
    "plan_initial_dose",
    "plan_program",
    "plan_titration_step",
    "plan_transition",
    "reconcile_visit",
    "record_refill_visit",
    "read_pump_in_effect",
    "read_stored_visit",
    "register_pump",
    "screen_trial",
]


def _program(pump: PumpModel, daily_dose_mcg: float | None, flex: InfusionProgram | None) -> InfusionProgram:
    """The program: ``flex`` (at most the pump's steps a day; its daily total must equal ``daily_dose_mcg`` when
    both are given), else a simple continuous program of ``daily_dose_mcg``."""
    if flex is not None:  # the edge checks this when it knows the pump; a stored pump's model is known only here
        require_rate_steps(pump, flex.rate_changes_per_day)
    if flex is None:
        if daily_dose_mcg is None:
            raise InvalidInputError("daily_dose_mcg", "a daily dose in mcg/day, or a flex schedule", None)
        dose = daily_dose_value(daily_dose_mcg)
        return continuous_program(dose)
    if daily_dose_mcg is not None:
        dose = daily_dose_value(daily_dose_mcg)
        if abs(dose - flex.daily_dose_mcg) > max(0.01, 1e-6 * dose):
            raise InvalidInputError(
                "daily_dose_mcg",
                f"the flex schedule's daily total, {flex.daily_dose_mcg:g} mcg/day (or leave it out)",
                dose,
            )
    return flex


# --- screening and dosing ---------------------------------------------------------------------------


def screen_trial(command: ScreenTrial) -> ScreeningAssessment:
    """Assess a screening trial from yes/no responses (or full dose records) and propose the next dose.

    ``effect_duration_hours`` and ``negative_reactions`` describe the last dose (the positive one).
    ``records`` replace ``responses`` when given. ``ashworth_before``/``ashworth_after`` are Modified Ashworth
    grades (``0``-``4``, ``1+``) around the last dose (both or neither); ``settings`` overrides the screening
    settings by name, e.g. the Ashworth responder threshold shared with ``scale evaluate``.

    Raises
    ------
    InvalidInputError
        Too many responses, a dose after a positive response, details of a last dose that was not given.
    """
    c = command
    setting_values = dict(c.settings)
    if c.records is not None:
        doses = list(c.records)
    else:
        base = list(responses_to_doses(c.responses, c.start_mcg))
        if (c.ashworth_before is None) != (c.ashworth_after is None):
            missing = "ashworth_after" if c.ashworth_after is None else "ashworth_before"
            raise InvalidInputError(missing, "given together with the other Ashworth grade", None)
        ashworth = None
        if c.ashworth_before is not None and c.ashworth_after is not None:
            if not base:
                raise InvalidInputError("ashworth_before", "given only with at least one response", "no responses")
            ashworth = (
                ashworth_points(c.ashworth_before, "ashworth_before", setting_values),
                ashworth_points(c.ashworth_after, "ashworth_after", setting_values),
            )
        if base and (c.effect_duration_hours is not None or c.negative_reactions or ashworth is not None):
            last = base[-1]
            base[-1] = ScreeningDose(
                last.dose_mcg,
                last.responded,
                effect_duration_hours=c.effect_duration_hours,
                negative_reactions=c.negative_reactions,
                ashworth_before=None if ashworth is None else ashworth[0],
                ashworth_after=None if ashworth is None else ashworth[1],
            )
        elif not base and (c.effect_duration_hours is not None or c.negative_reactions):
            raise InvalidInputError("effect_duration_hours", "given only with at least one response", "no responses")
        doses = base
    return assess_screening(
        doses,
        start_mcg=c.start_mcg,
        as_of=c.as_of,
        hours_since_last_dose=c.hours_since_last_dose,
        conditions=c.conditions,
        settings=setting_values,
    )


def plan_initial_dose(command: PlanInitialDose) -> InitialDose:
    """Initial infusion dose from the effective screening dose (mcg) and its duration of effect (h)."""
    return compute_initial_daily_dose(
        command.screening_dose_mcg, command.response_hours, negative_reactions=command.negative_reactions
    )


def plan_titration_step(command: PlanItbTitrationStep) -> TitrationRange:
    """Allowed next daily dose (mcg/day) per 24 h or at a refill visit, with findings on a proposed dose.

    ``settings`` may override ``itb.titration.high_dose_threshold_mcg_per_day`` and
    ``itb.dose.confirmation_threshold_mcg_per_day``.
    """
    c = command
    values = SettingValues((HIGH_DOSE_THRESHOLD, DAILY_DOSE_CONFIRMATION_THRESHOLD), c.settings, field="settings")
    return titration_range(
        c.current_mcg_per_day,
        c.origin,
        at_refill=c.at_refill,
        hours_since_start=c.hours_since_start,
        proposed_mcg_per_day=c.proposed_mcg_per_day,
        confirm_high_dose=c.confirm_high_dose,
        high_dose_threshold_mcg_per_day=values.get(HIGH_DOSE_THRESHOLD),
        confirmation_threshold_mcg_per_day=values.get(DAILY_DOSE_CONFIRMATION_THRESHOLD),
        planned_taper=c.planned_taper,
        hours_since_last_increase=c.hours_since_last_increase,
        interruption_hours=c.interruption_hours,
    )


def plan_transition(command: PlanTransition) -> TransitionPlan:
    """Oral taper alongside intrathecal titration from the day infusion starts."""
    c = command
    return plan_oral_to_itb_transition(
        infusion_start=c.infusion_start,
        oral_mg_per_day=c.oral_mg_per_day,
        itb_initial_mcg_per_day=c.itb_initial_mcg_per_day,
        origin=c.origin,
        itb_target_mcg_per_day=c.itb_target_mcg_per_day,
        max_oral_cut_percent=c.max_oral_cut_percent,
        months_on_therapy=c.months_on_therapy,
        patient=c.patient,
        product=resolve_product(c.product),
        other_oral_antispastics=c.other_oral_antispastics,
        overrides=c.overrides,
    )


# --- pumps --------------------------------------------------------------------------------------------


def describe_pumps() -> list[dict[str, Any]]:
    """The pump catalogue with its cited values and settings."""
    return [p.to_dict() for p in PUMPS.values()]


def plan_program(command: PlanPumpProgram) -> ProgramPlan:
    """A simple continuous program for the daily dose, or a flex program (with both: the same daily total).

    ``other_drugs_in_pump``: other drugs in the pump or catheter (no admixture, PUMP-ADMIX-001).
    """
    model = get_pump(command.pump)
    program = _program(model, command.daily_dose_mcg, command.flex)
    return plan_pump_program(
        model,
        command.concentration_mcg_per_ml,
        program,
        confirm_high_dose=command.confirm_high_dose,
        other_drugs_in_pump=command.other_drugs_in_pump,
    )


def forecast_pump(command: ForecastPump, *, clinic: SettingsProvider | None = None) -> ReservoirForecast:
    """Reservoir forecast of a fill: empty, alarm, recommended refill, stability and battery dates.

    ``observed_rate_factor`` (observed / programmed delivery, >= 1) also forecasts at that rate; the
    recommended refill date is then the earlier of the two. ``settings`` (already read, by name) may override
    ``pump.synchromed_ii.flow_accuracy_percent`` (SynchroMed II only). ``clinic`` gives the clinic's own values of
    the refill margin, the longest refill interval, the pump's low-reservoir volume and flow accuracy (the
    command's own values win); the forecast's settings at the clinic's value say so (``source="clinic"``).
    """
    model = get_pump(command.pump)
    if clinic is not None:
        return _forecast_with_clinic(command, model, clinic)
    program = _program(model, command.daily_dose_mcg, command.flex)
    fill = ReservoirFill(
        model,
        command.volume_ml,
        command.concentration_mcg_per_ml,
        program,
        command.filled,
        residual_ml=command.residual_ml,
    )
    return forecast_reservoir(
        fill,
        margin_days=command.margin_days,
        low_reservoir_ml=command.low_reservoir_ml,
        max_refill_interval_days=command.max_refill_interval_days,
        implanted=command.implanted,
        eri_date=command.eri_date,
        mri_date=command.mri_date,
        as_of=command.as_of,
        observed_rate_factor=command.observed_rate_factor,
        settings=dict(command.settings),
        other_drugs_in_pump=command.other_drugs_in_pump,
        drug_filled_on=command.drug_filled_on,
    )


def _forecast_with_clinic(command: ForecastPump, model: PumpModel, clinic: SettingsProvider) -> ReservoirForecast:
    """:func:`forecast_pump` with the clinic's values where the command gives none."""
    accuracy = () if model.flow_accuracy is None else (model.flow_accuracy,)
    explicit = {
        REFILL_MARGIN_DAYS: command.margin_days,
        MAX_REFILL_INTERVAL_DAYS: command.max_refill_interval_days,
        model.low_reservoir: command.low_reservoir_ml,
    }
    values = dict(clinic.overrides((*explicit, *accuracy)))
    given = {s.name for s, v in explicit.items() if v is not None} | set(command.settings)
    clinic_values = {name: v for name, v in values.items() if name not in given}
    if not clinic_values:
        return forecast_pump(command)
    own = {s.name: s for s in explicit}
    command = replace(
        command,
        margin_days=clinic_values.get(REFILL_MARGIN_DAYS.name, command.margin_days),
        max_refill_interval_days=clinic_values.get(MAX_REFILL_INTERVAL_DAYS.name, command.max_refill_interval_days),
        low_reservoir_ml=clinic_values.get(model.low_reservoir.name, command.low_reservoir_ml),
        settings={**{n: v for n, v in clinic_values.items() if n not in own}, **command.settings},
    )
    found = forecast_pump(command)
    return replace(found, settings_used=with_clinic_sources(found.settings_used, clinic_values))


@dataclass(frozen=True, slots=True)
class ReconcileResult:
    """This visit's reconciliation and the trend over the earlier visits plus this one."""

    current: RefillReconciliation
    trend: DiscrepancyTrend

    @property
    def findings(self) -> tuple[Finding, ...]:
        return sort_findings(self.current.findings + self.trend.findings)

    @property
    def settings_used(self) -> tuple[SettingUse, ...]:
        return self.current.settings_used + self.trend.settings_used

    def to_dict(self) -> dict[str, Any]:
        out = self.current.to_dict()
        out["findings"] = findings_to_dicts(self.findings)
        out["settings"] = settings_to_dicts(self.settings_used)
        out["trend"] = self.trend.to_dict()
        return out


def reconcile_visit(command: ReconcileVisit) -> ReconcileResult:
    """Expected vs aspirated residual at this visit, and the trend with the earlier visits (oldest first).

    ``previous_fill_ml`` (the volume put in at the last fill, when known) checks this visit's aspirated
    volume against it.
    """
    model = None if command.pump is None else get_pump(command.pump)

    def one(e: float, a: float, previous_fill: float | None = None) -> RefillReconciliation:
        return reconcile_refill(
            e,
            a,
            pump=model,
            tolerance_percent=command.tolerance_percent,
            tolerance_ml=command.tolerance_ml,
            previous_fill_ml=previous_fill,
        )

    # This visit first: it validates the options every visit shares (the tolerances) under their own names,
    # so that an error in an earlier visit is only ever about that visit's volumes (named "previous").
    current = one(command.expected_ml, command.aspirated_ml, command.previous_fill_ml)
    earlier = []
    for e, a in command.previous:
        try:
            earlier.append(one(e, a))
        except InvalidInputError as exc:
            if exc.field not in ("expected_ml", "aspirated_ml"):
                raise
            raise InvalidInputError("previous", exc.expected, exc.actual) from None
    trend = assess_discrepancy_trend([*earlier, current], trend_visits=command.trend_visits)
    return ReconcileResult(current, trend)


def plan_concentration(command: PlanConcentrationChange) -> ConcentrationChange:
    """Concentration change for the same daily dose, with the bridge arithmetic.

    ``change_minute`` (minute of the day, pump clock): when the change is made; a flex program's bridge and
    clearing times follow its step rates from then (without it: the range over the day).
    """
    model = get_pump(command.pump)
    shape = None if command.flex is None else _program(model, command.daily_dose_mcg, command.flex)
    return plan_concentration_change(
        model,
        command.daily_dose_mcg,
        command.old_mcg_per_ml,
        command.new_mcg_per_ml,
        catheter_volume_ml=command.catheter_volume_ml,
        catheter_trimmed_cm=command.catheter_trimmed_cm,
        pump_internal_volume_ml=command.pump_internal_volume_ml,
        program_shape=shape,
        change_minute=command.change_minute,
    )


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


class NotStored(ConflictError):
    """A plan, program change or refill visit that a standing block keeps from being stored; ``findings`` say why
    (all of them, the blocks first)."""

    def __init__(self, message: str, findings: Sequence[Finding], plan: Plan | None = None) -> None:
        super().__init__(message)
        self.findings = tuple(findings)
        #: The oral plan a block keeps out (None when there is none: a refused switch, a program change, a visit).
        self.plan = plan


@dataclass(frozen=True, slots=True)
class PumpVisit:
    """A refill visit: reconciliation (when residuals are given), the new fill and its forecast.

    With the previous fill volume and date, ``observed`` compares the delivery over the last interval with
    the programmed one; after a flagged shortfall the next refill date is the earlier of the dates at the
    programmed and at the observed rate (PUMP-REFILL-004), else PUMP-REFILL-005 says it assumes the
    programmed rate.
    """

    reconciliation: ReconcileResult | None
    refill: RefillVolumePlan
    forecast: ReservoirForecast
    observed: ObservedDelivery | None = None
    next_refill_findings: tuple[Finding, ...] = ()
    #: The clinic's values this visit used (those it did not set itself), by name: marked ``source="clinic"``.
    clinic_values: Mapping[str, Any] = field(default_factory=dict)
    #: A clinician's overrides of this visit's blocks (each attached to its finding).
    overrides: tuple[Override, ...] = ()

    @property
    def findings(self) -> tuple[Finding, ...]:
        found = list(self.refill.findings) + list(self.forecast.findings) + list(self.next_refill_findings)
        if self.observed is not None:
            found += self.observed.findings
        if self.reconciliation is not None:
            superseded = self.observed is not None and self.observed.beyond_accuracy
            # "within tolerance" of the residual is not the conclusion when the delivery is beyond the accuracy
            found += [f for f in self.reconciliation.findings if not (superseded and f.rule_id == "PUMP-RECON-003")]
        return apply_overrides(found, self.overrides)

    @property
    def recordable(self) -> bool:
        """True when no block stands against the visit (each one overridden by a clinician with a reason)."""
        return is_offerable(self.findings)

    @property
    def settings_used(self) -> tuple[SettingUse, ...]:
        """The forecast's settings, then the reconciliation's and the observed delivery's (when there are)."""
        used = self.forecast.settings_used
        if self.reconciliation is not None:
            used += self.reconciliation.settings_used
        if self.observed is not None:
            used += self.observed.settings_used
        return with_clinic_sources(used, self.clinic_values)

    def to_dict(self) -> dict[str, Any]:
        return {
            "reconciliation": self.reconciliation.to_dict() if self.reconciliation else None,
            "observed_delivery": self.observed.to_dict() if self.observed else None,
            "refill": self.refill.to_dict(),
            "fill_ml": self.refill.fill_ml,
            "next_refill_date": _iso(self.forecast.recommended_refill_date),
            "refill_possible": self.forecast.refill_possible,
            "next_refill_date_at_programmed_rate": _iso(self.forecast.programmed_refill_date),
            "low_reservoir_alarm_date_at_observed_rate": (
                self.forecast.observed_alarm_at.date().isoformat() if self.forecast.observed_alarm_at else None
            ),
            "low_reservoir_alarm_date": self.forecast.low_reservoir_alarm_date.isoformat(),
            "empty_date": self.forecast.empty_date.isoformat(),
            "empty_date_at_observed_rate": (
                self.forecast.observed_empty_at.date().isoformat() if self.forecast.observed_empty_at else None
            ),
            "forecast": self.forecast.to_dict(),
            "findings": findings_to_dicts(self.findings),
            "settings": settings_to_dicts(self.settings_used),
        }


def register_pump(uow: UnitOfWork, record: PumpRecord) -> None:
    """Store a newly implanted pump (with any history it comes with); its patient must be stored.

    Raises
    ------
    ConflictError
        A pump with this ``pump_id`` is already stored.
    NotFoundError
        No patient ``record.patient_id``.
    """
    with uow:
        if record.patient_id is not None:
            uow.patients.get(record.patient_id)
        uow.pumps.add(record)
        uow.commit()


#: Settings a clinic may set for refill visits (besides the pump's flow accuracy, when it has one).
REFILL_VISIT_SETTINGS = (
    RECONCILE_TOLERANCE_PERCENT,
    RECONCILE_TOLERANCE_ML,
    RECONCILE_TREND_VISITS,
    REFILL_MARGIN_DAYS,
)


def record_refill_visit(
    uow: UnitOfWork, command: RecordRefillVisit, *, clinic: SettingsProvider | None = None
) -> PumpVisit:
    """A whole refill visit of a stored pump: reconcile the residual, compute the new fill, forecast the next
    refill date, and record the visit in the pump's history.

    The pump (``command.pump_id``): its model, implant date and history come from the pump repository: the
    earlier visits' residuals give the discrepancy trend, and the last fill (its volume and date) the delivery
    observed over the last interval: after a flagged shortfall the next refill is also forecast at the
    observed rate and the earlier date is recommended (PUMP-REFILL-006 when that comes before
    ``target_interval_days``). The visit (residuals, fill volume, concentration, program) is committed only
    when it is valid and no block stands against it: every block (all of a visit's blocks are overridable:
    an empty or an impossible residual, a fill the pump cannot take ...) needs a clinician's override with a
    reason (``command.overrides``), else nothing is stored and :class:`NotStored` carries the findings. The
    overrides are in the visit's findings and stored with the visit (``RefillVisitRecord.overrides``: which
    block, the clinician, the reason).

    ``command.settings`` (read, by name) overrides the pump's flow accuracy for this visit, as in
    :func:`forecast_pump`; ``clinic`` gives the clinic's own values of :data:`REFILL_VISIT_SETTINGS` and of
    the flow accuracy (this visit's values win). ``other_drugs_in_pump``: other drugs in the pump or catheter
    (no admixture, PUMP-ADMIX-001).

    Raises
    ------
    InvalidInputError
        Only one of ``expected_ml`` / ``aspirated_ml``, a visit dated before the last recorded refill, or any
        invalid value.
    NotFoundError
        No pump ``command.pump_id``.
    """
    with uow:
        record = uow.pumps.get(command.pump_id)
        visit = _assess_refill_visit(record, command, clinic)
        if not visit.recordable:
            blocks = ", ".join(sorted({f.rule_id for f in visit.findings if f.is_blocking}))
            raise NotStored(
                f"a block stands against this visit ({blocks}): nothing stored; a clinician may override each "
                "block with a reason",
                visit.findings,
            )
        uow.pumps.add_visit(command.pump_id, _visit_record(command, visit))
        uow.commit()
    return visit


def assess_refill_visit(
    record: PumpRecord, command: RecordRefillVisit, *, clinic: SettingsProvider | None = None
) -> PumpVisit:
    """The refill visit of :func:`record_refill_visit` on the pump ``record`` (its model, implant date and
    history), checked the same way (the visit must follow the record's history), and stored nowhere: a refill
    check without stored records (``baclofen pump refill``, ``POST /api/v1/pumps/refill-check``).

    Raises
    ------
    InvalidInputError
        As :func:`record_refill_visit`.
    """
    visit = _assess_refill_visit(record, command, clinic)
    record.with_visit(_visit_record(command, visit))  # checked as a stored visit is, then dropped
    return visit


def _visit_record(command: RecordRefillVisit, visit: PumpVisit) -> RefillVisitRecord:
    return RefillVisitRecord(
        command.refilled,
        command.expected_ml,
        command.aspirated_ml,
        fill_ml=visit.refill.fill_ml,
        concentration_mcg_per_ml=command.concentration_mcg_per_ml,
        program=visit.forecast.fill.program,
        overrides=tuple(dict.fromkeys(visit.overrides)),  # one per rule (a repeated one said once)
    )


def _assess_refill_visit(record: PumpRecord, c: RecordRefillVisit, clinic: SettingsProvider | None) -> PumpVisit:
    """The refill visit of :func:`record_refill_visit` on a pump record, without storing anything."""
    model = record.model
    accuracy = () if model.flow_accuracy is None else (model.flow_accuracy,)
    clinic_settings = (*REFILL_VISIT_SETTINGS, *accuracy)
    clinic_given = {} if clinic is None else dict(clinic.overrides(clinic_settings))
    clinic_values = SettingValues(clinic_settings, clinic_given, field="setting")
    # this visit's flow accuracy (its settings) wins over the clinic's
    overrides = {s.name: clinic_given[s.name] for s in accuracy if s.name in clinic_given}
    overrides |= c.settings
    margin_days = c.margin_days if c.margin_days is not None else clinic_values.get(REFILL_MARGIN_DAYS)
    reconciliation = None
    if (c.expected_ml is None) != (c.aspirated_ml is None):
        raise InvalidInputError(
            "aspirated_ml" if c.aspirated_ml is None else "expected_ml",
            "given together with the other residual volume",
            None,
        )
    last_fill = record.last_fill()
    previous_fill_ml = None if last_fill is None else last_fill.fill_ml
    if c.expected_ml is not None and c.aspirated_ml is not None:
        reconciliation = reconcile_visit(
            ReconcileVisit(
                c.expected_ml,
                c.aspirated_ml,
                previous=record.residual_history(),
                pump=model.key,
                tolerance_percent=clinic_values.get(RECONCILE_TOLERANCE_PERCENT),
                tolerance_ml=clinic_values.get(RECONCILE_TOLERANCE_ML),
                trend_visits=clinic_values.get(RECONCILE_TREND_VISITS),
                previous_fill_ml=previous_fill_ml,
            )
        )
    observed = None
    previous_filled = None if last_fill is None else last_fill.refilled_at
    if reconciliation is not None and previous_fill_ml is not None and previous_filled is not None:
        values = model.setting_values(overrides)
        observed = observe_delivery(
            reconciliation.current,
            previous_fill_ml,
            previous_filled,
            c.refilled,
            pump=model,
            accuracy_percent=values.get(model.flow_accuracy) if model.flow_accuracy else None,
        )
    program = _program(model, c.daily_dose_mcg, c.flex)
    refill = plan_refill_volume(
        model,
        program.daily_volume_ml(c.concentration_mcg_per_ml),
        c.concentration_mcg_per_ml,
        target_interval_days=c.target_interval_days,
        margin_days=margin_days,
    )
    forecast = forecast_pump(
        ForecastPump(
            model.key,
            volume_ml=refill.fill_ml,
            concentration_mcg_per_ml=c.concentration_mcg_per_ml,
            filled=c.refilled,
            flex=c.flex,
            daily_dose_mcg=None if c.flex else c.daily_dose_mcg,
            margin_days=margin_days,
            implanted=record.implanted,
            as_of=c.as_of,
            observed_rate_factor=observed.rate_factor if observed is not None else None,
            settings=overrides,
            other_drugs_in_pump=c.other_drugs_in_pump,
        )
    )
    # the settings at the clinic's value say so (this visit's own margin and settings win)
    given = {*c.settings, *((REFILL_MARGIN_DAYS.name,) if c.margin_days is not None else ())}
    clinic_used = {name: value for name, value in clinic_given.items() if name not in given}
    forecast = replace(forecast, settings_used=with_clinic_sources(forecast.settings_used, clinic_used))
    next_refill = assess_next_refill(
        reconciliation.current if reconciliation is not None else None,
        observed,
        forecast,
        target_interval_days=c.target_interval_days,
    )
    visit = PumpVisit(reconciliation, refill, forecast, observed, next_refill, clinic_used, c.overrides)
    visit.findings  # noqa: B018 - an override of no block of this visit is an error (named ``override``)
    return visit


@dataclass(frozen=True, slots=True)
class StoredVisit:
    """The stored visit ``number`` (1 = the first) of a pump, what the pump held before it (``earlier``: the pump
    with the visits before this one) and, when it can be made again, its check (``checked``: the forecast and the
    findings the use case that recorded it gives on the history before it, with the clinic's settings of today)."""

    pump: PumpRecord
    number: int
    visit: RefillVisitRecord
    earlier: PumpRecord
    checked: PumpVisit | None
    #: The program the pump ran when the visit began (the previous fill's or a later program change's).
    program_before: ProgramInEffect | None = None

    @property
    def discrepancy_ml(self) -> float | None:
        """Aspirated minus expected residual (mL, to 0.01 mL); None when the residual was not reconciled."""
        if self.visit.expected_ml is None or self.visit.aspirated_ml is None:
            return None
        return round(self.visit.aspirated_ml - self.visit.expected_ml, 2)


def read_stored_visit(
    record: PumpRecord,
    number: int,
    target_interval_days: int | None = None,
    *,
    clinic: SettingsProvider | None = None,
    changes: Sequence[ProgramChangeRecord] = (),
) -> StoredVisit:
    """The stored visit ``number`` of the pump ``record`` with its check made again (``target_interval_days``: the
    target interval it was recorded with) and the program in effect when it began (the pump's program
    ``changes`` between refills counted); the check is None when it does not give the stored fill (other clinic
    settings since, another target interval) or the visit has no fill.

    Raises
    ------
    NotFoundError
        No visit ``number`` of the pump.
    """
    if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= len(record.visits):
        raise NotFoundError(f"no visit {number} of pump {record.pump_id}")
    visit = record.visits[number - 1]
    earlier = replace(record, visits=record.visits[: number - 1])
    checked = _recheck(earlier, visit, target_interval_days, clinic)
    before = None
    if visit.refilled_at is not None:  # a time on the pump's clock or a day: read in UTC, as the changes are
        before = program_in_effect(earlier, changes, moment_in(visit.refilled_at, UTC))
    return StoredVisit(record, number, visit, earlier, checked, before)


@dataclass(frozen=True, slots=True)
class PumpInEffect:
    """A pump at ``as_of`` as an emergency wallet card states it: its model, the concentration of the fill it
    delivers from (mcg/mL) and the program in effect (``in_effect``: the last fill's or a later change's)."""

    pump: PumpRecord
    as_of: datetime
    concentration_mcg_per_ml: float
    in_effect: ProgramInEffect

    @property
    def model_name(self) -> str:
        return self.pump.model.name

    @property
    def daily_dose_mcg(self) -> float:
        return self.in_effect.daily_dose_mcg


def read_pump_in_effect(uow: UnitOfWork, pump: PumpRecord, as_of: datetime) -> PumpInEffect:
    """What ``pump`` delivers at ``as_of`` (read inside the caller's open unit of work): the concentration of its
    last fill and the program in effect, its program changes between refills counted.

    Raises
    ------
    InvalidInputError
        ``pump_id``: no fill with its concentration and a program recorded by ``as_of``.
    """
    in_effect = program_in_effect(pump, uow.program_changes.for_pump(pump.pump_id), as_of)
    if in_effect is None or in_effect.concentration_mcg_per_ml is None:
        raise InvalidInputError("pump_id", "a pump with a recorded fill (concentration and program)", pump.pump_id)
    return PumpInEffect(pump, as_of, in_effect.concentration_mcg_per_ml, in_effect)


def _recheck(
    earlier: PumpRecord, visit: RefillVisitRecord, days: int | None, clinic: SettingsProvider | None
) -> PumpVisit | None:
    program = visit.program
    if visit.refilled_at is None or program is None or visit.concentration_mcg_per_ml is None:
        return None
    flex = program if program.mode is ProgramMode.FLEX else None
    try:
        command = RecordRefillVisit(
            earlier.pump_id,
            visit.concentration_mcg_per_ml,
            visit.refilled_at,
            daily_dose_mcg=None if flex else program.daily_dose_mcg,
            flex=flex,
            expected_ml=visit.expected_ml,
            aspirated_ml=visit.aspirated_ml,
            target_interval_days=days,
        )
        checked = assess_refill_visit(earlier, command, clinic=clinic)
    except InvalidInputError:
        return None
    return checked if checked.refill.fill_ml == visit.fill_ml else None


def forecast_last_fill(
    pump: PumpRecord,
    as_of: datetime,
    *,
    clinic: SettingsProvider | None = None,
    changes: Sequence[ProgramChangeRecord] = (),
) -> ReservoirForecast | None:
    """The reservoir forecast of ``pump``'s last fill at ``as_of`` with the clinic's settings, as
    :func:`forecast_pump` gives it, its program ``changes`` since the fill (up to ``as_of``) counted piecewise
    (:func:`~baclofen.domain.itb.reservoir.follow_program_changes`, as the risk engine, the worklist and the refill
    calendar count them): after a change the forecast is of the volume it left at the new rate, drug stability
    still counted from the fill. None when no complete fill (date, volume, concentration, program) is recorded, or
    the changes stopped the pump or left the reservoir at its low-reservoir mark (the risk findings say so).
    ``as_of`` (with a UTC offset) is read as the fill's time is: its day for a fill known by its day and no change
    since, the clock time for one on the pump's clock (no UTC offset; changes read on it in ``as_of``'s zone, as
    the patient's timeline reads them)."""
    fill = pump.last_fill()
    if (
        fill is None
        or fill.refilled_at is None
        or not fill.fill_ml
        or not fill.concentration_mcg_per_ml
        or fill.program is None
    ):
        return None
    zone = as_of.tzinfo if as_of.tzinfo is not None else UTC
    filled = fill.refilled_at

    def on_fill_clock(moment: datetime) -> datetime:
        if isinstance(filled, datetime) and filled.utcoffset() is not None:
            return moment.astimezone(filled.tzinfo)
        return moment.astimezone(zone).replace(tzinfo=None)

    since = moment_in(filled, zone)
    later = sorted(
        (c for c in changes if c.pump_id == pump.pump_id and since < c.changed_at <= as_of),
        key=lambda c: c.changed_at,
    )
    start = ReservoirFill(pump.model, fill.fill_ml, fill.concentration_mcg_per_ml, fill.program, filled)
    segment = follow_program_changes(start, [(on_fill_clock(c.changed_at), c.program) for c in later])
    if segment.is_stopped:
        return None
    followed = segment.fill is not start
    at: date | datetime = as_of
    if followed:  # from a change's time: now on the fill's clock, as the changes are
        at = on_fill_clock(as_of)
    elif not isinstance(filled, datetime):  # a fill known by its day: the forecast is by day
        at = as_of.date()
    elif filled.utcoffset() is None:  # a fill on the pump's clock: now on the same clock
        at = as_of.replace(tzinfo=None)
    current = segment.fill
    flex = current.program if current.program.mode is ProgramMode.FLEX else None
    command = ForecastPump(
        pump.model.key,
        volume_ml=current.volume_ml,
        concentration_mcg_per_ml=current.concentration_mcg_per_ml,
        filled=current.filled_at if followed else filled,
        daily_dose_mcg=None if flex is not None else current.program.daily_dose_mcg,
        flex=flex,
        implanted=pump.implanted,
        as_of=at,
        drug_filled_on=(filled.date() if isinstance(filled, datetime) else filled) if followed else None,
    )
    try:
        return forecast_pump(command, clinic=clinic)
    except InvalidInputError as exc:
        if followed and exc.field == "volume_ml":  # a change with the reservoir at or below its alarm volume
            return None
        raise
