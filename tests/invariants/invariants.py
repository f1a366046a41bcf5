"""Global safety invariants on the CLI's JSON (issue 8), one small named function per invariant.

Each ``inv_*`` function takes the run's arguments (parsed by ``options``) and its JSON and returns a list of
problems (empty = holds), so that a test can report every broken invariant of one counterexample at once.

The limits below are the cited values of ``../shared/domain/clinical.md`` (keys in brackets); the suite
checks the product against them independently of the product's own settings, on purpose.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from tests.invariants.cli import CRASHED, Run

#: Oral baclofen maximum per locale: US/Canada 80, UK/Australia 100 mg/day [S1] [S4] [S14] [S24];
#: in hospital under supervision up to 120 mg/day with an override [NovartisCore] [S28].
ORAL_CAP_MG = {"us": 80.0, "uk": 100.0}
ORAL_IN_HOSPITAL_MG = 120.0
#: Intrathecal: adult maintenance reported 12-2003 mcg/day (clinical.md §4.3, Harriet Lane); confirmation
#: needed above 1000 mcg/day [S2] [S3] [S45] [S46].
ITB_MIN_REPORTED_MCG = 12.0
ITB_MAX_REPORTED_MCG = 2003.0
ITB_CONFIRM_MCG = 1000.0
#: Concentrations supplied: 50 (screening), 500, 1000, 2000 mcg/mL [S34] [S36] [S48] [S66].
ITB_CONC_MCG_ML = (50.0, 2000.0)
#: Screening boluses: 50 -> 75 -> 100 mcg (25 for patients relying on their spasticity) [S1] [S38].
SCREENING_DOSES_MCG = {25.0, 50.0, 75.0, 100.0}
#: Tizanidine maximum 36 mg/day [S72] [S73]; contraindicated with fluvoxamine or ciprofloxacin, avoid other
#: CYP1A2 inhibitors (oral contraceptives, amiodarone, verapamil, cimetidine, famotidine, aciclovir) [S72] [S74].
TIZANIDINE_MAX_MG = 36.0
TIZANIDINE_NAMES = {"tizanidine", "zanaflex"}
CYP1A2_CONTRAINDICATED = {"ciprofloxacin", "fluvoxamine"}
CYP1A2_AVOID = {"ethinylestradiol", "amiodarone", "verapamil", "cimetidine", "famotidine", "aciclovir"}
#: A cut of the ITB daily dose to less than this fraction of the previous one counts as large (withdrawal
#: risk) for the risk engine. The suite's choice (the oral transition's "at most -50 % at one time" [S40]).
LARGE_ITB_CUT_FRACTION = 0.5
#: The cited default taper step limit (setting taper.max_step_mg_per_day, UNCONFIRMED [S109] [S14]).
TAPER_DEFAULT_STEP_MG = 10.0
#: Adults only (product owner, issue 8): under 18 is a block that cannot be overridden.
ADULT_AGE = 18.0
EPS = 1e-6


# --- Reading the arguments and the JSON ----------------------------------------------------------------
def options(args: tuple[str, ...] | list[str]) -> dict[str, list[str]]:
    """``--name value`` pairs (flags map to ``["true"]``); repeated options keep every value."""
    out: dict[str, list[str]] = {}
    items = list(args)
    for i, a in enumerate(items):
        if not a.startswith("--"):
            continue
        value = items[i + 1] if i + 1 < len(items) and not items[i + 1].startswith("--") else "true"
        out.setdefault(a, []).append(value)
    return out


def opt_float(opts: dict[str, list[str]], name: str) -> float | None:
    return float(opts[name][-1]) if name in opts else None


def opt_date(opts: dict[str, list[str]], name: str) -> date | None:
    return date.fromisoformat(opts[name][-1][:10]) if name in opts else None


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from _walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v)


def findings(data: Any) -> list[dict[str, Any]]:
    """Every finding anywhere in the JSON (top level, nested plans, reconciliation, refill ...)."""
    out = []
    for node in _walk(data):
        for f in node.get("findings") or []:
            if isinstance(f, dict) and "severity" in f:
                out.append(f)
    return out


def valid_override(o: dict[str, Any] | None) -> bool:
    """A recorded override names a clinician and gives a real reason (issue 8 defect 12)."""
    if not o:
        return False
    return bool(str(o.get("clinician") or "").strip()) and len(str(o.get("reason") or "").strip()) >= 5


def alarmed(data: Any) -> bool:
    """A warn or block is shown (an overridden block still counts: it was shown and recorded)."""
    return any(f["severity"] in ("warn", "block") for f in findings(data))


def blocked(data: Any) -> bool:
    return any(f["severity"] == "block" and not valid_override(f.get("override")) for f in findings(data))


def offered(data: dict[str, Any]) -> bool:
    """Offerable: the ``offerable`` flag where the command has one, else "no un-overridden block"."""
    return bool(data["offerable"]) if "offerable" in data else not blocked(data)


def overridden(data: dict[str, Any], prefix: str) -> bool:
    return any(f["rule_id"].startswith(prefix) and valid_override(f.get("override")) for f in findings(data))


def _d(text: str | None) -> date | None:
    return date.fromisoformat(text[:10]) if text else None


# --- 0. Every run ends cleanly ----------------------------------------------------------------------------
def inv_clean_exit(run: Run) -> list[str]:
    """Exit 0 with JSON on stdout, or exit 2 with one ``error:`` line for each invalid field (the input edge
    reports them all at once), each naming an option; never a traceback."""
    if run.exit_code == CRASHED or "Traceback" in run.stderr:
        return [f"traceback: {run.stderr.strip().splitlines()[-1] if run.stderr.strip() else ''}"]
    if run.exit_code == 0:
        try:
            run.json()
        except ValueError:
            return ["exit 0 without JSON on stdout"]
        return []
    if run.exit_code != 2:
        return [f"exit {run.exit_code}: {run.stderr.strip()}"]
    lines = run.stderr.splitlines(keepends=True) or [""]
    return [problem for line in lines for problem in inv_bad_input_line(replace(run, stderr=line), None)]


# --- 1. Limits: nothing offerable outside them without a block or a recorded override ---------------------
def inv_oral_cap(run: Run, data: dict[str, Any]) -> list[str]:
    """A titration never offers more than the locale cap (80 US, 100 UK) without a valid ORAL-MAX override,
    and never more than 120 mg/day; a taper from above the cap says so (warn/block)."""
    opts = options(run.args)
    cap = ORAL_CAP_MG[(opts.get("--locale") or ["us"])[-1]]
    problems = []
    if data.get("kind") == "titration" and offered(data):
        top = max([data.get("max_daily_dose_mg") or 0.0] + [t["daily_dose_mg"] for t in data.get("daily_totals", [])])
        if top > cap + EPS and not overridden(data, "ORAL-MAX"):
            problems.append(f"offerable titration reaches {top} mg/day above the {cap} cap without a valid override")
        if top > ORAL_IN_HOSPITAL_MG + EPS:
            problems.append(f"offerable titration reaches {top} mg/day above the in-hospital {ORAL_IN_HOSPITAL_MG}")
    if data.get("kind") == "taper":
        start = (data.get("parameters") or {}).get("from_mg_per_day") or 0.0
        if start > cap + EPS and not alarmed(data):
            problems.append(f"taper from {start} mg/day above the {cap} cap without a warn/block")
    return problems


def inv_check_dose_limits(run: Run, data: dict[str, Any]) -> list[str]:
    """``check dose``: baclofen above the cap, tizanidine above 36 mg/day, ITB above 2003 are blocks; ITB
    above 1000 or outside the reported 12-2003 mcg/day range is at least a warn."""
    opts = options(run.args)
    drug = data.get("drug", "")
    dose = data.get("daily_dose")
    if dose is None:
        return []
    sev = {f["severity"] for f in findings(data)}
    problems = []
    if drug == "baclofen" and data.get("unit") == "mg/day":
        cap = ORAL_CAP_MG[(opts.get("--locale") or ["us"])[-1]]
        if dose > cap + EPS and "block" not in sev:
            problems.append(f"oral baclofen {dose} mg/day above the {cap} cap is not a block")
    if drug == "tizanidine" and dose > TIZANIDINE_MAX_MG + EPS and "block" not in sev:
        problems.append(f"tizanidine {dose} mg/day above {TIZANIDINE_MAX_MG} is not a block")
    if drug == "baclofen-intrathecal":
        problems += _itb_dose_problems(dose, data, confirmed=False, what="check dose")
    return problems


def _itb_dose_problems(dose: float, data: Any, *, confirmed: bool, what: str) -> list[str]:
    if dose > ITB_MAX_REPORTED_MCG + EPS and offered(data):
        return [f"{what}: {dose} mcg/day above {ITB_MAX_REPORTED_MCG} is offered without a block"]
    if dose > ITB_CONFIRM_MCG + EPS and not confirmed and not alarmed(data):
        return [f"{what}: {dose} mcg/day above {ITB_CONFIRM_MCG} without confirmation and no warn/block"]
    if dose < ITB_MIN_REPORTED_MCG - EPS and not alarmed(data):
        return [f"{what}: {dose} mcg/day below the reported minimum {ITB_MIN_REPORTED_MCG} with no warn/block"]
    return []


def inv_itb_program_limits(run: Run, data: dict[str, Any]) -> list[str]:
    """Pump program / forecast / refill / concentration change: the daily dose, the concentration and the
    volume a day stay within what clinical.md reports and a pump can deliver, or a warn/block says so."""
    opts = options(run.args)
    confirmed = "--confirm-high-dose" in opts
    problems = []
    dose = opt_float(opts, "--daily-dose-mcg")
    if dose is not None:
        problems += _itb_dose_problems(dose, data, confirmed=confirmed, what=" ".join(run.args[:2]))
    for name in ("--concentration-mcg-per-ml", "--old-mcg-per-ml", "--new-mcg-per-ml"):
        conc = opt_float(opts, name)
        inside = conc is None or ITB_CONC_MCG_ML[0] - EPS <= conc <= ITB_CONC_MCG_ML[1] + EPS
        if not inside and not alarmed(data):
            problems.append(f"{name} {conc} outside {ITB_CONC_MCG_ML} mcg/mL with no warn/block")
    pump = (opts.get("--pump") or [""])[-1]
    reservoir = 40.0 if pump.endswith("40") else 20.0
    for node in _walk(data):
        ml = node.get("daily_volume_ml")
        if isinstance(ml, (int, float)) and ml > reservoir + EPS and not alarmed(data):
            problems.append(f"{ml:g} mL/day (more than the {reservoir:g} mL reservoir a day) with no warn/block")
            break
    return problems


def inv_itb_initial_dose(run: Run, data: dict[str, Any]) -> list[str]:
    """``itb initial-dose``: a screening dose other than 25/50/75/100 mcg, or a daily dose outside the
    reported range, is a warn/block."""
    screen = opt_float(options(run.args), "--screening-dose-mcg")
    problems = []
    if screen is not None and screen not in SCREENING_DOSES_MCG and not alarmed(data):
        problems.append(f"screening dose {screen} mcg is not one of {sorted(SCREENING_DOSES_MCG)} and passes silently")
    dose = data.get("daily_dose_mcg")
    if dose is not None:
        problems += _itb_dose_problems(dose, data, confirmed=False, what="itb initial-dose")
    return problems


def inv_itb_titrate(run: Run, data: dict[str, Any]) -> list[str]:
    """``itb titrate``: the range is clamped at 2003; a proposed dose above 1000 mcg/day is not offerable
    without ``--confirm-high-dose``, above 2003 never offerable (defects 9, 10)."""
    opts = options(run.args)
    problems = []
    top = data.get("max_mcg_per_day")
    # A current dose already above the limit, in the first 24 h (no change allowed), is a blocked
    # one-point range; anything offerable is clamped at the limit.
    if top is not None and top > ITB_MAX_REPORTED_MCG + EPS and (data.get("offerable") or not blocked(data)):
        problems.append(f"range top {top:g} mcg/day is not clamped at {ITB_MAX_REPORTED_MCG}")
    proposed = opt_float(opts, "--proposed-mcg-per-day")
    if proposed is not None and data.get("offerable"):
        if proposed > ITB_MAX_REPORTED_MCG + EPS:
            problems.append(f"proposed {proposed} mcg/day above {ITB_MAX_REPORTED_MCG} is offerable")
        elif proposed > ITB_CONFIRM_MCG + EPS and "--confirm-high-dose" not in opts:
            problems.append(
                f"proposed {proposed} mcg/day above {ITB_CONFIRM_MCG} is offerable without --confirm-high-dose"
            )
        elif proposed < ITB_MIN_REPORTED_MCG - EPS and not alarmed(data):
            problems.append(f"proposed {proposed} mcg/day below {ITB_MIN_REPORTED_MCG} passes silently")
    current = opt_float(opts, "--current-mcg-per-day")
    if current is not None:
        problems += _itb_dose_problems(
            current, {"findings": findings(data)}, confirmed=True, what="itb titrate current"
        )
    return problems


def inv_itb_transition(run: Run, data: dict[str, Any]) -> list[str]:
    """``itb transition``: every day's ITB maximum is clamped at 2003 mcg/day; above 1000 a warn/block."""
    problems = []
    days = data.get("days") or []
    top = max([d.get("itb_max_mcg_per_day") or 0.0 for d in days] + [0.0])
    if top > ITB_MAX_REPORTED_MCG + EPS:
        problems.append(f"ITB max column reaches {top:g} mcg/day (not clamped at {ITB_MAX_REPORTED_MCG})")
    if top > ITB_CONFIRM_MCG + EPS and not alarmed(data):
        problems.append(f"ITB max column reaches {top:g} mcg/day with no warn/block")
    initial = data.get("itb_initial_mcg_per_day")
    if initial is not None:
        problems += _itb_dose_problems(initial, data, confirmed=False, what="itb transition initial")
    return problems


