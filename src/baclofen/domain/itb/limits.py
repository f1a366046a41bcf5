"""The one home of the intrathecal plausibility ranges: daily dose, concentration, pump volume, screening dose.

Every path that yields an intrathecal dose, rate or plan (titration, transition, initial dose, screening,
pump programs, concentration changes, forecasts, refills, ``check dose``) runs these checks, so a value
outside what the sources report or a pump can deliver is a named finding (ITB-LIMIT-00x), never silent.
A value exactly 1000 times outside its range that lands inside it when read in the other unit (0.4 given
for 400 mcg/day, 0.5 for 500 mcg/mL) is a likely mg/mcg confusion: a block naming it.

* Daily dose, mcg/day: reported adult maintenance doses range 12-2003 mcg/day ([HarrietLane24], clinical.md
  verification update 4.3). The upper limits keep their home in :mod:`baclofen.domain.itb.dosing`
  (ITB-DOSE-001 above the 1000 mcg/day confirmation threshold, ITB-DOSE-002 above 2003 mcg/day); this module
  adds the lower end.
* Concentration, mcg/mL: marketed 50, 500, 1000, 2000 mcg/mL ([S34] [S36] [S47] [S49]), unlicensed 3 mg/mL
  ([S25]); the catalogue values come from :mod:`baclofen.domain.itb.pumps`.
* Pump volume per day, mL/day: the pump catalogue gives reservoirs (20 and 40 mL, [S58] [S67]) but no flow
  range, so the plausible volumes are derived from the dose and concentration limits (settings, DERIVED).
* Screening doses, mcg: 50 -> 75 -> 100 ([S1] [S38]), or a 25 mcg start ([S41] [S101]).

>>> [f.rule_id for f in check_daily_dose_range(0.4)]
['ITB-LIMIT-001']
>>> check_daily_dose_range(0.4)[0].data["likely_intended"]
400.0
>>> check_concentration_range(500)
()
>>> [(f.rule_id, f.severity.value) for f in check_daily_volume(800)]
[('ITB-LIMIT-003', 'block')]
>>> [f.rule_id for f in check_screening_dose(33)]
['ITB-LIMIT-004']
"""

from __future__ import annotations

from baclofen.domain.errors import InvalidInputError, require_finite_number
from baclofen.domain.itb.dosing import (
    DAILY_DOSE_CONFIRMATION_THRESHOLD,
    HIGHEST_REPORTED_DAILY_DOSE,
    MAX_PLAUSIBLE_DAILY_DOSE_MCG,
    daily_dose_value,
)
from baclofen.domain.itb.pumps import (
    MARKETED_CONCENTRATIONS_MCG_PER_ML,
    MAX_CONCENTRATION_MCG_PER_ML,
    PUMPS,
    PumpModel,
    concentration_value,
)
from baclofen.domain.itb.screening import LOW_START_SCREENING_DOSE_MCG, STANDARD_SCREENING_DOSES_MCG
from baclofen.domain.rules.core import Finding, Severity, sort_findings
from baclofen.domain.rules.itb.limits import (
    LIMIT_CONCENTRATION,
    LIMIT_DOSE,
    LIMIT_SCREENING,
    LIMIT_VOLUME,
    PlausibleRangeContext,
)
from baclofen.domain.settings import EvidenceStatus, Setting

__all__ = [
    "DAILY_DOSE_SETTINGS",
    "PUMP_DELIVERY_SETTINGS",
    "HIGHEST_LICENSED_CONCENTRATION_MCG_PER_ML",
    "LOWEST_DAILY_DOSE_MCG",
    "LOWEST_MARKETED_CONCENTRATION_MCG_PER_ML",
    "MAX_DAILY_VOLUME_ML",
    "MIN_DAILY_VOLUME_ML",
    "SCREENING_DOSES_MCG",
    "WARN_DAILY_VOLUME_ML",
    "check_concentration_range",
    "check_daily_dose_range",
    "check_daily_volume",
    "check_pump_delivery",
    "check_screening_dose",
    "daily_dose_ceiling",
    "require_deliverable",
]

