"""Use cases of a patient's regimen between visits: save an oral plan, reprogram a pump.

Each takes a unit of work (:class:`~baclofen.services.ports.UnitOfWork`) and one typed command
(:mod:`baclofen.services.commands`); neither reads a clock (``saved_at``, ``changed_at`` come in the command).

* :func:`save_plan` runs the oral planner (titration or taper, :mod:`baclofen.services.planning`; or the oral ->
  intrathecal transition, :func:`baclofen.services.itb.plan_transition`, saved as its oral taper with the rest of
  its document; or a switch to an alternative, :func:`baclofen.services.cds.advise_on_alternatives`' cross-taper,
  saved as its baclofen taper with the new drug's steps, the option's monitoring, findings and settings) on the
  STORED patient (the record's covariates and origin, never a second patient model) and
  appends the plan to the patient's plan history: it supersedes the one before, which is never rewritten. A plan
  that is not offerable (a block without a clinician's override, or a block no override lifts) is not saved:
  :class:`NotStored` carries its findings.
* :func:`change_pump_program` judges a new program of a stored pump between refills with the intrathecal titration
  rules (``ITB-TITR-*``, ``ITB-DOSE-*``: the step from the program in effect, at most one increase every 24 h, no
  increase in the first 24 h) on the patient's spasticity origin, and appends it to the pump's program changes.
  A change a block stands against is not stored: :class:`NotStored` carries the findings.

Both feed the stored timeline (:func:`~baclofen.domain.clinic.timeline.stored_timeline`): the plans its
``oral.prescriptions``, the changes its ``pump.program_changes``.

Raises
------
InvalidInputError
    An invalid field, named (``changed_at``, ``program``, ``override`` ...).
NotFoundError
    The patient or pump is not stored.
NotStored
    A plan or change a standing block keeps out (a :class:`~baclofen.domain.errors.ConflictError`).
ConflictError
    Another unit of work saved a plan of the patient (or a change of the pump) meanwhile.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from baclofen.domain.cds.alternatives import ADVISOR_SETTINGS
from baclofen.domain.clinic.regimens import (
    ProgramChangeRecord,
    SavedPlan,
    program_change_basis,
    require_changeable_program,
)
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.itb.dosing import DAILY_DOSE_CONFIRMATION_THRESHOLD, HIGH_DOSE_THRESHOLD, titration_range
from baclofen.domain.itb.transition import TransitionPlan
from baclofen.domain.oral.plan import Plan
from baclofen.domain.patient import PatientSnapshot
from baclofen.domain.rules.core import Finding, apply_overrides, is_offerable
from baclofen.domain.settings import SettingUse, SettingValues, settings_to_dicts, with_clinic_sources
from baclofen.services.cds import advise_on_alternatives
from baclofen.services.commands import (
    AdviseAlternatives,
    ChangePumpProgram,
    PlanTaper,
    PlanTitration,
    PlanTransition,
    SavePlan,
)
from baclofen.services.itb import NotStored, plan_transition
from baclofen.services.planning import plan_oral_taper, plan_oral_titration
from baclofen.services.ports import SettingsProvider, UnitOfWork

__all__ = [
    "PROGRAM_CHANGE_SETTINGS",
    "CheckedPlan",
    "CheckedProgramChange",
    "NotStored",
    "change_pump_program",
    "check_plan",
    "check_pump_program",
    "save_plan",
]

#: The settings a program change is judged with (the clinic's values, then the command's).
PROGRAM_CHANGE_SETTINGS = (HIGH_DOSE_THRESHOLD, DAILY_DOSE_CONFIRMATION_THRESHOLD)


@dataclass(frozen=True, slots=True)
class CheckedPlan:
    """A plan checked and not saved (:func:`check_plan`): the oral plan (None for a switch refused before any
    plan), all its findings (a transition's or a switch's included), and ``draft``, what :func:`save_plan` would
    store now (None when a block stands: then it cannot be saved)."""

    plan: Plan | None
    findings: tuple[Finding, ...]
    draft: SavedPlan | None

    @property
    def offerable(self) -> bool:
        return self.draft is not None


def _blocks(findings: Sequence[Finding]) -> str:
    return ", ".join(sorted({f.rule_id for f in findings if f.is_blocking}))


def _plan(
    request: PlanTitration | PlanTaper | PlanTransition, patient: PatientSnapshot, clinic: SettingsProvider | None
) -> tuple[Plan, TransitionPlan | None]:
    """The planner's oral plan on the stored patient (and, for a transition, the transition it is the taper of);
    a titration or taper with the clinic's values of its settings."""
    if isinstance(request, PlanTitration):
        return plan_oral_titration(replace(request, patient=patient), clinic=clinic), None
    if isinstance(request, PlanTaper):
        return plan_oral_taper(replace(request, patient=patient), clinic=clinic), None
    transition = plan_transition(replace(request, patient=patient, origin=patient.origin))
    return transition.oral_taper, transition