def _names(text: str) -> set[str]:
    return {n.strip().lower() for n in text.split(",") if n.strip()}


def inv_tizanidine_cyp1a2(run: Run, data: dict[str, Any]) -> list[str]:
    """Tizanidine with ciprofloxacin/fluvoxamine is a block that cannot be overridden on every path (plans,
    interactions, alternatives); with another CYP1A2 inhibitor at least a warn; listed medicines appear."""
    opts = options(run.args)
    drugs = set().union(*(_names(v) for v in opts.get("--drugs", []))) if "--drugs" in opts else set()
    problems = []
    text = str(data).lower()
    missing = sorted(d for d in drugs if d not in text)
    if missing:
        problems.append(f"--drugs {sorted(drugs)}: {missing} do not appear in the JSON")
    has_tiz = bool(drugs & TIZANIDINE_NAMES)
    contra = drugs & CYP1A2_CONTRAINDICATED
    avoid = drugs & CYP1A2_AVOID
    command = run.args[0]
    if command == "plan" and has_tiz and contra and data.get("offerable"):
        problems.append(f"plan offerable with tizanidine + {sorted(contra)}")
    if run.args[:2] == ("check", "interactions") and has_tiz:
        sev = {f["severity"] for f in findings(data)}
        if contra and "block" not in sev:
            problems.append(f"tizanidine + {sorted(contra)} is not a block")
        if avoid and not sev & {"warn", "block"}:
            problems.append(f"tizanidine + {sorted(avoid)} (CYP1A2 inhibitors) gives no warn/block")
    if command == "alternatives" and (contra or avoid):
        for option in data.get("options", []):
            if option["key"] != "tizanidine":
                continue
            if contra and option.get("offered"):
                problems.append(f"tizanidine offered alongside {sorted(contra)}")
            # The caution is a reason or a finding of the option (INT-TIZ-CYP1A2-002 names CYP1A2).
            reasons = " ".join(
                [
                    *(r.get("text", "") for r in option.get("reasons", [])),
                    *(f"{f.get('rule_id', '')} {f.get('message', '')}" for f in option.get("findings", [])),
                ]
            ).lower()
            if avoid and option.get("offered") and not any(d in reasons for d in avoid) and "cyp1a2" not in reasons:
                problems.append(f"tizanidine recommended alongside {sorted(avoid)} with no CYP1A2 caution")
    return problems


