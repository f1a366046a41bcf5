"""Concentration change: the new program for the same daily dose, and the bridge for the old solution.

Rate in mL/day = dose (mcg/day) / concentration (mcg/mL). When the concentration changes, the old
solution still in the catheter (and the pump tubing) keeps being pushed out at the new programmed
rate until it clears (clinical.md §5.6): going up in concentration this under-doses (withdrawal risk),
going down it over-doses. A dose-preserving bridge delivers that dead volume at the *old* rate
(so the prescribed mcg/day continues) before the new rate starts. Medtronic's own bridge-bolus
procedure and its volumes are UNCONFIRMED in the sources: catheter and tubing volumes are inputs,
except the Prometra II catheter, (110 cm - trimmed cm) x 0.0026 mL/cm ([PrometraIFU]). Never use a
priming bolus for this ([S64]).

>>> c = plan_concentration_change(get_pump("prometra-ii-20"), 900, 500, 2000, catheter_trimmed_cm=10)
>>> round(c.catheter_volume_ml, 3), round(c.new_ml_per_day, 3), round(c.bridge_hours, 2)
(0.26, 0.45, 3.47)
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from baclofen.domain.errors import InvalidInputError, require_finite_number
from baclofen.domain.itb.dosing import check_daily_dose
from baclofen.domain.itb.limits import (
    DAILY_DOSE_SETTINGS,
    PUMP_DELIVERY_SETTINGS,
    check_concentration_range,
    check_pump_delivery,
)
from baclofen.domain.itb.programs import InfusionProgram, format_clock, program_for_daily_dose
from baclofen.domain.itb.pumps import (
    MAX_CONCENTRATION_MCG_PER_ML,
    PROMETRA_CATHETER_FULL_LENGTH_CM,
    PROMETRA_CATHETER_ML_PER_CM,
    PumpFamily,
    PumpModel,
    check_concentration,
    get_pump,
)
from baclofen.domain.rules.core import Finding, evaluate_rules, findings_to_dicts, sort_findings
from baclofen.domain.rules.itb import fmt
from baclofen.domain.rules.itb.concentration import CONCENTRATION_CHANGE_RULES, ConcentrationChangeContext
from baclofen.domain.settings import SettingUse, settings_to_dicts, use_defaults

__all__ = ["ConcentrationChange", "plan_concentration_change", "prometra_catheter_volume_ml"]

#: Plausibility bound on a dead volume (catheter or pump tubing), mL (structural).
MAX_DEAD_VOLUME_ML = 5.0


def prometra_catheter_volume_ml(trimmed_cm: float) -> float:
    """Prometra II catheter volume, mL: (110 cm - trimmed cm) x 0.0026 mL/cm (Prometra II IFU p.33).

    >>> round(prometra_catheter_volume_ml(0), 3)
    0.286
    """
    cut = require_finite_number(
        trimmed_cm, "catheter_trimmed_cm", minimum=0.0, maximum=PROMETRA_CATHETER_FULL_LENGTH_CM - 1
    )
    return (PROMETRA_CATHETER_FULL_LENGTH_CM - cut) * PROMETRA_CATHETER_ML_PER_CM


@dataclass(frozen=True, slots=True)
class ConcentrationChange:
    """A concentration change with the new program, the bridge and the arithmetic."""

    pump: PumpModel
    daily_dose_mcg: float
    old_mcg_per_ml: float
    new_mcg_per_ml: float
    catheter_volume_ml: float
    pump_internal_volume_ml: float | None
    new_program: InfusionProgram
    steps: tuple[str, ...]
    findings: tuple[Finding, ...]
    #: Minute of the day (pump clock) the change is made; None: not given (a flex program then gives ranges).
    change_minute: int | None = None
    settings_used: tuple[SettingUse, ...] = ()

    @property
    def dead_volume_ml(self) -> float:
        """Volume still holding the old solution: catheter plus pump tubing, mL."""
        return self.catheter_volume_ml + (self.pump_internal_volume_ml or 0.0)

    @property
    def old_ml_per_day(self) -> float:
        return self.daily_dose_mcg / self.old_mcg_per_ml

    @property
    def new_ml_per_day(self) -> float:
        return self.daily_dose_mcg / self.new_mcg_per_ml

    @property
    def bridge_drug_mcg(self) -> float:
        """Drug in the dead volume (old concentration), mcg."""
        return self.dead_volume_ml * self.old_mcg_per_ml

    def _hours_range(self, mass_mcg: float) -> tuple[float, float]:
        """Hours to deliver ``mass_mcg`` along the program's own step rates from the change time, or the
        shortest and longest over every possible change time when it is not given."""
        program = self.new_program
        if self.change_minute is not None:
            hours = program.minutes_to_deliver(mass_mcg, float(self.change_minute)) / 60.0
            return hours, hours
        (lo, _), (hi, _) = program.delivery_minutes_range(mass_mcg)
        return lo / 60.0, hi / 60.0

    @property
    def bridge_hours_range(self) -> tuple[float, float]:
        """Hours to push the dead volume out at the old program (old concentration, the same mcg pattern):
        the old-solution mass ``dead x old`` delivered along the step rates."""
        return self._hours_range(self.dead_volume_ml * self.old_mcg_per_ml)

    @property
    def clearing_hours_range(self) -> tuple[float, float]:
        """Hours the dead volume takes to clear at the new program (volume rate = mcg rate / new conc)."""
        return self._hours_range(self.dead_volume_ml * self.new_mcg_per_ml)

    @property
    def depends_on_change_time(self) -> bool:
        lo, hi = self.bridge_hours_range
        return hi - lo > 1e-9

    @property
    def bridge_hours(self) -> float:
        """Hours to deliver the dead volume at the old rate (the prescribed dose continues), following the
        program's step rates; the longest over the day when a flex change time is not given."""
        return self.bridge_hours_range[1]

    @property
    def clearing_hours_without_bridge(self) -> float:
        """Hours the old solution would take to clear at the new rate (the longest when the time is open)."""
        return self.clearing_hours_range[1]

    @property
    def dose_while_clearing_without_bridge_mcg_per_day(self) -> float:
        return self.new_ml_per_day * self.old_mcg_per_ml

    def to_dict(self) -> dict[str, Any]:
        return {
            "pump": self.pump.key,
            "daily_dose_mcg": self.daily_dose_mcg,
            "old_mcg_per_ml": self.old_mcg_per_ml,
            "new_mcg_per_ml": self.new_mcg_per_ml,
            "old_ml_per_day": self.old_ml_per_day,
            "new_ml_per_day": self.new_ml_per_day,
            "old_ml_per_h": self.old_ml_per_day / 24.0,
            "new_ml_per_h": self.new_ml_per_day / 24.0,
            "catheter_volume_ml": self.catheter_volume_ml,
            "pump_internal_volume_ml": self.pump_internal_volume_ml,
            "dead_volume_ml": self.dead_volume_ml,
            "change_time": None if self.change_minute is None else format_clock(self.change_minute),
            "times_depend_on_change_time": self.depends_on_change_time,
            "bridge": {
                "volume_ml": self.dead_volume_ml,
                "drug_mcg": self.bridge_drug_mcg,
                "rate_ml_per_h": self.old_ml_per_day / 24.0,
                "duration_h": None if self.depends_on_change_time else self.bridge_hours,
                "duration_h_range": list(self.bridge_hours_range),
                "programmer_shows_mcg_at_new_concentration": self.dead_volume_ml * self.new_mcg_per_ml,
            },
            "without_bridge": {
                "clearing_hours": None if self.depends_on_change_time else self.clearing_hours_without_bridge,
                "clearing_hours_range": list(self.clearing_hours_range),
                "dose_while_clearing_mcg_per_day": self.dose_while_clearing_without_bridge_mcg_per_day,
            },
            "new_program": self.new_program.to_dict(self.new_mcg_per_ml),
            "steps": list(self.steps),
            "findings": findings_to_dicts(self.findings),
            "settings": settings_to_dicts(self.settings_used),
        }


