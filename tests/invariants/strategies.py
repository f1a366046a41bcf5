"""Hypothesis strategies that generate CLI argument lists for every ``baclofen`` command.

Each command is described once (``COMMANDS``): its path and its options, each option with a strategy of
valid values (which deliberately include band edges, 0, tiny and huge values and 1000x slips: "valid"
means well-formed, not clinically sensible) and a tuple of values that are always bad input for it.

* ``valid_args(name)``: a well-formed argument list (``--json`` appended); required options always,
  optional ones sometimes, flags sometimes.
* ``bad_args(name)``: a valid argument list with exactly one option set to a hostile value; returns
  ``(args, option)``: the command must exit 2 with one line naming ``option``.
* ``timelines()`` / ``malformed_json_texts()``: documents for ``risk`` and ``simulate regimen``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from tests.invariants.invariants import ITB_MIN_REPORTED_MCG

# --- Values ----------------------------------------------------------------------------------------------


def _fmt(x: float) -> str:
    """A float as a user would type it (at most 4 decimals, no trailing noise)."""
    text = f"{round(x, 4):.4f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def num(lo: float, hi: float, edges: tuple[float, ...] = ()) -> st.SearchStrategy[str]:
    """Numbers between ``lo`` and ``hi`` as text, with ``edges`` (limits, band edges, slips) favoured."""
    inner = st.floats(min_value=lo, max_value=hi, allow_nan=False, allow_infinity=False)
    return (st.sampled_from(edges) | inner).map(_fmt) if edges else inner.map(_fmt)


def ints(lo: int, hi: int, edges: tuple[int, ...] = ()) -> st.SearchStrategy[str]:
    inner = st.integers(min_value=lo, max_value=hi)
    return (st.sampled_from(edges) | inner).map(str) if edges else inner.map(str)


def iso(d: date) -> str:
    return d.isoformat()


#: Dates from the near past to the far-but-plausible future.
DATES = (
    st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31))
    | st.sampled_from([date(2024, 2, 29), date(2026, 12, 31), date(2027, 1, 1)])
).map(iso)

#: Oral baclofen mg/day: label edges (80 US, 100 UK, 120 in hospital), tiny, 1000x slips.
ORAL_MG_DAY = num(
    0.001, 1000, (0.001, 0.06, 0.5, 5, 20, 30, 60, 79.9, 80, 80.1, 99.9, 100, 100.1, 120, 120.1, 300, 60000, 80000)
)
#: Intrathecal mcg/day: 12-2003 reported range, 1000 confirmation, mg typed as mcg (0.05-2), x1000.
ITB_MCG_DAY = num(
    0.01,
    5000,
    (
        0.05,
        0.2,
        0.4,
        0.5,
        1,
        2,
        11.9,
        12,
        50,
        100,
        150,
        200,
        300,
        400,
        800,
        999.9,
        1000,
        1000.1,
        1500,
        1600,
        2003,
        2003.1,
        3000,
        400000,
    ),
)
#: Concentration mcg/mL: 50 (screening) / 500 / 1000 / 2000, and mg/mL slips (0.5, 2).
CONC_MCG_ML = num(0.05, 5000, (0.05, 0.5, 2, 49.9, 50, 500, 1000, 2000, 2000.1, 2500, 500000))
PUMPS = st.sampled_from(["synchromed-ii-20", "synchromed-ii-40", "prometra-ii-20", "prometra-ii-40"])
LOCALES = st.sampled_from(["us", "uk"])
ORIGINS = st.sampled_from(["spinal", "cerebral"])
CRCL = num(0, 250, (0, 10, 15, 29.9, 30, 30.1, 50, 59.9, 60, 90, 250))
AGES = num(0, 110, (0, 10, 17.9, 18, 65, 110))
MONTHS = num(0, 600, (0, 1, 4.9, 5, 24, 600))
PRODUCTS = st.sampled_from(["tablet-10mg", "tablet-20mg", "ozobax", "lyvispah"])
CONDITIONS = st.sampled_from(
    ["epilepsy", "pregnancy", "active liver disease", "stroke", "CKD stage 4", "peptic ulcer", "psychosis", "porphyria"]
)
#: Medicine names known to the catalogue (and brands), including the CYP1A2 inhibitors of clinical.md §7.
DRUG_NAMES = [
    "tizanidine",
    "Zanaflex",
    "ciprofloxacin",
    "fluvoxamine",
    "ethinylestradiol",
    "sertraline",
    "oxycodone",
    "gabapentin",
    "dantrolene",
    "diazepam",
    "baclofen",
    "Lioresal",
    "amiodarone",
    "verapamil",
    "cimetidine",
    "famotidine",
    "aciclovir",
    "lorazepam",
    "alcohol",
    "unknownium",
]
DRUG_LISTS = st.lists(st.sampled_from(DRUG_NAMES), min_size=1, max_size=4, unique=True).map(",".join)
CLINICIANS = st.sampled_from(["Dr A Smith", "Dr B Jones"])
REASONS = st.sampled_from(["in hospital under careful supervision", "specialist review documented"])
RULE_IDS = st.sampled_from(
    ["ORAL-MAX-001", "TAPER-ABRUPT-001", "ORAL-DIALYSIS-002", "INT-TIZ-CYP1A2-001", "ITB-DOSE-002", "ORAL-PAED-001"]
)
OVERRIDES = st.builds(lambda r, why: f"{r}={why}", RULE_IDS, REASONS | st.sampled_from(["x", " ", "ok"]))
FLEX = st.lists(
    st.tuples(st.integers(0, 23), st.sampled_from([0, 30]), st.sampled_from([0.5, 2, 5, 10, 20, 40, 50, 100])),
    min_size=1,
    max_size=4,
    unique_by=lambda t: t[0],
).map(lambda steps: ",".join(f"{h:02d}:{m:02d}={r:g}" for h, m, r in sorted(steps)))
RESIDUAL_PAIRS = st.lists(st.tuples(num(0.1, 40), num(0, 40)), min_size=1, max_size=4).map(
    lambda ps: ",".join(f"{e}:{a}" for e, a in ps)
)

# --- Hostile values ---------------------------------------------------------------------------------------
FLOAT_BAD = ("nan", "inf", "-inf", "abc", "", "1e400", "NaN", "1,5")
POS_BAD = (*FLOAT_BAD, "-1", "-0.001")
INT_BAD = ("abc", "1.5", "", "nan", "1e3")
POS_INT_BAD = (*INT_BAD, "-1")
DATE_BAD = (
    "2026-13-40",
    "2026-02-30",
    "yesterday",
    "",
    "2026/01/01",
    "0001-01-01",
    "9999-12-31",
    "1850-01-01",
    "2300-01-01",
)
NAME_BAD = ("zzz-unknown", "", "DROP TABLE", "\u00a0")
FLEX_BAD = ("abc", "25:00=10", "06:00=-5", "06:00=nan", "06:00", "22:00=10,06:00=20", "06:00=inf")
OVERRIDE_BAD = ("NOEQUALS", "=reason", "ORAL-MAX-001=")
SETTING_BAD = ("no.such.setting=5", "noequals", "oral.max_daily_dose_mg.us=abc", "oral.max_daily_dose_mg.us=nan")
PK_SETTING_BAD = ("no.such.setting=5", "noequals", "pk.renal.nonrenal_fraction=abc", "pk.renal.nonrenal_fraction=nan")
DRUGS_BAD = ("a;b", "", ",,,", "a|b", "a\tb", "a\nb", "a,,b")
#: A repeatable name option (--condition, --other-antispastic) takes one name per use: never empty, no other
#: separator.
NAMES_BAD = ("a;b", "", " ", ",", "a|b", "a\tb", "a\nb")
HHMM_BAD = ("25:00", "abc", "", "12:60", "2026-12-01T10:00")


@dataclass(frozen=True)
class Opt:
    """One option: ``valid`` draws its value as text (``None``: a flag); ``bad`` are always bad input."""

    name: str
    valid: st.SearchStrategy[str] | None = None
    bad: tuple[str, ...] = ()
    required: bool = False
    repeatable: bool = False


@dataclass(frozen=True)
class Command:
    path: tuple[str, ...]
    options: tuple[Opt, ...]
    #: Positional file argument (``risk``, ``simulate regimen``): the test writes it and appends its path.
    takes_file: bool = False

    @property
    def name(self) -> str:
        return " ".join(self.path)


_SETTING = Opt("--setting", st.sampled_from(["oral.max_daily_dose_mg.us=60"]), SETTING_BAD, repeatable=True)
_RISK_SETTING = Opt(
    "--setting",
    st.sampled_from(["cds.risk.lookback_days=14", "taper.min_days_to_zero=21"]),
    ("no.such.setting=5", "noequals", "cds.risk.lookback_days=abc", "cds.risk.lookback_days=nan"),
    repeatable=True,
)
_PK_SETTING = Opt("--setting", st.sampled_from(["pk.renal.nonrenal_fraction=0.3"]), PK_SETTING_BAD, repeatable=True)
_OVERRIDE = Opt("--override", OVERRIDES, OVERRIDE_BAD, repeatable=True)
_PUMP_SETTING = Opt(
    "--setting",
    st.sampled_from(["pump.synchromed_ii.flow_accuracy_percent=10"]),
    (
        "no.such.setting=5",
        "noequals",
        "pump.synchromed_ii.flow_accuracy_percent=abc",
        "pump.synchromed_ii.flow_accuracy_percent=nan",
        "pump.synchromed_ii.flow_accuracy_percent=-1",
    ),
    repeatable=True,
)
_STEP_H = Opt("--step-h", num(0.05, 2, (0.1, 0.25, 1)), (*POS_BAD, "0"))
_CLINICIAN = Opt("--clinician", CLINICIANS | st.sampled_from(["", " "]))
_PLAN_COMMON = (
    Opt("--start-date", DATES, DATE_BAD),
    Opt("--doses-per-day", ints(1, 8, (1, 3, 4, 8)), (*POS_INT_BAD, "0")),
    Opt("--locale", LOCALES, NAME_BAD),
    Opt("--crcl-ml-min", CRCL, POS_BAD),
    Opt("--dialysis"),
    Opt("--product", PRODUCTS, NAME_BAD),
    Opt("--age", AGES, POS_BAD),
    Opt("--origin", ORIGINS, NAME_BAD),
    Opt("--condition", CONDITIONS, NAMES_BAD, repeatable=True),
    Opt("--whole-tablets-only"),
    Opt("--drugs", DRUG_LISTS, DRUGS_BAD),
    _OVERRIDE,
    _CLINICIAN,
)
_KIDNEY_SIM = (Opt("--crcl-ml-min", CRCL, POS_BAD), Opt("--dialysis"))
_FLEX_OPT = Opt("--flex", FLEX, FLEX_BAD)
_POP = (
    Opt("--population", ints(1, 20), (*POS_INT_BAD, "0")),
    Opt("--seed", ints(0, 1000), INT_BAD),
    Opt("--crcl-range", st.sampled_from(["10:90", "30:60"]), ("90:10", "a:b", "-5:50", "nan:60")),
    Opt("--workers", st.just("2"), (*POS_INT_BAD, "0")),
)

COMMANDS: dict[str, Command] = {
    c.name: c
    for c in [
        Command(
            ("plan", "titrate"),
            (
                *_PLAN_COMMON,
                Opt("--target-mg-per-day", ORAL_MG_DAY, POS_BAD),
                Opt("--egfr", CRCL, POS_BAD),
                Opt("--start-dose-mg", num(0.5, 40, (0.5, 2.5, 5, 10, 20, 40)), (*POS_BAD, "0")),
                Opt("--step-mg", num(0.5, 40, (2.5, 5, 10, 40)), (*POS_BAD, "0")),
                Opt("--step-interval-days", ints(1, 30, (1, 3, 7)), (*POS_INT_BAD, "0")),
                Opt(
                    "--dose-times",
                    st.sampled_from(["08:00,14:00,20:00", "06:00,12:00,18:00,22:00"]),
                    ("25:00", "abc", "08:00,08:00"),
                ),
            ),
        ),
        Command(
            ("plan", "taper"),
            (
                *_PLAN_COMMON,
                Opt("--from-mg-per-day", ORAL_MG_DAY, POS_BAD, required=True),
                Opt("--to-mg-per-day", num(0, 60, (0, 5, 10, 30)), POS_BAD),
                Opt("--months-on-therapy", MONTHS, POS_BAD),
                Opt("--max-step-mg", num(0.5, 120, (1, 5, 10, 10.1, 20, 40, 60, 80, 100, 120)), (*POS_BAD, "0")),
                Opt("--step-interval-days", ints(1, 30, (1, 3, 7, 14)), (*POS_INT_BAD, "0")),
                Opt("--min-days", ints(1, 90, (1, 7, 13, 14, 28)), (*POS_INT_BAD,)),
                Opt("--egfr", CRCL, POS_BAD),
                Opt(
                    "--dose-times",
                    st.sampled_from(["08:00,14:00,20:00", "06:00,12:00,18:00,22:00"]),
                    ("25:00", "abc", "08:00,08:00"),
                ),
            ),
        ),
        Command(
            ("plan", "taper", "steps"),
            (  # ``plan taper`` aimed at the step rules: raised limits, short use
                Opt("--from-mg-per-day", num(5, 120, (10, 20, 40, 60, 80, 100, 120)), POS_BAD, required=True),
                Opt("--max-step-mg", num(5, 120, (10, 10.1, 20, 40, 60, 80, 100)), POS_BAD, required=True),
                Opt("--months-on-therapy", num(0, 12, (0, 1, 4.9, 5)), POS_BAD, required=True),
                Opt("--to-mg-per-day", num(0, 40, (0, 5, 10)), POS_BAD),
                Opt("--step-interval-days", ints(1, 30, (1, 3, 7, 14)), POS_INT_BAD),
                Opt("--min-days", ints(1, 60, (7, 14, 28)), POS_INT_BAD),
                Opt("--dialysis"),
                Opt("--crcl-ml-min", CRCL, POS_BAD),
                Opt("--locale", LOCALES, NAME_BAD),
            ),
        ),
        Command(
            ("itb", "screen"),
            (
                Opt(
                    "--responses",
                    st.lists(st.sampled_from(["yes", "no"]), max_size=3).map(",".join),
                    ("maybe", "yes,maybe", "1,2"),
                ),
                Opt("--start-mcg", st.sampled_from(["25", "50"]), (*POS_BAD, "0")),
                Opt("--hours-since-last", num(0, 72, (0, 4, 8, 24)), POS_BAD),
                Opt("--effect-hours", num(0, 48, (0, 4, 8, 8.1, 24)), POS_BAD),
                Opt("--negative-reactions"),
            ),
        ),
        Command(
            ("itb", "initial-dose"),
            (
                Opt(
                    "--screening-dose-mcg",
                    num(0.01, 5000, (0.025, 0.05, 0.1, 25, 33, 50, 75, 100, 150, 50000)),
                    (*POS_BAD, "0"),
                    required=True,
                ),
                Opt("--response-hours", num(0.1, 48, (1, 4, 8, 8.1, 12, 24)), POS_BAD, required=True),
                Opt("--negative-reactions"),
            ),
        ),
        Command(
            ("itb", "titrate"),
            (
                Opt("--current-mcg-per-day", ITB_MCG_DAY, (*POS_BAD, "0"), required=True),
                Opt("--origin", ORIGINS, NAME_BAD),
                Opt("--at-refill"),
                Opt("--hours-since-start", num(0, 240, (0, 12, 23.9, 24, 48)), POS_BAD),
                Opt("--proposed-mcg-per-day", ITB_MCG_DAY, POS_BAD),
                Opt("--confirm-high-dose"),
            ),
        ),
        Command(
            ("itb", "transition"),
            (
                Opt("--oral-mg-per-day", ORAL_MG_DAY, POS_BAD, required=True),
                Opt("--itb-initial-mcg-per-day", ITB_MCG_DAY, (*POS_BAD, "0"), required=True),
                Opt("--infusion-start", DATES, DATE_BAD),
                Opt("--origin", ORIGINS, NAME_BAD),
                Opt("--itb-target-mcg-per-day", ITB_MCG_DAY, (*POS_BAD, "0")),
                Opt("--max-oral-cut-percent", num(25, 50, (25, 50)), (*POS_BAD, "0", "101")),
                Opt("--months-on-therapy", MONTHS, POS_BAD),
                Opt("--product", PRODUCTS, NAME_BAD),
                Opt("--locale", LOCALES, NAME_BAD),
                Opt(
                    "--other-antispastic",
                    st.sampled_from(["tizanidine", "dantrolene", "diazepam"]),
                    NAMES_BAD,
                    repeatable=True,
                ),
                _OVERRIDE,
            ),
        ),
        Command(("pump", "list"), ()),
        Command(
            ("pump", "program"),
            (
                Opt("--pump", PUMPS, NAME_BAD, required=True),
                Opt("--concentration-mcg-per-ml", CONC_MCG_ML, (*POS_BAD, "0"), required=True),
                Opt("--daily-dose-mcg", ITB_MCG_DAY, POS_BAD, required=True),
                Opt("--confirm-high-dose"),
            ),
        ),
        Command(
            ("pump", "program", "flex"),
            (  # ``pump program`` with a flex schedule instead of a daily dose
                Opt("--pump", PUMPS, NAME_BAD, required=True),
                Opt("--concentration-mcg-per-ml", CONC_MCG_ML, (*POS_BAD, "0"), required=True),
                Opt("--flex", FLEX, (*FLEX_BAD, ""), required=True),
            ),
        ),
        Command(
            ("pump", "forecast"),
            (
                Opt("--pump", PUMPS, NAME_BAD, required=True),
                Opt("--volume-ml", num(0.5, 40, (0.5, 2, 2.1, 5, 10, 20, 40)), (*POS_BAD, "0", "41"), required=True),
                Opt("--concentration-mcg-per-ml", CONC_MCG_ML, (*POS_BAD, "0"), required=True),
                Opt("--filled", DATES, DATE_BAD, required=True),
                Opt("--daily-dose-mcg", ITB_MCG_DAY, POS_BAD, required=True),
                Opt("--margin-days", ints(1, 30, (1, 7, 30)), (*POS_INT_BAD, "0")),
                Opt("--implanted", st.dates(date(2010, 1, 1), date(2030, 1, 1)).map(iso), DATE_BAD),
                Opt("--low-reservoir-ml", num(0.5, 5, (1, 2, 3)), POS_BAD),
                Opt("--residual-ml", num(0, 2, (0, 0.5, 1.4)), POS_BAD),
                Opt("--max-refill-interval-days", ints(1, 180, (1, 30, 90, 180)), (*POS_INT_BAD, "0")),
                Opt("--as-of", DATES, DATE_BAD),
                Opt("--eri-date", DATES, DATE_BAD),
                _PUMP_SETTING,
            ),
        ),
        Command(
            ("pump", "reconcile"),
            (
                Opt("--expected-ml", num(0, 40, (0, 0.5, 2, 4.9, 20, 40)), POS_BAD, required=True),
                Opt("--aspirated-ml", num(0, 45, (0, 0.1, 4.4, 4.41, 5.39, 5.4, 20, 41)), POS_BAD, required=True),
                Opt("--previous", RESIDUAL_PAIRS, ("abc", "4.9", "4.9:-1", "nan:4", "4.9:4.5;5:4")),
                Opt("--pump", PUMPS, NAME_BAD),
                # 0 % is a valid tolerance (a visit is flagged beyond both tolerances: the mL one alone then decides).
                Opt("--tolerance-percent", num(0, 50, (0, 5, 10, 20)), (*POS_BAD, "100.1")),
                Opt("--tolerance-ml", num(0.1, 5, (0.5, 1)), POS_BAD),
                Opt("--trend-visits", ints(2, 6, (2, 3)), (*POS_INT_BAD, "0")),
                Opt("--previous-fill-ml", num(1, 40, (5, 10, 20, 40)), POS_BAD),
            ),
        ),
        Command(
            ("pump", "concentration-change"),
            (
                Opt("--pump", PUMPS, NAME_BAD, required=True),
                Opt("--daily-dose-mcg", ITB_MCG_DAY, (*POS_BAD, "0"), required=True),
                Opt("--old-mcg-per-ml", CONC_MCG_ML, (*POS_BAD, "0"), required=True),
                Opt("--new-mcg-per-ml", CONC_MCG_ML, (*POS_BAD, "0"), required=True),
                Opt("--catheter-volume-ml", num(0.05, 1, (0.1, 0.2, 0.3)), POS_BAD),
                Opt("--catheter-trimmed-cm", num(0, 100, (0, 10, 50)), POS_BAD),
                Opt("--pump-volume-ml", num(0.05, 1, (0.1, 0.25)), POS_BAD),
                Opt("--change-time", st.sampled_from(["00:00", "10:00", "23:59"]), HHMM_BAD),
            ),
        ),
        Command(
            ("pump", "refill"),
            (
                Opt("--pump", PUMPS, NAME_BAD, required=True),
                Opt("--concentration-mcg-per-ml", CONC_MCG_ML, (*POS_BAD, "0"), required=True),
                Opt("--daily-dose-mcg", ITB_MCG_DAY, POS_BAD, required=True),
                Opt("--refilled", DATES, DATE_BAD),
                Opt("--expected-ml", num(0, 40, (0, 2, 4.9, 20, 38)), POS_BAD),
                Opt("--aspirated-ml", num(0, 40, (0, 2, 4.4, 20, 34.3)), POS_BAD),
                Opt("--previous", RESIDUAL_PAIRS, ("abc", "4.9", "4.9:-1", "nan:4")),
                Opt("--target-interval-days", ints(1, 180, (1, 30, 90, 180)), (*POS_INT_BAD, "0")),
                Opt("--margin-days", ints(1, 30, (1, 7, 30)), (*POS_INT_BAD, "0")),
                Opt("--implanted", st.dates(date(2010, 1, 1), date(2030, 1, 1)).map(iso), DATE_BAD),
                Opt("--as-of", DATES, DATE_BAD),
                Opt("--previous-fill-ml", num(1, 40, (10, 20, 40)), POS_BAD),
                Opt("--previous-filled", DATES, DATE_BAD),
                _PUMP_SETTING,
            ),
        ),
        Command(("check", "interactions"), (Opt("--drugs", DRUG_LISTS, DRUGS_BAD, required=True),)),
        Command(
            ("check", "dose"),
            (
                Opt(
                    "--drug",
                    st.sampled_from(["baclofen", "tizanidine", "Zanaflex", "dantrolene", "gabapentin"]),
                    NAME_BAD,
                    required=True,
                ),
                Opt("--mg-per-day", ORAL_MG_DAY, POS_BAD),
                Opt("--single-dose-mg", num(0.5, 100, (2, 8, 16, 16.1, 24)), POS_BAD),
                Opt("--doses-per-day", ints(1, 8, (1, 3, 4)), (*POS_INT_BAD, "0")),
                Opt("--locale", LOCALES, NAME_BAD),
                Opt("--crcl-ml-min", CRCL, POS_BAD),
                Opt("--dialysis"),
                Opt("--origin", ORIGINS, NAME_BAD),
                _SETTING,
            ),
        ),
        Command(
            ("check", "dose", "itb"),
            (  # ``check dose`` for intrathecal baclofen (mcg/day)
                Opt(
                    "--drug",
                    st.sampled_from(["Gablofen", "Lioresal Intrathecal", "intrathecal baclofen"]),
                    required=True,
                ),
                Opt("--mcg-per-day", ITB_MCG_DAY, POS_BAD, required=True),
                Opt("--origin", ORIGINS, NAME_BAD),
            ),
        ),
        Command(
            ("check", "dose", "nabiximols"),
            (  # ``check dose`` for nabiximols (sprays/day)
                Opt("--drug", st.sampled_from(["nabiximols", "Sativex"]), required=True),
                Opt("--sprays-per-day", num(1, 12, (1, 12, 12.1)), POS_BAD, required=True),
            ),
        ),
        Command(
            ("check", "contraindications"),
            (
                Opt(
                    "--drug",
                    st.sampled_from(["baclofen", "tizanidine", "dantrolene", "Gablofen"]),
                    NAME_BAD,
                    required=True,
                ),
                Opt("--condition", CONDITIONS, NAMES_BAD, repeatable=True),
                Opt("--age", AGES, POS_BAD),
                Opt("--sex", st.sampled_from(["female", "male"]), NAME_BAD),
                Opt("--crcl-ml-min", CRCL, POS_BAD),
                Opt("--dialysis"),
                Opt("--route", st.sampled_from(["oral", "intrathecal"]), NAME_BAD),
            ),
        ),
        Command(
            ("alternatives",),
            (
                Opt("--failed"),
                Opt("--not-tolerated"),
                Opt("--focal"),
                Opt("--severe"),
                Opt("--liver-disease"),
                Opt("--crcl-ml-min", CRCL, POS_BAD),
                Opt("--dialysis"),
                Opt("--drugs", DRUG_LISTS, DRUGS_BAD),
                Opt("--condition", CONDITIONS, NAMES_BAD, repeatable=True),
                Opt("--sex", st.sampled_from(["female", "male"]), NAME_BAD),
                Opt("--age", AGES, POS_BAD),
                Opt("--locale", LOCALES, NAME_BAD),
                Opt(
                    "--guideline",
                    st.sampled_from(["nice", "european-consensus", "ms-ireland", "nhs-scotland-abi"]),
                    NAME_BAD,
                ),
                Opt("--switch-to", st.sampled_from(["tizanidine", "gabapentin", "dantrolene"]), NAME_BAD),
                Opt("--from-mg-per-day", ORAL_MG_DAY, POS_BAD),
                Opt("--months-on-therapy", MONTHS, POS_BAD),
                Opt("--start-date", DATES, DATE_BAD),
                _OVERRIDE,
                _CLINICIAN,
                Opt(
                    "--setting",
                    st.sampled_from(["cds.dantrolene.no_benefit_stop_days=45"]),
                    (
                        "no.such.setting=5",
                        "noequals",
                        "cds.dantrolene.no_benefit_stop_days=abc",
                        "cds.dantrolene.no_benefit_stop_days=nan",
                    ),
                    repeatable=True,
                ),
            ),
        ),
        Command(
            ("simulate", "oral"),
            (
                Opt("--dose-mg", ORAL_MG_DAY, (*POS_BAD, "0"), required=True),
                Opt("--interval-h", num(1, 48, (4, 6, 8, 12, 24)), (*POS_BAD, "0")),
                Opt("--doses", ints(1, 20, (1, 3, 9)), (*POS_INT_BAD, "0")),
                *_KIDNEY_SIM,
                Opt("--model", st.sampled_from(["default", "kochak"]), NAME_BAD),
                Opt("--hours", num(1, 200, (24, 72)), (*POS_BAD, "0")),
                Opt(
                    "--hd-session",
                    st.sampled_from(["4:4", "10:3"]),
                    ("x", "4", "-1:4", "4:-1", "nan:4"),
                    repeatable=True,
                ),
                _PK_SETTING,
                *_POP,
                _STEP_H,
                Opt("--condition", CONDITIONS, NAMES_BAD, repeatable=True),
            ),
        ),
        Command(
            ("simulate", "intrathecal"),
            (
                Opt("--daily-dose-mcg", ITB_MCG_DAY, POS_BAD, required=True),
                Opt("--bolus-mcg", num(0, 200, (0, 50, 100)), POS_BAD),
                Opt("--hours", num(1, 100, (24, 48)), (*POS_BAD, "0")),
                Opt("--from-empty"),
                *_KIDNEY_SIM,
                _PK_SETTING,
                _STEP_H,
            ),
        ),
        Command(
            ("scale", "evaluate"),
            (
                Opt("--scale", st.sampled_from(["nrs-spasticity", "nrs-pain", "nrs-sleep"]), NAME_BAD, required=True),
                Opt("--baseline", ints(0, 10), ("11", "-1", "abc", "nan", ""), required=True),
                Opt("--current", ints(0, 10), ("11", "-1", "abc", "nan", ""), required=True),
                Opt("--context", st.sampled_from(["general", "nabiximols", "nrs-30"]), NAME_BAD),
                Opt(
                    "--setting",
                    st.sampled_from(["cds.scales.nrs_responder_fraction=0.3"]),
                    (
                        "no.such.setting=5",
                        "noequals",
                        "cds.scales.nrs_responder_fraction=abc",
                        "cds.scales.nrs_responder_fraction=nan",
                        "cds.scales.nrs_responder_fraction=2",
                    ),
                    repeatable=True,
                ),
            ),
        ),
        Command(("demo",), (Opt("--start-date", DATES, DATE_BAD),)),
        Command(
            ("rules", "list"),
            (Opt("--area", st.sampled_from(["scope", "oral", "itb", "pump", "pk", "cds", " PUMP "]), NAME_BAD),),
        ),
        Command(("rules", "show", "PUMP-FCST-003"), ()),  # the rule id is an argument: one that reads settings
        Command(("risk",), (_RISK_SETTING,), takes_file=True),
        Command(
            ("simulate", "regimen"),
            (
                *_KIDNEY_SIM,
                Opt("--washout-h", num(0, 72, (0, 24)), POS_BAD),
                _PK_SETTING,
                _STEP_H,
                Opt("--model", st.sampled_from(["default", "kochak"]), NAME_BAD),
                Opt(
                    "--hd-session",
                    st.sampled_from(["4:4", "10:3"]),
                    ("x", "4", "-1:4", "4:-1", "nan:4"),
                    repeatable=True,
                ),
                Opt("--condition", CONDITIONS, NAMES_BAD, repeatable=True),
                *_POP,
            ),
            takes_file=True,
        ),
    ]
}

#: The CLI path of a command description that aims a real command at one rule (``check dose itb`` is
#: ``check dose`` with mcg values; ``plan taper steps`` is ``plan taper`` around the step limit).
CLI_PATH = {
    "check dose itb": ("check", "dose"),
    "plan taper steps": ("plan", "taper"),
    "check dose nabiximols": ("check", "dose"),
    "pump program flex": ("pump", "program"),
}


def cli_path(cmd: Command) -> tuple[str, ...]:
    return CLI_PATH.get(cmd.name, cmd.path)


@st.composite
def _options(draw: st.DrawFn, cmd: Command) -> list[str]:
    args: list[str] = []
    for opt in cmd.options:
        if not opt.required and not draw(st.booleans()):
            continue
        if opt.valid is None:
            args.append(opt.name)
            continue
        times = draw(st.integers(1, 2)) if opt.repeatable else 1
        for _ in range(times):
            args += [opt.name, draw(opt.valid)]
    return args


def valid_args(name: str) -> st.SearchStrategy[list[str]]:
    """Well-formed argument lists for command ``name`` (see ``COMMANDS``), always with ``--json``."""
    cmd = COMMANDS[name]
    return _options(cmd).map(lambda opts: [*cli_path(cmd), *opts, "--json"])


@st.composite
def bad_args(draw: st.DrawFn, name: str) -> tuple[list[str], list[str], str]:
    """A valid argument list that sets one option, and the same list with only that option's value
    replaced by an always-bad one: ``(base_args, bad_args, option)``. The test runs the base first (it
    must be accepted, or the example is skipped), so that the only thing wrong in ``bad_args`` is ``option``."""
    cmd = COMMANDS[name]
    opt = draw(st.sampled_from([o for o in cmd.options if o.bad and o.valid is not None]))
    value = draw(st.sampled_from(opt.bad))
    opts = draw(_options(cmd))
    kept: list[str] = []
    i = 0
    while i < len(opts):  # drop the option's drawn occurrences: it is set once, below
        if opts[i] == opt.name:
            i += 2
            continue
        kept.append(opts[i])
        i += 1
    assert opt.valid is not None
    good = draw(opt.valid)
    position = draw(st.sampled_from([0, len(kept)]))  # before or after the others: never inside a pair
    base, bad = list(kept), list(kept)
    base[position:position] = [opt.name, good]
    bad[position:position] = [opt.name, value]
    return [*cli_path(cmd), *base, "--json"], [*cli_path(cmd), *bad, "--json"], opt.name


def commands_with_bad_values() -> list[str]:
    return [n for n, c in COMMANDS.items() if any(o.bad for o in c.options)]


# --- mg/mcg slips -------------------------------------------------------------------------------------------
@st.composite
def unit_slips(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    """A clinically ordinary command and the same command with one value 1000x off (mg for mcg or back).

    Returns ``(ordinary_args, slipped_args)``; the slip must not pass silently (warn/block/refused).
    """
    kind = draw(
        st.sampled_from(
            [
                "check-oral",
                "check-itb",
                "initial",
                "program-dose",
                "program-conc",
                "titrate",
                "taper",
                "transition-oral",
                "transition-itb",
                "itb-titrate",
                "forecast",
                "simulate-oral",
                "simulate-itb",
            ]
        )
    )
    mg = draw(st.sampled_from([5, 10, 15, 20, 30, 40, 60]))
    mcg = draw(st.sampled_from([50, 100, 150, 200, 300, 400, 600, 800]))
    conc = draw(st.sampled_from([500, 1000, 2000]))
    pump = draw(PUMPS)
    up = draw(st.booleans())  # x1000 (mcg typed where mg is meant) or /1000 (mg typed where mcg is meant)

    def slip(v: float) -> str:
        return _fmt(v * 1000 if up else v / 1000)

    if kind == "check-oral":
        base = ["check", "dose", "--drug", "baclofen", "--mg-per-day"]
        return [*base, str(mg), "--json"], [*base, _fmt(mg * 1000), "--json"]
    if kind == "check-itb":
        base = ["check", "dose", "--drug", "Gablofen", "--mcg-per-day"]
        return [*base, str(mcg), "--json"], [*base, _fmt(mcg / 1000), "--json"]
    if kind == "initial":
        screen = draw(st.sampled_from([25, 50, 75, 100]))
        base = ["itb", "initial-dose", "--response-hours", "4", "--screening-dose-mcg"]
        return [*base, str(screen), "--json"], [*base, _fmt(screen / 1000), "--json"]
    if kind in ("program-dose", "program-conc", "forecast"):
        head = (
            ["pump", "program", "--pump", pump]
            if kind != "forecast"
            else ["pump", "forecast", "--pump", pump, "--volume-ml", "20", "--filled", "2026-06-01"]
        )
        ok = [*head, "--concentration-mcg-per-ml", str(conc), "--daily-dose-mcg", str(mcg), "--json"]
        if kind == "program-conc":
            return ok, [*head, "--concentration-mcg-per-ml", _fmt(conc / 1000), "--daily-dose-mcg", str(mcg), "--json"]
        return ok, [*head, "--concentration-mcg-per-ml", str(conc), "--daily-dose-mcg", slip(mcg), "--json"]
    if kind == "titrate":
        base = ["plan", "titrate", "--start-date", "2026-06-01", "--target-mg-per-day"]
        return [*base, str(mg), "--json"], [*base, _fmt(mg * 1000), "--json"]
    if kind == "taper":
        base = ["plan", "taper", "--start-date", "2026-06-01", "--from-mg-per-day"]
        return [*base, str(mg), "--json"], [*base, _fmt(mg * 1000), "--json"]
    if kind.startswith("transition"):
        # From 5 mg/day the default 10 mg tablet cannot give the transition's smallest oral cut: refused with
        # exit 2 naming --max-oral-cut-percent (tests/e2e), so the ordinary transition starts at 10 mg/day.
        mg = max(mg, 10)
    if kind == "transition-oral":
        base = [
            "itb",
            "transition",
            "--infusion-start",
            "2026-06-01",
            "--itb-initial-mcg-per-day",
            str(mcg),
            "--oral-mg-per-day",
        ]
        return [*base, str(mg), "--json"], [*base, _fmt(mg * 1000), "--json"]
    if kind == "transition-itb":
        base = [
            "itb",
            "transition",
            "--infusion-start",
            "2026-06-01",
            "--oral-mg-per-day",
            str(mg),
            "--itb-initial-mcg-per-day",
        ]
        return [*base, str(mcg), "--json"], [*base, slip(mcg), "--json"]
    if kind == "itb-titrate":
        base = ["itb", "titrate", "--current-mcg-per-day"]
        return [*base, str(mcg), "--json"], [*base, slip(mcg), "--json"]
    if kind == "simulate-oral":
        base = ["simulate", "oral", "--dose-mg"]
        return [*base, str(mg // 3 or 5), "--json"], [*base, _fmt((mg // 3 or 5) * 1000), "--json"]
    base = ["simulate", "intrathecal", "--daily-dose-mcg"]
    return [*base, str(mcg), "--json"], [*base, slip(mcg), "--json"]


# --- Timelines (docs/timeline.md) ---------------------------------------------------------------------------
def _t(d: datetime) -> str:
    return d.isoformat()


AS_OF = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)
#: The risk engine's look-back for recent program changes (docs/timeline.md, cds.risk.lookback_days).
RISK_LOOKBACK_DAYS = 7


@st.composite
def oral_cap_breach_timelines(draw: st.DrawFn) -> tuple[dict[str, Any], float, str]:
    """An oral prescription above the locale's cap, ongoing at ``as_of``: ``(timeline, dose, locale)``."""
    locale = draw(st.sampled_from([None, "us", "uk"]))
    cap = 100.0 if locale == "uk" else 80.0
    # The timeline accepts 0-300 mg/day (more is refused as bad input, exit 2).
    dose = draw(st.sampled_from([cap + 0.5, cap + 10, 120.0 + 1, 300.0]) | st.floats(cap + 0.5, 300))
    dose = round(dose, 1)
    start = AS_OF.date() - timedelta(days=draw(st.integers(0, 400)))
    patient: dict[str, Any] = {}
    if locale:
        patient["locale"] = locale
    if draw(st.booleans()):
        patient["crcl_ml_min"] = draw(st.sampled_from([60, 90, 120]))
    if draw(st.booleans()):
        patient["age_years"] = draw(st.integers(18, 90))
    end = draw(st.none() | st.just((AS_OF.date() + timedelta(days=30)).isoformat()))
    doc = {
        "schema": "baclofen-timeline/1",
        "as_of": _t(AS_OF),
        "patient": patient,
        "oral": {"prescriptions": [{"start": start.isoformat(), "end": end, "daily_dose_mg": dose}]},
    }
    return doc, dose, locale or "us"