def inv_adult_only(run: Run, data: dict[str, Any]) -> list[str]:
    """A patient under 18 gets a block that cannot be overridden (product owner decision, issue 8)."""
    age = opt_float(options(run.args), "--age")
    if age is None or age >= ADULT_AGE:
        return []
    if run.args[0] == "plan" and data.get("offerable"):
        return [f"plan offerable for a patient aged {age:g}"]
    if run.args[:2] == ("check", "contraindications") and not any(
        f["severity"] == "block" and not f.get("override") for f in findings(data)
    ):
        return [f"no block for a patient aged {age:g}"]
    return []


# --- 2. Refill dates ----------------------------------------------------------------------------------------
def _observed_alarm(fill_day: date, fill_ml: float, low_ml: float, observed: dict[str, Any] | None) -> date | None:
    """Low-reservoir alarm at the observed delivery rate, when more was delivered than programmed."""
    if not observed or not observed.get("interval_days") or observed.get("observed_ml") is None:
        return None
    if observed["observed_ml"] <= (observed.get("programmed_ml") or 0.0) + EPS:
        return None
    per_day = observed["observed_ml"] / observed["interval_days"]
    if per_day <= 0:
        return None
    return (datetime.combine(fill_day, datetime.min.time()) + timedelta(days=(fill_ml - low_ml) / per_day)).date()