LOWEST_DAILY_DOSE_MCG = Setting(
    name="itb.limits.lowest_daily_dose_mcg",
    default=12.0,
    unit="mcg/day",
    status=EvidenceStatus.PARTLY_VERIFIED,
    evidence=("HarrietLane24", "S43"),
    description=(
        "Lowest plausible adult intrathecal daily dose: reported adult maintenance doses range 12-2003 mcg/day "
        "(Harriet Lane 24e, a secondary source: clinical.md verification update 4.3; the label statistics "
        "themselves were not retrieved). The MS cohort started at 82.7 +/- 39.3 mcg/day (S43). A lower dose is "
        "a warning; one 1000x lower than a plausible dose is a likely mg/mcg confusion and a block."
    ),
    minimum=1.0,
    maximum=100.0,
)

#: Marketed intrathecal concentrations (pump catalogue): the lowest, and the highest licensed [S34] [S36] [S47].
LOWEST_MARKETED_CONCENTRATION_MCG_PER_ML = min(MARKETED_CONCENTRATIONS_MCG_PER_ML)
HIGHEST_LICENSED_CONCENTRATION_MCG_PER_ML = max(MARKETED_CONCENTRATIONS_MCG_PER_ML)
#: The lowest concentration Prometra labelling allows and the consensus start concentration [S66] [S40].
USUAL_LOWEST_PUMP_CONCENTRATION_MCG_PER_ML = 500.0
#: The largest reservoir of the pump catalogue, mL [S58] [S67].
LARGEST_RESERVOIR_ML = max(p.reservoir_ml for p in PUMPS.values())

MIN_DAILY_VOLUME_ML = Setting(
    name="itb.limits.min_daily_volume_ml",
    default=round(float(LOWEST_DAILY_DOSE_MCG.default) / MAX_CONCENTRATION_MCG_PER_ML, 6),
    unit="mL/day",
    status=EvidenceStatus.DERIVED,
    evidence=("HarrietLane24", "S25", "S57"),
    description=(
        "Smallest plausible pump volume per day: the lowest reported dose (12 mcg/day) at the highest "
        "concentration in the sources (3000 mcg/mL, unlicensed, S25) = 0.004 mL/day. The pumps' own lowest "
        "programmable rates are UNCONFIRMED in the sources. Below it: a warning."
    ),
    minimum=0.0,
    maximum=1.0,
)

WARN_DAILY_VOLUME_ML = Setting(
    name="itb.limits.warn_daily_volume_ml",
    default=round(float(HIGHEST_REPORTED_DAILY_DOSE.default) / USUAL_LOWEST_PUMP_CONCENTRATION_MCG_PER_ML, 6),
    unit="mL/day",
    status=EvidenceStatus.DERIVED,
    evidence=("HarrietLane24", "S66", "S40", "S65", "S107"),
    description=(
        "Pump volume per day above which a warning is given: the highest reported dose (2003 mcg/day) at 500 "
        "mcg/mL, the lowest concentration of the Prometra labelling and the consensus start concentration "
        "(S66, S40) = 4.006 mL/day; a 20 mL reservoir then lasts under 5 days, where refill intervals are "
        "usually 2-6 months (S65, S107)."
    ),
    minimum=0.1,
    maximum=40.0,
)

MAX_DAILY_VOLUME_ML = Setting(
    name="itb.limits.max_daily_volume_ml",
    default=round(float(HIGHEST_REPORTED_DAILY_DOSE.default) / LOWEST_MARKETED_CONCENTRATION_MCG_PER_ML, 6),
    unit="mL/day",
    status=EvidenceStatus.DERIVED,
    evidence=("HarrietLane24", "S34", "S36", "S58", "S67"),
    description=(
        "Pump volume per day above which a program is blocked: the highest reported dose (2003 mcg/day) at "
        "the lowest marketed concentration (50 mcg/mL) = 40.06 mL/day, i.e. more than the largest reservoir "
        "(40 mL, S58, S67) every day. No cited dose at any marketed concentration needs more; the pumps' "
        "maximum flow rates are UNCONFIRMED in the sources."
    ),
    minimum=1.0,
    maximum=100.0,
)

#: The settings :func:`~baclofen.domain.itb.dosing.check_daily_dose` reads (at their defaults on the paths that take
#: no override): the dose levels (ITB-DOSE-001/002) and the plausible range (ITB-LIMIT-001).
DAILY_DOSE_SETTINGS: tuple[Setting, ...] = (
    DAILY_DOSE_CONFIRMATION_THRESHOLD,
    HIGHEST_REPORTED_DAILY_DOSE,
    LOWEST_DAILY_DOSE_MCG,
)
#: The settings :func:`check_pump_delivery` reads: the plausible volumes per day (ITB-LIMIT-003).
PUMP_DELIVERY_SETTINGS: tuple[Setting, ...] = (MIN_DAILY_VOLUME_ML, WARN_DAILY_VOLUME_ML, MAX_DAILY_VOLUME_ML)

