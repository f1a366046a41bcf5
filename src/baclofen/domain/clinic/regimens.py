"""What the clinic keeps of a patient's regimen: the saved oral plans (append-only history) and each pump's program
changes between refills (append-only), and what the timeline and the titration rules read of them.

* :class:`SavedPlan`: an oral plan (:class:`~baclofen.domain.oral.plan.Plan`, with its findings, settings and the
  overrides a clinician gave with their reasons) saved for a patient, by whom and when, at position ``seq`` of the
  patient's plan history. A new plan supersedes the one before; none is ever rewritten: :func:`plan_statuses` says
  which is active (the latest) and which superseded (by the next).
* :func:`oral_prescriptions`: the periods of the ``baclofen-timeline/1`` ``oral.prescriptions`` the history gives:
  each plan's steps up to the day before a later plan starts, the last plan's continuing step open-ended, a step of
  no dose left out (the day after the last period is a stop).
* :class:`ProgramChangeRecord`: a pump reprogrammed between refills (continuous or flex), by whom, when, why, with
  the findings of the titration rules it passed, at position ``seq`` of the pump's changes.
* :func:`program_change_basis`: what the titration rules need to judge a new program at a time: the program in
  effect (the last fill's or the last change's), the hours since the infusion started and since the last increase.
* :func:`program_in_effect`: the program a pump runs at a time (the last fill's or a later change's) and the
  concentration of the fill it delivers from: what a wallet card, a visit summary and a refill record print.

>>> saved_plan_id("P-1", 0), program_change_id("pump-1", 0)
('PL-ceea7877827ae11b97f6', 'PC-337e151e503921375818')
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import Enum
from typing import Any

from baclofen.domain.errors import InvalidInputError, require
from baclofen.domain.itb.programs import InfusionProgram, ProgramMode
from baclofen.domain.itb.pumps import PumpModel, require_rate_steps
from baclofen.domain.oral.plan import Plan
from baclofen.domain.records import MAX_AUDIT_TEXT_LENGTH, PumpRecord, check_record_id
from baclofen.domain.rules.core import Finding
from baclofen.domain.settings import SettingUse, settings_to_dicts

__all__ = [
    "require_changeable_program",
    "ITB_TRANSITION_KIND",
    "MAX_CHANGE_REASON_LENGTH",
    "PlanStatus",
    "ProgramChangeBasis",
    "ProgramChangeRecord",
    "ProgramInEffect",
    "SWITCH_KIND",
    "SavedPlan",
    "oral_prescriptions",
    "plan_statuses",
    "program_change_basis",
    "program_in_effect",
    "moment_in",
    "program_change_id",
    "saved_plan_id",
]

#: The kind of a saved oral -> intrathecal transition (the others are the oral plan's kind: titration, taper).
ITB_TRANSITION_KIND = "itb-transition"

#: The kind of a saved switch to an alternative drug (the advisor's cross-taper, saved as its baclofen taper).
SWITCH_KIND = "switch"

#: Longest reason of a program change (characters).
MAX_CHANGE_REASON_LENGTH = 2000


def _digest_id(prefix: str, owner: str, seq: int) -> str:
    return prefix + hashlib.sha256(f"{owner}\n{seq}".encode()).hexdigest()[:20]


def _check_seq(seq: object) -> int:
    ok = isinstance(seq, int) and not isinstance(seq, bool) and seq >= 0
    require(ok, "seq", "a whole number >= 0 (the position in the history)", seq)
    assert isinstance(seq, int)
    return seq


def saved_plan_id(patient_id: str, seq: int) -> str:
    """The identifier of the ``seq``-th saved plan of a patient (two units of work saving the same position
    make the same identifier: the second commit is a conflict)."""
    return _digest_id("PL-", check_record_id(patient_id, "patient_id"), _check_seq(seq))


def program_change_id(pump_id: str, seq: int) -> str:
    """The identifier of the ``seq``-th program change of a pump."""
    return _digest_id("PC-", check_record_id(pump_id, "pump_id"), _check_seq(seq))


def _check_actor(value: object, field: str) -> str:
    ok = isinstance(value, str) and 0 < len(value) <= MAX_AUDIT_TEXT_LENGTH and value == value.strip()
    require(ok and isinstance(value, str) and value.isprintable(), field, "who: a name of 1-200 characters", value)
    assert isinstance(value, str)
    return value


def _check_instant(value: object, field: str) -> datetime:
    aware = isinstance(value, datetime) and value.utcoffset() is not None
    require(aware, field, "a date and time with its UTC offset", value)
    assert isinstance(value, datetime)
    return value


class PlanStatus(Enum):
    """Where a saved plan stands: the latest of the history is active, every earlier one superseded."""

    ACTIVE = "active"
    SUPERSEDED = "superseded"


@dataclass(frozen=True, slots=True)
class SavedPlan:
    """An oral plan saved for a patient (offerable: no block stands without an override), by whom and when.

    The plan carries its findings, the settings it used and the overrides (clinician, reason); ``seq`` is its
    position in the patient's plan history (0 = first). An oral -> intrathecal transition is saved as its oral taper
    (``plan``, what the patient takes by mouth) with the rest of its document in ``transition`` (the intrathecal
    titration envelope, its findings, oral and intrathecal, and settings; ``offerable`` true). A switch to an
    alternative drug is saved as the baclofen taper of its cross-taper (``plan``) with the rest in ``switch``: the new
    drug's steps, the chosen option (dose, monitoring: the labs to order), the findings of the new drug with the
    patient's medicines (``overlap_findings``), notes and the advisor's settings (``offerable`` true)."""

    patient_id: str
    seq: int
    plan: Plan
    saved_by: str
    saved_at: datetime
    transition: Mapping[str, Any] | None = None
    switch: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        check_record_id(self.patient_id, "patient_id")
        _check_seq(self.seq)
        require(isinstance(self.plan, Plan), "plan", "an oral plan", self.plan)
        require(self.plan.offerable, "plan", "an offerable plan (no block without an override)", "blocked")
        _check_actor(self.saved_by, "saved_by")
        _check_instant(self.saved_at, "saved_at")
        if self.transition is not None:
            t = self.transition
            ok = isinstance(t, Mapping) and "oral_taper" not in t and isinstance(t.get("findings"), list)
            require(ok, "transition", "a transition document without its oral taper (that is the plan)", t)
            require(t.get("offerable") is True, "transition", "an offerable transition", "blocked")
        if self.switch is not None:
            w = self.switch
            ok = isinstance(w, Mapping) and "taper" not in w and isinstance(w.get("overlap_findings"), list)
            require(ok, "switch", "a switch document without its baclofen taper (that is the plan)", w)
            require(w.get("offerable") is True, "switch", "an offerable switch", "blocked")
            require(self.transition is None, "switch", "a switch or a transition, not both", "both")

    @property
    def plan_id(self) -> str:
        return saved_plan_id(self.patient_id, self.seq)

    @property
    def kind(self) -> str:
        if self.switch is not None:
            return SWITCH_KIND
        return ITB_TRANSITION_KIND if self.transition is not None else self.plan.kind.value

    @property
    def document(self) -> Mapping[str, Any] | None:
        """The rest of a transition's or a switch's document (None for a titration or taper)."""
        return self.switch if self.switch is not None else self.transition

    def to_dict(self, status: PlanStatus | None = None, superseded_by: str | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "plan_id": self.plan_id,
            "patient_id": self.patient_id,
            "seq": self.seq,
            "kind": self.kind,
            "saved_by": self.saved_by,
            "saved_at": self.saved_at.isoformat(),
        }
        if status is not None:
            out |= {"status": status.value, "superseded_by": superseded_by}
        plan = self.plan.to_dict()
        if self.switch is not None:
            w = self.switch
            out |= {"findings": [*plan["findings"], *w["overlap_findings"]], "overrides": plan["overrides"]}
            out |= {"settings": [*plan["settings"], *w.get("settings", [])]}
            return out | {"plan": plan, "switch": dict(w)}
        if self.transition is None:
            out |= {"findings": plan["findings"], "overrides": plan["overrides"], "settings": plan["settings"]}
            return out | {"plan": plan}
        t = self.transition
        out |= {"findings": list(t["findings"]), "overrides": plan["overrides"]}
        out |= {"settings": [*plan["settings"], *t.get("settings", [])]}
        return out | {"plan": plan, "transition": dict(t)}


def plan_statuses(history: Sequence[SavedPlan]) -> dict[str, tuple[PlanStatus, str | None]]:
    """Each saved plan's status and the plan that superseded it (None for the active one), by ``plan_id``."""
    ordered = sorted(history, key=lambda p: p.seq)
    out: dict[str, tuple[PlanStatus, str | None]] = {}
    for i, plan in enumerate(ordered):
        after = ordered[i + 1] if i + 1 < len(ordered) else None
        out[plan.plan_id] = (PlanStatus.ACTIVE, None) if after is None else (PlanStatus.SUPERSEDED, after.plan_id)
    return out


