"""RISK-ORAL-*: oral baclofen above the maximum daily dose, an abrupt or a planned stop without a taper, a single
reduction larger than the taper step, and missed doses."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from baclofen.domain.cds.risk.context import EPS, RiskContext, RiskLevel, risk_finding
from baclofen.domain.cds.risk.settings import LOOKBACK_DAYS, MISSED_DOSES_MODERATE
from baclofen.domain.cds.timeline import OralPrescription
from baclofen.domain.oral.limits import (
    MAX_DAILY_DOSE_UK,
    MAX_DAILY_DOSE_US,
    TAPER_MAX_STEP_MG_PER_DAY,
    TAPER_MIN_DAYS_TO_ZERO,
    in_hospital_ceiling_setting,
    locale_ceiling_setting,
)
from baclofen.domain.patient import Locale
from baclofen.domain.rules.core import Finding, Rule, Severity
from baclofen.domain.signs import ORAL_OVERDOSE, ORAL_WITHDRAWAL


def _oral_days(ctx: RiskContext) -> tuple[date, list[float]] | None:
    t = ctx.timeline
    if not t.oral:
        return None
    first = t.oral[0].start
    days = (ctx.today - first).days + 1
    return first, [t.oral_dose_on(first + timedelta(days=i)) for i in range(days)]


def _recent_oral_changes(ctx: RiskContext) -> list[tuple[date, int, list[float]]]:
    """(day, index, daily doses) for each day within the look-back window whose dose is below the day before."""
    series = _oral_days(ctx)
    if series is None:
        return []
    first, doses = series
    lookback = int(ctx.value(LOOKBACK_DAYS))
    out = []
    for i in range(1, len(doses)):
        day = first + timedelta(days=i)
        if (ctx.today - day).days <= lookback and doses[i] < doses[i - 1]:
            out.append((day, i, doses))
    return out


def _check_oral_stop(ctx: RiskContext) -> list[Finding]:
    min_days = int(ctx.value(TAPER_MIN_DAYS_TO_ZERO))
    max_step = float(ctx.value(TAPER_MAX_STEP_MG_PER_DAY))
    out: list[Finding] = []
    for day, i, doses in _recent_oral_changes(ctx):
        if doses[i] != 0:
            continue
        # Walk back over the non-increasing run that ended here; the taper began at its first reduction.
        j = i - 1
        while j > 0 and doses[j - 1] >= doses[j] and doses[j - 1] > 0:
            j -= 1
        peak = doses[j]
        k = j
        while k < i and doses[k] >= peak - EPS:
            k += 1
        taper_days = i - k
        last = doses[i - 1]
        # A last dose above the step setting went to zero in one step: abrupt, however long ago an earlier
        # reduction was (an old 80 -> 60 mg/day change must not make a 60 -> 0 stop look tapered).
        if taper_days >= min_days and last <= max_step + EPS:
            continue
        out.append(
            risk_finding(
                ORAL_STOP,
                RiskLevel.HIGH,
                f"Oral baclofen stopped on {day.isoformat()} from {last:g} mg/day after {taper_days} day(s) of "
                f"reduction from {peak:g} mg/day (minimum taper {min_days} days, last step at most "
                f"{max_step:g} mg/day)",
                "Abrupt discontinuation of baclofen, regardless of the cause, has caused hallucinations, "
                "seizures, high fever, confusion, rebound spasticity and rigidity; reduce the dose slowly (over "
                f"at least 1-2 weeks; {TAPER_MIN_DAYS_TO_ZERO.name} = {min_days}; "
                f"{TAPER_MAX_STEP_MG_PER_DAY.name} = {max_step:g} mg/day, UNCONFIRMED).",
                {
                    "stop_date": day,
                    "taper_days": taper_days,
                    "from_mg_per_day": peak,
                    "last_dose_mg_per_day": last,
                    "min_taper_days": min_days,
                },
                ORAL_WITHDRAWAL,
                "Contact the prescriber today about a supervised plan; do not restart a previous high dose "
                "alone; seizures, high fever or confusion need emergency care.",
            )
        )
    return out


def _check_oral_step(ctx: RiskContext) -> list[Finding]:
    max_step = float(ctx.value(TAPER_MAX_STEP_MG_PER_DAY))
    out: list[Finding] = []
    for day, i, doses in _recent_oral_changes(ctx):
        prev, cur = doses[i - 1], doses[i]
        if cur == 0 or prev - cur <= max_step + EPS:
            continue
        out.append(
            risk_finding(
                ORAL_STEP,
                RiskLevel.MODERATE,
                f"Oral baclofen reduced by {prev - cur:g} mg/day in one step on {day.isoformat()} "
                f"({prev:g} -> {cur:g})",
                f"The reduction is larger than the taper step setting ({TAPER_MAX_STEP_MG_PER_DAY.name} = "
                f"{max_step:g} mg/day; the step size is UNCONFIRMED in the sources): withdrawal signs may "
                "follow a fast reduction.",
                {"date": day, "from_mg_per_day": prev, "to_mg_per_day": cur},
                ORAL_WITHDRAWAL,
            )
        )
    return out


def _continues_without_increase(prev: OralPrescription, cur: OralPrescription) -> bool:
    """``cur`` starts the day after a non-zero ``prev`` ends, at no higher a dose (one run of a taper)."""
    return (
        prev.end is not None
        and prev.end + timedelta(days=1) == cur.start
        and prev.daily_dose_mg >= cur.daily_dose_mg
        and prev.daily_dose_mg > 0
    )


def _check_oral_planned_stop(ctx: RiskContext) -> list[Finding]:
    """Each future day on which the prescribed oral dose falls to zero (the last ``end`` or a gap)."""
    oral = ctx.timeline.oral
    today = ctx.today
    min_days = int(ctx.value(TAPER_MIN_DAYS_TO_ZERO))
    max_step = float(ctx.value(TAPER_MAX_STEP_MG_PER_DAY))
    out: list[Finding] = []
    for idx, p in enumerate(oral):
        if p.end is None or p.end >= date.max or p.daily_dose_mg <= EPS:
            continue
        stop = p.end + timedelta(days=1)
        if stop <= today:
            continue  # a past stop: RISK-ORAL-STOP-001
        nxt = oral[idx + 1] if idx + 1 < len(oral) else None
        if nxt is not None and nxt.start == stop and nxt.daily_dose_mg > EPS:
            continue  # the next prescription follows on: no stop here
        # Walk back over the contiguous non-increasing run that ends here; the taper began at its first reduction.
        q = idx
        while q > 0 and _continues_without_increase(oral[q - 1], oral[q]):
            q -= 1
        peak = oral[q].daily_dose_mg
        first_cut = next((r.start for r in oral[q : idx + 1] if r.daily_dose_mg < peak - EPS), None)
        taper_days = 0 if first_cut is None else (stop - first_cut).days
        # Planned (future) reductions larger than the step; past ones are RISK-ORAL-STEP-001's.
        planned_steps = [
            oral[r - 1].daily_dose_mg - oral[r].daily_dose_mg for r in range(q + 1, idx + 1) if oral[r].start > today
        ]
        largest = max(planned_steps, default=0.0)
        last = p.daily_dose_mg
        if last > max_step + EPS or taper_days < min_days:
            level = RiskLevel.HIGH
        elif largest > max_step + EPS:
            level = RiskLevel.MODERATE
        else:
            continue  # the end of a compliant taper
        how = "with no taper" if taper_days == 0 else f"after {taper_days} day(s) of reduction from {peak:g} mg/day"
        why = []
        if last > max_step + EPS:
            why.append(f"the last dose, {last:g} mg/day, is above the taper step {max_step:g} mg/day")
        if taper_days < min_days:
            why.append(f"the reduction lasts {taper_days} day(s), less than {min_days} days")
        if not why:
            why.append(f"one planned reduction is {largest:g} mg/day, above the taper step {max_step:g} mg/day")
        out.append(
            risk_finding(
                ORAL_PLANNED_STOP,
                level,
                f"Oral baclofen is planned to stop on {stop.isoformat()} (last dose {last:g} mg/day on "
                f"{p.end.isoformat()}) {how}: nothing lower is prescribed after it",
                f"The prescriptions end on {p.end.isoformat()} and nothing follows, so the dose falls from {last:g} "
                f"mg/day to 0 on {stop.isoformat()}: {'; '.join(why)}. Abrupt discontinuation of baclofen, "
                "regardless of the cause, has caused hallucinations, seizures, high fever, altered mental status, "
                "rebound spasticity and rigidity [S4]; reduce the dose gradually over about 1-2 weeks [S14] / at "
                f"least 1-2 weeks [S24] ({TAPER_MIN_DAYS_TO_ZERO.name} = {min_days}, sources DISAGREE; "
                f"{TAPER_MAX_STEP_MG_PER_DAY.name} = {max_step:g} mg/day, UNCONFIRMED).",
                {
                    "stop_date": stop,
                    "last_day": p.end,
                    "days_until_stop": (stop - today).days,
                    "last_dose_mg_per_day": last,
                    "from_mg_per_day": peak,
                    "taper_days": taper_days,
                    "largest_planned_step_mg_per_day": largest,
                    "min_taper_days": min_days,
                    "max_step_mg_per_day": max_step,
                },
                ORAL_WITHDRAWAL,
                f"Plan a taper before {stop.isoformat()} (`baclofen plan taper`) and prescribe its steps after "
                f"{p.end.isoformat()}, or confirm that an immediate stop is clinically justified (overdose, serious "
                "adverse reaction). Tell the patient the withdrawal signs and not to stop on their own.",
            )
        )
    return out


ORAL_PLANNED_STOP: Rule[RiskContext] = Rule(
    "RISK-ORAL-PLANNED-STOP-001",
    "Planned stop of oral baclofen without a taper",
    Severity.WARN,
    ("S4", "S14", "S24"),
    _check_oral_planned_stop,
)
ORAL_STOP: Rule[RiskContext] = Rule(
    "RISK-ORAL-STOP-001", "Abrupt stop of oral baclofen", Severity.WARN, ("S4", "S9", "S14", "S24"), _check_oral_stop
)
ORAL_STEP: Rule[RiskContext] = Rule(
    "RISK-ORAL-STEP-001",
    "Large single reduction of oral baclofen",
    Severity.WARN,
    ("S4", "S14", "S109"),
    _check_oral_step,
)


def _check_missed(ctx: RiskContext) -> list[Finding]:
    t = ctx.timeline
    count = sum(m.count for m in t.missed_doses if ctx.recent(m.time))
    count += sum(d.missed_doses for d in t.diary if ctx.recent(d.time))
    if count == 0:
        return []
    needed = int(ctx.value(MISSED_DOSES_MODERATE))
    level = RiskLevel.MODERATE if count >= needed else RiskLevel.LOW
    return [
        risk_finding(
            ORAL_MISSED,
            level,
            f"{count} missed oral dose(s) in the last {int(ctx.value(LOOKBACK_DAYS))} days",
            "Interrupting baclofen can cause withdrawal; missed doses are a partial interruption "
            f"({MISSED_DOSES_MODERATE.name} = {needed} for a moderate risk).",
            {"missed_doses": count},
            ORAL_WITHDRAWAL,
            "Take the next dose as prescribed (no double doses); contact the clinic if withdrawal signs appear.",
        )
    ]


ORAL_MISSED: Rule[RiskContext] = Rule(
    "RISK-ORAL-MISSED-001", "Missed oral doses", Severity.WARN, ("S4", "S9"), _check_missed
)


def oral_cap(ctx: RiskContext) -> tuple[float, float, str, dict[str, Any]]:
    """(outpatient maximum, in-hospital maximum, where the maximum comes from, data) for the timeline's locale."""
    locale = ctx.timeline.locale
    if locale is not None:
        setting = locale_ceiling_setting(locale)
        cap = float(ctx.value(setting))
        why = f"the {locale.value.upper()} maximum ({setting.name} = {cap:g} mg/day)"
        assumed = locale.value
    else:
        us, uk = float(ctx.value(MAX_DAILY_DOSE_US)), float(ctx.value(MAX_DAILY_DOSE_UK))
        cap = min(us, uk)
        assumed = "us" if us <= uk else "uk"
        why = (
            f"the timeline gives no locale (patient.locale), so the lower, conservative maximum applies: {cap:g} "
            f"mg/day ({MAX_DAILY_DOSE_US.name} = {us:g}, {MAX_DAILY_DOSE_UK.name} = {uk:g})"
        )
    hospital_setting = in_hospital_ceiling_setting(Locale(assumed))
    hospital = max(cap, float(ctx.value(hospital_setting)))
    data = {
        "in_hospital_setting": hospital_setting.name,
        "max_daily_dose_mg": cap,
        "locale": None if locale is None else locale.value,
        "locale_applied": assumed,
        "in_hospital_max_mg": hospital,
    }
    return cap, hospital, why, data


