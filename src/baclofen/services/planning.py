"""Use cases: plan an oral titration or taper from plain values.

Callable alike from the CLI, a REST API or a web page: arguments are plain values (numbers, ISO
dates, product names, ``"RULE-ID=reason"`` overrides) plus an optional
:class:`~baclofen.domain.patient.PatientSnapshot`; the result is a
:class:`~baclofen.domain.oral.plan.Plan` whose ``to_dict()`` is JSON-ready. A plan with a standing
``block`` finding is returned with ``offerable`` false and its findings, never silently dropped.

Raises
------
InvalidInputError
    For malformed input, naming the field (``start_date``, ``product``, ``override`` ...).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, time
from typing import Any, TypeVar

from baclofen.domain.cds.comedication import screen_plan_medicines
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.names import parse_name_list
from baclofen.domain.oral.limits import LABEL_DOSES_PER_DAY, LABEL_START_DOSE_MG, LABEL_STEP_DOSE_MG
from baclofen.domain.oral.plan import Plan
from baclofen.domain.oral.taper import plan_taper
from baclofen.domain.oral.titration import plan_titration
from baclofen.domain.patient import PatientSnapshot
from baclofen.domain.products import OralProduct, get_oral_product
from baclofen.domain.rules.core import Override, sort_findings

OverrideInput = Override | str | tuple[str, str]


DateT = TypeVar("DateT", date, datetime)


def parse_date(value: date | str, field: str = "start_date") -> date:
    """A date from a ``date`` or an ISO ``YYYY-MM-DD`` string."""
    if isinstance(value, datetime):
        raise InvalidInputError(field, "a date (YYYY-MM-DD), not a date and time", value.isoformat())
    parsed: date | None = None
    if isinstance(value, date):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = date.fromisoformat(value.strip())
        except ValueError:
            parsed = None
    if parsed is None:
        raise InvalidInputError(field, "a date YYYY-MM-DD", value)
    return check_date_range(parsed, field, value)


def check_date_range(parsed: DateT, field: str, given: Any = None) -> DateT:
    """``parsed`` (a date or date-time) if its day lies in :data:`PLAN_DATE_RANGE`, the one range of every
    date input (plan, pump, infusion, as-of dates); else InvalidInputError naming ``field``."""
    day = parsed.date() if isinstance(parsed, datetime) else parsed
    if not PLAN_DATE_RANGE[0] <= day <= PLAN_DATE_RANGE[1]:
        raise InvalidInputError(
            field,
            f"a date from {PLAN_DATE_RANGE[0].isoformat()} to {PLAN_DATE_RANGE[1].isoformat()}",
            parsed if given is None else given,
        )
    return parsed


#: Plausible dates of every date input (plan starts, fills, refills, implants, as-of; one range for all):
#: a year like 9999 is a typing error, and would overflow date arithmetic at the end of a plan.
PLAN_DATE_RANGE = (date(1900, 1, 1), date(2200, 12, 31))


def parse_overrides(
    values: Iterable[OverrideInput] | Mapping[str, str] | None, clinician: str = ""
) -> tuple[Override, ...]:
    """Overrides from ``Override`` objects, ``"RULE-ID=reason"`` strings, (id, reason) pairs or a mapping."""
    if values is None:
        return ()
    items: Iterable[Any] = values.items() if isinstance(values, Mapping) else values
    out = []
    for item in items:
        if isinstance(item, Override):
            out.append(item)
            continue
        if isinstance(item, str):
            rule_id, sep, reason = item.partition("=")
            if not sep:
                raise InvalidInputError("override", "RULE-ID=REASON (e.g. ORAL-MAX-001=in hospital)", item)
        elif isinstance(item, tuple) and len(item) == 2:
            rule_id, reason = item
        else:
            raise InvalidInputError("override", "RULE-ID=REASON", item)
        out.append(Override(str(rule_id).strip().upper(), str(reason).strip(), clinician))
    return tuple(out)


def parse_dose_times(values: Sequence[time | str] | str | None) -> tuple[time, ...] | None:
    """Clock times from ``time`` values or ``"HH:MM"`` strings (a comma-separated string is accepted)."""
    if values is None:
        return None
    if isinstance(values, str):
        values = [v for v in values.split(",") if v.strip()]
    out = []
    for v in values:
        if isinstance(v, time):
            out.append(v)
            continue
        try:
            parsed = datetime.strptime(str(v).strip(), "%H:%M").time()
        except ValueError:
            raise InvalidInputError("dose_times", "clock times HH:MM", v) from None
        out.append(parsed)
    return tuple(out)


def resolve_product(name: str | OralProduct | None, tablets_scored: bool | None = None) -> OralProduct | None:
    """The catalogue product of ``name`` (case-insensitive), or None for the locale's default."""
    if name is None or isinstance(name, OralProduct):
        return name
    return get_oral_product(name, tablets_scored=tablets_scored)


