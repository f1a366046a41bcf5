"""Invariant 5: the risk engine rates every cap breach and every large ITB cut high, with a clinic alert.

Timelines follow docs/timeline.md (schema baclofen-timeline/1).
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.invariants.helpers import examples, report, run_clean, write
from tests.invariants.invariants import inv_risk_adult_only, inv_risk_itb, inv_risk_oral_cap
from tests.invariants.strategies import itb_timelines, oral_cap_breach_timelines


@settings(max_examples=examples(150))
@given(case=oral_cap_breach_timelines())
def test_an_oral_dose_above_the_cap_is_a_high_risk(case, workdir) -> None:
    doc, dose, locale = case
    r = run_clean("risk", write(workdir, doc), "--json")
    assert r.exit_code == 0, report(r, ["valid timeline refused"])
    problems = inv_risk_oral_cap(r.json(), dose, locale)
    assert not problems, report(r, problems + [f"timeline: {doc}"])


@settings(max_examples=examples(200))
@given(case=itb_timelines())
def test_an_itb_dose_above_2003_or_a_large_cut_is_a_high_risk(case, workdir) -> None:
    doc, old, new = case
    r = run_clean("risk", write(workdir, doc), "--json")
    assert r.exit_code == 0, report(r, ["valid timeline refused"])
    problems = inv_risk_itb(r.json(), old, new)
    assert not problems, report(r, problems + [f"timeline: {doc}"])


@settings(max_examples=examples(60))
@given(
    case=oral_cap_breach_timelines() | itb_timelines(),
    age=st.sampled_from([0, 4, 12, 17, 17.9, 18, 18.5, 46]) | st.floats(0, 120).map(lambda x: round(x, 1)),
)
def test_a_patient_under_18_is_out_of_scope_of_the_risk_assessment(case, age, workdir) -> None:
    doc = {**case[0], "patient": {**case[0].get("patient", {}), "age_years": age}}
    r = run_clean("risk", write(workdir, doc), "--json")
    assert r.exit_code == 0, report(r, ["valid timeline refused"])
    problems = inv_risk_adult_only(r.json(), age)
    assert not problems, report(r, problems + [f"timeline: {doc}"])
