"""RISK-PROGRAM-*: the intrathecal program history: recent increases (a re-introduction after an interruption
included), decreases and concentration changes, a stopped pump or a near-stop rate, a program above the highest
reported dose and a cut larger than ``cds.risk.itb_max_cut_percent``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from baclofen.domain.cds.risk.context import EPS, RiskContext, RiskLevel, risk_finding
from baclofen.domain.cds.risk.settings import ITB_MAX_CUT_PERCENT, LOOKBACK_DAYS
from baclofen.domain.cds.timeline import PumpRecord
from baclofen.domain.itb.dosing import HIGHEST_REPORTED_DAILY_DOSE
from baclofen.domain.itb.limits import LOWEST_DAILY_DOSE_MCG, check_daily_dose_range
from baclofen.domain.rules.core import Finding, Rule, Severity
from baclofen.domain.signs import ITB_OVERDOSE, ITB_WITHDRAWAL


@dataclass(frozen=True, slots=True)
class ProgramStep:
    """One entry of the pump's program history: from ``time`` on the pump runs ``daily_dose_mcg`` (0: stopped)."""

    time: datetime
    kind: str  # "refill" or "change"
    daily_dose_mcg: float
    concentration_mcg_per_ml: float | None  # at a refill


def program_steps(pump: PumpRecord | None) -> list[ProgramStep]:
    """Every refill and program change of ``pump`` as a program step, oldest first (a refill before a change
    at the same time)."""
    if pump is None:
        return []
    steps = [ProgramStep(v.time, "refill", v.program.daily_dose_mcg, v.concentration_mcg_per_ml) for v in pump.refills]
    steps += [ProgramStep(c.time, "change", c.daily_dose_mcg, None) for c in pump.program_changes]
    return sorted(steps, key=lambda st: (st.time, st.kind == "change"))


def _program_history(ctx: RiskContext) -> list[tuple[datetime, float, float, str]]:
    """(time, daily dose before, after, kind) for refills and program changes, oldest first."""
    out = []
    dose: float | None = None
    conc: float | None = None
    for step in program_steps(ctx.timeline.pump):
        if step.concentration_mcg_per_ml is not None:
            if conc is not None and abs(step.concentration_mcg_per_ml - conc) > EPS:
                out.append((step.time, conc, step.concentration_mcg_per_ml, "concentration"))
            conc = step.concentration_mcg_per_ml
        if dose is not None and abs(step.daily_dose_mcg - dose) > EPS:
            out.append((step.time, dose, step.daily_dose_mcg, "dose"))
        dose = step.daily_dose_mcg
    return out


@dataclass(frozen=True, slots=True)
class ItbCut:
    """A recent lowering of the intrathecal daily dose (a stop or restart included), measured from ``reference``:
    the highest daily dose programmed within the look-back window before it."""

    time: datetime
    kind: str
    before_mcg_per_day: float
    after_mcg_per_day: float
    reference_mcg_per_day: float
    percent: float
    beyond: bool  # larger than cds.risk.itb_max_cut_percent


def _itb_cuts(ctx: RiskContext) -> list[ItbCut]:
    steps = program_steps(ctx.timeline.pump)
    lookback = timedelta(days=float(ctx.value(LOOKBACK_DAYS)))
    limit = float(ctx.value(ITB_MAX_CUT_PERCENT))
    out = []
    for i in range(1, len(steps)):
        step, before, after = steps[i], steps[i - 1].daily_dose_mcg, steps[i].daily_dose_mcg
        if not ctx.recent(step.time) or abs(after - before) <= EPS or (before > EPS and after > before):
            continue  # old, no change, or an increase (a restart after a stop is judged against the dose before it)
        # Highest dose of every step still running within the look-back window before this change, so that
        # several small cuts in a row add up (step j runs until step j + 1 starts).
        reference = max(steps[j].daily_dose_mcg for j in range(i) if steps[j + 1].time > step.time - lookback)
        if after >= reference - EPS:
            continue
        percent = (reference - after) * 100.0 / reference
        out.append(ItbCut(step.time, step.kind, before, after, reference, percent, percent > limit + 1e-9))
    return out