def plan_concentration_change(
    pump: PumpModel | str,
    daily_dose_mcg: float,
    old_mcg_per_ml: float,
    new_mcg_per_ml: float,
    *,
    catheter_volume_ml: float | None = None,
    catheter_trimmed_cm: float | None = None,
    pump_internal_volume_ml: float | None = None,
    program_shape: InfusionProgram | None = None,
    change_minute: int | None = None,
) -> ConcentrationChange:
    """Plan a concentration change for the same daily dose, with the bridge arithmetic shown.

    Parameters
    ----------
    pump : PumpModel or str
    daily_dose_mcg : float
        The daily dose to keep, mcg/day.
    old_mcg_per_ml, new_mcg_per_ml : float
        Concentrations before and after, mcg/mL (must differ).
    catheter_volume_ml : float, optional
        Catheter volume, mL. Required for SynchroMed II (UNCONFIRMED in the sources: from the catheter's
        labelling); for Prometra II it may instead come from ``catheter_trimmed_cm``.
    catheter_trimmed_cm : float, optional
        Prometra II only: cm trimmed from the 110 cm catheter.
    pump_internal_volume_ml : float, optional
        Pump tubing volume, mL (UNCONFIRMED; without it the bridge covers the catheter only, with a
        warning).
    program_shape : InfusionProgram, optional
        A flex or periodic-bolus pattern to keep; default simple continuous.
    change_minute : int, optional
        When the change is made: the minute of the day on the pump clock (0-1439; ``HH:MM`` text is read
        at the edge). A flex program delivers the dead volume along its own step
        rates, so the bridge and clearing times depend on it; without it they are given as the range over
        every possible change time.

    Raises
    ------
    InvalidInputError
        Equal concentrations, a missing or implausible catheter volume, a trimmed length for a
        non-Prometra pump.
    """
    pump = get_pump(pump) if isinstance(pump, str) else pump
    dose = require_finite_number(daily_dose_mcg, "daily_dose_mcg", strictly_positive=True, maximum=10_000.0)
    old = require_finite_number(
        old_mcg_per_ml, "old_mcg_per_ml", strictly_positive=True, maximum=MAX_CONCENTRATION_MCG_PER_ML
    )
    new = require_finite_number(
        new_mcg_per_ml, "new_mcg_per_ml", strictly_positive=True, maximum=MAX_CONCENTRATION_MCG_PER_ML
    )
    if old == new:
        raise InvalidInputError("new_mcg_per_ml", f"a concentration different from the old {old:g} mcg/mL", new)
    dead = _dead_volume(
        pump,
        catheter_volume_ml=catheter_volume_ml,
        catheter_trimmed_cm=catheter_trimmed_cm,
        pump_internal_volume_ml=pump_internal_volume_ml,
    )
    program = program_for_daily_dose(dose, program_shape)
    if change_minute is not None and (
        isinstance(change_minute, bool) or not isinstance(change_minute, int) or not 0 <= change_minute < 1440
    ):
        raise InvalidInputError("change_minute", "a minute of the day, 0-1439 (00:00-23:59)", change_minute)
    plan = ConcentrationChange(pump, dose, old, new, dead.catheter_ml, dead.internal_ml, program, (), (), change_minute)
    steps = dead.steps + _explain_concentration_change(plan)
    used = use_defaults((*DAILY_DOSE_SETTINGS, *PUMP_DELIVERY_SETTINGS))
    return replace(plan, steps=steps, findings=_judge_concentration_change(plan), settings_used=used)