@st.composite
def itb_timelines(draw: st.DrawFn) -> tuple[dict[str, Any], float, float]:
    """A pump timeline whose last program (refill or program change) sets a new daily dose.

    Returns ``(timeline, previous_mcg_per_day, new_mcg_per_day)``: covers doses above 1000/2003 mcg/day and
    cuts of any size (to 0 = stopped).
    """
    pump = draw(st.sampled_from(["synchromed-ii-20", "synchromed-ii-40", "prometra-ii-20", "prometra-ii-40"]))
    reservoir = 40 if pump.endswith("40") else 20
    conc = draw(st.sampled_from([500, 1000, 2000]))
    old = float(draw(st.sampled_from([100, 200, 300, 500, 800, 1000])))
    new = draw(
        st.sampled_from(
            [
                0.0,
                0.2,
                1.0,
                5.0,
                old * 0.1,
                old * 0.3,
                old * 0.49,
                old * 0.5,
                old * 0.9,
                old,
                old * 1.1,
                1500.0,
                2003.0,
                2100.0,
                3000.0,
            ]
        )
    )
    new = round(new, 2)
    days_since_fill = draw(st.integers(1, 20))
    fill_time = AS_OF - timedelta(days=days_since_fill + 30)
    # A stop or a near-stop (below 12 mcg/day) in effect is high whatever its age, and so is a rate above 2003; a
    # cut to a plausible rate is a withdrawal risk while it is recent: within the 7-day look-back (docs/timeline.md).
    recent_only = ITB_MIN_REPORTED_MCG <= new < old
    days_ago = draw(st.integers(0, min(days_since_fill, RISK_LOOKBACK_DAYS - 1) if recent_only else days_since_fill))
    change_time = AS_OF - timedelta(days=days_ago, hours=1)
    refills: list[dict[str, Any]] = [
        {
            "time": _t(fill_time - timedelta(days=60)),
            "volume_ml": reservoir,
            "concentration_mcg_per_ml": conc,
            "daily_dose_mcg": old,
        }
    ]
    # A refill programs a running pump that delivers the fill within 100 years (>= 5 mcg/day here); a stopped
    # pump (0) or a near-stop is recorded as a program change.
    how = draw(st.sampled_from(["refill", "program_change"])) if new >= 5 else "program_change"
    pump_doc: dict[str, Any] = {"model": pump, "implanted": "2025-01-01", "refills": refills}
    if how == "refill":
        refills.append(
            {"time": _t(change_time), "volume_ml": reservoir, "concentration_mcg_per_ml": conc, "daily_dose_mcg": new}
        )
    else:
        refills.append(
            {"time": _t(fill_time), "volume_ml": reservoir, "concentration_mcg_per_ml": conc, "daily_dose_mcg": old}
        )
        pump_doc["program_changes"] = [{"time": _t(change_time), "daily_dose_mcg": new}]
    doc = {"schema": "baclofen-timeline/1", "as_of": _t(AS_OF), "patient": {"crcl_ml_min": 90}, "pump": pump_doc}
    return doc, old, new


