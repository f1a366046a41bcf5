"""Implantable pump catalogue as cited data: reservoir, low-reservoir threshold, life, program limits.

Every value carries its citation keys. Values the sources leave UNCONFIRMED or on which they DISAGREE
are named :class:`~baclofen.domain.settings.Setting` objects, so a clinic can override them and the
plan shows which value it used (clinical.md §5.7 and its verification update).

>>> pump = get_pump("synchromed-ii-20")
>>> pump.reservoir_ml, pump.max_rate_steps_per_day
(20.0, 13)
>>> get_pump("Prometra II 40 mL").key
'prometra-ii-40'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType
from typing import Any

from baclofen.domain.errors import InvalidInputError, UnknownNameError, require_finite_number
from baclofen.domain.rules.core import Finding, evaluate_rules
from baclofen.domain.rules.itb.concentration import CONCENTRATION_RULES, ConcentrationContext
from baclofen.domain.settings import EvidenceStatus, Setting, SettingUse, SettingValues, settings_to_dicts

__all__ = [
    "MARKETED_CONCENTRATIONS_MCG_PER_ML",
    "MAX_CONCENTRATION_MCG_PER_ML",
    "MAX_REFILL_INTERVAL_DAYS",
    "PROMETRA_CATHETER_FULL_LENGTH_CM",
    "PROMETRA_CATHETER_ML_PER_CM",
    "PUMPS",
    "REPLACEMENT_LEAD_MONTHS",
    "PumpFamily",
    "PumpModel",
    "check_concentration",
    "concentration_value",
    "get_pump",
]


class PumpFamily(Enum):
    SYNCHROMED_II = "synchromed-ii"
    PROMETRA_II = "prometra-ii"


# --- Settings shared by every pump -------------------------------------------------------------------

MAX_REFILL_INTERVAL_DAYS = Setting(
    name="pump.max_refill_interval_days",
    default=180,
    unit="day",
    status=EvidenceStatus.PARTLY_VERIFIED,
    evidence=("Stability2023", "S65", "S107", "S100"),
    description=(
        "Longest time baclofen may stay in the pump reservoir (drug stability): 180 days, stated as the "
        "manufacturer recommendation in a 2023 stability paper (inferred); Medtronic's drug-stability manual "
        "itself was not retrieved (S100). Refill intervals are usually 2-6 months (S65, S107)."
    ),
    minimum=1,
    maximum=180,
)

REPLACEMENT_LEAD_MONTHS = Setting(
    name="pump.replacement_lead_months",
    default=6,
    unit="month",
    status=EvidenceStatus.PARTLY_VERIFIED,
    evidence=("S55",),
    description=(
        "Months before the end of pump service at which replacement is scheduled: Medtronic recommends about "
        "6 months before automatic shut-off (S55). No source gives a Prometra figure; the same lead is used."
    ),
    minimum=0,
    maximum=24,
)

# --- SynchroMed II (Medtronic 8637) ------------------------------------------------------------------

SYNCHROMED_LOW_RESERVOIR_ALARM_ML = Setting(
    name="pump.synchromed_ii.low_reservoir_alarm_ml",
    default=2.0,
    unit="mL",
    status=EvidenceStatus.PARTLY_VERIFIED,
    evidence=("Neurosurgery2004", "S63"),
    description=(
        "SynchroMed II low-reservoir alarm volume: 2 mL manufacturer-recommended, clinician-programmed "
        "(S63); 4 mL was used in the 2004 study in which 24 % of patients had withdrawal symptoms while "
        "2.1-3.8 mL remained (Neurosurgery2004). Set it to the value programmed in the patient's pump."
    ),
    minimum=0.5,
    maximum=10.0,
)

SYNCHROMED_RESIDUAL_VOLUME_ML = Setting(
    name="pump.synchromed_ii.residual_volume_ml",
    default=0.0,
    unit="mL",
    status=EvidenceStatus.UNCONFIRMED,
    evidence=("S58", "S61"),
    description=(
        "Volume left in a SynchroMed II reservoir that the pump cannot deliver (minimum volume). "
        "UNCONFIRMED: the 8637 manual page was not readable (S58). Default 0 mL: the empty date is the date "
        "the programmed volume runs out; the recommended refill date is anchored to the low-reservoir "
        "threshold, which must lie above this volume. Running a pump with an empty reservoir is a named "
        "over-infusion risk (S61)."
    ),
    minimum=0.0,
    maximum=5.0,
    stricter="higher",  # a higher volume is "empty" sooner: the 0 mL default blocks least
)

SYNCHROMED_PLANNING_LIFE_YEARS = Setting(
    name="pump.synchromed_ii.planning_service_life_years",
    default=5.0,
    unit="year",
    status=EvidenceStatus.DISAGREE,
    evidence=("S55", "S69"),
    description=(
        "Service life used to plan SynchroMed II replacement when the device-reported ERI date is not known. "
        "Medtronic: typically 5-7 years, at most 7 years, then automatic shut-off (S55); the neurosurgery "
        "wiki says SynchroMed II pumps shut off after 5 years (S69). Default: the shorter, 5 years. Prefer "
        "the ERI date the pump reports."
    ),
    minimum=1.0,
    maximum=7.0,
)

SYNCHROMED_FLOW_ACCURACY_PERCENT = Setting(
    name="pump.synchromed_ii.flow_accuracy_percent",
    default=14.5,
    unit="%",
    status=EvidenceStatus.UNCONFIRMED,
    evidence=("S62",),
    description=(
        "SynchroMed II flow-accuracy specification (the often-quoted +/-14.5 % is UNCONFIRMED). Clinical "
        "data: mean +1 % (6 and 12 months) and +2.5 % per refill; laboratory -2.4 % per refill (S62). Used "
        "to show how much earlier the reservoir would empty if the pump over-infused by this much, and at a "
        "refill visit to flag a delivery over the last interval above the programmed one by more than this "
        "(PUMP-RECON-006)."
    ),
    minimum=0.0,
    maximum=50.0,
)

# --- Prometra II (Flowonix) --------------------------------------------------------------------------

PROMETRA_REFILL_THRESHOLD_ML = Setting(
    name="pump.prometra_ii.refill_threshold_ml",
    default=3.0,
    unit="mL",
    status=EvidenceStatus.CONFIRMED,
    evidence=("PrometraIFU",),
    description=(
        "Prometra II: the programmer's refill date is when 3.0 mL would remain in the reservoir (Flowonix "
        "clinician guide; Prometra II IFU p.33). Used as the low-reservoir threshold of Prometra pumps."
    ),
    minimum=0.5,
    maximum=10.0,
)

PROMETRA_RESIDUAL_VOLUME_ML = Setting(
    name="pump.prometra_ii.residual_volume_ml",
    default=0.0,
    unit="mL",
    status=EvidenceStatus.UNCONFIRMED,
    evidence=("S67",),
    description=(
        "Volume left in a Prometra II reservoir that the pump cannot deliver. UNCONFIRMED (not in the "
        "retrieved manual text, S67). Default 0 mL, as for SynchroMed II."
    ),
    minimum=0.0,
    maximum=5.0,
    stricter="higher",  # a higher volume is "empty" sooner: the 0 mL default blocks least
)

PROMETRA_PLANNING_LIFE_YEARS = Setting(
    name="pump.prometra_ii.planning_service_life_years",
    default=10.0,
    unit="year",
    status=EvidenceStatus.PARTLY_VERIFIED,
    evidence=("S68", "S115"),
    description=(
        "Service life used to plan Prometra II replacement: battery life is 'more than 10 years' (S68, "
        "S115); the lower bound, 10 years, is used. Per-pump battery status from the programmer takes "
        "precedence."
    ),
    minimum=1.0,
    maximum=15.0,
)

#: Prometra II catheter: internal volume per cm and the full (untrimmed) length (Prometra II IFU p.33).
PROMETRA_CATHETER_ML_PER_CM = 0.0026
PROMETRA_CATHETER_FULL_LENGTH_CM = 110.0
#: SynchroMed II flex dosing: up to 13 rate changes a day (S57, S63).
SYNCHROMED_MAX_FLEX_STEPS = 13
#: SynchroMed II: automatic shut-off at 7 years at most; stops 90 days after the ERI alarm (S55).
SYNCHROMED_MAX_SERVICE_LIFE_YEARS = 7
SYNCHROMED_ERI_TO_STOP_DAYS = 90
#: Prometra labelling: baclofen 500-2000 mcg/mL (S66).
PROMETRA_CONCENTRATION_RANGE_MCG_PER_ML = (500.0, 2000.0)


@dataclass(frozen=True, slots=True)
class PumpModel:
    """One pump model of the catalogue.

    Attributes
    ----------
    key : str
        Stable identifier used at the edges, e.g. ``"synchromed-ii-20"``.
    reservoir_ml : float
        Reservoir capacity in mL; a fill above it is refused (overfilling risk, [S61]).
    low_reservoir : Setting
        Volume (mL) at which the pump alarms (SynchroMed II) or the programmer sets the refill date
        (Prometra II). The alarm is computed from the programmed rate, not measured ([S60]).
    low_reservoir_is_audible_alarm : bool
        True for SynchroMed II (a pump alarm), False for Prometra II (a programmer date).
    residual_volume : Setting
        Undeliverable volume (mL) that remains when the pump is "empty" (UNCONFIRMED).
    planning_service_life : Setting
        Years from implant used to plan replacement.
    max_service_life_years : int or None
        Hard end of service (automatic shut-off), when the sources give one.
    eri_to_stop_days : int or None
        Days from the elective-replacement indicator to the pump stopping.
    max_rate_steps_per_day : int or None
        Most rate changes a day in flex dosing; None when the sources do not say (UNCONFIRMED).
    concentration_range_mcg_per_ml : tuple of float or None
        Labelled baclofen concentrations for this pump, when the labelling restricts them.
    flow_accuracy : Setting or None
        Flow-accuracy specification (percent), when there is one.
    evidence : mapping of str to tuple of str
        Citation keys per attribute.
    """

    key: str
    name: str
    manufacturer: str
    model_ref: str
    family: PumpFamily
    reservoir_ml: float
    low_reservoir: Setting
    low_reservoir_is_audible_alarm: bool
    residual_volume: Setting
    planning_service_life: Setting
    max_service_life_years: int | None
    eri_to_stop_days: int | None
    max_rate_steps_per_day: int | None
    concentration_range_mcg_per_ml: tuple[float, float] | None
    flow_accuracy: Setting | None
    evidence: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def low_reservoir_ml(self) -> float:
        """Default low-reservoir threshold (mL) of this model."""
        return float(self.low_reservoir.default)

    @property
    def residual_volume_ml(self) -> float:
        return float(self.residual_volume.default)

    @property
    def all_evidence(self) -> tuple[str, ...]:
        keys: list[str] = []
        for group in self.evidence.values():
            keys.extend(k for k in group if k not in keys)
        return tuple(keys)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "manufacturer": self.manufacturer,
            "model_ref": self.model_ref,
            "family": self.family.value,
            "reservoir_ml": self.reservoir_ml,
            "low_reservoir_ml": self.low_reservoir_ml,
            "low_reservoir_is_audible_alarm": self.low_reservoir_is_audible_alarm,
            "residual_volume_ml": self.residual_volume_ml,
            "planning_service_life_years": self.planning_service_life.default,
            "max_service_life_years": self.max_service_life_years,
            "eri_to_stop_days": self.eri_to_stop_days,
            "max_rate_steps_per_day": self.max_rate_steps_per_day,
            "concentration_range_mcg_per_ml": (
                list(self.concentration_range_mcg_per_ml) if self.concentration_range_mcg_per_ml else None
            ),
            "flow_accuracy_percent": self.flow_accuracy.default if self.flow_accuracy else None,
            "settings": settings_to_dicts(SettingUse(s, s.default) for s in self.settings()),
            "evidence": {k: list(v) for k, v in self.evidence.items()},
        }

    def settings(self) -> tuple[Setting, ...]:
        """The named settings this model's values come from."""
        out = [self.low_reservoir, self.residual_volume, self.planning_service_life]
        if self.flow_accuracy is not None:
            out.append(self.flow_accuracy)
        return tuple(out)

    def setting_values(self, overrides: Mapping[str, Any] | None) -> SettingValues:
        """The settings a caller may override by name for this model (its flow accuracy, where the sources give
        one), validated; an override for a model without it is refused, naming the model."""
        if overrides and self.flow_accuracy is None:
            raise InvalidInputError(
                "setting",
                f"no override for the {self.name}: it has no flow-accuracy setting (no spec in the sources)",
                ", ".join(sorted(overrides)),
            )
        return SettingValues(() if self.flow_accuracy is None else (self.flow_accuracy,), overrides, field="setting")