# --- the phases of plan_concentration_change ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _DeadVolume:
    """The catheter and pump tubing volumes holding the old solution, with how each was found."""

    catheter_ml: float
    internal_ml: float | None
    steps: tuple[str, ...]


def _dead_volume(
    pump: PumpModel,
    *,
    catheter_volume_ml: float | None,
    catheter_trimmed_cm: float | None,
    pump_internal_volume_ml: float | None,
) -> _DeadVolume:
    """The catheter volume (given, from a Prometra's trimmed length, or its untrimmed catheter) and the pump tubing
    volume when given (raises InvalidInputError on a missing or implausible volume, a trimmed length for a
    non-Prometra pump, or both a volume and a trimmed length)."""
    steps: list[str] = []
    if catheter_trimmed_cm is not None:
        if pump.family is not PumpFamily.PROMETRA_II:
            raise InvalidInputError(
                "catheter_trimmed_cm",
                "given only for Prometra II pumps (use catheter_volume_ml)",
                catheter_trimmed_cm,
            )
        if catheter_volume_ml is not None:
            raise InvalidInputError(
                "catheter_volume_ml", "not given together with catheter_trimmed_cm", catheter_volume_ml
            )
        catheter = prometra_catheter_volume_ml(catheter_trimmed_cm)
        steps.append(
            f"catheter volume = (110 - {catheter_trimmed_cm:g}) cm x 0.0026 mL/cm = {catheter:.4f} mL (PrometraIFU)"
        )
    elif catheter_volume_ml is not None:
        catheter = require_finite_number(
            catheter_volume_ml, "catheter_volume_ml", strictly_positive=True, maximum=MAX_DEAD_VOLUME_ML
        )
        steps.append(f"catheter volume = {catheter:g} mL (given)")
    elif pump.family is PumpFamily.PROMETRA_II:
        catheter = prometra_catheter_volume_ml(0.0)
        steps.append(
            f"catheter volume = 110 cm untrimmed x 0.0026 mL/cm = {catheter:.4f} mL (PrometraIFU; give the "
            "trimmed length if the catheter was cut)"
        )
    else:
        raise InvalidInputError(
            "catheter_volume_ml",
            f"the catheter volume in mL for the {pump.name} (UNCONFIRMED in the sources: from the catheter labelling)",
            None,
        )
    internal = None
    if pump_internal_volume_ml is not None:
        internal = require_finite_number(
            pump_internal_volume_ml, "pump_internal_volume_ml", minimum=0.0, maximum=MAX_DEAD_VOLUME_ML
        )
        steps.append(f"pump tubing volume = {internal:g} mL (given)")
    return _DeadVolume(catheter, internal, tuple(steps))