def malformed_json_texts() -> st.SearchStrategy[str]:
    """Hostile file contents: not JSON, wrong shapes, absurd numbers, deep nesting, wrong types."""
    good = {"schema": "baclofen-timeline/1", "as_of": "2027-01-10T09:00:00+00:00"}
    return st.sampled_from(
        [
            "",
            "{",
            "not json",
            "[]",
            "null",
            "42",
            '"text"',
            "\ufeff{}",
            "{}",
            json.dumps({**good, "as_of": "yesterday"}),
            json.dumps({**good, "as_of": "2027-01-10"}),
            json.dumps(
                {**good, "oral": {"prescriptions": [{"start": "2026-01-01", "end": None, "daily_dose_mg": "sixty"}]}}
            ),
            json.dumps(
                {**good, "oral": {"prescriptions": [{"start": "2026-01-01", "end": None, "daily_dose_mg": -5}]}}
            ),
            json.dumps({**good, "pump": {"model": "zzz", "refills": []}}),
            json.dumps({**good, "unknown_field": 1}),
            '{"as_of": "2027-01-10T09:00:00+00:00", "patient": {"crcl_ml_min": NaN}}',
            '{"as_of": "2027-01-10T09:00:00+00:00", "patient": {"crcl_ml_min": Infinity}}',
            '{"as_of": "2027-01-10T09:00:00+00:00", "patient": {"crcl_ml_min": 1' + "0" * 4300 + "}}",
            '{"as_of": "2027-01-10T09:00:00+00:00", "patient": {"crcl_ml_min": 1e400}}',
            "[" * 100_000 + "]" * 100_000,
            '{"a":' * 50_000 + "1" + "}" * 50_000,
            json.dumps({"kind": "taper", "steps": "many"}),
            json.dumps(
                {
                    "kind": "taper",
                    "steps": [{"start": "2026-01-01", "end": "2026-01-05", "daily_dose_mg": float("nan"), "doses": []}],
                }
            ),
        ]
    )