def _recent_changes(ctx: RiskContext, kind: str) -> list[tuple[datetime, float, float]]:
    return [
        (w, b, a)
        for w, b, a, k in _program_history(ctx)
        if k == kind and ctx.recent(w) and b is not None and a is not None
    ]


@dataclass(frozen=True, slots=True)
class NearStop:
    """The program in effect at ``as_of`` when it delivers less than the lowest plausible daily dose."""

    rate_mcg_per_day: float
    since: datetime
    kind: str
    previous_mcg_per_day: float | None  # the dose before the near-stop run; None: no earlier dose on record
    lowest_mcg_per_day: float
    likely_intended_mcg_per_day: float | None  # the rate read in mg/day, when that lands in the plausible range


def near_stop(ctx: RiskContext) -> NearStop | None:
    """A rate in effect below ``itb.limits.lowest_daily_dose_mcg`` (above 0: an exact 0 is a stop), with the run
    of near-stop steps it ends and the dose before them. A 1000x slip is recognised by the ITB plausibility check
    (ITB-LIMIT-001, :func:`baclofen.domain.itb.limits.check_daily_dose_range`)."""
    steps = [s for s in program_steps(ctx.timeline.pump) if s.time <= ctx.as_of]
    low = float(ctx.value(LOWEST_DAILY_DOSE_MCG))
    if not steps or not EPS < steps[-1].daily_dose_mcg < low - EPS:
        return None
    first = len(steps) - 1
    while first > 0 and EPS < steps[first - 1].daily_dose_mcg < low - EPS:
        first -= 1
    rate = steps[-1].daily_dose_mcg
    slips = check_daily_dose_range(rate, lowest_mcg_per_day=low)
    meant = next((f.data["likely_intended"] for f in slips if f.data.get("likely_unit_confusion")), None)
    previous = steps[first - 1].daily_dose_mcg if first > 0 else None
    return NearStop(rate, steps[first].time, steps[first].kind, previous, low, meant)


def _near_stop_finding(ns: NearStop) -> Finding:
    day = ns.since.date().isoformat()
    what = "refill" if ns.kind == "refill" else "program change"
    slip = (
        f"; or a mg/mcg slip ({ns.rate_mcg_per_day:g} mg/day = {ns.likely_intended_mcg_per_day:g} mcg/day)"
        if ns.likely_intended_mcg_per_day is not None
        else ""
    )
    if ns.previous_mcg_per_day is None:
        message = (
            f"First recorded intrathecal program {ns.rate_mcg_per_day:g} mcg/day ({what} of {day}, in effect now) "
            f"is a near-stop, below the lowest plausible dose of {ns.lowest_mcg_per_day:g} mcg/day, with no earlier "
            f"dose on record: effectively no intrathecal baclofen is delivered{slip}"
        )
    else:
        message = (
            f"Intrathecal program {ns.rate_mcg_per_day:g} mcg/day in effect since {day} ({what}; before: "
            f"{ns.previous_mcg_per_day:g} mcg/day) is a near-stop, below the lowest plausible dose of "
            f"{ns.lowest_mcg_per_day:g} mcg/day: in effect the pump is stopped{slip}"
        )
    return risk_finding(
        PROGRAM_STOPPED,
        RiskLevel.HIGH,
        message,
        f"Reported adult intrathecal maintenance doses range {ns.lowest_mcg_per_day:g}-"
        f"{HIGHEST_REPORTED_DAILY_DOSE.default:g} mcg/day [HarrietLane24] ({LOWEST_DAILY_DOSE_MCG.name}); a rate "
        "below that delivers practically no baclofen, so it is judged like a stopped pump however long ago it was "
        "programmed. Abrupt discontinuation of intrathecal baclofen, regardless of the cause, has caused high fever, "
        "altered mental status, rebound spasticity and rigidity, rarely progressing to death [S118]. A rate 1000 "
        "times below a plausible dose is a likely mg/mcg confusion (ITB-LIMIT-001).",
        {
            "near_stop": True,
            "daily_dose_mcg": ns.rate_mcg_per_day,
            "since": ns.since,
            "kind": ns.kind,
            "previous_mcg_per_day": ns.previous_mcg_per_day,
            "lowest_plausible_mcg_per_day": ns.lowest_mcg_per_day,
            "likely_unit_confusion": ns.likely_intended_mcg_per_day is not None,
            "likely_intended_mcg_per_day": ns.likely_intended_mcg_per_day,
        },
        ITB_WITHDRAWAL,
        "Check the program and its unit now. Unless this is a planned, supervised stop, restore the intended "
        "intrathecal dose today; bridge with oral baclofen only as advised; watch for withdrawal.",
    )