def _explain_concentration_change(plan: ConcentrationChange) -> tuple[str, ...]:
    """The arithmetic of the bridge and of clearing without it, line by line (a flex program's times follow its
    step rates, as a range over the day when the change time is not given)."""
    dose, old, new = plan.daily_dose_mcg, plan.old_mcg_per_ml, plan.new_mcg_per_ml
    catheter, internal, program, change_minute = (
        plan.catheter_volume_ml,
        plan.pump_internal_volume_ml,
        plan.new_program,
        plan.change_minute,
    )
    dead = catheter + (internal or 0.0)
    old_ml, new_ml = dose / old, dose / new
    bridge_lo, bridge_h = plan.bridge_hours_range
    clear_lo, clear_h = plan.clearing_hours_range

    def span(lo: float, hi: float) -> str:
        return f"{lo:.2f}-{hi:.2f} h depending on the time of the change" if hi - lo > 1e-9 else f"{hi:.2f} h"

    bridge_text, clear_text = span(bridge_lo, bridge_h), span(clear_lo, clear_h)
    if program.is_constant:
        bridge_how = f"{fmt(dead, 4)} / {old_ml:.4f} x 24 = {bridge_text}"
        clear_how = clear_text
    else:
        at = "from " + format_clock(change_minute) if change_minute is not None else "over the day"
        bridge_how = f"{bridge_text}, following the program's step rates {at} (not the 24 h mean rate)"
        clear_how = f"{clear_text}, following the step rates {at}"
    steps = [
        f"dead volume = {fmt(catheter, 4)} + {fmt(internal or 0.0, 4)} = {fmt(dead, 4)} mL of old solution",
        f"old rate = {dose:g} mcg/day / {old:g} mcg/mL = {old_ml:.4f} mL/day ({old_ml / 24:.5f} mL/h)",
        f"new rate = {dose:g} mcg/day / {new:g} mcg/mL = {new_ml:.4f} mL/day ({new_ml / 24:.5f} mL/h)",
        f"bridge: {fmt(dead, 4)} mL x {old:g} mcg/mL = {dead * old:.1f} mcg of old solution, delivered at "
        f"the old rate (mean {old_ml / 24:.5f} mL/h) for {bridge_how} "
        f"(= {dose:g} mcg/day continues); a programmer set to {new:g} mcg/mL would display it as "
        f"{dead * new:.1f} mcg",
        f"then the new rate: {new_ml:.4f} mL/day = {dose:g} mcg/day",
        f"without the bridge: {fmt(dead, 4)} mL at the new rate takes {clear_how}, delivering "
        f"{new_ml * old:.1f} mcg/day ({old / new:.2f} x the dose)",
    ]
    if plan.depends_on_change_time:
        steps.append(
            "give the time of the change (pump clock) for the exact bridge and clearing times of this flex program"
        )
    return tuple(steps)


def _judge_concentration_change(plan: ConcentrationChange) -> tuple[Finding, ...]:
    """The concentration-change rules (ITB-CONC-001..005), the new concentration for the pump, the daily dose, the
    old concentration's range and what the pump can deliver, most severe first."""
    pump, dose, old, new = plan.pump, plan.daily_dose_mcg, plan.old_mcg_per_ml, plan.new_mcg_per_ml
    internal, change_minute = plan.pump_internal_volume_ml, plan.change_minute
    dead = plan.catheter_volume_ml + (internal or 0.0)
    old_ml, new_ml = dose / old, dose / new
    bridge_lo, bridge_h = plan.bridge_hours_range
    clear_lo, clear_h = plan.clearing_hours_range
    ctx = ConcentrationChangeContext(
        daily_dose_mcg=dose,
        old_mcg_per_ml=old,
        new_mcg_per_ml=new,
        old_ml_per_day=old_ml,
        new_ml_per_day=new_ml,
        dead_volume_ml=dead,
        pump_internal_volume_given=internal is not None,
        clearing_hours_without_bridge=clear_h,
        dose_while_clearing_without_bridge_mcg_per_day=new_ml * old,
        bridge_drug_mcg=dead * old,
        bridge_hours=bridge_h,
        bridge_hours_min=bridge_lo,
        clearing_hours_min=clear_lo,
        change_time=None if change_minute is None else format_clock(change_minute),
    )
    findings = list(evaluate_rules(CONCENTRATION_CHANGE_RULES, ctx)) + list(check_concentration(pump, new))
    findings += check_daily_dose(dose, label="daily dose of the new program")
    findings += check_concentration_range(old, label="old concentration")
    findings += check_pump_delivery(pump, new, dose)
    return sort_findings(findings)