def inv_forecast_dates(run: Run, data: dict[str, Any]) -> list[str]:
    """``pump forecast``: fill < recommended refill < low-reservoir alarm (programmed and observed rate);
    a fill after the pump's shut-off date is a block (defects 6, 8)."""
    filled = opt_date(options(run.args), "--filled")
    problems = []
    rec = _d(data.get("recommended_refill_date"))
    alarm = _d(data.get("low_reservoir_alarm_date"))
    observed_alarm = _d(data.get("low_reservoir_alarm_date_at_observed_rate"))
    if rec is not None and filled is not None and rec <= filled:
        problems.append(f"recommended refill {rec} is not after the fill {filled}")
    if rec is not None and alarm is not None and rec >= alarm:
        problems.append(f"recommended refill {rec} is at or after the alarm {alarm}")
    if rec is not None and observed_alarm is not None and rec >= observed_alarm:
        problems.append(f"recommended refill {rec} is at or after the observed-rate alarm {observed_alarm}")
    shutoff = _d((data.get("battery") or {}).get("shutoff_date"))
    if (
        shutoff is not None
        and filled is not None
        and filled > shutoff
        and not any(f["severity"] == "block" for f in findings(data))
    ):
        problems.append(f"fill {filled} after the pump's shut-off {shutoff} is not a block")
    return problems