#: Screening doses, mcg: the label ladder 50, 75, 100 [S1] [S38] and the consensus 25 mcg start [S41] [S101].
SCREENING_DOSES_MCG = (LOW_START_SCREENING_DOSE_MCG, *STANDARD_SCREENING_DOSES_MCG)

_DOSE_BASIS = (
    "Reported adult intrathecal maintenance doses range 12-2003 mcg/day, most 300-800 (HarrietLane24; setting "
    "itb.limits.lowest_daily_dose_mcg); above 1000 mcg/day a dose needs confirmation (ITB-DOSE-001) and above "
    "2003 it is blocked (ITB-DOSE-002)."
)


def daily_dose_ceiling(*, confirmed: bool, confirmation_threshold_mcg_per_day: float | None = None) -> float:
    """The highest daily dose a range may offer: the confirmation threshold (1000 mcg/day) unless a clinician
    confirmed a higher dose, then the highest reported dose (2003 mcg/day).

    >>> daily_dose_ceiling(confirmed=False), daily_dose_ceiling(confirmed=True)
    (1000.0, 2003.0)
    """
    if confirmed:
        return float(HIGHEST_REPORTED_DAILY_DOSE.default)
    threshold = (
        DAILY_DOSE_CONFIRMATION_THRESHOLD.default
        if confirmation_threshold_mcg_per_day is None
        else confirmation_threshold_mcg_per_day
    )
    return float(DAILY_DOSE_CONFIRMATION_THRESHOLD.validate(threshold))


def check_daily_dose_range(
    daily_dose_mcg: float,
    *,
    label: str = "daily dose",
    lowest_mcg_per_day: float | None = None,
    highest_mcg_per_day: float | None = None,
) -> tuple[Finding, ...]:
    """ITB-LIMIT-001: a daily dose below the lowest reported (warn), or 1000x off (block, mg/mcg confusion).

    The upper end is ITB-DOSE-001/002 (:func:`baclofen.domain.itb.dosing.check_daily_dose`, which runs this).

    >>> check_daily_dose_range(12), [f.severity.value for f in check_daily_dose_range(5)]
    ((), ['warn'])
    """
    dose = require_finite_number(daily_dose_mcg, "daily_dose_mcg", minimum=0.0)
    low = float(
        LOWEST_DAILY_DOSE_MCG.validate(
            LOWEST_DAILY_DOSE_MCG.default if lowest_mcg_per_day is None else lowest_mcg_per_day
        )
    )
    high = float(
        HIGHEST_REPORTED_DAILY_DOSE.validate(
            HIGHEST_REPORTED_DAILY_DOSE.default if highest_mcg_per_day is None else highest_mcg_per_day
        )
    )
    ctx = PlausibleRangeContext(
        label=label,
        value=dose,
        unit="mcg/day",
        slip_unit="mg/day",
        low=low,
        high=high,
        basis=_DOSE_BASIS,
        settings=(LOWEST_DAILY_DOSE_MCG.name,),
        below=Severity.WARN,
        above=Severity.BLOCK,
        low_reason="below the lowest reported dose of",
        high_reason="above",
    )
    # the upper side is ITB-DOSE-002's; only a 1000x slip upwards is this rule's
    findings = LIMIT_DOSE.evaluate(ctx)
    return tuple(f for f in findings if dose <= high or f.data["likely_unit_confusion"])