def oral_prescriptions(history: Sequence[SavedPlan]) -> list[dict[str, Any]]:
    """The ``oral.prescriptions`` of a plan history (any order): each plan's steps before any later plan starts,
    in ``{start, end, daily_dose_mg}`` periods that never overlap. The last step of the latest plan stays open when
    it continues (an earlier plan's continuing step runs until the later plan starts); a step of no dose is left
    out (a day outside every period has no dose: a stop)."""
    ordered = sorted(history, key=lambda p: p.seq)
    periods: list[dict[str, Any]] = []
    for i, saved in enumerate(ordered):
        later = [p.plan.start for p in ordered[i + 1 :]]
        cutoff = min(later) if later else None
        steps = saved.plan.steps
        for j, step in enumerate(steps):
            if cutoff is not None and step.start >= cutoff:
                break
            end: date | None = None if j == len(steps) - 1 and step.continues else step.end
            if cutoff is not None and (end is None or end >= cutoff):
                end = cutoff - timedelta(days=1)  # a continuing step runs until the later plan starts
            if step.daily_dose_mg > 0:
                periods.append(
                    {
                        "start": step.start.isoformat(),
                        "end": None if end is None else end.isoformat(),
                        "daily_dose_mg": step.daily_dose_mg,
                    }
                )
    return sorted(periods, key=lambda p: str(p["start"]))