def _check_program_stopped(ctx: RiskContext) -> Finding | None:
    p = ctx.pump
    if p is None:
        return None
    if p.stopped_at is None:
        ns = near_stop(ctx)
        return None if ns is None else _near_stop_finding(ns)
    return risk_finding(
        PROGRAM_STOPPED,
        RiskLevel.HIGH,
        f"Pump stopped since {p.stopped_at.isoformat()}",
        "Abrupt discontinuation of intrathecal baclofen, regardless of the cause, has caused high fever, "
        "altered mental status, rebound spasticity and rigidity, rarely progressing to death.",
        {"stopped_at": p.stopped_at},
        ITB_WITHDRAWAL,
        "Unless this is a planned, supervised stop: restore intrathecal delivery; bridge with oral baclofen only "
        "as advised; watch for withdrawal.",
    )


def _check_concentration_change(ctx: RiskContext) -> list[Finding]:
    return [
        risk_finding(
            PROGRAM_CONCENTRATION,
            RiskLevel.MODERATE,
            f"Concentration changed {before:g} -> {after:g} mcg/mL on {when.date().isoformat()}",
            "After a concentration change the old solution in the tubing and catheter is delivered at the new rate "
            "until it clears, and priming-bolus mixing can cause overdose, underdose or withdrawal.",
            {"time": when, "before": before, "after": after},
            ITB_OVERDOSE,
            "Watch for overdose and withdrawal signs until the old solution has cleared.",
        )
        for when, before, after in _recent_changes(ctx, "concentration")
    ]


def _check_dose_increase(ctx: RiskContext) -> list[Finding]:
    """Every recent increase; one from a stop (0) or a near-stop (below ``itb.limits.lowest_daily_dose_mcg``) is a
    re-introduction after an interruption: vigilance [S30] and the restart advice of the consensus [S42]."""
    low = float(ctx.value(LOWEST_DAILY_DOSE_MCG))
    out = []
    for when, before, after in _recent_changes(ctx, "dose"):
        if after <= before:
            continue
        day = when.date().isoformat()
        data = {"time": when, "before": before, "after": after, "reintroduction": before < low - EPS}
        if before >= low - EPS:
            out.append(
                risk_finding(
                    PROGRAM_UP,
                    RiskLevel.MODERATE,
                    f"Daily dose increased {before:g} -> {after:g} mcg/day on {day}",
                    "Be especially vigilant for overdose during dose titration and re-introduction.",
                    data,
                    ITB_OVERDOSE,
                    "Watch for drowsiness, breathing problems and hypotonia.",
                )
            )
            continue
        out.append(
            risk_finding(
                PROGRAM_UP,
                RiskLevel.MODERATE,
                f"Re-introduction after an interruption: intrathecal delivery restarted {before:g} -> {after:g} "
                f"mcg/day on {day}",
                f"A restart from {'a stop' if before <= EPS else 'a near-stop rate'} (below the lowest plausible "
                f"dose, {LOWEST_DAILY_DOSE_MCG.name} = {low:g} mcg/day). The label asks for special vigilance for "
                "overdose during re-introduction after an interruption [S30]; the troubleshooting consensus says the "
                "previous dosing schedule can be used in withdrawal of short duration, and oral baclofen 10-20 mg "
                "every six hours in longer-duration withdrawal [S42].",
                data,
                ITB_OVERDOSE,
                "Confirm the cause of the interruption is fixed. After a short interruption the previous schedule can "
                "be used (S42); after a longer one the clinician decides the restart dose rather than restoring the "
                "old dose unseen. Monitor closely after the restart for drowsiness, breathing problems and hypotonia "
                "(S30), and for withdrawal signs until delivery is confirmed.",
                evidence=("S42",),
            )
        )
    return out


