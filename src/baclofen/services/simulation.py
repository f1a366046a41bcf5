"""Use cases: simulate exposure to oral baclofen, intrathecal baclofen, a plan's regimen, or a population.

Callable alike from the CLI, a REST API or a web page: a typed command in (:class:`SimulateOral`,
:class:`SimulateIntrathecal`, :class:`SimulatePlan` of :mod:`baclofen.services.commands`; text and plan documents
are read at the edge, :mod:`baclofen.adapters.edge.simulate`), a result whose ``to_dict()`` is
JSON-ready out (lists and numbers, findings with their sources). The kidney function used is always
reported; a simulation for a patient described as renal without a kidney function carries a warning
(journeys.md #7). Population runs go through a :data:`PopulationRunner` (in-process by default; the
Dask adapter provides another) and take an optional ``progress(done, total)`` callback.

Raises
------
InvalidInputError
    For malformed input, naming the field (``dose_mg``, ``crcl_ml_min``, ``hd_sessions[0].start_h``,
    ``plan.steps[2].doses[0].dose_mg``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from baclofen.domain.conditions import describes_kidney_disease
from baclofen.domain.dates import check_date_range
from baclofen.domain.documents import SCHEMA_VERSION_KEY, SIMULATION_SCHEMA, within
from baclofen.domain.errors import InvalidInputError, require_finite_number
from baclofen.domain.itb.dosing import check_daily_dose
from baclofen.domain.itb.limits import check_screening_dose
from baclofen.domain.names import parse_name_list
from baclofen.domain.oral.plan import Plan, daily_dose_mismatches
from baclofen.domain.patient import CRCL_MAX_ML_MIN, KidneySource, PatientSnapshot
from baclofen.domain.pk.bands import BAND_EDGE_SETTINGS, plasma_bands
from baclofen.domain.pk.engine import DoseInput, oral_dose
from baclofen.domain.pk.findings import (
    ExposureContext,
    KidneyConflict,
    check_kidney_conflict,
    evaluate_exposure,
)
from baclofen.domain.pk.parameters import (
    CISTERNAL_TO_LUMBAR_RATIO,
    CRCL_CAP_ML_MIN,
    CSF_CLEARANCE_ML_PER_H,
    CSF_HALF_LIFE_H,
    HD_CLEARANCE_L_PER_H,
    KE0_PER_H,
    KOCHAK_KA_PER_H,
    NONRENAL_FRACTION,
    REFERENCE_CRCL_ML_MIN,
    IntrathecalParameters,
    KidneyInput,
    ModelSettings,
    OralModel,
)
from baclofen.domain.pk.population import (
    MAX_SUBJECTS,
    CrclDistribution,
    PopulationProblem,
    PopulationSummary,
    run_population,
)
from baclofen.domain.pk.profiles import (
    DialysisSession,
    IntrathecalExposure,
    OralExposure,
    repeated_oral_doses,
    simulate_intrathecal_exposure,
    simulate_oral_exposure,
    time_grid,
)
from baclofen.domain.pk.system import PLASMA_NG_PER_ML
from baclofen.domain.regimen import Route
from baclofen.domain.rules.core import Finding, findings_to_dicts, sort_findings
from baclofen.domain.settings import EvidenceStatus, Setting, SettingValues
from baclofen.domain.units import Unit
from baclofen.services.commands import SimulateIntrathecal, SimulateOral, SimulatePlan

ProgressCallback = Callable[[int, int], None]
PopulationRunner = Callable[[PopulationProblem, ProgressCallback | None], PopulationSummary]

MAX_DOSES = 10_000
MAX_DOSE_MG = 10_000.0
"""Largest single oral dose a simulation takes (a bound on input, far above any dose a plan gives)."""
MAX_HOURS = 24.0 * 366
DEFAULT_INTERVAL_H = 8.0
DEFAULT_STEP_H = 0.1
DISCLAIMER = "Decision support for professionals, not medical advice. Simulated exposure of a model, not a measurement."
_MODEL_SETTING_FIELDS: dict[Setting, str] = {
    NONRENAL_FRACTION: "nonrenal_fraction",
    REFERENCE_CRCL_ML_MIN: "reference_crcl_ml_min",
    CRCL_CAP_ML_MIN: "crcl_cap_ml_min",
    HD_CLEARANCE_L_PER_H: "hd_clearance_l_per_h",
    KOCHAK_KA_PER_H: "kochak_ka_per_h",
}
#: The settings every simulation takes by name: the PK model's and the plasma band edges.
SIMULATION_SETTINGS: tuple[Setting, ...] = (*_MODEL_SETTING_FIELDS, *BAND_EDGE_SETTINGS)
#: Intrathecal settings (UNCONFIRMED / CALIBRATED, pk-models.md §4) a caller of simulate_intrathecal may set too.
INTRATHECAL_SETTINGS: tuple[Setting, ...] = (
    CSF_CLEARANCE_ML_PER_H,
    CSF_HALF_LIFE_H,
    KE0_PER_H,
    CISTERNAL_TO_LUMBAR_RATIO,
)


def in_process_runner(problem: PopulationProblem, progress: ProgressCallback | None = None) -> PopulationSummary:
    """Run a population in this process, chunk by chunk."""
    return run_population(problem, progress=progress)


def split_settings(overrides: Mapping[str, Any] | None) -> tuple[ModelSettings, dict[str, float]]:
    """Model settings and band-edge overrides from ``{setting name: value}``; unknown names are refused."""
    return _model_and_bands(SettingValues(SIMULATION_SETTINGS, overrides, field="setting"))


def _model_and_bands(values: SettingValues) -> tuple[ModelSettings, dict[str, float]]:
    given = values.overrides()
    model = ModelSettings(**{f: given[s.name] for s, f in _MODEL_SETTING_FIELDS.items() if s.name in given})
    return model, {s.name: float(given[s.name]) for s in BAND_EDGE_SETTINGS if s.name in given}


def kidney_input(crcl_ml_min: float | None = None, dialysis: bool = False) -> KidneyInput:
    """Kidney function from a CrCl (mL/min, 0-250) or dialysis status; not both."""
    if crcl_ml_min is not None:
        crcl_ml_min = require_finite_number(crcl_ml_min, "crcl_ml_min", minimum=0.0, maximum=CRCL_MAX_ML_MIN)
        if dialysis:
            raise InvalidInputError("crcl_ml_min", "not given together with dialysis", crcl_ml_min)
    return KidneyInput(crcl_ml_min, bool(dialysis))


def dialysis_sessions(sessions: Iterable[tuple[float, float]] | None, dialysis: bool) -> tuple[DialysisSession, ...]:
    """Haemodialysis sessions from (start_h, duration_h) pairs; only with dialysis."""
    out = []
    for i, item in enumerate(sessions or ()):
        try:
            start, duration = item
        except (TypeError, ValueError):
            raise InvalidInputError(f"hd_sessions[{i}]", "a (start_h, duration_h) pair", item) from None
        out.append(
            DialysisSession(
                require_finite_number(start, f"hd_sessions[{i}].start_h", minimum=0.0),
                require_finite_number(duration, f"hd_sessions[{i}].duration_h", strictly_positive=True, maximum=24.0),
            )
        )
    if out and not dialysis:
        raise InvalidInputError("hd_sessions", "given only with dialysis", len(out))
    return tuple(sorted(out, key=lambda s: s.start_h))


#: Words of a rule id that make its finding one about kidney function (ORAL-RENAL-*, ORAL-DIALYSIS-*, ...).
_KIDNEY_RULE_WORDS = frozenset({"KIDNEY", "RENAL", "DIALYSIS", "CKD"})


def _is_kidney_finding(finding: Mapping[str, Any]) -> bool:
    """A plan finding of a kidney rule, read from its rule id and data (never its message); one saying that
    kidney function was not given (ORAL-RENAL-005, ``kidney_source`` unknown) describes no kidney disease."""
    data = finding.get("data")
    if isinstance(data, Mapping) and data.get("kidney_source") == KidneySource.UNKNOWN.value:
        return False
    return bool(_KIDNEY_RULE_WORDS & set(str(finding.get("rule_id", "")).upper().split("-")))


def renal_reasons(conditions: Iterable[str] = (), plan_findings: Iterable[Mapping[str, Any]] = ()) -> tuple[str, ...]:
    """Why a patient counts as described with kidney disease (empty when not): a condition text that describes
    it (:func:`~baclofen.domain.conditions.describes_kidney_disease`) or a plan finding of a kidney rule."""
    reasons = [f"condition '{c}'" for c in conditions if describes_kidney_disease(c)]
    reasons += [f"plan finding {f.get('rule_id') or 'without id'}" for f in plan_findings if _is_kidney_finding(f)]
    return tuple(dict.fromkeys(reasons))


@dataclass(frozen=True)
class SimulationResult:
    """One simulation: the request, the typical-subject exposure, findings and an optional population."""

    kind: str
    request: dict[str, Any]
    exposure: OralExposure | IntrathecalExposure
    findings: tuple[Finding, ...]
    population: PopulationSummary | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {SCHEMA_VERSION_KEY: SIMULATION_SCHEMA, "kind": self.kind, "request": self.request}
        out.update(self.exposure.to_dict())
        out["findings"] = findings_to_dicts(self.findings)
        out["population"] = None if self.population is None else self.population.to_dict()
        out.update(self.extra)
        out["disclaimer"] = DISCLAIMER
        return out


def _population_crcl(crcl_range: tuple[float, float] | None) -> CrclDistribution | None:
    if crcl_range is None:
        return None
    low, high = crcl_range
    return CrclDistribution("uniform", low, high)


def _exposure_context(
    exp: OralExposure,
    model: OralModel,
    sessions: int,
    reasons: tuple[str, ...],
    population: PopulationSummary | None = None,
    mismatches: tuple[tuple[int, float, float], ...] = (),
    oral_dose_mg: float | None = None,
) -> ExposureContext:
    upper = frac = None
    if population is not None:
        upper = population.metrics["cmax"].get("p95")
        enceph = exp.band("encephalopathy_reported").lower_ng_per_ml
        if enceph in population.thresholds:
            frac = population.subjects_cmax_at_or_above[population.thresholds.index(enceph)]
    t_max = exp.times_h[max(range(len(exp.concentration_ng_per_ml)), key=exp.concentration_ng_per_ml.__getitem__)]
    return ExposureContext(
        route="oral",
        max_concentration_ng_per_ml=exp.max_concentration_ng_per_ml,
        time_of_max_h=t_max,
        bands=exp.bands,
        first_time_in_band_h={b.name: t for b, t in zip(exp.bands, exp.first_time_in_band_h, strict=True)},
        kidney_given=exp.kidney.is_given,
        crcl_used_ml_min=exp.crcl_used_ml_min,
        dialysis=exp.kidney.dialysis,
        described_as_renal=bool(reasons),
        renal_reasons=reasons,
        auc_ratio_vs_reference_kidney=exp.auc_ratio_vs_reference_kidney,
        half_life_h=exp.half_life_h,
        reference_half_life_h=exp.reference_half_life_h,
        dialysis_sessions=sessions,
        half_life_during_dialysis_h=exp.half_life_during_dialysis_h,
        model=model,
        population_cmax_upper_ng_per_ml=upper,
        population_fraction_cmax_in_encephalopathy_band=frac,
        plan_step_mismatches=mismatches,
        oral_dose_mg=oral_dose_mg,
    )


MAX_POPULATION_IN_PROCESS = Setting(
    name="simulation.max_population_in_process",
    default=1_000_000,
    unit="subjects",
    status=EvidenceStatus.ASSUMPTION,
    evidence=("PKM-DERIVED",),
    description=(
        "Largest virtual population simulated in this process (a computing limit, not a clinical value: "
        "about a minute and bounded memory on one machine; percentiles are stable far below it). Larger "
        f"populations, up to {MAX_SUBJECTS:,} subjects, run on Dask (--dask or --scheduler)."
    ),
    minimum=1,
    maximum=MAX_SUBJECTS,
)


def _check_population_args(population: int | None, seed: int | None, *, in_process: bool = True) -> int:
    if population is None:
        if seed is not None:
            raise InvalidInputError("seed", "given only with a population size", seed)
        return 0
    if isinstance(population, bool) or not isinstance(population, int) or not 1 <= population <= MAX_SUBJECTS:
        raise InvalidInputError("population", f"a whole number 1..{MAX_SUBJECTS}", population)
    limit = int(MAX_POPULATION_IN_PROCESS.default)
    if in_process and population > limit:
        raise InvalidInputError(
            "population",
            f"at most {limit:,} subjects in this process (setting {MAX_POPULATION_IN_PROCESS.name}, an "
            "assumption); run more on a Dask cluster",
            population,
        )
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise InvalidInputError("seed", "a whole number >= 0", seed)
    return population


@dataclass(frozen=True, slots=True)
class _OralRun:
    """Everything one oral exposure run needs, gathered by :func:`simulate_oral` or :func:`simulate_plan`."""

    doses: Sequence[DoseInput]
    kind: str
    request: dict[str, Any]
    times: Sequence[float]
    model: OralModel
    kidney: KidneyInput
    settings: ModelSettings
    bands: dict[str, float]
    sessions: tuple[DialysisSession, ...]
    window: tuple[float, float] | None
    single: bool | None
    steady: tuple[float, Sequence[DoseInput]] | None
    reasons: tuple[str, ...]
    population: int
    seed: int | None
    crcl_range: tuple[float, float] | None
    daily: bool = False
    mismatches: tuple[tuple[int, float, float], ...] = ()
    extra_findings: Sequence[Finding] = ()
    extra: dict[str, Any] | None = None
    oral_dose_mg: float | None = None


def _oral_run(run: _OralRun, runner: PopulationRunner | None, progress: ProgressCallback | None) -> SimulationResult:
    """The exposure of one oral run, its population summary when asked, and the exposure findings."""
    doses, times, model, kidney, settings = run.doses, run.times, run.model, run.kidney, run.settings
    bands, sessions = run.bands, run.sessions
    exp = simulate_oral_exposure(
        doses,
        times_h=times,
        model=model,
        kidney=kidney,
        settings=settings,
        dialysis=sessions,
        metrics_window_h=run.window,
        single_dose_auc=run.single,
        steady_state_period=run.steady,
        band_overrides=bands or None,
        daily=run.daily,
    )
    summary = None
    if run.population:
        from baclofen.domain.pk.profiles import dialysis_windows

        problem = PopulationProblem(
            n_subjects=run.population,
            seed=run.seed or 0,
            doses=tuple(doses),
            times_h=tuple(times),
            model=model,
            kidney=kidney,
            crcl_distribution=_population_crcl(run.crcl_range),
            settings=settings,
            windows=dialysis_windows(sessions, settings),
            output=PLASMA_NG_PER_ML,
            thresholds=tuple(b.lower_ng_per_ml for b in plasma_bands(bands or None)[1:]),
            metrics_window=exp.metrics_window_h,
        )
        summary = (runner or in_process_runner)(problem, progress)
    ctx = _exposure_context(exp, model, len(sessions), run.reasons, summary, run.mismatches, run.oral_dose_mg)
    findings = sort_findings([*evaluate_exposure(ctx), *run.extra_findings])
    return SimulationResult(run.kind, run.request, exp, findings, summary, run.extra or {})


def simulate_oral(
    command: SimulateOral, *, runner: PopulationRunner | None = None, progress: ProgressCallback | None = None
) -> SimulationResult:
    """Simulate ``doses`` oral doses of ``dose_mg`` every ``interval_h`` hours (a :class:`SimulateOral`);
    a population runs on ``runner`` (in this process by default), reporting to ``progress(done, total)``.

    AUC is 0-infinity for one dose, else over the last dosing interval; with several doses the steady
    state of the repeated interval is reported too (not with dialysis sessions).
    """
    c = command
    doses, hours, seed, crcl_range = c.doses, c.hours, c.seed, c.crcl_range
    dose = require_finite_number(c.dose_mg, "dose_mg", strictly_positive=True, maximum=10000.0)
    interval = require_finite_number(c.interval_h, "interval_h", strictly_positive=True, maximum=24.0 * 7)
    if isinstance(doses, bool) or not isinstance(doses, int) or not 1 <= doses <= MAX_DOSES:
        raise InvalidInputError("doses", f"a whole number 1..{MAX_DOSES}", doses)
    oral_model = c.model
    conditions = parse_name_list(c.conditions, "conditions")
    kidney = kidney_input(c.crcl_ml_min, c.dialysis)
    sessions = dialysis_sessions(c.hd_sessions, c.dialysis)
    model_settings, bands = split_settings(c.settings)
    n_pop = _check_population_args(c.population, seed, in_process=runner is None)
    if crcl_range is not None and not n_pop:
        raise InvalidInputError("crcl_range", "given only with a population", crcl_range)
    step = require_finite_number(c.step_h, "step_h", strictly_positive=True, maximum=24.0)
    from baclofen.domain.pk.parameters import oral_parameters

    half_life = oral_parameters(oral_model, kidney, model_settings).half_life_h
    last = (doses - 1) * interval
    if hours is None:
        horizon = max(24.0, math.ceil(5 * half_life)) if doses == 1 else last + interval
        horizon = max(horizon, max((s.start_h + s.duration_h for s in sessions), default=0.0))
    else:
        horizon = require_finite_number(hours, "hours", strictly_positive=True, maximum=MAX_HOURS)
        if doses > 1 and horizon < last + interval:
            raise InvalidInputError(
                "hours",
                f">= {last + interval:g} h for {doses} doses every {interval:g} h (the last dose + one interval)",
                horizon,
            )
    dose_list = repeated_oral_doses(dose, interval, doses)
    window = None if doses == 1 else (min(last, horizon - step), min(last + interval, horizon))
    extra_times = [last, last + interval] + [t for s in sessions for t in (s.start_h, s.start_h + s.duration_h)]
    times = time_grid(horizon, step, extra_times)
    request = {
        "dose_mg": dose,
        "interval_h": interval,
        "doses": doses,
        "crcl_ml_min": kidney.crcl_ml_min,
        "dialysis": kidney.dialysis,
        "hd_sessions": [[s.start_h, s.duration_h] for s in sessions],
        "model": oral_model.value,
        "hours": horizon,
        "step_h": step,
        "conditions": list(conditions),
        "population": n_pop or None,
        "seed": (seed or 0) if n_pop else None,
        "crcl_range": list(crcl_range) if crcl_range else None,
        "settings": dict(c.settings),
    }
    run = _OralRun(
        dose_list,
        kind="oral",
        request=request,
        times=times,
        model=oral_model,
        kidney=kidney,
        settings=model_settings,
        bands=bands,
        sessions=sessions,
        window=window,
        single=doses == 1,
        steady=(interval, [oral_dose(0.0, dose)]) if doses > 1 else None,
        reasons=renal_reasons(conditions),
        population=n_pop,
        seed=seed,
        crcl_range=crcl_range,
        oral_dose_mg=dose,
    )
    return _oral_run(run, runner, progress)


def itb_plausibility_findings(daily_dose_mcg: float, bolus_mcg: float) -> tuple[Finding, ...]:
    """The intrathecal plausibility checks that ``check dose`` and ``pump program`` run (ITB-DOSE-001/002 above
    1000 / 2003 mcg/day, ITB-LIMIT-001 below the lowest dose or 1000x off), on a simulated daily dose, and the
    bolus range check (ITB-LIMIT-004 without the screening ladder); the limits live in ``itb.limits``."""
    findings: list[Finding] = []
    if daily_dose_mcg > 0:
        findings += check_daily_dose(daily_dose_mcg, label="simulated daily dose", refuse_implausible=False)
    if bolus_mcg > 0:
        findings += check_screening_dose(bolus_mcg, label="bolus", ladder=False)
    return sort_findings(findings)


def simulate_intrathecal(command: SimulateIntrathecal) -> SimulationResult:
    """Lumbar CSF, effect-site and plasma exposure on continuous intrathecal baclofen (and a bolus)."""
    c = command
    from_steady_state, dialysis, settings = c.from_steady_state, c.dialysis, c.settings
    daily = require_finite_number(c.daily_dose_mcg, "daily_dose_mcg", minimum=0.0, maximum=20000.0)
    bolus = require_finite_number(c.bolus_mcg, "bolus_mcg", minimum=0.0, maximum=5000.0)
    if daily == 0 and bolus == 0:
        raise InvalidInputError("daily_dose_mcg", "> 0 (or a bolus)", daily)
    horizon = require_finite_number(c.hours, "hours", strictly_positive=True, maximum=MAX_HOURS)
    step = require_finite_number(c.step_h, "step_h", strictly_positive=True, maximum=24.0)
    kidney = kidney_input(c.crcl_ml_min, dialysis)
    values = SettingValues((*SIMULATION_SETTINGS, *INTRATHECAL_SETTINGS), settings, field="setting")
    model_settings, _ = _model_and_bands(values)
    parameters = IntrathecalParameters(
        csf_clearance_ml_per_h=float(values.get(CSF_CLEARANCE_ML_PER_H)),
        csf_half_life_h=float(values.get(CSF_HALF_LIFE_H)),
        ke0_per_h=float(values.get(KE0_PER_H)),
    )
    ratio = float(values.get(CISTERNAL_TO_LUMBAR_RATIO))
    exp = simulate_intrathecal_exposure(
        daily,
        bolus_mcg=bolus,
        hours=horizon,
        step_h=step,
        from_steady_state=from_steady_state,
        parameters=parameters,
        kidney=kidney,
        settings=model_settings,
        cisternal_to_lumbar_ratio=ratio,
    )
    findings = sort_findings(
        [
            *evaluate_exposure(ExposureContext(route="intrathecal", kidney_given=True, intrathecal=parameters)),
            *itb_plausibility_findings(daily, bolus),
        ]
    )
    request = {
        "daily_dose_mcg": daily,
        "bolus_mcg": bolus,
        "hours": horizon,
        "step_h": step,
        "from_steady_state": from_steady_state,
        "crcl_ml_min": kidney.crcl_ml_min,
        "dialysis": dialysis,
        "settings": dict(settings),
    }
    return SimulationResult("intrathecal", request, exp, findings)


@dataclass(frozen=True)
class PlanDoses:
    """A plan's doses as engine doses (h after ``start`` 00:00)."""

    start: date
    end: date
    doses: tuple[DoseInput, ...]
    n_steps: int
    continues: bool = False
    last_step_doses: tuple[tuple[float, float], ...] = ()
    """``continues``: the last step goes on after ``end`` (``"continues": true`` in the plan: a titration's
    target dose, a taper's final stop); ``last_step_doses`` its (clock hour, mg) doses of one day."""

    def continued_doses(self, until_h: float) -> tuple[DoseInput, ...]:
        """The last step's doses on each day after ``end`` up to ``until_h`` (h after ``start`` 00:00)."""
        if not self.continues:
            return ()
        out = []
        day = (self.end - self.start).days + 1
        while day * 24.0 <= until_h:
            for hour, dose in self.last_step_doses:
                if dose > 0 and day * 24.0 + hour <= until_h:
                    out.append(oral_dose(day * 24.0 + hour, dose))
            day += 1
        return tuple(out)