def _synchromed(size_ml: int) -> PumpModel:
    return PumpModel(
        key=f"synchromed-ii-{size_ml}",
        name=f"SynchroMed II {size_ml} mL",
        manufacturer="Medtronic",
        model_ref=f"8637-{size_ml}",
        family=PumpFamily.SYNCHROMED_II,
        reservoir_ml=float(size_ml),
        low_reservoir=SYNCHROMED_LOW_RESERVOIR_ALARM_ML,
        low_reservoir_is_audible_alarm=True,
        residual_volume=SYNCHROMED_RESIDUAL_VOLUME_ML,
        planning_service_life=SYNCHROMED_PLANNING_LIFE_YEARS,
        max_service_life_years=SYNCHROMED_MAX_SERVICE_LIFE_YEARS,
        eri_to_stop_days=SYNCHROMED_ERI_TO_STOP_DAYS,
        max_rate_steps_per_day=SYNCHROMED_MAX_FLEX_STEPS,
        concentration_range_mcg_per_ml=None,
        flow_accuracy=SYNCHROMED_FLOW_ACCURACY_PERCENT,
        evidence={
            "reservoir": ("S58", "S59"),
            "low_reservoir": ("Neurosurgery2004", "S63", "S60"),
            "residual_volume": ("S58",),
            "service_life": ("S55", "S69"),
            "eri": ("S55", "S56", "S99"),
            "rate_steps": ("S57", "S63"),
            "flow_accuracy": ("S62",),
        },
    )


