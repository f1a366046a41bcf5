"""Hypothesis strategies for issue 8 defect 2: timelines with oral cap breaches, ITB overdoses and ITB cuts.

Each strategy returns ``(document, oracle)`` where the oracle is computed here from the limits in
clinical.md, independently of the engine: oral maximum US 80 / UK 100 mg/day (no locale: the lower, 80)
[S1] [S4] [S24]; ITB above 2003 mcg/day [HarrietLane24]; an ITB cut beyond the refill decrease step of
20 % [S2] [S3] is withdrawal [S118].
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

#: Oracle values (clinical.md), deliberately not imported from the code under test.
ORAL_CAP_MG = {"us": 80.0, "uk": 100.0, None: 80.0}
ITB_MAX_MCG = 2003.0
ITB_MAX_CUT_PERCENT = 20.0
LOOKBACK_DAYS = 7
#: Concentrations on the market (mcg/mL) [S34] [S36].
CONCENTRATIONS = (500, 1000, 2000)
PUMP = "synchromed-ii-40"


def _iso(t: datetime) -> str:
    return t.isoformat()


@st.composite
def oral_timelines(draw: Any) -> tuple[dict[str, Any], bool]:
    """A timeline of contiguous or gapped oral prescriptions (some may be planned after ``as_of``).

    Oracle: True when a prescription active on or after ``as_of - 7 days`` is above the locale cap.
    """
    locale = draw(st.sampled_from(["us", "uk", None]))
    as_of = datetime(2027, 1, 10, 9, 0, tzinfo=UTC) + timedelta(days=draw(st.integers(0, 400)))
    today = as_of.date()
    start = today - timedelta(days=draw(st.integers(1, 200)))
    periods: list[dict[str, Any]] = []
    breach = False
    cap = ORAL_CAP_MG[locale]
    for i in range(draw(st.integers(1, 5))):
        length = draw(st.integers(1, 90))
        last = i == 4 or draw(st.booleans())
        dose = draw(st.one_of(st.integers(0, 300).map(float), st.sampled_from([cap, cap + 0.5, 120.0, 120.5])))
        end: date | None = None if last and draw(st.booleans()) else start + timedelta(days=length - 1)
        periods.append(
            {"start": start.isoformat(), "end": None if end is None else end.isoformat(), "daily_dose_mg": dose}
        )
        if dose > cap and (end is None or end >= today - timedelta(days=LOOKBACK_DAYS)):
            breach = True
        if end is None or last:
            break
        start = end + timedelta(days=1 + draw(st.integers(0, 10)))
    patient: dict[str, Any] = {"crcl_ml_min": 90}
    if locale is not None:
        patient["locale"] = locale
    doc = {
        "schema": "baclofen-timeline/1",
        "as_of": _iso(as_of),
        "patient": patient,
        "oral": {"prescriptions": periods},
    }
    return doc, breach


def _refill(t: datetime, dose: float, conc: int, volume: float = 40.0) -> dict[str, Any]:
    return {"time": _iso(t), "volume_ml": volume, "concentration_mcg_per_ml": conc, "daily_dose_mcg": dose}


itb_doses = st.one_of(
    st.floats(1.0, 10_000.0, allow_nan=False).map(lambda x: round(x, 1)),
    st.sampled_from([2003.0, 2003.1, 2004.0, 3000.0]),
)


@st.composite
def itb_rate_timelines(draw: Any) -> tuple[dict[str, Any], bool]:
    """Pump refills and program changes at any daily dose (as refills and as program changes, each as a simple
    continuous program or as a flex schedule with the same daily total).

    Oracle: True when a program in effect at ``as_of`` or within the 7 days before it exceeds 2003 mcg/day.
    """
    as_of = datetime(2026, 6, 1, 9, 0, tzinfo=UTC) + timedelta(days=draw(st.integers(0, 300)))
    conc = draw(st.sampled_from(CONCENTRATIONS))
    events: list[tuple[datetime, str, float]] = []
    t = as_of - timedelta(days=draw(st.integers(1, 40)), hours=draw(st.integers(0, 23)))
    n = draw(st.integers(1, 4))
    for i in range(n):
        kind = "refill" if i == 0 else draw(st.sampled_from(["refill", "change"]))
        events.append((t, kind, draw(itb_doses)))
        t = t + timedelta(days=draw(st.integers(0, 10)), hours=draw(st.integers(1, 23)))
        if t > as_of:
            break
    window = as_of - timedelta(days=LOOKBACK_DAYS)
    breach = False
    for j, (_, _, dose) in enumerate(events):
        until = events[j + 1][0] if j + 1 < len(events) else as_of
        if dose > ITB_MAX_MCG and until >= window:
            breach = True
    refills = [_refill(w, d, conc) for w, k, d in events if k == "refill"]
    changes: list[dict[str, Any]] = [{"time": _iso(w), "daily_dose_mcg": d} for w, k, d in events if k == "change"]
    for entry in refills + changes:
        if draw(st.booleans()):  # the same daily dose as a flex schedule: 16 h at the day rate, 8 h at night
            dose = entry.pop("daily_dose_mcg")
            entry["flex"] = flex_for(dose, draw(st.sampled_from([0.25, 0.5, 0.75, 1.0])))
    doc = {
        "schema": "baclofen-timeline/1",
        "as_of": _iso(as_of),
        "pump": {"model": PUMP, "refills": refills, "program_changes": changes},
    }
    return doc, breach


def flex_for(daily_dose_mcg: float, day_share: float) -> str:
    """A flex schedule "06:00=a,22:00=b" (mcg/h) delivering exactly ``daily_dose_mcg`` a day (16 a + 8 b)."""
    day = daily_dose_mcg * day_share / 16
    night = daily_dose_mcg * (1 - day_share) / 8
    return f"06:00={day!r},22:00={night!r}"


@st.composite
def itb_cut_timelines(draw: Any, *, beyond: bool) -> tuple[dict[str, Any], float]:
    """A dose held for longer than the look-back window, then one cut (a refill or a program change).

    ``beyond``: the cut is more than 20 % (down to a tiny non-zero rate); else it is 0-20 %.
    Returns the document and the cut in percent.
    """
    as_of = datetime(2026, 6, 1, 9, 0, tzinfo=UTC) + timedelta(days=draw(st.integers(0, 300)))
    conc = draw(st.sampled_from(CONCENTRATIONS))
    before = draw(st.floats(50.0, 1500.0).map(lambda x: round(x, 1)))
    if beyond:
        after = draw(
            st.one_of(
                st.floats(0.001, 1.0).map(lambda x: round(x, 3)),
                st.floats(0.001, before * (1 - ITB_MAX_CUT_PERCENT / 100) - 0.2).map(lambda x: round(x, 1)),
            )
        )
        after = max(after, 0.001)
    else:
        after = draw(st.floats(before * (1 - ITB_MAX_CUT_PERCENT / 100) + 0.1, before - 0.1).map(lambda x: round(x, 1)))
    # Keep the fill well above the low-reservoir alarm so that only the cut is judged.
    t0 = as_of - timedelta(days=LOOKBACK_DAYS + draw(st.integers(1, 5)))
    cut_at = as_of - timedelta(hours=draw(st.integers(1, 24 * LOOKBACK_DAYS - 1)))
    volume = 40.0
    if draw(st.booleans()):
        refills = [_refill(t0, before, conc, volume), _refill(cut_at, after, conc, volume)]
        changes: list[dict[str, Any]] = []
    else:
        refills = [_refill(t0, before, conc, volume)]
        changes = [{"time": _iso(cut_at), "daily_dose_mcg": after}]
    cut = refills[-1] if not changes else changes[-1]
    if after >= 1.0 and draw(st.booleans()):  # the cut program as a flex schedule with the same daily total
        cut["flex"] = flex_for(cut.pop("daily_dose_mcg"), draw(st.sampled_from([0.25, 0.5, 1.0])))
    doc = {
        "schema": "baclofen-timeline/1",
        "as_of": _iso(as_of),
        "pump": {"model": PUMP, "refills": refills, "program_changes": changes},
    }
    return doc, (before - after) / before * 100.0