def check_concentration_range(concentration_mcg_per_ml: float, *, label: str = "concentration") -> tuple[Finding, ...]:
    """ITB-LIMIT-002: a concentration below the lowest marketed (warn; needs dilution), above the highest
    licensed (warn; 3 mg/mL is unlicensed), or 1000x off (block: mg/mL given as mcg/mL).

    >>> [(f.severity.value, f.data["likely_intended"]) for f in check_concentration_range(0.5)]
    [('block', 500.0)]
    >>> [f.severity.value for f in check_concentration_range(3000)], check_concentration_range(2000)
    (['warn'], ())
    """
    c = require_finite_number(concentration_mcg_per_ml, "concentration_mcg_per_ml", strictly_positive=True)
    ctx = PlausibleRangeContext(
        label=label,
        value=c,
        unit="mcg/mL",
        slip_unit="mg/mL",
        low=LOWEST_MARKETED_CONCENTRATION_MCG_PER_ML,
        high=HIGHEST_LICENSED_CONCENTRATION_MCG_PER_ML,
        basis=(
            "Intrathecal baclofen is marketed at 50, 500, 1000 and 2000 mcg/mL (Lioresal, Gablofen, generics; "
            "S34, S36, S47, S49); 3 mg/mL exists only unlicensed (S25). A weaker solution needs dilution below "
            "the screening strength; a stronger one is unlicensed. 0.05, 0.5, 1 and 2 are the same products in "
            "mg/mL."
        ),
        settings=(),
        below=Severity.WARN,
        above=Severity.WARN,
        evidence=("S49",),
        low_reason="below the lowest marketed concentration in",
        high_reason="above the highest licensed concentration in",
        slip_range=(LOWEST_MARKETED_CONCENTRATION_MCG_PER_ML, MAX_CONCENTRATION_MCG_PER_ML),
    )
    return LIMIT_CONCENTRATION.evaluate(ctx)


def check_daily_volume(
    daily_volume_ml: float, *, pump: PumpModel | None = None, label: str = "pump volume per day"
) -> tuple[Finding, ...]:
    """ITB-LIMIT-003: a volume per day the pump cannot plausibly deliver: below 0.004 mL/day or above 4.006
    mL/day a warning, above 40.06 mL/day (more than the largest reservoir every day) a block.

    >>> [f.severity.value for f in check_daily_volume(8)], check_daily_volume(0.45)
    (['warn'], ())
    """
    ml = require_finite_number(daily_volume_ml, "daily_volume_ml", minimum=0.0)
    reservoir = pump.reservoir_ml if pump is not None else LARGEST_RESERVOIR_ML
    lo = float(MIN_DAILY_VOLUME_ML.default)
    warn_at = float(WARN_DAILY_VOLUME_ML.default)
    block_at = float(MAX_DAILY_VOLUME_ML.default)
    days = reservoir / ml if ml > 0 else float("inf")
    basis = (
        f"Plausible pump volumes: {lo:g}-{warn_at:g} mL/day (the reported doses 12-2003 mcg/day at the pump "
        f"concentrations; settings {MIN_DAILY_VOLUME_ML.name}, {WARN_DAILY_VOLUME_ML.name}); above {block_at:g} "
        f"mL/day ({MAX_DAILY_VOLUME_ML.name}) no cited dose at any marketed concentration fits. At {ml:g} mL/day "
        f"a {reservoir:g} mL reservoir lasts {days:.3g} day(s); refill intervals are usually 2-6 months."
    )
    if ml > block_at * (1 + 1e-9):
        high, above, high_reason = block_at, Severity.BLOCK, "above what a pump can deliver,"
    else:
        high, above, high_reason = warn_at, Severity.WARN, "above the usual pump volumes,"
    ctx = PlausibleRangeContext(
        label=label,
        value=ml,
        unit="mL/day",
        slip_unit="mL/day",
        basis=basis,
        settings=(MIN_DAILY_VOLUME_ML.name, WARN_DAILY_VOLUME_ML.name, MAX_DAILY_VOLUME_ML.name),
        below=Severity.WARN,
        low=lo,
        high=high,
        above=above,
        high_reason=high_reason,
        # a 1000x volume comes from a dose or concentration slip, which those checks name
        detect_slip=False,
    )
    return LIMIT_VOLUME.evaluate(ctx)