def _clock_hour(moment: time) -> float:
    return moment.hour + moment.minute / 60.0


def plan_doses(plan: Plan) -> PlanDoses:
    """The doses of :meth:`Plan.to_regimen` as engine doses, in hours after the plan's first day at 00:00 (clock
    time, so every day has 24 h); a plan of at most a year and of at most ``10 * MAX_DOSES`` doses."""
    days = (plan.end - plan.start).days + 1
    if days * 24 > MAX_HOURS:
        raise InvalidInputError("steps", f"a plan of at most {int(MAX_HOURS // 24)} days", days)
    events = plan.to_regimen(UTC).events
    if len(events) > MAX_DOSES * 10:
        raise InvalidInputError("steps", f"at most {MAX_DOSES * 10} doses in all", len(events))
    doses = tuple(
        DoseInput(
            (e.time.date() - plan.start).days * 24.0 + _clock_hour(e.time.time()), Route.ORAL, e.amount.in_(Unit.MCG)
        )
        for e in events
    )
    last = plan.steps[-1]
    return PlanDoses(
        plan.start,
        plan.end,
        doses,
        len(plan.steps),
        last.continues,
        tuple((_clock_hour(d.time), d.dose_mg) for d in last.doses),
    )


def read_plan(document: Plan | Mapping[str, Any]) -> Plan:
    """A plan, or one read from its ``baclofen-plan/1`` document by :meth:`Plan.from_dict`, with its dates and
    doses within what a simulation takes (dates in :data:`baclofen.domain.dates.PLAN_DATE_RANGE`, doses up to
    10,000 mg)."""
    plan = document if isinstance(document, Plan) else Plan.from_dict(document)
    check_date_range(plan.start, "steps[0].start")
    check_date_range(plan.end, f"steps[{len(plan.steps) - 1}].end")
    for i, step in enumerate(plan.steps):
        for j, dose in enumerate(step.doses):
            require_finite_number(dose.dose_mg, f"steps[{i}].doses[{j}].dose_mg", maximum=MAX_DOSE_MG)
    return plan


