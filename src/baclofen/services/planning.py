"""Use cases: plan an oral titration or taper.

Callable alike from the CLI, a REST API or a web page: each takes a typed command
(:class:`~baclofen.services.commands.PlanTitration`, :class:`~baclofen.services.commands.PlanTaper`: dates,
clock times, overrides, an optional :class:`~baclofen.domain.patient.PatientSnapshot`; text is read at the
edge, :mod:`baclofen.adapters.edge`); the result is a
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
from typing import Any

from baclofen.domain.cds.comedication import screen_plan_medicines
from baclofen.domain.names import parse_name_list
from baclofen.domain.oral.plan import Plan
from baclofen.domain.oral.taper import TAPER_SETTINGS, plan_taper
from baclofen.domain.oral.titration import TITRATION_SETTINGS, plan_titration
from baclofen.domain.products import OralProduct, get_oral_product
from baclofen.domain.rules.core import sort_findings
from baclofen.domain.settings import Setting, with_clinic_sources
from baclofen.services.commands import PlanTaper, PlanTitration
from baclofen.services.ports import SettingsProvider


def resolve_product(name: str | OralProduct | None, tablets_scored: bool | None = None) -> OralProduct | None:
    """The catalogue product of ``name`` (case-insensitive), or None for the locale's default."""
    if name is None or isinstance(name, OralProduct):
        return name
    return get_oral_product(name, tablets_scored=tablets_scored)


def with_comedication_findings(plan: Plan, current_drugs: Sequence[str]) -> Plan:
    """The plan with the patient's other medicines screened: baclofen with each, and every pair among them.

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


def _clinic_values(clinic: SettingsProvider | None, settings: Iterable[Setting]) -> dict[str, Any]:
    return {} if clinic is None else dict(clinic.overrides(settings))


def _with_clinic_sources(plan: Plan, clinic_values: Mapping[str, Any], given: Mapping[str, Any]) -> Plan:
    """The plan with the settings it used at the clinic's value marked ``source="clinic"``."""
    if not clinic_values:
        return plan
    return replace(plan, settings=with_clinic_sources(plan.settings, clinic_values, given))


def plan_oral_titration(command: PlanTitration, *, clinic: SettingsProvider | None = None) -> Plan:
    """Plan an oral titration (label schedule by default) for the command's patient.

    See :func:`baclofen.domain.oral.titration.plan_titration` for the clinical behaviour. The patient's other
    medicines are screened with baclofen and with each other; their findings join the plan's (see
    :func:`with_comedication_findings`). ``clinic`` gives the clinic's own values of
    :data:`~baclofen.domain.oral.titration.TITRATION_SETTINGS`; ``command.settings`` win over them, and the plan's
    settings at the clinic's value say so (``source="clinic"``).

    Raises
    ------
    InvalidInputError
        For invalid input, naming the field.
    """
    c = command
    clinic_values = _clinic_values(clinic, TITRATION_SETTINGS)
    plan = plan_titration(
        start_date=c.start_date,
        patient=c.patient,
        product=resolve_product(c.product),
        target_mg_per_day=c.target_mg_per_day,
        start_dose_mg=c.start_dose_mg,
        step_dose_mg=c.step_dose_mg,
        step_interval_days=c.step_interval_days,
        doses_per_day=c.doses_per_day,
        dose_times=c.dose_times,
        overrides=c.overrides,
        settings={**clinic_values, **c.settings} or None,
    )
    return with_comedication_findings(_with_clinic_sources(plan, clinic_values, c.settings), c.current_drugs)


def plan_oral_taper(command: PlanTaper, *, clinic: SettingsProvider | None = None) -> Plan:
    """Plan a gradual oral taper from ``from_mg_per_day`` to ``to_mg_per_day`` (mg/day).

    See :func:`baclofen.domain.oral.taper.plan_taper` for the clinical behaviour. ``clinic`` gives the
    clinic's own values of :data:`~baclofen.domain.oral.taper.TAPER_SETTINGS`; ``command.settings`` win over them.

    Raises
    ------
    InvalidInputError
        For invalid input, naming the field.
    """
    c = command
    clinic_values = _clinic_values(clinic, TAPER_SETTINGS)
    plan = plan_taper(
        start_date=c.start_date,
        from_mg_per_day=c.from_mg_per_day,
        to_mg_per_day=c.to_mg_per_day,
        patient=c.patient,
        product=resolve_product(c.product),
        doses_per_day=c.doses_per_day,
        dose_times=c.dose_times,
        months_on_therapy=c.months_on_therapy,
        max_step_mg=c.max_step_mg,
        step_interval_days=c.step_interval_days,
        min_days_to_zero=c.min_days_to_zero,
        overrides=c.overrides,
        settings={**clinic_values, **c.settings} or None,
    )
    return with_comedication_findings(_with_clinic_sources(plan, clinic_values, c.settings), c.current_drugs)


__all__ = [
    "plan_oral_taper",
    "plan_oral_titration",
    "resolve_product",
    "with_comedication_findings",
]