def _prometra(size_ml: int, ref: str) -> PumpModel:
    return PumpModel(
        key=f"prometra-ii-{size_ml}",
        name=f"Prometra II {size_ml} mL",
        manufacturer="Flowonix",
        model_ref=ref,
        family=PumpFamily.PROMETRA_II,
        reservoir_ml=float(size_ml),
        low_reservoir=PROMETRA_REFILL_THRESHOLD_ML,
        low_reservoir_is_audible_alarm=False,
        residual_volume=PROMETRA_RESIDUAL_VOLUME_ML,
        planning_service_life=PROMETRA_PLANNING_LIFE_YEARS,
        max_service_life_years=None,
        eri_to_stop_days=None,
        max_rate_steps_per_day=None,
        concentration_range_mcg_per_ml=PROMETRA_CONCENTRATION_RANGE_MCG_PER_ML,
        flow_accuracy=None,
        evidence={
            "reservoir": ("S67", "S68"),
            "low_reservoir": ("PrometraIFU",),
            "residual_volume": ("S67",),
            "service_life": ("S68", "S115"),
            "concentration": ("S66",),
            "catheter_volume": ("PrometraIFU",),
        },
    )


PUMPS: Mapping[str, PumpModel] = MappingProxyType(
    {
        p.key: p
        for p in (
            _synchromed(20),
            _synchromed(40),
            _prometra(20, "13827"),
            _prometra(40, "16827"),
        )
    }
)


