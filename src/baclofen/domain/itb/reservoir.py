"""Reservoir forecast: empty date, low-reservoir alarm date, recommended refill date, stability and battery.

From the fill (volume, concentration, time) and the program, the pump delivers a known mass per day;
the forecast integrates the program exactly on the pump clock (flex steps and boluses included) and
returns:

* ``low_reservoir_alarm_date``: when the volume left reaches the pump's low-reservoir threshold (2.0 mL
  SynchroMed II alarm, PARTLY VERIFIED [Neurosurgery2004]; 3.0 mL Prometra II refill threshold [PrometraIFU]);
* ``empty_date``: when only the undeliverable residual is left (UNCONFIRMED residual, setting);
* ``recommended_refill_date``: a configurable margin of whole days **strictly before** the alarm date
  (the alarm is computed from the program, not measured, [S60]), and never after the drug-stability
  limit (180 days, [Stability2023]). When the margin (an ASSUMPTION setting) cannot be kept, the day after
  the fill, still strictly before the alarm, with a warn (PUMP-FCST-005); ``None`` only when no date after
  the fill is before the alarm (refill not possible at this dose and volume: block PUMP-FCST-003), never a
  date on or before the fill;
* ``battery_replacement_date`` when the implant date is known ([S55]).

Invariants (property-tested): drug in = delivered + remaining; the volume is never negative; a higher
rate never gives a later refill date; fill date < recommended refill date < alarm date <= empty date.

>>> from datetime import date
>>> from baclofen.domain.itb.programs import continuous_program
>>> from baclofen.domain.itb.pumps import get_pump
>>> fill = ReservoirFill(get_pump("synchromed-ii-20"), 20, 500, continuous_program(500), date(2026, 1, 1))
>>> f = forecast_reservoir(fill)
>>> f.low_reservoir_alarm_date, f.empty_date, f.recommended_refill_date
(datetime.date(2026, 1, 19), datetime.date(2026, 1, 21), datetime.date(2026, 1, 12))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from baclofen.domain.documents import PUMP_FORECAST_SCHEMA, SCHEMA_VERSION_KEY
from baclofen.domain.errors import InvalidInputError, require_finite_number
from baclofen.domain.itb.dates import add_months, add_years, on_clock_of, pump_moment, years_to_months
from baclofen.domain.itb.dosing import check_daily_dose
from baclofen.domain.itb.limits import check_pump_delivery
from baclofen.domain.itb.programs import InfusionProgram
from baclofen.domain.itb.pumps import (
    MAX_REFILL_INTERVAL_DAYS,
    REPLACEMENT_LEAD_MONTHS,
    PumpFamily,
    PumpModel,
    check_concentration,
    concentration_value,
    fill_volume_value,
    get_pump,
)
from baclofen.domain.names import parse_name_list
from baclofen.domain.rules.core import Finding, evaluate_rules, findings_to_dicts, sort_findings
from baclofen.domain.rules.itb.forecast import FORECAST_RULES, ForecastContext
from baclofen.domain.rules.itb.program import ADMIXTURE, AdmixtureContext
from baclofen.domain.settings import EvidenceStatus, Setting, SettingUse, SettingValues, settings_to_dicts

__all__ = [
    "REFILL_MARGIN_DAYS",
    "REFILL_REMINDER_EARLY_DAYS",
    "REFILL_REMINDER_LATE_DAYS",
    "REFILL_REMINDER_SETTINGS",
    "refill_reminder_days",
    "BatteryForecast",
    "ReservoirFill",
    "ReservoirForecast",
    "forecast_battery",
    "forecast_reservoir",
    "ProgramSegment",
    "follow_program_changes",
]

#: Forecast horizon (structural): a fill that lasts longer than 100 years at the programmed rate is refused.
MAX_FORECAST_DAYS = 36525

REFILL_MARGIN_DAYS = Setting(
    name="pump.refill_margin_days",
    default=7,
    unit="day",
    status=EvidenceStatus.ASSUMPTION,
    evidence=("S60", "Neurosurgery2004"),
    description=(
        "Whole days between the recommended refill date and the computed low-reservoir alarm date (at least "
        "1, so the refill is always strictly before the alarm). No source gives a number; 7 days is a "
        "project default for scheduling slack. Why a margin: the alarm is calculated from the programmed "
        "rate, not measured (S60), and 24 % of patients had withdrawal symptoms while 2.1-3.8 mL remained "
        "(Neurosurgery2004)."
    ),
    minimum=1,
    maximum=90,
)


# --- reminders of a refill appointment (calendars): booking conveniences, not clinical margins ------------------
_REMINDER_NOTE = (
    "A booking convenience, not a clinical threshold: the refill date already lies pump.refill_margin_days before "
    "the computed low-reservoir alarm (that margin is the clinical one). No source gives a number; a clinic may "
    "change it, and an export may ask for other reminders."
)
REFILL_REMINDER_EARLY_DAYS = Setting(
    name="pump.refill_reminder_early_days",
    default=7,
    unit="days",
    status=EvidenceStatus.ASSUMPTION,
    evidence=("S60", "Neurosurgery2004"),
    description="Days before a refill appointment of the first calendar reminder (time to book the visit). "
    + _REMINDER_NOTE,
    minimum=0,
    maximum=60,
)
REFILL_REMINDER_LATE_DAYS = Setting(
    name="pump.refill_reminder_late_days",
    default=1,
    unit="days",
    status=EvidenceStatus.ASSUMPTION,
    evidence=("S60", "Neurosurgery2004"),
    description="Days before a refill appointment of the last calendar reminder (the day before). " + _REMINDER_NOTE,
    minimum=0,
    maximum=60,
)
REFILL_REMINDER_SETTINGS: tuple[Setting, ...] = (REFILL_REMINDER_EARLY_DAYS, REFILL_REMINDER_LATE_DAYS)


def refill_reminder_days(overrides: Mapping[str, Any] | None = None) -> tuple[int, ...]:
    """The reminders before a refill appointment, in days, largest first and without duplicates: the values of
    :data:`REFILL_REMINDER_SETTINGS` under ``overrides`` (a clinic's, by name)."""
    values = SettingValues(REFILL_REMINDER_SETTINGS, overrides)
    return tuple(sorted({int(values.get(s)) for s in REFILL_REMINDER_SETTINGS}, reverse=True))


# --- end of the refill reminders ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, init=False)
class ReservoirFill:
    """A filled reservoir running a program.

    Parameters
    ----------
    pump : PumpModel
        The pump (its capacity bounds the fill).
    volume_ml : float
        Volume filled, mL (0 < volume <= capacity; overfilling is a named risk, [S61]).
    concentration_mcg_per_ml : float
        Drug concentration, mcg/mL.
    program : InfusionProgram
        The program the pump runs.
    filled_at : date or datetime
        When it was filled (pump clock; a date alone means 00:00 that day). A date-time with a UTC offset
        keeps it (as a fixed offset): the dates that follow are in that offset, and other moments (``as_of``)
        must then carry an offset too (converted to the fill's offset, so intervals are exact instants).
    residual_ml : float, optional
        Undeliverable volume, mL (default: the pump's setting, UNCONFIRMED).
    """

    pump: PumpModel
    volume_ml: float
    concentration_mcg_per_ml: float
    program: InfusionProgram
    filled_at: datetime
    residual_ml: float

    # The constructor takes the caller's forms (a pump key, a date, no residual) and stores the checked,
    # normalised values, so every field has its one type after construction.
    def __init__(
        self,
        pump: PumpModel | str,
        volume_ml: float,
        concentration_mcg_per_ml: float,
        program: InfusionProgram,
        filled_at: date | datetime,
        residual_ml: float | None = None,
    ) -> None:
        model = get_pump(pump) if isinstance(pump, str) else pump
        if not isinstance(model, PumpModel):
            raise InvalidInputError("pump", "a pump model", pump)
        object.__setattr__(self, "pump", model)
        volume = fill_volume_value(model, volume_ml)
        object.__setattr__(self, "volume_ml", volume)
        object.__setattr__(self, "concentration_mcg_per_ml", concentration_value(concentration_mcg_per_ml))
        if not isinstance(program, InfusionProgram):
            raise InvalidInputError("program", "an infusion program", program)
        object.__setattr__(self, "program", program)
        object.__setattr__(self, "filled_at", pump_moment(filled_at, "filled_at"))
        residual = model.residual_volume_ml if residual_ml is None else model.residual_volume.validate(residual_ml)
        residual = require_finite_number(residual, "residual_ml", minimum=0.0)
        if residual >= volume:
            raise InvalidInputError("residual_ml", f"less than the filled volume {volume:g} mL", residual)
        object.__setattr__(self, "residual_ml", residual)

    @property
    def drug_mcg(self) -> float:
        """Drug put in the reservoir, mcg."""
        return self.volume_ml * self.concentration_mcg_per_ml

    @property
    def daily_volume_ml(self) -> float:
        return self.program.daily_volume_ml(self.concentration_mcg_per_ml)

    @property
    def deliverable_ml(self) -> float:
        return self.volume_ml - self.residual_ml

    def _minute_of_fill(self) -> float:
        t = self.filled_at
        return t.hour * 60 + t.minute + (t.second + t.microsecond / 1e6) / 60.0

    def _at(self, moment: date | datetime, field: str) -> float:
        """Minutes after the fill of ``moment`` (a date means 00:00); earlier than the fill is refused."""
        minutes = (on_clock_of(self.filled_at, moment, field) - self.filled_at) / timedelta(minutes=1)
        if minutes < 0:
            raise InvalidInputError(field, f"a time at or after the fill ({self.filled_at.isoformat()})", str(moment))
        return minutes

    def delivered_ml(self, at: date | datetime) -> float:
        """Volume delivered from the fill until ``at``, mL (the pump stops when only the residual is left)."""
        m0 = self._minute_of_fill()
        mass = self.program.mass_between_mcg(m0, m0 + self._at(at, "at"))
        return min(mass / self.concentration_mcg_per_ml, self.deliverable_ml)

    def remaining_ml(self, at: date | datetime) -> float:
        """Volume left in the reservoir at ``at``, mL (never below the residual, never negative)."""
        return max(self.residual_ml, self.volume_ml - self.delivered_ml(at))

    def time_when_remaining(self, volume_ml: float, *, rate_factor: float = 1.0) -> datetime:
        """When the volume left first reaches ``volume_ml`` (``rate_factor`` > 1: a pump over-infusing)."""
        target = require_finite_number(volume_ml, "volume_ml", minimum=self.residual_ml, maximum=self.volume_ml)
        mass = (self.volume_ml - target) * self.concentration_mcg_per_ml / rate_factor
        minutes = self.program.minutes_to_deliver(mass, self._minute_of_fill())
        if minutes > MAX_FORECAST_DAYS * 1440.0:
            raise InvalidInputError(
                "daily_dose_mcg",
                f"a program that delivers this fill within {MAX_FORECAST_DAYS} days",
                self.program.daily_dose_mcg,
            )
        return self.filled_at + timedelta(minutes=minutes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "pump": self.pump.key,
            "volume_ml": self.volume_ml,
            "concentration_mcg_per_ml": self.concentration_mcg_per_ml,
            "drug_mcg": self.drug_mcg,
            "filled_at": self.filled_at.isoformat(),
            "residual_ml": self.residual_ml,
            "program": self.program.to_dict(self.concentration_mcg_per_ml),
        }


@dataclass(frozen=True, slots=True)
class BatteryForecast:
    """Pump service-life dates from the implant date (and the ERI date when the pump reports it)."""

    implanted: date
    planning_service_life_years: float
    replacement_lead_months: int
    end_of_service_date: date
    replacement_date: date
    max_service_life_date: date | None
    eri_date: date | None
    eri_stop_date: date | None
    reasoning: tuple[str, ...]

    @property
    def shutoff_date(self) -> date:
        """The date the pump may stop: the one home of the shut-off for ``PUMP-BATT-*`` and ``RISK-BATTERY-*``.

        With a device-reported ERI date, ERI + 90 days governs ([S55], "use the device-reported ERI date");
        only without one, implant + the planning-life setting (SynchroMed II 5 y: the lower-authority side of a
        DISAGREE, [S69] vs 5-7 y [S55]). The 7-year maximum ([S55]) is the setting's upper bound.
        """
        return self.eri_stop_date if self.eri_stop_date is not None else self.end_of_service_date

    @property
    def shutoff_basis(self) -> str:
        """``"eri"`` (device-reported ERI + 90 days) or ``"planning_service_life"`` (no ERI date known)."""
        return "eri" if self.eri_stop_date is not None else "planning_service_life"

    @property
    def shutoff_reason(self) -> str:
        """Where the shut-off date comes from, for messages."""
        if self.eri_date is not None and self.eri_stop_date is not None:
            days = (self.eri_stop_date - self.eri_date).days
            return f"device-reported ERI {self.eri_date.isoformat()} + {days} days (S55)"
        return (
            f"implant {self.implanted.isoformat()} + {self.planning_service_life_years:g} y planning service life; "
            "no ERI date recorded"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "implanted": self.implanted.isoformat(),
            "planning_service_life_years": self.planning_service_life_years,
            "replacement_lead_months": self.replacement_lead_months,
            "end_of_service_date": self.end_of_service_date.isoformat(),
            "battery_replacement_date": self.replacement_date.isoformat(),
            "max_service_life_date": self.max_service_life_date.isoformat() if self.max_service_life_date else None,
            "eri_date": self.eri_date.isoformat() if self.eri_date else None,
            "eri_stop_date": self.eri_stop_date.isoformat() if self.eri_stop_date else None,
            "shutoff_date": self.shutoff_date.isoformat(),
            "shutoff_basis": self.shutoff_basis,
            "reasoning": list(self.reasoning),
        }


def forecast_battery(
    pump: PumpModel,
    implanted: date,
    *,
    eri_date: date | None = None,
    planning_service_life_years: float | None = None,
    replacement_lead_months: int | None = None,
) -> BatteryForecast:
    """Replacement date = implant + planning service life - lead months (exact calendar arithmetic).

    Parameters
    ----------
    pump : PumpModel
    implanted : date
        Implant date.
    eri_date : date, optional
        The date the pump raised its elective-replacement indicator; SynchroMed II stops 90 days
        later ([S55]). When given, it governs the shut-off and the replacement date (the planning life is
        only used when no ERI date is known).
    planning_service_life_years : float, optional
        Override of the pump's planning-life setting (SynchroMed II 5 y, DISAGREE; Prometra II 10 y).
    replacement_lead_months : int, optional
        Override of :data:`~baclofen.domain.itb.pumps.REPLACEMENT_LEAD_MONTHS` (6 months, [S55]).

    Examples
    --------
    >>> b = forecast_battery(get_pump("synchromed-ii-20"), date(2024, 2, 29))
    >>> b.end_of_service_date, b.replacement_date, b.max_service_life_date
    (datetime.date(2029, 2, 28), datetime.date(2028, 8, 28), datetime.date(2031, 2, 28))
    """
    if not isinstance(implanted, date) or isinstance(implanted, datetime):
        raise InvalidInputError("implanted", "a date", implanted)
    life = float(
        pump.planning_service_life.validate(
            pump.planning_service_life.default if planning_service_life_years is None else planning_service_life_years
        )
    )
    lead = REPLACEMENT_LEAD_MONTHS.validate(
        REPLACEMENT_LEAD_MONTHS.default if replacement_lead_months is None else replacement_lead_months
    )
    if isinstance(lead, float) and not lead.is_integer():
        raise InvalidInputError(REPLACEMENT_LEAD_MONTHS.name, "a whole number of months", lead)
    lead = int(lead)
    end = add_months(implanted, years_to_months(life, "planning_service_life_years"))
    replacement = add_months(end, -lead)
    max_date = add_years(implanted, pump.max_service_life_years) if pump.max_service_life_years else None
    reasoning = [
        f"end of service = implant {implanted.isoformat()} + {life:g} y = {end.isoformat()} (setting "
        f"{pump.planning_service_life.name}, {pump.planning_service_life.status.value})",
        f"replacement = end of service - {lead} months = {replacement.isoformat()} (S55)",
    ]
    if max_date is not None:
        reasoning.append(
            f"automatic shut-off at the latest {pump.max_service_life_years} y after implant: "
            f"{max_date.isoformat()} (S55)"
        )
    eri_stop = None
    if eri_date is not None:
        if not isinstance(eri_date, date) or isinstance(eri_date, datetime) or eri_date < implanted:
            raise InvalidInputError("eri_date", "a date on or after the implant date", eri_date)
        if pump.eri_to_stop_days is None:
            raise InvalidInputError(
                "eri_date",
                f"not given for {pump.name} (no ERI-to-stop interval in the sources)",
                eri_date.isoformat(),
            )
        eri_stop = eri_date + timedelta(days=pump.eri_to_stop_days)
        replacement = eri_date
        reasoning.append(
            f"ERI on {eri_date.isoformat()}: the pump stops {pump.eri_to_stop_days} days later, "
            f"{eri_stop.isoformat()}; replace now (S55). The device-reported date governs: the planning service "
            f"life ({pump.planning_service_life.name}, {pump.planning_service_life.status.value}) is not used"
        )
        if max_date is not None and eri_stop > max_date:
            reasoning.append(
                f"the ERI stop {eri_stop.isoformat()} is after the {pump.max_service_life_years}-year maximum "
                f"{max_date.isoformat()} (S55): check the ERI date recorded against the pump"
            )
    return BatteryForecast(implanted, life, lead, end, replacement, max_date, eri_date, eri_stop, tuple(reasoning))


@dataclass(frozen=True, slots=True)
class ReservoirForecast:
    """The dates that follow from a fill, with the values and settings used and the findings."""

    fill: ReservoirFill
    low_reservoir_ml: float
    margin_days: int
    max_refill_interval_days: int
    low_reservoir_alarm_at: datetime
    empty_at: datetime
    recommended_refill_date: date | None
    stability_limit_date: date
    limited_by_stability: bool
    volume_at_recommended_refill_ml: float | None
    early_alarm_at: datetime | None
    flow_accuracy_percent: float | None
    battery: BatteryForecast | None
    as_of: datetime | None
    settings_used: tuple[SettingUse, ...]
    reasoning: tuple[str, ...]
    findings: tuple[Finding, ...]
    observed_rate_factor: float | None = None
    observed_alarm_at: datetime | None = None
    programmed_refill_date: date | None = None
    observed_empty_at: datetime | None = None
    other_drugs_in_pump: tuple[str, ...] = ()
    #: The day of the fill ``fill`` is what a program change left of (:func:`follow_program_changes`); None: ``fill``
    #: is a fill itself.
    drug_filled_on: date | None = None

    @property
    def low_reservoir_alarm_date(self) -> date:
        return self.low_reservoir_alarm_at.date()

    @property
    def empty_date(self) -> date:
        return self.empty_at.date()

    @property
    def refill_possible(self) -> bool:
        """False when no date after the fill is before the alarm (PUMP-FCST-003): then there is no date."""
        return self.recommended_refill_date is not None

    @property
    def refill_interval_days(self) -> int | None:
        if self.recommended_refill_date is None:
            return None
        return (self.recommended_refill_date - self.fill.filled_at.date()).days

    @property
    def remaining_ml_at_as_of(self) -> float | None:
        return None if self.as_of is None else self.fill.remaining_ml(self.as_of)

    @property
    def remaining_ml_at_as_of_at_observed_rate(self) -> float | None:
        if self.as_of is None or self.observed_rate_factor is None:
            return None
        return _remaining_at_rate(self.fill, self.as_of, self.observed_rate_factor)

    def to_dict(self) -> dict[str, Any]:
        """The forecast as a ``baclofen-pump-forecast/1`` document (docs/serialisation.md)."""
        return {
            SCHEMA_VERSION_KEY: PUMP_FORECAST_SCHEMA,
            "pump": self.fill.pump.key,
            "fill": self.fill.to_dict(),
            "daily_dose_mcg": self.fill.program.daily_dose_mcg,
            "daily_volume_ml": self.fill.daily_volume_ml,
            "low_reservoir_ml": self.low_reservoir_ml,
            "low_reservoir_is_audible_alarm": self.fill.pump.low_reservoir_is_audible_alarm,
            "margin_days": self.margin_days,
            "low_reservoir_alarm_at": self.low_reservoir_alarm_at.isoformat(),
            "low_reservoir_alarm_date": self.low_reservoir_alarm_date.isoformat(),
            "empty_at": self.empty_at.isoformat(),
            "empty_date": self.empty_date.isoformat(),
            "recommended_refill_date": _iso(self.recommended_refill_date),
            "refill_possible": self.refill_possible,
            "refill_interval_days": self.refill_interval_days,
            "volume_at_recommended_refill_ml": self.volume_at_recommended_refill_ml,
            "stability_limit_date": self.stability_limit_date.isoformat(),
            "limited_by_stability": self.limited_by_stability,
            "flow_accuracy_percent": self.flow_accuracy_percent,
            "low_reservoir_alarm_date_if_over_infusing": (
                self.early_alarm_at.date().isoformat() if self.early_alarm_at else None
            ),
            "observed_rate_factor": self.observed_rate_factor,
            "low_reservoir_alarm_date_at_observed_rate": (
                self.observed_alarm_at.date().isoformat() if self.observed_alarm_at else None
            ),
            "refill_date_at_programmed_rate": _iso(self.programmed_refill_date),
            "empty_date_at_observed_rate": (
                self.observed_empty_at.date().isoformat() if self.observed_empty_at else None
            ),
            "remaining_ml_at_as_of_at_observed_rate": self.remaining_ml_at_as_of_at_observed_rate,
            "battery_replacement_date": self.battery.replacement_date.isoformat() if self.battery else None,
            "battery": self.battery.to_dict() if self.battery else None,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "remaining_ml_at_as_of": self.remaining_ml_at_as_of,
            "other_drugs_in_pump": list(self.other_drugs_in_pump),
            "settings": settings_to_dicts(self.settings_used),
            "reasoning": list(self.reasoning),
            "findings": findings_to_dicts(self.findings),
        }


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _after_fill(day: date, filled_day: date) -> date | None:
    """``day`` when it is after the fill day, else None: a refill date on or before the fill is never given."""
    return day if day > filled_day else None


def _refill_date(before_alarm: date, alarm_day: date, caps: tuple[date, ...], filled_day: date) -> date | None:
    """The recommended refill date: ``before_alarm`` (the alarm less the margin) within the caps, after the fill.

    When the margin cannot be kept (``before_alarm`` is on or before the fill day) the day after the fill is the
    date, provided it is strictly before the alarm and within the caps: the margin is a scheduling ASSUMPTION
    (PUMP-FCST-005 warns), while "strictly before the computed alarm" is the sourced rule (S60). No such day: None
    (refill not possible at this dose and volume, PUMP-FCST-003).
    """
    day = _after_fill(min(before_alarm, *caps), filled_day)
    if day is None and before_alarm <= filled_day:
        day_after = filled_day + timedelta(days=1)
        if day_after < alarm_day and all(day_after <= cap for cap in caps):
            return day_after
    return day


def _remaining_at_rate(fill: ReservoirFill, at: datetime, factor: float) -> float:
    """Volume left at ``at`` if the pump delivers ``factor`` x the program (never below the residual)."""
    return fill.volume_ml - min(fill.deliverable_ml, factor * fill.delivered_ml(at))


def _whole_days(value: Any, setting: Setting) -> int:
    """The setting's value (or its default) as whole days; :meth:`Setting.validate` refuses fractions."""
    return int(setting.validate(setting.default if value is None else value))


def forecast_reservoir(
    fill: ReservoirFill,
    *,
    margin_days: int | None = None,
    low_reservoir_ml: float | None = None,
    max_refill_interval_days: int | None = None,
    implanted: date | None = None,
    eri_date: date | None = None,
    mri_date: date | None = None,
    planning_service_life_years: float | None = None,
    replacement_lead_months: int | None = None,
    as_of: date | datetime | None = None,
    observed_rate_factor: float | None = None,
    settings: Mapping[str, Any] | None = None,
    other_drugs_in_pump: Sequence[str] | str = (),
    drug_filled_on: date | None = None,
) -> ReservoirForecast:
    """Forecast the reservoir of a fill.

    Parameters
    ----------
    fill : ReservoirFill
        Pump, volume (mL), concentration (mcg/mL), program and fill time.
    margin_days : int, optional
        Days before the alarm date for the recommended refill (setting :data:`REFILL_MARGIN_DAYS`, >= 1).
    low_reservoir_ml : float, optional
        The pump's programmed low-reservoir threshold, mL (default: the pump model's setting).
    max_refill_interval_days : int, optional
        Drug-stability limit, days (setting ``pump.max_refill_interval_days``, 180).
    implanted, eri_date : date, optional
        Implant and ERI dates for the battery forecast.
    mri_date : date, optional
        A planned or recent MRI during this fill (on or after the fill date): on a Prometra pump the pump must
        be emptied before it and its flow valve reset after it (block PUMP-MRI-001, [S66] [PrometraIFU]).
    planning_service_life_years, replacement_lead_months : optional
        Overrides for the battery forecast.
    as_of : date or datetime, optional
        Today, for overdue / empty / replacement findings (the domain never reads the clock).
    observed_rate_factor : float, optional
        Observed / programmed delivery over the last interval (>= 1, from a shortfall at refill, see
        :func:`baclofen.domain.itb.refill.observe_delivery`). The alarm is also forecast at this rate and
        the recommended refill date is the earlier of the two, strictly before both alarm dates; the
        "today" findings (overdue, low reservoir, empty) then use the earlier, observed-rate dates.
    settings : mapping, optional
        Overrides by setting name: the pump's flow-accuracy setting
        (``pump.synchromed_ii.flow_accuracy_percent``, UNCONFIRMED) where the pump has one.
    other_drugs_in_pump : sequence of str or str
        Other drugs said to be in this fill with the baclofen: no admixture (block PUMP-ADMIX-001, [S36] [S34]).
    drug_filled_on : date, optional
        The day the drug was put in the reservoir, when ``fill`` is what is left of it after a program change
        (:func:`follow_program_changes`): drug stability counts from it (default: the fill's day).

    Returns
    -------
    ReservoirForecast

    Raises
    ------
    InvalidInputError
        A threshold not between the residual and the filled volume, a margin below 1 day, an implant
        after the fill, ``as_of`` before the fill.
    """
    inputs = _check_forecast_inputs(
        fill,
        margin_days=margin_days,
        low_reservoir_ml=low_reservoir_ml,
        max_refill_interval_days=max_refill_interval_days,
        implanted=implanted,
        eri_date=eri_date,
        mri_date=mri_date,
        planning_service_life_years=planning_service_life_years,
        replacement_lead_months=replacement_lead_months,
        as_of=as_of,
        observed_rate_factor=observed_rate_factor,
        settings=settings,
        other_drugs_in_pump=other_drugs_in_pump,
        drug_filled_on=drug_filled_on,
    )
    dates = _compute_refill_dates(fill, inputs)
    return ReservoirForecast(
        fill=fill,
        low_reservoir_ml=inputs.low_ml,
        margin_days=inputs.margin_days,
        max_refill_interval_days=inputs.max_days,
        low_reservoir_alarm_at=dates.alarm_at,
        empty_at=dates.empty_at,
        recommended_refill_date=dates.recommended,
        stability_limit_date=dates.stability_limit,
        limited_by_stability=dates.limited_by_stability,
        volume_at_recommended_refill_ml=dates.at_recommended_ml,
        early_alarm_at=dates.early_alarm_at,
        flow_accuracy_percent=inputs.accuracy_percent,
        battery=inputs.battery,
        as_of=inputs.as_of,
        settings_used=_forecast_settings_used(fill, inputs),
        reasoning=_explain_forecast(fill, inputs, dates),
        findings=_judge_forecast(fill, inputs, dates),
        observed_rate_factor=inputs.factor,
        observed_alarm_at=dates.observed_alarm_at,
        programmed_refill_date=dates.programmed_recommended,
        observed_empty_at=dates.observed_empty_at,
        other_drugs_in_pump=inputs.other_drugs,
        drug_filled_on=drug_filled_on,
    )


# --- the phases of forecast_reservoir -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _ForecastInputs:
    """The forecast's options, checked and resolved (settings' defaults applied), and the battery forecast."""

    low_ml: float
    margin_days: int
    max_days: int
    factor: float | None
    battery: BatteryForecast | None
    accuracy_percent: float | None
    mri_date: date | None
    as_of: datetime | None
    other_drugs: tuple[str, ...]
    drug_filled_on: date


@dataclass(frozen=True, slots=True)
class _RefillDates:
    """The computed dates: alarm, empty, the refill date and what limited it."""

    alarm_at: datetime
    empty_at: datetime
    before_alarm: date  # the alarm date less the margin (at the programmed rate)
    stability_limit: date
    shutoff: date | None
    programmed_recommended: date | None
    observed_alarm_at: datetime | None
    observed_empty_at: datetime | None
    governing_before_alarm: date
    governing_alarm_day: date
    latest_by_margin: date  # the governing alarm less the margin, within the stability and shut-off caps
    recommended: date | None
    margin_shortened: bool
    limited_by_stability: bool
    limited_by_shutoff: bool
    at_recommended_ml: float | None
    early_alarm_at: datetime | None


def _check_forecast_inputs(
    fill: ReservoirFill,
    *,
    margin_days: int | None,
    low_reservoir_ml: float | None,
    max_refill_interval_days: int | None,
    implanted: date | None,
    eri_date: date | None,
    mri_date: date | None,
    planning_service_life_years: float | None,
    replacement_lead_months: int | None,
    as_of: date | datetime | None,
    observed_rate_factor: float | None,
    settings: Mapping[str, Any] | None,
    other_drugs_in_pump: Sequence[str] | str,
    drug_filled_on: date | None = None,
) -> _ForecastInputs:
    """Phase 1: check every option against the fill and resolve the settings (raises InvalidInputError)."""
    if not isinstance(fill, ReservoirFill):
        raise InvalidInputError("fill", "a ReservoirFill", fill)
    others = parse_name_list(other_drugs_in_pump, "other_drugs_in_pump")
    pump = fill.pump
    low = float(pump.low_reservoir.validate(pump.low_reservoir_ml if low_reservoir_ml is None else low_reservoir_ml))
    if not fill.residual_ml < low < fill.volume_ml:
        if low >= fill.volume_ml:
            raise InvalidInputError(
                "volume_ml",
                f"more than the {low:g} mL low-reservoir threshold of the {pump.name}",
                fill.volume_ml,
            )
        raise InvalidInputError("low_reservoir_ml", f"more than the residual volume {fill.residual_ml:g} mL", low)
    margin = _whole_days(margin_days, REFILL_MARGIN_DAYS)
    max_days = _whole_days(max_refill_interval_days, MAX_REFILL_INTERVAL_DAYS)
    factor = None
    if observed_rate_factor is not None:
        factor = require_finite_number(observed_rate_factor, "observed_rate_factor", minimum=1.0)

    filled_day = fill.filled_at.date()
    battery = None
    if implanted is not None:
        if not isinstance(implanted, date) or isinstance(implanted, datetime) or implanted > filled_day:
            raise InvalidInputError(
                "implanted", f"a date on or before the fill date {filled_day.isoformat()}", implanted
            )
        battery = forecast_battery(
            pump,
            implanted,
            eri_date=eri_date,
            planning_service_life_years=planning_service_life_years,
            replacement_lead_months=replacement_lead_months,
        )
    elif eri_date is not None:
        raise InvalidInputError("implanted", "the implant date when an ERI date is given", None)

    values = pump.setting_values(settings)
    accuracy = None if pump.flow_accuracy is None else float(values.get(pump.flow_accuracy))

    if mri_date is not None and (
        not isinstance(mri_date, date) or isinstance(mri_date, datetime) or mri_date < filled_day
    ):
        raise InvalidInputError(
            "mri_date",
            f"a date on or after the fill date {filled_day.isoformat()} (an MRI during this fill)",
            mri_date.isoformat() if isinstance(mri_date, date) else mri_date,
        )

    as_of_dt = None
    if as_of is not None:
        as_of_dt = on_clock_of(fill.filled_at, as_of, "as_of")
        if as_of_dt < fill.filled_at:
            raise InvalidInputError("as_of", f"a time at or after the fill ({fill.filled_at.isoformat()})", str(as_of))
    drug_day = filled_day
    if drug_filled_on is not None:
        if not isinstance(drug_filled_on, date) or isinstance(drug_filled_on, datetime) or drug_filled_on > filled_day:
            expected = f"a date on or before the fill date {filled_day.isoformat()}"
            raise InvalidInputError("drug_filled_on", expected, drug_filled_on)
        drug_day = drug_filled_on
    return _ForecastInputs(low, margin, max_days, factor, battery, accuracy, mri_date, as_of_dt, others, drug_day)


def _compute_refill_dates(fill: ReservoirFill, inputs: _ForecastInputs) -> _RefillDates:
    """Phase 2: alarm and empty times (at the programmed and, when known, the observed rate), the refill date
    strictly before the alarm, capped by drug stability and the pump's shut-off, and what limited it."""
    low, margin, factor = inputs.low_ml, inputs.margin_days, inputs.factor
    filled_day = fill.filled_at.date()
    # no date the forecast recommends may fall on or after the pump's shut-off (PUMP-BATT-003): the last day
    # before it caps the refill date as the stability limit does
    shutoff = inputs.battery.shutoff_date if inputs.battery is not None else None
    last_before_shutoff = shutoff - timedelta(days=1) if shutoff is not None and shutoff > filled_day else None
    alarm_at = fill.time_when_remaining(low)
    empty_at = fill.time_when_remaining(fill.residual_ml)
    before_alarm = alarm_at.date() - timedelta(days=margin)
    stability_limit = inputs.drug_filled_on + timedelta(days=inputs.max_days)
    caps = (stability_limit,) if last_before_shutoff is None else (stability_limit, last_before_shutoff)
    programmed_recommended = _refill_date(before_alarm, alarm_at.date(), caps, filled_day)
    observed_alarm = observed_empty = None
    governing_before_alarm = before_alarm
    governing_alarm_day = alarm_at.date()
    if factor is not None:
        observed_alarm = fill.time_when_remaining(low, rate_factor=factor)
        observed_empty = fill.time_when_remaining(fill.residual_ml, rate_factor=factor)
        governing_before_alarm = min(before_alarm, observed_alarm.date() - timedelta(days=margin))
        governing_alarm_day = min(governing_alarm_day, observed_alarm.date())
    recommended = _refill_date(governing_before_alarm, governing_alarm_day, caps, filled_day)
    at_recommended = None
    if recommended is not None:
        end_of_recommended_day = datetime.combine(
            recommended, datetime.min.time(), tzinfo=fill.filled_at.tzinfo
        ) + timedelta(days=1)
        if factor is None:
            at_recommended = fill.remaining_ml(end_of_recommended_day)
        else:  # at the observed rate (the refill day ends before the observed alarm, so nothing is clamped)
            at_recommended = max(fill.residual_ml, fill.volume_ml - factor * fill.delivered_ml(end_of_recommended_day))
    early_alarm = None
    if inputs.accuracy_percent is not None:
        early_alarm = fill.time_when_remaining(low, rate_factor=1 + inputs.accuracy_percent / 100.0)
    return _RefillDates(
        alarm_at=alarm_at,
        empty_at=empty_at,
        before_alarm=before_alarm,
        stability_limit=stability_limit,
        shutoff=shutoff,
        programmed_recommended=programmed_recommended,
        observed_alarm_at=observed_alarm,
        observed_empty_at=observed_empty,
        governing_before_alarm=governing_before_alarm,
        governing_alarm_day=governing_alarm_day,
        latest_by_margin=min(governing_before_alarm, *caps),
        recommended=recommended,
        margin_shortened=recommended is not None and recommended > governing_before_alarm,
        limited_by_stability=recommended is not None and stability_limit < governing_before_alarm,
        limited_by_shutoff=last_before_shutoff is not None
        and last_before_shutoff < min(governing_before_alarm, stability_limit),
        at_recommended_ml=at_recommended,
        early_alarm_at=early_alarm,
    )


def _explain_forecast(fill: ReservoirFill, inputs: _ForecastInputs, dates: _RefillDates) -> tuple[str, ...]:
    """Phase 3: the arithmetic, line by line, so that a clinician can check it."""
    pump, low, margin, max_days = fill.pump, inputs.low_ml, inputs.margin_days, inputs.max_days
    filled_day = fill.filled_at.date()
    recommended = dates.recommended
    daily_ml = fill.daily_volume_ml
    reasoning = [
        f"daily dose {fill.program.daily_dose_mcg:.2f} mcg/day / {fill.concentration_mcg_per_ml:g} mcg/mL = "
        f"{daily_ml:.4f} mL/day",
        f"drug in = {fill.volume_ml:g} mL x {fill.concentration_mcg_per_ml:g} mcg/mL = {fill.drug_mcg:g} mcg",
        f"low reservoir ({low:g} mL left) after {fill.volume_ml - low:g} mL delivered: "
        f"{dates.alarm_at.isoformat(timespec='minutes')}",
        f"empty ({fill.residual_ml:g} mL residual) after {fill.deliverable_ml:g} mL delivered: "
        f"{dates.empty_at.isoformat(timespec='minutes')}",
    ]
    if inputs.drug_filled_on != filled_day:
        reasoning.append(
            f"the reservoir holds what is left on {filled_day.isoformat()} of the fill of "
            f"{inputs.drug_filled_on.isoformat()}: drug stability counts from that fill (the fill date below)"
        )

    if inputs.mri_date is not None and pump.family is not PumpFamily.PROMETRA_II:
        reasoning.append(
            f"MRI on {inputs.mri_date.isoformat()}: the sources' MRI warning (empty the pump before, reset the flow "
            f"valve after: PUMP-MRI-001) is the Prometra's (S66); none is given here for the {pump.name}: follow its "
            "MR conditions"
        )
    by_margin = dates.latest_by_margin
    if recommended is None:
        chosen = (
            f"none (no day after the fill date {filled_day.isoformat()} is before the alarm: refill not possible "
            "at this dose and volume)"
        )
    elif dates.margin_shortened:
        chosen = (
            f"{by_margin.isoformat()}, on or before the fill date {filled_day.isoformat()}: the {margin}-day margin "
            f"cannot be kept, so the day after the fill, {recommended.isoformat()}, "
            f"{(dates.governing_alarm_day - recommended).days} day(s) before the alarm (PUMP-FCST-005)"
        )
    else:
        chosen = recommended.isoformat()
    if dates.observed_alarm_at is None or dates.observed_empty_at is None or inputs.factor is None:
        reasoning.append(
            f"recommended refill = min(alarm date - {margin} day(s), fill date + {max_days} days) = "
            f"min({dates.before_alarm.isoformat()}, {dates.stability_limit.isoformat()}) = {chosen}"
        )
    else:
        factor = inputs.factor
        observed_before = dates.observed_alarm_at.date() - timedelta(days=margin)
        reasoning += [
            f"at the observed rate (programmed x {factor:.4f} = {daily_ml * factor:.4f} mL/day) the low "
            f"reservoir ({low:g} mL left) comes at {dates.observed_alarm_at.isoformat(timespec='minutes')} and "
            f"empty ({fill.residual_ml:g} mL residual) at {dates.observed_empty_at.isoformat(timespec='minutes')}",
            f"recommended refill = min(alarm date - {margin} day(s), observed-rate alarm date - {margin} day(s), "
            f"fill date + {max_days} days) = min({dates.before_alarm.isoformat()}, {observed_before.isoformat()}, "
            f"{dates.stability_limit.isoformat()}) = {chosen} (at the programmed rate alone: "
            f"{_iso(dates.programmed_recommended) or 'not possible'})",
        ]
    if dates.limited_by_shutoff and dates.shutoff is not None:
        reasoning.append(
            f"the pump's planned end of service {dates.shutoff.isoformat()} comes first: the recommended refill is "
            f"capped at the day before it, {_iso(recommended) or 'not possible'} (S55)"
        )
    return tuple(reasoning)


def _judge_forecast(fill: ReservoirFill, inputs: _ForecastInputs, dates: _RefillDates) -> tuple[Finding, ...]:
    """Phase 4: the forecast rules (PUMP-FCST/REFILL/BATT/MRI), the concentration, no admixture, the programmed
    dose level and the ITB delivery limits, most severe first."""
    pump, battery, as_of_dt, factor = fill.pump, inputs.battery, inputs.as_of, inputs.factor
    ctx = ForecastContext(
        pump_name=pump.name,
        low_reservoir_is_audible_alarm=pump.low_reservoir_is_audible_alarm,
        filled_date=fill.filled_at.date(),
        low_reservoir_ml=inputs.low_ml,
        margin_days=inputs.margin_days,
        alarm_date=dates.alarm_at.date(),
        empty_date=dates.empty_at.date(),
        recommended_refill_date=dates.recommended,
        stability_limit_date=dates.stability_limit,
        max_refill_interval_days=inputs.max_days,
        limited_by_stability=dates.limited_by_stability,
        limited_by_shutoff=dates.limited_by_shutoff,
        margin_shortened=dates.margin_shortened,
        volume_at_recommended_refill_ml=dates.at_recommended_ml,
        replacement_date=battery.replacement_date if battery else None,
        shutoff_date=battery.shutoff_date if battery else None,
        shutoff_reason=battery.shutoff_reason if battery else "",
        is_prometra=pump.family is PumpFamily.PROMETRA_II,
        mri_date=inputs.mri_date,
        as_of=as_of_dt.date() if as_of_dt else None,
        remaining_ml_at_as_of=fill.remaining_ml(as_of_dt) if as_of_dt else None,
        daily_volume_ml=fill.daily_volume_ml,
        volume_ml=fill.volume_ml,
        observed_rate_factor=factor,
        observed_alarm_date=dates.observed_alarm_at.date() if dates.observed_alarm_at else None,
        programmed_refill_date=dates.programmed_recommended,
        flow_accuracy_percent=inputs.accuracy_percent,
        flow_accuracy_setting=pump.flow_accuracy.name if pump.flow_accuracy is not None else "",
        flow_accuracy_status=pump.flow_accuracy.status.value if pump.flow_accuracy is not None else "",
        over_infusion_alarm_date=dates.early_alarm_at.date() if dates.early_alarm_at else None,
        observed_empty_date=dates.observed_empty_at.date() if dates.observed_empty_at else None,
        observed_remaining_ml_at_as_of=(
            _remaining_at_rate(fill, as_of_dt, factor) if as_of_dt is not None and factor is not None else None
        ),
    )
    findings = list(evaluate_rules(FORECAST_RULES, ctx)) + list(
        check_concentration(pump, fill.concentration_mcg_per_ml)
    )
    findings += ADMIXTURE.evaluate(AdmixtureContext(inputs.other_drugs))
    # the programmed dose is checked here too, so a forecast or refill visit never hides a dose level finding
    findings += check_daily_dose(fill.program.daily_dose_mcg, label="programmed dose", refuse_implausible=False)
    findings += check_pump_delivery(pump, fill.concentration_mcg_per_ml, fill.program.daily_dose_mcg)  # ITB-LIMIT
    return sort_findings(findings)


def _forecast_settings_used(fill: ReservoirFill, inputs: _ForecastInputs) -> tuple[SettingUse, ...]:
    """Phase 5: every setting the forecast read, with the value it used."""
    pump, battery = fill.pump, inputs.battery
    used = [
        SettingUse(pump.low_reservoir, inputs.low_ml),
        SettingUse(pump.residual_volume, fill.residual_ml),
        SettingUse(REFILL_MARGIN_DAYS, inputs.margin_days),
        SettingUse(MAX_REFILL_INTERVAL_DAYS, inputs.max_days),
    ]
    if pump.flow_accuracy is not None:
        used.append(SettingUse(pump.flow_accuracy, inputs.accuracy_percent))
    if battery is not None:
        used += [
            SettingUse(pump.planning_service_life, battery.planning_service_life_years),
            SettingUse(REPLACEMENT_LEAD_MONTHS, battery.replacement_lead_months),
        ]
    return tuple(used)


# --- a fill after program changes -----------------------------------------------------------------------------------
#: Volume tolerance, mL: a reservoir within it of the residual is empty.
_EMPTY_TOLERANCE_ML = 1e-9


@dataclass(frozen=True, slots=True)
class ProgramSegment:
    """What a fill delivers from after program changes: ``fill``, the volume left at the last change that took
    effect with that change's program and time (the original fill when none did), and ``stopped_by``, the index of
    the change that stopped the pump when it is stopped (its volume then stays in the reservoir), else None."""

    fill: ReservoirFill
    stopped_by: int | None

    @property
    def is_stopped(self) -> bool:
        return self.stopped_by is not None


def follow_program_changes(
    fill: ReservoirFill, changes: Sequence[tuple[datetime, InfusionProgram | None]]
) -> ProgramSegment:
    """The reservoir of ``fill`` after its program ``changes`` (time on the fill's clock, after the fill, in time
    order; the new program, None for a stop), piecewise: at each change the volume the program before it left, then
    the new rate. The one computation of a fill after reprogramming: the risk engine (and so the worklist and the
    refill calendar) and the patient summary's forecast both use it. A change once the reservoir is down to its
    residual changes nothing (nothing left to deliver); a new program after a stop restarts delivery."""
    seg, stopped_by = fill, None
    for index, (at, program) in enumerate(changes):
        remaining = seg.remaining_ml(at) if stopped_by is None else seg.volume_ml
        if program is None:
            if stopped_by is None:
                volume = max(remaining, seg.residual_ml + _EMPTY_TOLERANCE_ML)
                seg = ReservoirFill(
                    seg.pump, volume, seg.concentration_mcg_per_ml, seg.program, at, residual_ml=seg.residual_ml
                )
                stopped_by = index
            continue
        if remaining <= seg.residual_ml + _EMPTY_TOLERANCE_ML:
            stopped_by = None
            continue  # empty before the change: nothing left to deliver
        seg = ReservoirFill(seg.pump, remaining, seg.concentration_mcg_per_ml, program, at, residual_ml=seg.residual_ml)
        stopped_by = None
    return ProgramSegment(seg, stopped_by)