def _check_oral_max(ctx: RiskContext) -> list[Finding]:
    """Each prescription above the maximum that runs on or after the start of the look-back window."""
    cap, hospital, why, cap_data = oral_cap(ctx)
    since = ctx.today - timedelta(days=int(ctx.value(LOOKBACK_DAYS)))
    out = []
    for p in ctx.timeline.oral:
        if p.daily_dose_mg <= cap or (p.end is not None and p.end < since):
            continue
        period = f"from {p.start.isoformat()} " + ("(ongoing)" if p.end is None else f"to {p.end.isoformat()}")
        planned = " (planned)" if p.start > ctx.today else ""
        hospital_text = (
            f"Above the outpatient maximum baclofen is given only in hospital under careful supervision, up to the "
            f"in-hospital maximum of {hospital:g} mg/day ({cap_data['in_hospital_setting']}), with a recorded "
            "override."
            if p.daily_dose_mg <= hospital
            else f"It is also above the in-hospital maximum of {hospital:g} mg/day ({cap_data['in_hospital_setting']})."
        )
        out.append(
            risk_finding(
                ORAL_MAX,
                RiskLevel.HIGH,
                f"Oral baclofen {p.daily_dose_mg:g} mg/day {period}{planned} is above the maximum of {cap:g} mg/day "
                "- risk of overdose",
                f"Maximum oral dose: {why}; US/Canada 80 mg/day [S1] [S4], UK/Australia 100 mg/day [S24] [S27] "
                f"(DISAGREE, chosen by locale). {hospital_text}",
                {"start": p.start, "end": p.end, "daily_dose_mg": p.daily_dose_mg, **cap_data},
                ORAL_OVERDOSE,
                f"Review the prescription today: at most {cap:g} mg/day outside hospital. If the patient already takes "
                "it, lower it by a taper (`baclofen plan taper`), never by an abrupt stop; watch for drowsiness, "
                "confusion and breathing problems.",
            )
        )
    return out


ORAL_MAX: Rule[RiskContext] = Rule(
    "RISK-ORAL-MAX-001",
    "Oral baclofen above the maximum daily dose (overdose)",
    Severity.BLOCK,  # one condition, one severity: ORAL-MAX-001 and DOSE-BAC-ORAL-MAX-001
    ("S1", "S4", "S14", "S24", "S25", "S27", "NovartisCore"),
    _check_oral_max,
    settings=(
        "oral.max_daily_dose_mg.us",
        "oral.max_daily_dose_mg.uk",
        "oral.max_daily_dose_mg.in_hospital.us",
        "oral.max_daily_dose_mg.in_hospital.uk",
    ),
    conditions=("baclofen.oral.above_max_daily_dose",),
)


#: The rules this module defines, for the rule catalogue (:mod:`baclofen.domain.rules.catalogue`).
DEFINED_RULES: tuple[Rule[Any], ...] = (ORAL_MAX, ORAL_STOP, ORAL_PLANNED_STOP, ORAL_STEP, ORAL_MISSED)