def _plan_kidney(patient: PatientSnapshot) -> KidneyInput | None:
    """The plan patient's kidney function, when the plan has one."""
    kidney = patient.kidney
    if kidney.crcl_ml_min is not None:
        return KidneyInput(kidney.crcl_ml_min, kidney.dialysis)
    if kidney.dialysis:
        return KidneyInput(None, True)
    return None


def simulate_plan(
    command: SimulatePlan, *, runner: PopulationRunner | None = None, progress: ProgressCallback | None = None
) -> SimulationResult:
    """Exposure over a titration or taper plan (a :class:`SimulatePlan`: the plan, read at the edge from its
    ``baclofen-plan/1`` document, the JSON of ``baclofen plan titrate/taper --json``); its doses are those of
    :meth:`Plan.to_regimen`. A step whose stated ``daily_dose_mg`` differs from its doses (an edited file) is
    flagged (PK-PLAN-001), the doses simulated. Errors inside the plan name its path (``plan.steps[0].start``).

    Kidney function: the arguments win; else the plan's patient kidney function if it has one; else
    none (reported as such, with a warning when the plan describes the patient as renal).
    """
    c = command
    crcl_ml_min, dialysis, seed, crcl_range = c.crcl_ml_min, c.dialysis, c.seed, c.crcl_range
    conditions = parse_name_list(c.conditions, "conditions")
    with within("plan"):
        read = read_plan(c.plan)
        parsed = plan_doses(read)
        if not parsed.doses:
            raise InvalidInputError("steps", "at least one dose > 0 mg", 0)
    mismatches = daily_dose_mismatches(read, c.stated_daily_doses_mg)
    oral_model = c.model
    plan_kidney = _plan_kidney(read.patient)
    plan_conditions = tuple(sorted(read.patient.conditions))
    conflict: tuple[Finding, ...] = ()
    if crcl_ml_min is not None or dialysis:
        kidney, kidney_source = kidney_input(crcl_ml_min, dialysis), "arguments"
        if plan_kidney is not None:
            conflict = check_kidney_conflict(
                KidneyConflict(plan_kidney.crcl_ml_min, plan_kidney.dialysis, kidney.crcl_ml_min, kidney.dialysis)
            )
    elif plan_kidney is not None:
        kidney, kidney_source = plan_kidney, "plan patient"
    else:
        kidney, kidney_source = KidneyInput(), "not given"
    sessions = dialysis_sessions(c.hd_sessions, kidney.dialysis)
    model_settings, bands = split_settings(c.settings)
    n_pop = _check_population_args(c.population, seed, in_process=runner is None)
    if crcl_range is not None and not n_pop:
        raise InvalidInputError("crcl_range", "given only with a population", crcl_range)
    washout = require_finite_number(c.washout_h, "washout_h", minimum=0.0, maximum=24.0 * 60)
    step = require_finite_number(c.step_h, "step_h", strictly_positive=True, maximum=24.0)
    days = (parsed.end - parsed.start).days + 1
    horizon = days * 24.0 + washout
    last_day = ((days - 1) * 24.0, days * 24.0)
    times = time_grid(horizon, step, [*last_day])
    # A last step that continues (a titration's target dose) goes on after the plan's end: keep its doses
    # through the simulated hours instead of showing a washout the patient will not have.
    all_doses = parsed.doses + parsed.continued_doses(horizon)
    continuing = [oral_dose(h, d) for h, d in parsed.last_step_doses if d > 0] if parsed.continues else []
    plan_findings = findings_to_dicts(read.findings)
    reasons = renal_reasons([*conditions, *plan_conditions], plan_findings)
    request = {
        "plan_start": parsed.start.isoformat(),
        "plan_end": parsed.end.isoformat(),
        "steps": parsed.n_steps,
        "doses": len(all_doses),
        "last_step_continues": bool(continuing),
        "crcl_ml_min": kidney.crcl_ml_min,
        "dialysis": kidney.dialysis,
        "kidney_source": kidney_source,
        "hd_sessions": [[s.start_h, s.duration_h] for s in sessions],
        "model": oral_model.value,
        "washout_h": washout,
        "step_h": step,
        "population": n_pop or None,
        "seed": (seed or 0) if n_pop else None,
        "settings": dict(c.settings),
    }
    extra = {
        "plan_findings": plan_findings,
        "time_origin": datetime.combine(parsed.start, datetime.min.time()).isoformat(),
        "plan_offerable": read.offerable,
    }
    run = _OralRun(
        all_doses,
        kind="regimen",
        request=request,
        times=times,
        model=oral_model,
        kidney=kidney,
        settings=model_settings,
        bands=bands,
        sessions=sessions,
        window=last_day,
        single=False,
        steady=(24.0, continuing) if continuing else None,
        reasons=reasons,
        population=n_pop,
        seed=seed,
        crcl_range=crcl_range,
        daily=True,
        mismatches=mismatches,
        extra_findings=conflict,
        extra=extra,
    )
    return _oral_run(run, runner, progress)