def check_screening_dose(dose_mcg: float, *, label: str = "screening dose", ladder: bool = True) -> tuple[Finding, ...]:
    """ITB-LIMIT-004: a screening bolus that is not 25, 50, 75 or 100 mcg (warn), or 1000x off (block).

    ``ladder=False`` checks any intrathecal bolus (a simulated one) against the range of the cited boluses,
    25-100 mcg, without requiring one of the ladder's steps.

    >>> check_screening_dose(75), [f.severity.value for f in check_screening_dose(0.05)]
    ((), ['block'])
    >>> check_screening_dose(60, label="bolus", ladder=False), check_screening_dose(33) != ()
    ((), True)
    """
    dose = require_finite_number(dose_mcg, "screening_dose_mcg", strictly_positive=True)
    ctx = PlausibleRangeContext(
        label=label,
        value=dose,
        unit="mcg",
        slip_unit="mg",
        low=SCREENING_DOSES_MCG[0],
        high=SCREENING_DOSES_MCG[-1],
        basis=(
            "Screening boluses: 50, then 75, then 100 mcg, 24 h apart (label, S1, S38), or a 25 mcg start for "
            "patients who rely on their spasticity (S41), later doses in 25 mcg steps (S101). The initial "
            "infusion dose is derived from the effective one."
        ),
        settings=(),
        below=Severity.WARN,
        above=Severity.WARN,
        ladder=SCREENING_DOSES_MCG if ladder else (),
        low_reason="below the lowest screening dose in",
        high_reason="above the largest screening dose in",
    )
    return LIMIT_SCREENING.evaluate(ctx)


def check_pump_delivery(
    pump: PumpModel | None, concentration_mcg_per_ml: float, daily_dose_mcg: float
) -> tuple[Finding, ...]:
    """Concentration (ITB-LIMIT-002) and volume per day (ITB-LIMIT-003) of a program on a pump.

    The daily dose itself is checked by :func:`baclofen.domain.itb.dosing.check_daily_dose`.

    >>> [(f.rule_id, f.severity.value) for f in check_pump_delivery(None, 0.5, 400)]
    [('ITB-LIMIT-002', 'block'), ('ITB-LIMIT-003', 'block')]
    """
    c = require_finite_number(concentration_mcg_per_ml, "concentration_mcg_per_ml", strictly_positive=True)
    dose = require_finite_number(daily_dose_mcg, "daily_dose_mcg", minimum=0.0)
    return sort_findings(check_concentration_range(c) + check_daily_volume(dose / c, pump=pump))


def require_deliverable(concentration_mcg_per_ml: float, daily_dose_mcg: float) -> tuple[float, float]:
    """A concentration (mcg/mL) and a daily dose (mcg/day) as a document states what a pump delivers (the
    emergency wallet card), refused where a refill visit or a program refuses or blocks them: beyond the input
    bounds (:func:`~baclofen.domain.itb.pumps.concentration_value`, at most 3000 mcg/mL;
    :func:`~baclofen.domain.itb.dosing.daily_dose_value`, at most 10 000 mcg/day) or 1000x off (the blocks of
    ITB-LIMIT-002 and ITB-LIMIT-001: a mg figure given in mcg).

    >>> require_deliverable(2000, 412.5)
    (2000.0, 412.5)

    Raises
    ------
    InvalidInputError
        ``concentration_mcg_per_ml`` or ``daily_dose_mcg``, with the range expected and, for a unit slip, the
        value it likely meant.
    """
    marketed = ", ".join(f"{c:g}" for c in MARKETED_CONCENTRATIONS_MCG_PER_ML)
    low, high = float(LOWEST_DAILY_DOSE_MCG.default), float(HIGHEST_REPORTED_DAILY_DOSE.default)
    checks = (
        (
            "concentration_mcg_per_ml",
            concentration_mcg_per_ml,
            concentration_value,
            check_concentration_range,
            f"a concentration in mcg/mL, above 0, at most {MAX_CONCENTRATION_MCG_PER_ML:g} and not a mg/mL figure "
            f"(marketed: {marketed} mcg/mL)",
            ("mcg/mL", "mg/mL"),
        ),
        (
            "daily_dose_mcg",
            daily_dose_mcg,
            daily_dose_value,
            check_daily_dose_range,
            f"a daily dose in mcg/day, above 0, at most {MAX_PLAUSIBLE_DAILY_DOSE_MCG:g} and not a mg/day figure "
            f"(reported doses: {low:g}-{high:g} mcg/day)",
            ("mcg/day", "mg/day"),
        ),
    )
    values: list[float] = []
    for field, given, bounded, judged, expected, (unit, slip_unit) in checks:
        try:
            value = float(bounded(given))
        except InvalidInputError:
            raise InvalidInputError(field, expected, given) from None
        slip = next((f for f in judged(value) if f.severity is Severity.BLOCK), None)
        if slip is not None:
            meant = slip.data.get("likely_intended")
            likely = "" if meant is None else f": {value:g} looks like {value:g} {slip_unit} = {meant:g} {unit}"
            raise InvalidInputError(field, expected + likely, value)
        values.append(value)
    return values[0], values[1]