def _switch_settings(
    advised: tuple[SettingUse, ...],
    cross: tuple[SettingUse, ...],
    request: AdviseAlternatives,
    clinic: SettingsProvider | None,
) -> tuple[SettingUse, ...]:
    """The advisor's settings and the cross-taper's that the advisor does not list, the clinic's marked as such."""
    names = {u.setting.name for u in advised}
    extra = tuple(u for u in cross if u.setting.name not in names)
    mine = {} if clinic is None else dict(clinic.overrides(ADVISOR_SETTINGS.values()))
    return (*advised, *with_clinic_sources(extra, mine, request.settings))


def _switch(
    request: AdviseAlternatives, patient: PatientSnapshot, clinic: SettingsProvider | None
) -> tuple[Plan, dict[str, Any]]:
    """The advisor's cross-taper for the stored patient (age, sex, locale, kidney function and conditions from the
    record): its baclofen taper and the rest of its document. A refused switch (the drug excluded) or a cross-taper
    with a standing block: :class:`NotStored`."""
    kidney = patient.kidney
    command = replace(
        request,
        age_years=patient.age_years,
        sex=patient.sex,
        locale=patient.locale,
        crcl_ml_min=None if kidney.dialysis else kidney.crcl_ml_min,
        dialysis=kidney.dialysis,
        conditions=tuple(dict.fromkeys((*request.conditions, *sorted(patient.conditions)))),
    )
    advice = advise_on_alternatives(command, clinic=clinic)
    if advice.switch_refused:
        raise NotStored(
            f"the switch to {request.switch_to} is refused ({_blocks(advice.switch_refused)}): nothing saved; "
            "override a block with a reason where the rule allows it, or choose another drug",
            advice.switch_refused,
        )
    cross = advice.cross_taper
    assert cross is not None  # the command names the drug, the dose and the start (SavePlan checks them)
    if not cross.offerable:
        findings = (*cross.taper.findings, *cross.overlap_findings)
        raise NotStored(
            f"the switch is not offerable ({_blocks(findings)}): nothing saved; override a block with a reason "
            "where the rule allows it, or change the plan",
            findings,
            cross.taper,
        )
    document = {k: v for k, v in cross.to_dict().items() if k != "taper"}
    document |= {
        "switch_to": cross.new_drug.drug_key,
        "baclofen_outcome": advice.baclofen_outcome.value,
        "guideline": advice.guideline.value,
        "option": advice.option(cross.new_drug.drug_key).to_dict(),
        "settings": settings_to_dicts(_switch_settings(advice.settings, cross.settings, request, clinic)),
    }
    return cross.taper, document


def _offerable_plan(
    request: PlanTitration | PlanTaper | PlanTransition,
    patient: PatientSnapshot,
    clinic: SettingsProvider | None,
    at: tuple[str, int],
    command: SavePlan,
) -> SavedPlan:
    """The titration, taper or transition planned on the stored patient, to save at ``at`` (patient, position); not
    offerable: :class:`NotStored`."""
    plan, transition = _plan(request, patient, clinic)
    findings = plan.findings if transition is None else transition.findings
    if not is_offerable(findings):
        raise NotStored(
            f"the plan is not offerable ({_blocks(findings)}): nothing saved; override a block with a "
            "reason where the rule allows it, or change the plan",
            findings,
            plan,
        )
    document = None
    if transition is not None:
        document = {k: v for k, v in transition.to_dict().items() if k != "oral_taper"}
    return SavedPlan(*at, plan, command.saved_by, command.saved_at, document)


def _draft(uow: UnitOfWork, command: SavePlan, clinic: SettingsProvider | None) -> SavedPlan:
    """The plan to save next in the patient's history (in ``uow``'s transaction); not offerable: :class:`NotStored`."""
    patient = uow.patients.get(command.patient_id)
    history = uow.plans.for_patient(command.patient_id)
    at = (command.patient_id, len(history))
    if isinstance(command.plan, AdviseAlternatives):
        taper, switch = _switch(command.plan, patient.snapshot, clinic)
        return SavedPlan(*at, taper, command.saved_by, command.saved_at, switch=switch)
    return _offerable_plan(command.plan, patient.snapshot, clinic, at, command)


def _all_findings(saved: SavedPlan) -> tuple[Finding, ...]:
    if saved.transition is not None:
        return tuple(Finding.from_dict(f) for f in saved.transition["findings"])
    if saved.switch is not None:
        return (*saved.plan.findings, *(Finding.from_dict(f) for f in saved.switch["overlap_findings"]))
    return saved.plan.findings