def _normalise(name: str) -> str:
    text = name.strip().lower().replace("ml", "")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def get_pump(name: PumpModel | str) -> PumpModel:
    """Look a pump model up by key (``synchromed-ii-20``), display name or model reference.

    Parameters
    ----------
    name : str
        ``synchromed-ii-20``, ``synchromed-ii-40``, ``prometra-ii-20``, ``prometra-ii-40``, a display name
        such as ``"SynchroMed II 20 mL"`` or a model reference such as ``8637-40`` or ``16827``.

    Raises
    ------
    UnknownNameError
        When the name is not in the catalogue (the message lists the keys).
    """
    if isinstance(name, PumpModel):
        return name
    if not isinstance(name, str):
        raise UnknownNameError("pump", PUMPS.keys(), name)
    wanted = _normalise(name)
    for pump in PUMPS.values():
        if wanted in (pump.key, _normalise(pump.name), _normalise(pump.model_ref)):
            return pump
    raise UnknownNameError("pump", PUMPS.keys(), name)


#: Marketed intrathecal concentrations, mcg/mL (Lioresal, Gablofen, generics) [S34] [S36] [S47] [S49] [S53].
MARKETED_CONCENTRATIONS_MCG_PER_ML = (50.0, 500.0, 1000.0, 2000.0)
#: Highest concentration in the sources (unlicensed 3 mg/mL, [S25]); above it the input is refused.
MAX_CONCENTRATION_MCG_PER_ML = 3000.0


