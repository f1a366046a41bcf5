"""Simulation requests from text: haemodialysis sessions ``START_H:DURATION_H``, a population's CrCl range
``LOW:HIGH``, the oral model, conditions, ``NAME=VALUE`` settings and (``simulate regimen``) the plan document;
each builder reports every invalid field at once and returns the typed command of
:mod:`baclofen.services.commands`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from baclofen.adapters.edge.collect import InputCollector
from baclofen.adapters.edge.settings import read_settings
from baclofen.adapters.edge.text import parse_names, parse_number_pair, parse_number_pairs
from baclofen.domain.documents import within
from baclofen.domain.errors import InvalidInputError, require_finite_number
from baclofen.domain.oral.plan import Plan, stated_daily_doses
from baclofen.domain.patient import CRCL_MAX_ML_MIN
from baclofen.domain.pk.parameters import OralModel
from baclofen.domain.pk.population import MAX_SUBJECTS
from baclofen.services.commands import SimulateIntrathecal, SimulateOral, SimulatePlan
from baclofen.services.simulation import (
    DEFAULT_INTERVAL_H,
    DEFAULT_STEP_H,
    MAX_DOSE_MG,
    MAX_DOSES,
    MAX_HOURS,
    read_plan,
)

Settings = Mapping[str, Any] | Iterable[str] | None
Pairs = Iterable[str | Sequence[float]] | None
Pair = str | Sequence[float] | None

SESSION = "START_H:DURATION_H in hours"
CRCL_RANGE = "LOW:HIGH in mL/min"
ORAL_STEP_H = DEFAULT_STEP_H
INTRATHECAL_STEP_H = 0.05
REGIMEN_STEP_H = 0.25


def read_plan_document(value: Plan | Mapping[str, Any], field: str) -> Plan:
    """A plan, or one read from its ``baclofen-plan/1`` document, within what a simulation takes; an error inside
    the document names its path under ``field`` (``plan.steps[0].start``)."""
    with within(field):
        return read_plan(value)


def _read_oral_fields(
    fields: InputCollector,
    hd_sessions: Pairs,
    model: str | OralModel,
    conditions: str | Sequence[str] | None,
    settings: Settings,
    crcl_range: Pair,
) -> dict[str, Any]:
    """The text fields an oral simulation shares, each invalid one kept in ``fields``."""
    return {
        "hd_sessions": fields.read(parse_number_pairs, hd_sessions, "hd_sessions", SESSION) or (),
        "model": fields.read(OralModel.parse, model, "model") or OralModel.DEFAULT,
        "conditions": fields.read(parse_names, conditions, "conditions") or (),
        "settings": fields.read(read_settings, settings, "setting") or {},
        "crcl_range": fields.read(parse_number_pair, crcl_range, "crcl_range", CRCL_RANGE),
    }


def simulate_oral_command(
    *,
    dose_mg: float,
    interval_h: float = DEFAULT_INTERVAL_H,
    doses: int = 1,
    crcl_ml_min: float | None = None,
    dialysis: bool = False,
    hd_sessions: Pairs = None,
    model: str | OralModel = OralModel.DEFAULT,
    hours: float | None = None,
    step_h: float | None = None,
    conditions: str | Sequence[str] | None = None,
    settings: Settings = None,
    population: int | None = None,
    seed: int | None = None,
    crcl_range: Pair = None,
) -> SimulateOral:
    """:class:`SimulateOral` from text: sessions ``START_H:DURATION_H``, model ``default``/``kochak``, conditions,
    ``NAME=VALUE`` settings, the population's ``LOW:HIGH`` CrCl range; ``step_h`` None: 0.1 h."""
    fields = InputCollector()
    read = _read_oral_fields(fields, hd_sessions, model, conditions, settings, crcl_range)
    fields.raise_errors()
    return SimulateOral(
        dose_mg,
        interval_h=interval_h,
        doses=doses,
        crcl_ml_min=crcl_ml_min,
        dialysis=dialysis,
        hours=hours,
        step_h=ORAL_STEP_H if step_h is None else step_h,
        population=population,
        seed=seed,
        **read,
    )


def simulate_intrathecal_command(
    *,
    daily_dose_mcg: float,
    bolus_mcg: float = 0.0,
    hours: float = 24.0,
    step_h: float | None = None,
    from_steady_state: bool = True,
    crcl_ml_min: float | None = None,
    dialysis: bool = False,
    settings: Settings = None,
) -> SimulateIntrathecal:
    """:class:`SimulateIntrathecal` from text (``NAME=VALUE`` settings); ``step_h`` None: 0.05 h."""
    fields = InputCollector()
    setting_values = fields.read(read_settings, settings, "setting") or {}
    fields.raise_errors()
    return SimulateIntrathecal(
        daily_dose_mcg,
        bolus_mcg=bolus_mcg,
        hours=hours,
        step_h=INTRATHECAL_STEP_H if step_h is None else step_h,
        from_steady_state=from_steady_state,
        crcl_ml_min=crcl_ml_min,
        dialysis=dialysis,
        settings=setting_values,
    )