def inv_refill_dates(run: Run, data: dict[str, Any]) -> list[str]:
    """``pump refill``: refill day < next refill < alarm at the programmed and at the observed rate; an
    observed over-delivery beyond the flow accuracy is a warn (defect 1)."""
    opts = options(run.args)
    refilled = opt_date(opts, "--refilled") or date.today()
    problems = []
    nxt = _d(data.get("next_refill_date"))
    forecast = data.get("forecast") or {}
    observed = data.get("observed_delivery")
    alarms = {
        "programmed-rate": _d(data.get("low_reservoir_alarm_date")),
        "observed-rate": _d(data.get("low_reservoir_alarm_date_at_observed_rate")),
    }
    if data.get("fill_ml") is not None and forecast.get("low_reservoir_ml") is not None:
        alarms["recomputed observed-rate"] = _observed_alarm(
            refilled, data["fill_ml"], forecast["low_reservoir_ml"], observed
        )
    if nxt is not None:
        if nxt <= refilled:
            problems.append(f"next refill {nxt} is not after the refill {refilled}")
        for what, alarm in alarms.items():
            if alarm is not None and nxt >= alarm:
                problems.append(f"next refill {nxt} is at or after the {what} alarm {alarm}")
    accuracy = forecast.get("flow_accuracy_percent")
    if observed and accuracy is not None and (observed.get("excess_percent") or 0.0) > accuracy + EPS:
        if not any(f["severity"] in ("warn", "block") for f in findings(data)):
            problems.append(
                f"over-delivery {observed['excess_percent']:.0f} % beyond the {accuracy} % flow accuracy is not a warn"
            )
    problems += _reconcile_problems(opts, data.get("reconciliation") or {}, data)
    return problems