def concentration_value(value: float, field: str = "concentration_mcg_per_ml") -> float:
    """A concentration in mcg/mL, checked: > 0 and at most 3000 mcg/mL.

    >>> concentration_value(2000)
    2000.0
    """
    return require_finite_number(value, field, strictly_positive=True, maximum=MAX_CONCENTRATION_MCG_PER_ML)


def fill_volume_value(pump: PumpModel, volume_ml: float, field: str = "volume_ml") -> float:
    """A volume put in ``pump``'s reservoir, mL, checked: > 0 and at most the reservoir's capacity.

    >>> fill_volume_value(get_pump("synchromed-ii-20"), 20)
    20.0
    """
    volume = require_finite_number(volume_ml, field, strictly_positive=True)
    if volume > pump.reservoir_ml:
        raise InvalidInputError(
            field,
            f"at most the {pump.reservoir_ml:g} mL capacity of the {pump.name} reservoir (overfilling is "
            "a named over-infusion risk, S61)",
            volume_ml,
        )
    return volume


def require_rate_steps(pump: PumpModel, rate_changes_per_day: int, field: str = "flex") -> None:
    """A program of ``rate_changes_per_day`` steps a day, refused beyond what ``pump`` allows."""
    limit = pump.max_rate_steps_per_day
    if limit is not None and rate_changes_per_day > limit:
        raise InvalidInputError(field, f"at most {limit} steps a day for the {pump.name}", rate_changes_per_day)


def check_concentration(pump: PumpModel, concentration_mcg_per_ml: float) -> tuple[Finding, ...]:
    """Findings on a concentration for a pump: outside its labelling, or needing dilution (ITB-CONC-004).

    >>> [f.rule_id for f in check_concentration(get_pump("prometra-ii-20"), 50)]
    ['ITB-CONC-004']
    >>> check_concentration(get_pump("synchromed-ii-20"), 2000)
    ()
    """
    ctx = ConcentrationContext(
        pump.name,
        concentration_value(concentration_mcg_per_ml),
        pump.concentration_range_mcg_per_ml,
        MARKETED_CONCENTRATIONS_MCG_PER_ML,
    )
    return evaluate_rules(CONCENTRATION_RULES, ctx)