@dataclass(frozen=True, slots=True)
class ProgramChangeRecord:
    """A pump reprogrammed between refills: the new program (continuous or flex), from when, by whom and why, the
    daily dose it replaced, and the findings and settings of the titration rules it passed."""

    pump_id: str
    seq: int
    changed_at: datetime
    program: InfusionProgram
    previous_daily_dose_mcg: float
    changed_by: str
    reason: str
    findings: tuple[Finding, ...] = ()
    settings: tuple[SettingUse, ...] = ()

    def __post_init__(self) -> None:
        check_record_id(self.pump_id, "pump_id")
        _check_seq(self.seq)
        _check_instant(self.changed_at, "changed_at")
        ok = isinstance(self.program, InfusionProgram) and self.program.mode is not ProgramMode.PERIODIC_BOLUS
        require(ok, "program", "a continuous or flex program", self.program)
        dose = self.previous_daily_dose_mcg
        ok = isinstance(dose, int | float) and not isinstance(dose, bool) and dose > 0
        require(ok, "previous_daily_dose_mcg", "a daily dose > 0 mcg/day", dose)
        _check_actor(self.changed_by, "changed_by")
        text = self.reason
        ok = isinstance(text, str) and bool(text.strip()) and len(text) <= MAX_CHANGE_REASON_LENGTH
        require(ok, "reason", f"why the program changes: 1-{MAX_CHANGE_REASON_LENGTH} characters", text)
        object.__setattr__(self, "findings", tuple(self.findings))
        object.__setattr__(self, "settings", tuple(self.settings))

    @property
    def change_id(self) -> str:
        return program_change_id(self.pump_id, self.seq)

    @property
    def daily_dose_mcg(self) -> float:
        return self.program.daily_dose_mcg

    def to_dict(self) -> dict[str, Any]:
        return {
            "change_id": self.change_id,
            "pump_id": self.pump_id,
            "seq": self.seq,
            "changed_at": self.changed_at.isoformat(),
            "program": self.program.to_dict(),
            "daily_dose_mcg": self.daily_dose_mcg,
            "previous_daily_dose_mcg": self.previous_daily_dose_mcg,
            "changed_by": self.changed_by,
            "reason": self.reason,
            "findings": [f.to_dict() for f in self.findings],
            "settings": settings_to_dicts(self.settings),
        }


def require_changeable_program(program: InfusionProgram, pump: PumpModel, *, steps_field: str = "flex") -> None:
    """A program a reprogramming of ``pump`` may set: continuous or flex (no periodic boluses, named ``program``),
    at most the pump's flex steps a day (named ``steps_field``)."""
    if program.mode is ProgramMode.PERIODIC_BOLUS:
        raise InvalidInputError("program", "a continuous or flex program (no periodic boluses)", program.mode.value)
    require_rate_steps(pump, program.rate_changes_per_day, steps_field)


def moment_in(moment: date | datetime, zone: tzinfo) -> datetime:
    """A recorded time as an instant in ``zone``: a date is 00:00 there, a pump-clock time (no zone) is that wall
    time there (the pump clock is the clinic's), an instant is converted."""
    if isinstance(moment, datetime):
        return moment.astimezone(zone) if moment.utcoffset() is not None else moment.replace(tzinfo=zone)
    return datetime.combine(moment, time(0, 0), tzinfo=zone)