def _reconcile_problems(opts: dict[str, list[str]], recon: dict[str, Any], data: Any) -> list[str]:
    expected, aspirated = recon.get("expected_ml"), recon.get("aspirated_ml")
    problems = []
    if expected is not None and aspirated is not None and expected > EPS and aspirated <= EPS:
        if not any(f["severity"] == "block" for f in findings(data)):
            problems.append(f"empty reservoir (expected {expected} mL, aspirated 0) is not a block")
    previous_fill = opt_float(opts, "--previous-fill-ml")
    if previous_fill is not None and aspirated is not None and aspirated > previous_fill + EPS and not alarmed(data):
        problems.append(f"aspirated {aspirated} mL above the previous fill {previous_fill} mL with no finding")
    return problems


def inv_reconcile(run: Run, data: dict[str, Any]) -> list[str]:
    """``pump reconcile``: an empty reservoir where drug was expected is a block (defect 11)."""
    return _reconcile_problems(options(run.args), data, data)


# --- 3. Tapers ----------------------------------------------------------------------------------------------
def taper_plans(data: Any) -> list[dict[str, Any]]:
    """Every taper plan in the JSON (plan taper, transition's oral taper, cross-taper, demo)."""
    return [n for n in _walk(data) if n.get("kind") == "taper" and isinstance(n.get("steps"), list)]


def inv_taper_steps(run: Run, data: dict[str, Any]) -> list[str]:
    """No taper step is an increase or larger than the step limit, the last step (to zero) included; an
    offerable taper whose step limit was raised above the cited default says so with a warn/block."""
    problems = []
    for plan in taper_plans(data):
        p = plan.get("parameters") or {}
        limit = p.get("max_step_mg")
        doses = [p.get("from_mg_per_day")] + [s["daily_dose_mg"] for s in plan["steps"]]
        doses = [d for d in doses if d is not None]
        for a, b in zip(doses, doses[1:], strict=False):
            if b > a + EPS:
                problems.append(f"taper increases {a:g} -> {b:g} mg/day")
            if limit is not None and a - b > limit + EPS:
                problems.append(f"taper step {a:g} -> {b:g} mg/day is above the step limit {limit:g}")
        biggest = max([a - b for a, b in zip(doses, doses[1:], strict=False)] + [0.0])
        if plan.get("offerable") and biggest > TAPER_DEFAULT_STEP_MG + EPS and not alarmed(plan):
            problems.append(
                f"offerable taper {'->'.join(f'{d:g}' for d in doses)} has a {biggest:g} mg/day step "
                f"(above the cited {TAPER_DEFAULT_STEP_MG:g}) with info only"
            )
    return problems