def _check_dose_decrease(ctx: RiskContext) -> list[Finding]:
    limit = float(ctx.value(ITB_MAX_CUT_PERCENT))
    return [
        risk_finding(
            PROGRAM_DOWN,
            RiskLevel.LOW,
            f"Daily dose decreased {c.before_mcg_per_day:g} -> {c.after_mcg_per_day:g} mcg/day on "
            f"{c.time.date().isoformat()}",
            f"Reductions may bring back spasticity; withdrawal signs need review. The cut, {c.percent:.4g} %, is "
            f"within the refill-visit decrease step ({ITB_MAX_CUT_PERCENT.name} = {limit:g} %).",
            {
                "time": c.time,
                "before": c.before_mcg_per_day,
                "after": c.after_mcg_per_day,
                "cut_percent": round(c.percent, 6),
            },
            ITB_WITHDRAWAL,
            "Watch for return of spasticity and withdrawal signs.",
        )
        for c in _itb_cuts(ctx)
        if not c.beyond and 0 < c.after_mcg_per_day < c.before_mcg_per_day
    ]


def _cut_action(cut: ItbCut, limit: float) -> str:
    steps = f"lower it in steps of at most {limit:g} % and see the patient within 24-72 h."
    if cut.reference_mcg_per_day > float(HIGHEST_REPORTED_DAILY_DOSE.default):
        return (
            f"Do not restore {cut.reference_mcg_per_day:g} mcg/day: it is above the highest reported dose "
            f"(RISK-PROGRAM-005). Check the program now and, with the clinician, choose a dose the patient is safe "
            f"on; {steps} Watch for withdrawal and overdose signs."
        )
    return (
        "Check the program now: if the cut was not intended (a programming or concentration slip), restore the "
        f"previous dose today; if it was, {steps} Brief the patient on withdrawal signs."
    )


def _check_large_cut(ctx: RiskContext) -> list[Finding]:
    p = ctx.pump
    limit = float(ctx.value(ITB_MAX_CUT_PERCENT))
    out = []
    for c in _itb_cuts(ctx):
        if not c.beyond:
            continue
        stop = c.after_mcg_per_day <= EPS
        if stop and p is not None and p.stopped_at == c.time:
            continue  # the pump is stopped now: RISK-PROGRAM-004
        day = c.time.date().isoformat()
        what = "refill" if c.kind == "refill" else "program change"
        if stop:
            message = f"Intrathecal delivery was stopped on {day} from {c.reference_mcg_per_day:g} mcg/day"
        else:
            message = (
                f"Intrathecal daily dose cut by {c.percent:.4g} % on {day} ({what}): "
                f"{c.reference_mcg_per_day:g} -> {c.after_mcg_per_day:g} mcg/day"
            )
        out.append(
            risk_finding(
                PROGRAM_CUT,
                RiskLevel.HIGH,
                message + " - risk of withdrawal",
                f"The label lowers the intrathecal dose at a refill visit by 10-20 % [S2] [S3]; this cut of "
                f"{c.percent:.4g} % from the highest dose of the last {int(ctx.value(LOOKBACK_DAYS))} days is "
                f"larger ({ITB_MAX_CUT_PERCENT.name} = {limit:g} %, ASSUMPTION), so it is treated like the abrupt "
                "discontinuation of the boxed warning: high fever, altered mental status, exaggerated rebound "
                "spasticity and muscle rigidity, rarely rhabdomyolysis, multiple organ-system failure and death "
                "[S118]. A tiny rate is a stop in all but name.",
                {
                    "time": c.time,
                    "kind": c.kind,
                    "before": c.before_mcg_per_day,
                    "after": c.after_mcg_per_day,
                    "from_mcg_per_day": c.reference_mcg_per_day,
                    "cut_percent": round(c.percent, 6),
                    "max_cut_percent": limit,
                },
                ITB_WITHDRAWAL,
                _cut_action(c, limit),
            )
        )
    return out