def simulate_plan_command(
    *,
    plan: Plan | Mapping[str, Any],
    crcl_ml_min: float | None = None,
    dialysis: bool = False,
    hd_sessions: Pairs = None,
    model: str | OralModel = OralModel.DEFAULT,
    washout_h: float = 24.0,
    step_h: float | None = None,
    conditions: str | Sequence[str] | None = None,
    settings: Settings = None,
    population: int | None = None,
    seed: int | None = None,
    crcl_range: Pair = None,
) -> SimulatePlan:
    """:class:`SimulatePlan` from a plan or its ``baclofen-plan/1`` document (a mapping: parsed JSON; errors inside
    it named ``plan.<path>``) and the text of the other fields (as :func:`simulate_oral_command`); ``step_h``
    None: 0.25 h."""
    fields = InputCollector()
    read_back = fields.check(read_plan_document, plan, "plan")  # a required document: null is refused, not absent
    read = _read_oral_fields(fields, hd_sessions, model, conditions, settings, crcl_range)
    fields.raise_errors()
    assert read_back is not None  # read, or its error raised
    return SimulatePlan(
        read_back,
        stated_daily_doses_mg=() if isinstance(plan, Plan) else stated_daily_doses(plan),
        crcl_ml_min=crcl_ml_min,
        dialysis=dialysis,
        washout_h=washout_h,
        step_h=REGIMEN_STEP_H if step_h is None else step_h,
        population=population,
        seed=seed,
        **read,
    )


#: The bounds of the numbers of a population request, each checked on its own so that all are reported at once
#: (the use case checks them again): name -> (minimum, maximum, strictly positive).
_NUMBER_BOUNDS: dict[str, tuple[float | None, float | None, bool]] = {
    "dose_mg": (None, MAX_DOSE_MG, True),
    "interval_h": (None, 24.0 * 7, True),
    "hours": (None, MAX_HOURS, True),
    "step_h": (None, 24.0, True),
    "crcl_ml_min": (0.0, CRCL_MAX_ML_MIN, False),
    "washout_h": (0.0, 24.0 * 60, False),
}
#: Fields of an oral regimen only (``dose_mg`` given), and of a plan's regimen only (``plan`` given).
_ORAL_ONLY = ("interval_h", "doses", "hours")
_PLAN_ONLY = ("washout_h",)


def _whole(value: Any, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInputError(field, f"a whole number {low}..{high:,}", value)
    return value


def _check_population_numbers(fields: InputCollector, given: Mapping[str, Any]) -> None:
    for name, (low, high, positive) in _NUMBER_BOUNDS.items():
        if given.get(name) is not None:
            fields.check(
                require_finite_number, given[name], name, minimum=low, maximum=high, strictly_positive=positive
            )
    if given.get("doses") is not None:
        fields.check(_whole, given["doses"], "doses", 1, MAX_DOSES)
    fields.check(_whole, given.get("population"), "population", 1, MAX_SUBJECTS)
    if given.get("seed") is not None:
        fields.check(_whole, given["seed"], "seed", 0, 2**63 - 1)


def simulate_population_command(**given: Any) -> SimulateOral | SimulatePlan:
    """An oral (``dose_mg`` given) or plan regimen (``plan``, its ``baclofen-plan/1`` document, given) simulation of
    a virtual ``population``, as a job runs it (``POST /api/v1/simulations/population``): the fields of
    :func:`simulate_oral_command` or :func:`simulate_plan_command`, every invalid one reported at once (the numbers
    against their bounds too); a field of the other kind of simulation is refused, not ignored."""
    fields = InputCollector()
    oral, plan = given.get("dose_mg") is not None, given.get("plan") is not None
    if oral == plan:
        fields.add(
            InvalidInputError(
                "dose_mg", "either dose_mg (oral doses) or plan (a plan's regimen)", "both" if oral else None
            )
        )
    for name in _PLAN_ONLY if oral else _ORAL_ONLY if plan else ():
        if given.get(name) is not None:
            fields.add(InvalidInputError(name, "given only with " + ("plan" if oral else "dose_mg"), given[name]))
    _check_population_numbers(fields, given)
    kept = {k: v for k, v in given.items() if v is not None and k not in (*_ORAL_ONLY, *_PLAN_ONLY, "dose_mg", "plan")}
    command: SimulateOral | SimulatePlan | None = None
    if oral and not plan:
        extra = {k: given[k] for k in _ORAL_ONLY if given.get(k) is not None}
        command = fields.check(simulate_oral_command, dose_mg=given["dose_mg"], **extra, **kept)
    elif plan and not oral:
        extra = {k: given[k] for k in _PLAN_ONLY if given.get(k) is not None}
        command = fields.check(simulate_plan_command, plan=given["plan"], **extra, **kept)
    fields.raise_errors()
    assert command is not None  # built, or its errors raised
    return command


__all__ = [
    "read_plan_document",
    "simulate_intrathecal_command",
    "simulate_oral_command",
    "simulate_plan_command",
    "simulate_population_command",
]
