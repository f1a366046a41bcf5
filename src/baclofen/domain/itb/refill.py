"""Refill visit: expected vs aspirated residual, the discrepancy trend across visits, the refill volume.

At each refill the residual is aspirated and compared with what the program should have left. Less
than expected may mean over-infusion or a pump fault ([S60] [S61]); more than expected may mean
under-delivery, a catheter problem, or that the needle is in the pump pocket ([S71]). No source gives
a numeric tolerance (UNCONFIRMED): the thresholds are named settings, shown with every result, with
the accuracy data of [S62] for reference.

>>> r = reconcile_refill(4.9, 3.1)
>>> round(r.discrepancy_ml, 2), round(r.discrepancy_percent, 1), [f.rule_id for f in r.findings]
(-1.8, -36.7, ['PUMP-RECON-001'])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from baclofen.domain.errors import InvalidInputError, require_finite_number
from baclofen.domain.itb.dates import same_clock
from baclofen.domain.itb.pumps import MAX_REFILL_INTERVAL_DAYS, PumpModel
from baclofen.domain.itb.reservoir import REFILL_MARGIN_DAYS, ReservoirFill, ReservoirForecast
from baclofen.domain.rules.core import Finding, evaluate_rules, findings_to_dicts
from baclofen.domain.rules.itb.reconcile import (
    DELIVERY_RULES,
    RECONCILE_RULES,
    TREND_RULES,
    DeliveryContext,
    ReconcileContext,
    TrendContext,
)
from baclofen.domain.rules.itb.refill import (
    NEXT_REFILL_RULES,
    REFILL_VOLUME_RULES,
    NextRefillContext,
    RefillVolumeContext,
)
from baclofen.domain.settings import EvidenceStatus, Setting, SettingUse, settings_to_dicts

__all__ = [
    "RECONCILE_EMPTY_ML",
    "RECONCILE_TOLERANCE_ML",
    "RECONCILE_TOLERANCE_PERCENT",
    "RECONCILE_TREND_VISITS",
    "DELIVERY_TOLERANCE_PERCENT",
    "DiscrepancyTrend",
    "ObservedDelivery",
    "RefillReconciliation",
    "RefillVolumePlan",
    "assess_discrepancy_trend",
    "assess_next_refill",
    "expected_residual_ml",
    "observe_delivery",
    "plan_refill_volume",
    "reconcile_refill",
]

#: Largest reservoir in the catalogue (mL): bounds the expected residual when no pump is given.
MAX_RESERVOIR_ML = 40.0

#: Structural bound on an aspirated volume (mL): above a reservoir's capacity is a finding (PUMP-RECON-008,
#: needle position or records); above this it is taken as a typing error and refused.
MAX_ASPIRATED_ML = 10 * MAX_RESERVOIR_ML

RECONCILE_TOLERANCE_PERCENT = Setting(
    name="pump.reconcile.tolerance_percent",
    default=10.0,
    unit="% of expected residual",
    status=EvidenceStatus.UNCONFIRMED,
    evidence=("S62", "S60"),
    description=(
        "Expected-vs-aspirated residual difference (percent of the expected residual) above which a refill "
        "visit is flagged. No source gives a number (clinical.md §5.7, UNCONFIRMED). For reference, pumps "
        "delivered on average +1 % to +2.5 % per refill clinically and -2.4 % in the laboratory (S62). 10 % "
        "is a project placeholder; each clinic should set its own."
    ),
    minimum=0.0,
    maximum=100.0,
)

RECONCILE_TOLERANCE_ML = Setting(
    name="pump.reconcile.tolerance_ml",
    default=0.5,
    unit="mL",
    status=EvidenceStatus.UNCONFIRMED,
    evidence=("S62",),
    description=(
        "Smallest absolute residual difference (mL) that is flagged, so that small residuals are not flagged "
        "on percentages alone. No source gives a number; 0.5 mL is a project placeholder (S62 for accuracy "
        "data)."
    ),
    minimum=0.0,
    maximum=10.0,
)

RECONCILE_TREND_VISITS = Setting(
    name="pump.reconcile.trend_visits",
    default=3,
    unit="visits",
    status=EvidenceStatus.UNCONFIRMED,
    evidence=("S60", "S61"),
    description=(
        "Consecutive refill visits with a discrepancy in the same direction that raise a trend finding, even "
        "when each visit is within tolerance. No source gives a number; verification checks at each refill "
        "are required (S61) and a shortfall may indicate over-infusion (S60)."
    ),
    minimum=2,
    maximum=12,
)


DELIVERY_TOLERANCE_PERCENT = Setting(
    name="pump.delivery.tolerance_percent",
    default=10.0,
    unit="% of the programmed delivery",
    status=EvidenceStatus.UNCONFIRMED,
    evidence=("S62", "S60"),
    description=(
        "For a pump without a flow-accuracy setting (Prometra II: accuracy UNCONFIRMED, clinical.md table "
        "2.2): observed delivery over the last fill interval (previous fill - aspirated) above the programmed "
        "delivery (previous fill - expected residual) by more than this percentage is an over-delivery "
        "(PUMP-RECON-006). No source gives a number; clinically pumps delivered on average +1 % to +2.5 % per "
        "refill (S62), and less aspirated than expected may mean over-infusion (S60). 10 % is a project "
        "placeholder."
    ),
    minimum=0.0,
    maximum=50.0,
)


RECONCILE_EMPTY_ML = Setting(
    name="pump.reconcile.empty_ml",
    default=0.0,
    unit="mL",
    status=EvidenceStatus.ASSUMPTION,
    evidence=("S61", "S69", "S118"),
    description=(
        "Aspirated volume at or below which the reservoir is taken as empty at a refill visit (PUMP-RECON-007, "
        "block), unless the pump's undeliverable residual is higher. Running a pump with an empty reservoir is a "
        "named over-infusion risk (S61), and an empty reservoir interrupts delivery (withdrawal, S69, S118), but "
        "no source gives a 'practically empty' volume. A block rests on sourced numbers only, so the default is "
        "0 mL (nothing could be aspirated); a near-empty aspirate below the expected residual is the "
        "PUMP-RECON-001 warning (possible over-infusion or pump fault). A clinic may raise it (e.g. 0.5 mL)."
    ),
    minimum=0.0,
    maximum=5.0,
    stricter="higher",  # a higher volume is "empty" sooner: the 0 mL default blocks least
)


def _residual(value: float, field: str, capacity: float) -> float:
    return require_finite_number(value, field, minimum=0.0, maximum=capacity)


@dataclass(frozen=True, slots=True)
class RefillReconciliation:
    """Expected vs aspirated residual at one refill visit."""

    expected_ml: float
    aspirated_ml: float
    tolerance_percent: float
    tolerance_ml: float
    findings: tuple[Finding, ...]

    @property
    def discrepancy_ml(self) -> float:
        """Aspirated minus expected, mL (negative: less than expected)."""
        return self.aspirated_ml - self.expected_ml

    @property
    def discrepancy_percent(self) -> float | None:
        """Discrepancy as a percentage of the expected residual (None when nothing was expected)."""
        return None if self.expected_ml == 0 else self.discrepancy_ml / self.expected_ml * 100.0

    @property
    def direction(self) -> str:
        return "less" if self.discrepancy_ml < 0 else "more" if self.discrepancy_ml > 0 else "equal"

    @property
    def flagged(self) -> bool:
        flags = ("PUMP-RECON-001", "PUMP-RECON-002", "PUMP-RECON-007", "PUMP-RECON-008")
        return any(f.rule_id in flags for f in self.findings)

    @property
    def settings_used(self) -> tuple[SettingUse, ...]:
        return (
            SettingUse(RECONCILE_TOLERANCE_PERCENT, self.tolerance_percent),
            SettingUse(RECONCILE_TOLERANCE_ML, self.tolerance_ml),
            SettingUse(RECONCILE_EMPTY_ML, RECONCILE_EMPTY_ML.default),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "expected_ml": self.expected_ml,
            "aspirated_ml": self.aspirated_ml,
            "discrepancy_ml": self.discrepancy_ml,
            "discrepancy_percent": self.discrepancy_percent,
            "direction": self.direction,
            "flagged": self.flagged,
            "settings": settings_to_dicts(self.settings_used),
            "findings": findings_to_dicts(self.findings),
        }


def reconcile_refill(
    expected_ml: float,
    aspirated_ml: float,
    *,
    pump: PumpModel | None = None,
    tolerance_percent: float | None = None,
    tolerance_ml: float | None = None,
    previous_fill_ml: float | None = None,
) -> RefillReconciliation:
    """Compare the expected residual with the aspirated volume.

    A visit is flagged when the difference exceeds **both** ``tolerance_ml`` and ``tolerance_percent`` of
    the expected residual (strictly, in exact decimal arithmetic: a difference exactly at a tolerance is
    not flagged). An empty reservoir (aspirated at or below the pump's undeliverable residual) is a block
    (PUMP-RECON-007); an aspirated volume above the previous fill or above the reservoir's capacity cannot
    have come from the reservoir (PUMP-RECON-008, block).

    Parameters
    ----------
    expected_ml : float
        Residual the program should have left, mL (see :func:`expected_residual_ml`).
    aspirated_ml : float
        Volume aspirated from the reservoir, mL.
    pump : PumpModel, optional
        Bounds the expected residual by its capacity (else by the largest reservoir, 40 mL); an aspirated
        volume above it is a finding.
    tolerance_percent, tolerance_ml : float, optional
        Overrides of :data:`RECONCILE_TOLERANCE_PERCENT` and :data:`RECONCILE_TOLERANCE_ML`.
    previous_fill_ml : float, optional
        Volume put in at the previous fill, when known (an aspirated volume above it is a finding).

    Examples
    --------
    >>> reconcile_refill(5.0, 5.5).flagged
    False
    >>> reconcile_refill(5.0, 6.0).findings[0].rule_id
    'PUMP-RECON-002'
    """
    capacity = pump.reservoir_ml if pump is not None else MAX_RESERVOIR_ML
    expected = _residual(expected_ml, "expected_ml", capacity)
    aspirated = _residual(aspirated_ml, "aspirated_ml", MAX_ASPIRATED_ML)
    previous = None
    if previous_fill_ml is not None:
        previous = require_finite_number(previous_fill_ml, "previous_fill_ml", strictly_positive=True, maximum=capacity)
    tol_pct = float(
        RECONCILE_TOLERANCE_PERCENT.validate(
            RECONCILE_TOLERANCE_PERCENT.default if tolerance_percent is None else tolerance_percent
        )
    )
    tol_ml = float(
        RECONCILE_TOLERANCE_ML.validate(RECONCILE_TOLERANCE_ML.default if tolerance_ml is None else tolerance_ml)
    )
    disc = aspirated - expected
    ctx = ReconcileContext(
        expected,
        aspirated,
        disc,
        None if expected == 0 else disc / expected * 100.0,
        tol_pct,
        tol_ml,
        capacity_ml=capacity,
        capacity_label=f"{pump.name} reservoir" if pump is not None else "largest reservoir in the catalogue",
        empty_ml=max(pump.residual_volume_ml if pump is not None else 0.0, float(RECONCILE_EMPTY_ML.default)),
        previous_fill_ml=previous,
    )
    return RefillReconciliation(expected, aspirated, tol_pct, tol_ml, evaluate_rules(RECONCILE_RULES, ctx))


@dataclass(frozen=True, slots=True)
class DiscrepancyTrend:
    """Discrepancies across refill visits (oldest first) and the trend findings."""

    visits: tuple[RefillReconciliation, ...]
    consecutive_less: int
    consecutive_more: int
    trend_visits: int
    findings: tuple[Finding, ...]

    @property
    def cumulative_discrepancy_ml(self) -> float:
        return sum(v.discrepancy_ml for v in self.visits)

    @property
    def mean_discrepancy_percent(self) -> float | None:
        values = [v.discrepancy_percent for v in self.visits if v.discrepancy_percent is not None]
        return sum(values) / len(values) if values else None

    @property
    def slope_percent_per_visit(self) -> float | None:
        """Least-squares slope of the discrepancy percentage over visit number (None with < 2 values)."""
        points = [(i, v.discrepancy_percent) for i, v in enumerate(self.visits) if v.discrepancy_percent is not None]
        if len(points) < 2:
            return None
        mx = sum(x for x, _ in points) / len(points)
        my = sum(y for _, y in points) / len(points)
        sxx = sum((x - mx) ** 2 for x, _ in points)
        return sum((x - mx) * (y - my) for x, y in points) / sxx

    @property
    def settings_used(self) -> tuple[SettingUse, ...]:
        return (SettingUse(RECONCILE_TREND_VISITS, self.trend_visits),)

    def to_dict(self) -> dict[str, Any]:
        return {
            "visits": [
                {
                    "expected_ml": v.expected_ml,
                    "aspirated_ml": v.aspirated_ml,
                    "discrepancy_ml": v.discrepancy_ml,
                    "discrepancy_percent": v.discrepancy_percent,
                    "flagged": v.flagged,
                }
                for v in self.visits
            ],
            "consecutive_less": self.consecutive_less,
            "consecutive_more": self.consecutive_more,
            "cumulative_discrepancy_ml": self.cumulative_discrepancy_ml,
            "mean_discrepancy_percent": self.mean_discrepancy_percent,
            "slope_percent_per_visit": self.slope_percent_per_visit,
            "settings": settings_to_dicts(self.settings_used),
            "findings": findings_to_dicts(self.findings),
        }


def _run_length(visits: Sequence[RefillReconciliation], sign: int) -> int:
    count = 0
    for v in reversed(visits):
        if (v.discrepancy_ml < 0 and sign < 0) or (v.discrepancy_ml > 0 and sign > 0):
            count += 1
        else:
            break
    return count


def assess_discrepancy_trend(
    visits: Sequence[RefillReconciliation],
    *,
    trend_visits: int | None = None,
) -> DiscrepancyTrend:
    """Trend of residual discrepancies over visits (oldest first, the current visit last).

    A run of ``trend_visits`` consecutive visits (ending with the latest) that all aspirated less (or all
    more) than expected raises PUMP-RECON-004 (or -005), even when each visit was within tolerance.

    Examples
    --------
    >>> visits = [reconcile_refill(5, a) for a in (4.8, 4.7, 4.75)]
    >>> [f.rule_id for f in assess_discrepancy_trend(visits).findings]
    ['PUMP-RECON-004']
    """
    visits = tuple(visits)
    for i, v in enumerate(visits):
        if not isinstance(v, RefillReconciliation):
            raise InvalidInputError(f"visits[{i}]", "a refill reconciliation", v)
    n = RECONCILE_TREND_VISITS.validate(RECONCILE_TREND_VISITS.default if trend_visits is None else trend_visits)
    if isinstance(n, float) and not n.is_integer():
        raise InvalidInputError(RECONCILE_TREND_VISITS.name, "a whole number of visits", n)
    n = int(n)
    less, more = _run_length(visits, -1), _run_length(visits, +1)
    ctx = TrendContext(
        tuple(v.discrepancy_ml for v in visits), tuple(v.discrepancy_percent for v in visits), less, more, n
    )
    return DiscrepancyTrend(visits, less, more, n, evaluate_rules(TREND_RULES, ctx))


@dataclass(frozen=True, slots=True)
class ObservedDelivery:
    """Delivery over the last fill interval: observed (previous fill - aspirated) vs programmed
    (previous fill - expected residual).

    Delivery is judged against what was programmed, not only against the residual: ``over_delivery`` is
    true when the observed delivery exceeds the programmed delivery by more than the pump's flow accuracy
    (``accuracy_percent`` of the programmed delivery, exact decimal comparison; PUMP-RECON-006), or when the
    reconciliation flagged the shortfall (PUMP-RECON-001). Whenever more was delivered than programmed,
    ``rate_factor`` = observed / programmed (> 1) is the rate the next fill is also forecast at, so the next
    refill always comes before the alarm at the observed rate.
    """

    reconciliation: RefillReconciliation
    previous_fill_ml: float
    previous_filled_at: datetime
    refilled_at: datetime
    accuracy_percent: float = 0.0
    accuracy_setting: Setting = DELIVERY_TOLERANCE_PERCENT
    findings: tuple[Finding, ...] = ()

    @property
    def interval_days(self) -> float:
        return (self.refilled_at - self.previous_filled_at).total_seconds() / 86400.0

    @property
    def programmed_ml(self) -> float:
        return self.previous_fill_ml - self.reconciliation.expected_ml

    @property
    def observed_ml(self) -> float:
        return self.previous_fill_ml - self.reconciliation.aspirated_ml

    @property
    def excess_ml(self) -> float:
        """Observed minus programmed delivery, mL (= expected - aspirated residual)."""
        return self.observed_ml - self.programmed_ml

    @property
    def excess_percent(self) -> float:
        """Excess as a percentage of the programmed delivery."""
        return self.excess_ml / self.programmed_ml * 100.0

    @property
    def beyond_accuracy(self) -> bool:
        return any(f.rule_id == "PUMP-RECON-006" for f in self.findings)

    @property
    def over_delivery(self) -> bool:
        return self.excess_ml > 0 and (
            self.beyond_accuracy or any(f.rule_id == "PUMP-RECON-001" for f in self.reconciliation.findings)
        )

    @property
    def rate_factor(self) -> float | None:
        return self.observed_ml / self.programmed_ml if self.excess_ml > 0 else None

    @property
    def steps(self) -> tuple[str, ...]:
        r = self.reconciliation
        days = self.interval_days
        out = [
            f"last interval {self.previous_filled_at.isoformat(timespec='minutes')} to "
            f"{self.refilled_at.isoformat(timespec='minutes')} = {days:g} days",
            f"programmed delivery = previous fill {self.previous_fill_ml:g} mL - expected residual "
            f"{r.expected_ml:g} mL = {self.programmed_ml:g} mL ({self.programmed_ml / days:.4f} mL/day)",
            f"observed delivery = previous fill {self.previous_fill_ml:g} mL - aspirated {r.aspirated_ml:g} mL "
            f"= {self.observed_ml:g} mL ({self.observed_ml / days:.4f} mL/day)",
            f"difference {self.excess_ml:+.2f} mL = {self.excess_percent:+.1f} % of the programmed delivery: "
            + ("beyond" if self.beyond_accuracy else "not beyond")
            + f" the flow accuracy of {self.accuracy_percent:g} % (setting {self.accuracy_setting.name}, "
            f"{self.accuracy_setting.status.value}); {r.discrepancy_ml:+.2f} mL of the expected residual: "
            + ("beyond" if r.flagged and r.discrepancy_ml < 0 else "not beyond")
            + f" the tolerance of {r.tolerance_ml:g} mL and {r.tolerance_percent:g} %",
        ]
        if self.rate_factor is not None:
            out.append(
                f"observed / programmed = {self.observed_ml:g} / {self.programmed_ml:g} = {self.rate_factor:.4f}"
            )
        return tuple(out)

    @property
    def settings_used(self) -> tuple[SettingUse, ...]:
        return (SettingUse(self.accuracy_setting, self.accuracy_percent),)

    def to_dict(self) -> dict[str, Any]:
        return {
            "previous_fill_ml": self.previous_fill_ml,
            "previous_filled_at": self.previous_filled_at.isoformat(),
            "refilled_at": self.refilled_at.isoformat(),
            "interval_days": self.interval_days,
            "programmed_ml": self.programmed_ml,
            "observed_ml": self.observed_ml,
            "excess_ml": self.excess_ml,
            "excess_percent": self.excess_percent,
            "accuracy_percent": self.accuracy_percent,
            "beyond_accuracy": self.beyond_accuracy,
            "over_delivery": self.over_delivery,
            "rate_factor": self.rate_factor,
            "steps": list(self.steps),
            "settings": settings_to_dicts(self.settings_used),
            "findings": findings_to_dicts(self.findings),
        }


def observe_delivery(
    reconciliation: RefillReconciliation,
    previous_fill_ml: float,
    previous_filled: date | datetime,
    refilled: date | datetime,
    *,
    pump: PumpModel | None = None,
    accuracy_percent: float | None = None,
) -> ObservedDelivery:
    """Observed vs programmed delivery since the previous fill, from this visit's reconciliation.

    ``accuracy_percent`` overrides the pump's flow-accuracy setting (or, for a pump without one, or no pump,
    :data:`DELIVERY_TOLERANCE_PERCENT`). Date-times with a UTC offset are compared as instants (the interval
    honours the offsets); a date or a date-time without an offset is on the pump clock; a mix is refused.

    Examples
    --------
    >>> obs = observe_delivery(reconcile_refill(4.9, 3.1), 20, date(2026, 2, 2), date(2026, 3, 2))
    >>> round(obs.programmed_ml, 2), round(obs.observed_ml, 2), round(obs.rate_factor, 4), obs.over_delivery
    (15.1, 16.9, 1.1192, True)
    """
    if not isinstance(reconciliation, RefillReconciliation):
        raise InvalidInputError("reconciliation", "a refill reconciliation", reconciliation)
    capacity = pump.reservoir_ml if pump is not None else MAX_RESERVOIR_ML
    previous = require_finite_number(previous_fill_ml, "previous_fill_ml", strictly_positive=True, maximum=capacity)
    if previous <= reconciliation.expected_ml:
        raise InvalidInputError(
            "previous_fill_ml",
            f"more than the expected residual {reconciliation.expected_ml:g} mL (the program delivers from the "
            "previous fill)",
            previous_fill_ml,
        )
    if not isinstance(previous_filled, date):
        raise InvalidInputError("previous_filled", "a date or datetime", previous_filled)
    start, end = same_clock((previous_filled, "previous_filled"), (refilled, "refilled"))
    if start >= end:
        raise InvalidInputError("previous_filled", f"a time before this refill ({end.isoformat()})", str(start))
    setting = pump.flow_accuracy if pump is not None and pump.flow_accuracy is not None else DELIVERY_TOLERANCE_PERCENT
    accuracy = float(setting.validate(setting.default if accuracy_percent is None else accuracy_percent))
    ctx = DeliveryContext(
        previous_fill_ml=previous,
        expected_ml=reconciliation.expected_ml,
        aspirated_ml=reconciliation.aspirated_ml,
        interval_days=(end - start).total_seconds() / 86400.0,
        accuracy_percent=accuracy,
        accuracy_setting=setting.name,
        accuracy_status=setting.status.value,
    )
    return ObservedDelivery(
        reconciliation, previous, start, end, accuracy, setting, evaluate_rules(DELIVERY_RULES, ctx)
    )


def assess_next_refill(
    reconciliation: RefillReconciliation | None,
    observed: ObservedDelivery | None,
    forecast: ReservoirForecast,
    *,
    target_interval_days: int | None = None,
) -> tuple[Finding, ...]:
    """Findings on the next refill date after this visit's reconciliation.

    PUMP-REFILL-004 explains a date brought forward to the observed delivery rate (with the arithmetic);
    PUMP-REFILL-005 says, after a flagged shortfall without the previous fill, that the date assumes the
    programmed rate and cannot account for the suspected over-infusion; PUMP-REFILL-006 says, with a
    ``target_interval_days`` (days from this fill), that the observed-rate date comes before the target.
    """
    if reconciliation is None:
        return ()
    factor = observed.rate_factor if observed is not None else None
    ctx = NextRefillContext(
        shortfall_flagged=any(f.rule_id == "PUMP-RECON-001" for f in reconciliation.findings),
        expected_ml=reconciliation.expected_ml,
        aspirated_ml=reconciliation.aspirated_ml,
        recommended_refill_date=forecast.recommended_refill_date,
        programmed_refill_date=forecast.programmed_refill_date,
        alarm_date=forecast.low_reservoir_alarm_date,
        observed_alarm_date=forecast.observed_alarm_at.date() if forecast.observed_alarm_at else None,
        rate_factor=factor if forecast.observed_rate_factor is not None else None,
        observation_steps=observed.steps if observed is not None else (),
        target_interval_days=target_interval_days,
        target_date=(
            None
            if target_interval_days is None
            else forecast.fill.filled_at.date() + timedelta(days=int(target_interval_days))
        ),
    )
    return evaluate_rules(NEXT_REFILL_RULES, ctx)


def expected_residual_ml(fill: ReservoirFill, at: date | datetime) -> float:
    """Residual the program should have left at a visit, mL (the fill's mass balance).

    >>> from baclofen.domain.itb.programs import continuous_program
    >>> from baclofen.domain.itb.pumps import get_pump
    >>> fill = ReservoirFill(get_pump("synchromed-ii-20"), 20, 500, continuous_program(500), date(2026, 1, 1))
    >>> expected_residual_ml(fill, date(2026, 1, 11))
    10.0
    """
    return fill.remaining_ml(at)


@dataclass(frozen=True, slots=True)
class RefillVolumePlan:
    """How much to put in the emptied reservoir, and how long it lasts."""

    pump: PumpModel
    concentration_mcg_per_ml: float
    daily_volume_ml: float
    low_reservoir_ml: float
    margin_days: int
    target_interval_days: int | None
    needed_ml: float | None
    fill_ml: float
    steps: tuple[str, ...]
    findings: tuple[Finding, ...]

    @property
    def drug_mcg(self) -> float:
        return self.fill_ml * self.concentration_mcg_per_ml

    @property
    def days_to_low_reservoir(self) -> float:
        return (self.fill_ml - self.low_reservoir_ml) / self.daily_volume_ml

    def to_dict(self) -> dict[str, Any]:
        return {
            "pump": self.pump.key,
            "reservoir_ml": self.pump.reservoir_ml,
            "concentration_mcg_per_ml": self.concentration_mcg_per_ml,
            "daily_volume_ml": self.daily_volume_ml,
            "low_reservoir_ml": self.low_reservoir_ml,
            "margin_days": self.margin_days,
            "target_interval_days": self.target_interval_days,
            "needed_ml": self.needed_ml,
            "fill_ml": self.fill_ml,
            "drug_mcg": self.drug_mcg,
            "days_to_low_reservoir": self.days_to_low_reservoir,
            "steps": list(self.steps),
            "findings": findings_to_dicts(self.findings),
        }


def plan_refill_volume(
    pump: PumpModel,
    daily_volume_ml: float,
    concentration_mcg_per_ml: float,
    *,
    target_interval_days: int | None = None,
    margin_days: int | None = None,
    low_reservoir_ml: float | None = None,
) -> RefillVolumePlan:
    """Refill volume: the reservoir's capacity, or what a target interval needs, never above capacity.

    The residual is aspirated and discarded first; the new fill is the volume injected. For a target
    interval the fill must cover the interval plus the refill margin above the low-reservoir threshold:
    ``needed = daily mL x (interval + margin days) + threshold``.

    Parameters
    ----------
    pump : PumpModel
    daily_volume_ml : float
        Programmed volume per day, mL/day.
    concentration_mcg_per_ml : float
        Concentration of the new fill, mcg/mL.
    target_interval_days : int, optional
        Days until the next refill (1 to the stability limit, 180).
    margin_days, low_reservoir_ml : optional
        Overrides of the refill margin and the pump's low-reservoir threshold.

    Examples
    --------
    >>> from baclofen.domain.itb.pumps import get_pump
    >>> plan_refill_volume(get_pump("synchromed-ii-40"), 0.5, 500, target_interval_days=60).fill_ml
    35.5
    """
    daily = require_finite_number(daily_volume_ml, "daily_volume_ml", strictly_positive=True)
    conc = require_finite_number(concentration_mcg_per_ml, "concentration_mcg_per_ml", strictly_positive=True)
    low = float(pump.low_reservoir.validate(pump.low_reservoir_ml if low_reservoir_ml is None else low_reservoir_ml))
    margin = REFILL_MARGIN_DAYS.validate(REFILL_MARGIN_DAYS.default if margin_days is None else margin_days)
    margin = int(margin)
    steps = [f"aspirate and discard the residual; the reservoir holds {pump.reservoir_ml:g} mL at most (S61)"]
    needed = None
    if target_interval_days is None:
        fill = pump.reservoir_ml
        steps.append(f"fill to capacity: {fill:g} mL")
    else:
        # bounded by the stability limit's range, but the error names this argument, not that setting
        try:
            days = MAX_REFILL_INTERVAL_DAYS.validate(target_interval_days)
        except InvalidInputError:
            days = None
        if isinstance(days, bool) or not isinstance(days, int):
            shortest, longest = MAX_REFILL_INTERVAL_DAYS.minimum, MAX_REFILL_INTERVAL_DAYS.maximum
            raise InvalidInputError(
                "target_interval_days", f"a whole number of days ({shortest:g}-{longest:g})", target_interval_days
            )
        needed = daily * (days + margin) + low
        fill = min(needed, pump.reservoir_ml)
        steps.append(
            f"needed = {daily:.4f} mL/day x ({days} + {margin} margin) days + {low:g} mL threshold = {needed:.2f} mL"
        )
        steps.append(f"fill = min(needed, capacity {pump.reservoir_ml:g} mL) = {fill:.2f} mL")
    steps.append(f"drug = {fill:.2f} mL x {conc:g} mcg/mL = {fill * conc:.0f} mcg")
    ctx = RefillVolumeContext(pump.reservoir_ml, fill, needed, target_interval_days)
    return RefillVolumePlan(
        pump,
        conc,
        daily,
        low,
        margin,
        target_interval_days,
        needed,
        fill,
        tuple(steps),
        evaluate_rules(REFILL_VOLUME_RULES, ctx),
    )