@dataclass(frozen=True, slots=True)
class ProgramChangeBasis:
    """What a new program is judged against at ``at``: the program in effect, and the hours since the infusion
    started (its first recorded fill) and since the last increase (None: no increase recorded)."""

    program: InfusionProgram
    hours_since_start: float
    hours_since_last_increase: float | None

    @property
    def daily_dose_mcg(self) -> float:
        return self.program.daily_dose_mcg


def _program_events(
    pump: PumpRecord, changes: Sequence[ProgramChangeRecord], zone: tzinfo
) -> list[tuple[datetime, InfusionProgram, bool]]:
    """Each program the pump was given, in time order: a fill's (False) or a change's (True), at its instant."""
    events = [
        (moment_in(v.refilled_at, zone), v.program, False)
        for v in pump.visits
        if v.fill_ml is not None and v.refilled_at is not None and v.program is not None
    ]
    events += [(c.changed_at, c.program, True) for c in changes if c.pump_id == pump.pump_id]
    events.sort(key=lambda e: e[0])
    return events


def program_change_basis(pump: PumpRecord, changes: Sequence[ProgramChangeRecord], at: datetime) -> ProgramChangeBasis:
    """The program in effect on ``pump`` at ``at`` (the latest of its fills and program ``changes``) and the hours
    the titration rules count: since the first fill (a fill dated without a time counts from the end of its day:
    never more hours than have passed) and since the last increase of the daily dose.

    Raises
    ------
    InvalidInputError
        ``at`` not after the last fill or change (changes are appended in time order), or no fill with its
        program recorded (nothing to change).
    """
    zone = _check_instant(at, "changed_at").tzinfo
    assert zone is not None
    first: datetime | None = None
    for visit in pump.visits:
        if visit.fill_ml is None or visit.refilled_at is None:
            continue
        dated_only = not isinstance(visit.refilled_at, datetime)
        first = moment_in(visit.refilled_at, zone) + timedelta(days=1 if dated_only else 0)
        break
    events = [(when, program) for when, program, _ in _program_events(pump, changes, zone)]
    if first is None or not events:
        raise InvalidInputError("pump_id", "a pump with a recorded fill and its program (nothing runs to change)", None)
    if at <= events[-1][0]:
        raise InvalidInputError(
            "changed_at", f"a time after the last fill or program change ({events[-1][0].isoformat()})", at.isoformat()
        )
    last_increase = None
    for (_, before), (when, after) in zip(events, events[1:], strict=False):
        if after.daily_dose_mcg > before.daily_dose_mcg:
            last_increase = when
    hours = max(0.0, (at - first).total_seconds() / 3600)
    since_increase = None if last_increase is None else (at - last_increase).total_seconds() / 3600
    return ProgramChangeBasis(events[-1][1], hours, since_increase)


@dataclass(frozen=True, slots=True)
class ProgramInEffect:
    """What a pump runs at a time: ``program`` given at ``since`` (by the fill or by a program change between
    refills: ``changed``) and the concentration (mcg/mL) of the fill it delivers from (None: not recorded)."""

    program: InfusionProgram
    since: datetime
    changed: bool
    concentration_mcg_per_ml: float | None

    @property
    def daily_dose_mcg(self) -> float:
        return self.program.daily_dose_mcg


def program_in_effect(pump: PumpRecord, changes: Sequence[ProgramChangeRecord], at: datetime) -> ProgramInEffect | None:
    """The program ``pump`` runs at ``at`` (the latest of its fills' programs and its program ``changes`` up to
    ``at``, as :func:`program_change_basis` judges a change against) with the concentration of the fill it
    delivers from (its latest visit up to ``at``, when that visit filled it); None when the pump delivers from no
    recorded fill then (none yet, or the latest visit filled nothing) or no program is recorded.

    Raises
    ------
    InvalidInputError
        ``at`` without a UTC offset.
    """
    zone = _check_instant(at, "as_of").tzinfo
    assert zone is not None
    visits = [v for v in pump.visits if v.refilled_at is None or moment_in(v.refilled_at, zone) <= at]
    events = [e for e in _program_events(pump, changes, zone) if e[0] <= at]
    if not visits or visits[-1].fill_ml is None or not events:
        return None
    when, program, changed = events[-1]
    return ProgramInEffect(program, when, changed, visits[-1].concentration_mcg_per_ml)