def check_plan(uow: UnitOfWork, command: SavePlan, *, clinic: SettingsProvider | None = None) -> CheckedPlan:
    """Plan the command exactly as :func:`save_plan` would and store NOTHING: the plan, its findings and what
    would be saved (``draft``; None when a block stands)."""
    with uow:
        try:
            draft = _draft(uow, command, clinic)
        except NotStored as exc:
            return CheckedPlan(exc.plan, exc.findings, None)
    return CheckedPlan(draft.plan, _all_findings(draft), draft)


def save_plan(uow: UnitOfWork, command: SavePlan, *, clinic: SettingsProvider | None = None) -> SavedPlan:
    """Plan the command's titration, taper, transition or switch for the stored patient and append it to the
    patient's plan history (it becomes the active plan; the one before is superseded). Not offerable: nothing
    stored, :class:`NotStored`. ``clinic`` gives the clinic's values of a titration's, taper's or switch's settings
    (the plan's own win); the saved plan lists every value it used, the clinic's with ``source="clinic"``."""
    with uow:
        saved = _draft(uow, command, clinic)
        uow.plans.add(saved)
        uow.commit()  # another plan saved at this position meanwhile: ConflictError
    return saved


@dataclass(frozen=True, slots=True)
class CheckedProgramChange:
    """A program change judged and not stored (:func:`check_pump_program`): all its findings, the settings used
    and ``draft``, what :func:`change_pump_program` would store now (None when a block stands)."""

    findings: tuple[Finding, ...]
    settings: tuple[SettingUse, ...]
    previous_daily_dose_mcg: float
    draft: ProgramChangeRecord | None

    @property
    def offerable(self) -> bool:
        return self.draft is not None


def _judge_change(uow: UnitOfWork, c: ChangePumpProgram, clinic: SettingsProvider | None) -> CheckedProgramChange:
    """The change judged against the program in effect (in ``uow``'s transaction)."""
    given = {} if clinic is None else dict(clinic.overrides(PROGRAM_CHANGE_SETTINGS))
    values = SettingValues(PROGRAM_CHANGE_SETTINGS, given | dict(c.settings), field="setting")
    pump = uow.pumps.get(c.pump_id)
    require_changeable_program(c.program, pump.model)
    if pump.patient_id is None:
        raise InvalidInputError("pump_id", "a pump of a stored patient (the rules need the origin)", c.pump_id)
    patient = uow.patients.get(pump.patient_id)
    changes = uow.program_changes.for_pump(c.pump_id)
    basis = program_change_basis(pump, changes, c.changed_at)
    judged = titration_range(
        basis.daily_dose_mcg,
        patient.snapshot.origin,
        at_refill=False,
        hours_since_start=basis.hours_since_start,
        proposed_mcg_per_day=c.program.daily_dose_mcg,
        confirm_high_dose=c.confirm_high_dose,
        high_dose_threshold_mcg_per_day=values.get(HIGH_DOSE_THRESHOLD),
        confirmation_threshold_mcg_per_day=values.get(DAILY_DOSE_CONFIRMATION_THRESHOLD),
        planned_taper=c.planned_taper,
        hours_since_last_increase=basis.hours_since_last_increase,
    )
    findings = apply_overrides(judged.findings, c.overrides)
    settings = tuple(judged.settings_used)
    if not is_offerable(findings):
        return CheckedProgramChange(findings, settings, basis.daily_dose_mcg, None)
    record = ProgramChangeRecord(
        c.pump_id,
        len(changes),
        c.changed_at,
        c.program,
        basis.daily_dose_mcg,
        c.changed_by,
        c.reason,
        findings,
        settings,
    )
    return CheckedProgramChange(findings, settings, basis.daily_dose_mcg, record)


def check_pump_program(
    uow: UnitOfWork, command: ChangePumpProgram, *, clinic: SettingsProvider | None = None
) -> CheckedProgramChange:
    """Judge the change exactly as :func:`change_pump_program` would and store NOTHING."""
    with uow:
        return _judge_change(uow, command, clinic)


def change_pump_program(
    uow: UnitOfWork, command: ChangePumpProgram, *, clinic: SettingsProvider | None = None
) -> ProgramChangeRecord:
    """Judge the new program against the one in effect with the intrathecal titration rules (between refills: the
    per-24 h step) and append it to the pump's program changes. ``clinic`` gives the clinic's values of
    :data:`PROGRAM_CHANGE_SETTINGS`; the command's win. A block standing without an override: nothing stored,
    :class:`NotStored` with the findings."""
    with uow:
        checked = _judge_change(uow, command, clinic)
        if checked.draft is None:
            raise NotStored(
                f"the program change is blocked ({_blocks(checked.findings)}): nothing stored; override a block "
                "with a reason where the rule allows it, or change the program",
                checked.findings,
            )
        uow.program_changes.add(checked.draft)
        uow.commit()  # another change of this pump stored meanwhile: ConflictError
    return checked.draft