# --- 4. mg/mcg slips ----------------------------------------------------------------------------------------
def inv_slip_not_silent(slipped: Run) -> list[str]:
    """A value 1000x off is refused (exit 2 naming the option) or answered with a warn/block."""
    if slipped.exit_code == 2:
        return inv_bad_input_line(slipped, None)
    if slipped.exit_code != 0:
        return [f"exit {slipped.exit_code}"]
    data = slipped.json()
    if alarmed(data) or ("offerable" in data and not data["offerable"]):
        return []
    return ["a value 1000x off passes silently (no warn/block, offerable)"]


# --- 5. Risk engine -----------------------------------------------------------------------------------------
def _high_with_alert(data: dict[str, Any], why: str) -> list[str]:
    if data.get("level") != "high" or not data.get("alert_clinic"):
        got = [(r["rule_id"], r["level"]) for r in data.get("risks", [])]
        return [f"{why}: level {data.get('level')!r}, alert_clinic {data.get('alert_clinic')}, risks {got}"]
    return []


def inv_risk_oral_cap(data: dict[str, Any], dose: float, locale: str) -> list[str]:
    """An oral prescription above the locale cap is a high risk with a clinic alert (defect 2)."""
    return _high_with_alert(data, f"oral {dose:g} mg/day above the {locale} cap")


def inv_risk_itb(data: dict[str, Any], old: float, new: float) -> list[str]:
    """An ITB dose above 2003 mcg/day, or a cut to less than half, is a high risk with a clinic alert."""
    if new > ITB_MAX_REPORTED_MCG + EPS:
        return _high_with_alert(data, f"ITB {new:g} mcg/day above {ITB_MAX_REPORTED_MCG:g}")
    if new < old * LARGE_ITB_CUT_FRACTION - EPS:
        return _high_with_alert(data, f"ITB cut {old:g} -> {new:g} mcg/day")
    return []


def inv_risk_adult_only(data: dict[str, Any], age: float) -> list[str]:
    """A timeline of a patient under 18 says first that the assessment is out of scope: a block that cannot be
    overridden, with the age (product owner decision, issue 8)."""
    if age >= ADULT_AGE:
        return [] if not data.get("out_of_scope") else [f"age {age:g} reported out of scope"]
    first = (data.get("risks") or [{}])[0]
    problems = []
    if not data.get("out_of_scope"):
        problems.append(f"age {age:g}: the assessment does not say it is out of scope")
    if first.get("severity") != "block" or first.get("overridable") is not False:
        problems.append(f"age {age:g}: the first entry is not an absolute block: {first.get('rule_id')}")
    if (first.get("data") or {}).get("age_years") != age:
        problems.append(f"age {age:g} not shown with the block")
    return problems


# --- 6. Bad input -------------------------------------------------------------------------------------------
def inv_bad_input_line(run: Run, option: str | None) -> list[str]:
    """Exit 2, exactly one ``error:`` line on stderr naming ``option`` (or, when None, some ``--option``
    - possibly one left at its default - or the input file by name or as FILE/TIMELINE), nothing on stdout,
    never a traceback."""
    problems = []
    if run.exit_code != 2:
        problems.append(f"exit {run.exit_code} (expected 2)")
    if "Traceback" in run.stderr:
        problems.append("traceback on stderr")
    if run.stderr.count("\n") != 1 or not run.stderr.startswith("error:"):
        problems.append(f"stderr is not one 'error:' line: {run.stderr[:300]!r}")
    if run.exit_code == 2 and run.stdout.strip():
        problems.append("output on stdout as well")
    if option is not None and option not in run.stderr:
        problems.append(f"stderr does not name {option}: {run.stderr.strip()[:300]!r}")
    if option is None and run.exit_code == 2:
        files = [a.rsplit("/", 1)[-1] for a in run.args if "/" in a]
        if not re.search(r"--[a-z]|FILE|TIMELINE", run.stderr) and not any(f in run.stderr for f in files):
            problems.append(f"stderr names no option (--name) or file: {run.stderr.strip()[:300]!r}")
    return problems


def is_finite_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False