def with_comedication_findings(plan: Plan, current_drugs: str | Sequence[str] | None) -> Plan:
    """The plan with the patient's other medicines screened: baclofen with each, and every pair among them.

    ``current_drugs``: a comma-separated text or a list, read by the one name-list parser
    (:func:`~baclofen.domain.names.parse_name_list`: no empty name, no ``;``/``|``/tab/new line).
    Their findings join the plan's (an absolute block such as tizanidine with ciprofloxacin makes the plan not
    offerable); the medicines as recognised are listed in ``parameters["medicines"]``.
    """
    names = parse_name_list(current_drugs, "drugs")
    if not names:
        return plan
    screen = screen_plan_medicines(names)
    return replace(
        plan,
        findings=sort_findings((*plan.findings, *screen.findings)),
        parameters={**plan.parameters, "medicines": screen.to_dict()},
    )


def plan_oral_titration(
    *,
    start_date: date | str,
    patient: PatientSnapshot | None = None,
    target_mg_per_day: float | None = None,
    doses_per_day: int = LABEL_DOSES_PER_DAY,
    product: str | OralProduct | None = None,
    start_dose_mg: float = LABEL_START_DOSE_MG,
    step_dose_mg: float = LABEL_STEP_DOSE_MG,
    step_interval_days: int | None = None,
    dose_times: Sequence[time | str] | str | None = None,
    overrides: Iterable[OverrideInput] | Mapping[str, str] | None = None,
    clinician: str = "",
    settings: Mapping[str, Any] | None = None,
    current_drugs: str | Sequence[str] | None = (),
) -> Plan:
    """Plan an oral titration (label schedule by default) for ``patient``.

    See :func:`baclofen.domain.oral.titration.plan_titration` for the clinical behaviour. Doses in mg,
    daily doses in mg/day, intervals in days. ``current_drugs``: the patient's other medicines, screened
    with baclofen and with each other; their findings join the plan's (see :func:`with_comedication_findings`).

    Raises
    ------
    InvalidInputError
        For malformed input, naming the field.
    """
    plan = plan_titration(
        start_date=parse_date(start_date),
        patient=patient,
        product=resolve_product(product),
        target_mg_per_day=target_mg_per_day,
        start_dose_mg=start_dose_mg,
        step_dose_mg=step_dose_mg,
        step_interval_days=step_interval_days,
        doses_per_day=doses_per_day,
        dose_times=parse_dose_times(dose_times),
        overrides=parse_overrides(overrides, clinician),
        settings=settings,
    )
    return with_comedication_findings(plan, current_drugs)


def plan_oral_taper(
    *,
    from_mg_per_day: float,
    start_date: date | str,
    to_mg_per_day: float = 0.0,
    patient: PatientSnapshot | None = None,
    product: str | OralProduct | None = None,
    doses_per_day: int = 3,
    months_on_therapy: float | None = None,
    max_step_mg: float | None = None,
    step_interval_days: int | None = None,
    min_days_to_zero: int | None = None,
    dose_times: Sequence[time | str] | str | None = None,
    overrides: Iterable[OverrideInput] | Mapping[str, str] | None = None,
    clinician: str = "",
    settings: Mapping[str, Any] | None = None,
    current_drugs: str | Sequence[str] | None = (),
) -> Plan:
    """Plan a gradual oral taper from ``from_mg_per_day`` to ``to_mg_per_day`` (mg/day).

    See :func:`baclofen.domain.oral.taper.plan_taper` for the clinical behaviour.

    Raises
    ------
    InvalidInputError
        For malformed input, naming the field.
    """
    plan = plan_taper(
        start_date=parse_date(start_date),
        from_mg_per_day=from_mg_per_day,
        to_mg_per_day=to_mg_per_day,
        patient=patient,
        product=resolve_product(product),
        doses_per_day=doses_per_day,
        dose_times=parse_dose_times(dose_times),
        months_on_therapy=months_on_therapy,
        max_step_mg=max_step_mg,
        step_interval_days=step_interval_days,
        min_days_to_zero=min_days_to_zero,
        overrides=parse_overrides(overrides, clinician),
        settings=settings,
    )
    return with_comedication_findings(plan, current_drugs)


__all__ = [
    "parse_date",
    "parse_dose_times",
    "parse_overrides",
    "plan_oral_taper",
    "plan_oral_titration",
    "resolve_product",
    "with_comedication_findings",
]