def _check_itb_above_highest(ctx: RiskContext) -> list[Finding]:
    steps = program_steps(ctx.timeline.pump)
    since = ctx.as_of - timedelta(days=float(ctx.value(LOOKBACK_DAYS)))
    highest = float(ctx.value(HIGHEST_REPORTED_DAILY_DOSE))
    out = []
    for i, step in enumerate(steps):
        until = steps[i + 1].time if i + 1 < len(steps) else ctx.as_of
        if step.daily_dose_mcg <= highest or until < since:
            continue
        what = "refill" if step.kind == "refill" else "program change"
        when = "in effect now" if i + 1 == len(steps) else f"until {until.isoformat()}"
        out.append(
            risk_finding(
                PROGRAM_ABOVE_HIGHEST,
                RiskLevel.HIGH,
                f"Intrathecal program {step.daily_dose_mcg:g} mcg/day ({what} of {step.time.date().isoformat()}, "
                f"{when}) is above the highest reported adult maintenance dose, "
                f"{highest:g} mcg/day - risk of overdose",
                "Reported adult maintenance doses range 12-2003 mcg/day [HarrietLane24] "
                f"({HIGHEST_REPORTED_DAILY_DOSE.name} = {highest:g}); overdose events occurred "
                "at 800, 1920 and 2400 mcg/24 h [S46]. A dose above the range is more likely a programming, unit "
                "or concentration slip than a plan (ITB-DOSE-002 blocks it when programming).",
                {
                    "time": step.time,
                    "kind": step.kind,
                    "daily_dose_mcg": step.daily_dose_mcg,
                    "until": until,
                    "highest_reported_mcg_per_day": highest,
                },
                ITB_OVERDOSE,
                "Check the program and the concentration now and reprogram to the intended dose (lower it in steps, "
                "not to zero, if the patient has been on it). " + ITB_OVERDOSE.action,
            )
        )
    return out


PROGRAM_STOPPED: Rule[RiskContext] = Rule(
    "RISK-PROGRAM-004",
    "Pump stopped, or at a near-stop rate below the lowest plausible dose",
    Severity.WARN,
    ("S118", "S69", "HarrietLane24"),
    _check_program_stopped,
)
PROGRAM_CONCENTRATION: Rule[RiskContext] = Rule(
    "RISK-PROGRAM-003", "Recent concentration change", Severity.WARN, ("S64",), _check_concentration_change
)
PROGRAM_UP: Rule[RiskContext] = Rule(
    "RISK-PROGRAM-001", "Recent dose increase", Severity.WARN, ("S30",), _check_dose_increase
)
PROGRAM_DOWN: Rule[RiskContext] = Rule(
    "RISK-PROGRAM-002", "Recent dose decrease", Severity.INFO, ("S2", "S118"), _check_dose_decrease
)
PROGRAM_ABOVE_HIGHEST: Rule[RiskContext] = Rule(
    "RISK-PROGRAM-005",
    "Intrathecal program above the highest reported dose (overdose)",
    Severity.BLOCK,  # one condition, one severity: ITB-DOSE-002
    ("HarrietLane24", "S46"),
    _check_itb_above_highest,
    settings=("itb.dose.highest_reported_mcg_per_day",),
    conditions=("itb.daily_dose.above_highest_reported",),
)
PROGRAM_CUT: Rule[RiskContext] = Rule(
    "RISK-PROGRAM-006",
    "Large intrathecal dose cut (withdrawal)",
    Severity.WARN,
    ("S2", "S3", "S118", "S37"),
    _check_large_cut,
)


#: The rules this module defines, for the rule catalogue (:mod:`baclofen.domain.rules.catalogue`).
DEFINED_RULES: tuple[Rule[Any], ...] = (
    PROGRAM_UP,
    PROGRAM_DOWN,
    PROGRAM_CONCENTRATION,
    PROGRAM_STOPPED,
    PROGRAM_ABOVE_HIGHEST,
    PROGRAM_CUT,
)
