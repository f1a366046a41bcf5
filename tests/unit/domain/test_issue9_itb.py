"""Issue 9 (ITB area): items 4, 5, 7 and the missing ITB rules, domain level, boundaries on both sides."""

from __future__ import annotations

import pytest

from baclofen.domain.itb.dosing import titration_range
from baclofen.domain.patient import SpasticityOrigin
from baclofen.domain.rules import Severity

SPINAL = SpasticityOrigin.SPINAL


def _sev(findings, rule_id):
    return next((f.severity for f in findings if f.rule_id == rule_id), None)


# --- item 4: ITB-TITR-004 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proposed", "severity"),
    [(400.0, None), (320.0, None), (319.99, Severity.BLOCK), (10.0, Severity.BLOCK)],
)
def test_issue9_item4_cut_beyond_the_step_limits_is_a_block(proposed, severity) -> None:
    """Item 4: "`ITB-TITR-004`: a cut from 400 to 10 mcg/day is only a warn; abrupt ITB discontinuation carries a
    boxed warning, and the oral equivalent blocks. A cut beyond the step limits is a block unless it is a planned
    taper." (-20 % of 400 = 320 mcg/day is the largest label cut.)"""
    for at_refill in (True, False):
        r = titration_range(400, SPINAL, at_refill=at_refill, hours_since_start=48, proposed_mcg_per_day=proposed)
        assert _sev(r.findings, "ITB-TITR-004") is severity
        assert r.to_dict()["offerable"] is (severity is None)


@pytest.mark.parametrize(("proposed", "severity"), [(320.0, None), (319.99, Severity.WARN), (10.0, Severity.WARN)])
def test_issue9_item4_planned_taper_turns_the_block_into_a_warn_with_taper_advice(proposed, severity) -> None:
    r = titration_range(400, SPINAL, at_refill=True, proposed_mcg_per_day=proposed, planned_taper=True)
    assert _sev(r.findings, "ITB-TITR-004") is severity
    assert r.to_dict()["planned_taper"] is True
    if severity is not None:
        f = next(f for f in r.findings if f.rule_id == "ITB-TITR-004")
        assert "taper" in f.action.lower() and "S69" in f.evidence
        assert r.to_dict()["offerable"] is True


# --- 5.4: at most one increase every 24 h ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "at_refill", "severity"),
    [(23.9, False, Severity.BLOCK), (24.0, False, None), (23.9, True, Severity.BLOCK), (24.0, True, None)],
)
def test_issue9_increases_at_most_once_every_24h(hours, at_refill, severity) -> None:
    """Missing rule: "ITB increases at most once every 24 h between any two increases, not only in the first
    24 h (5.4)"."""
    r = titration_range(
        300,
        SPINAL,
        at_refill=at_refill,
        hours_since_start=200,
        hours_since_last_increase=hours,
        proposed_mcg_per_day=330,
    )
    assert _sev(r.findings, "ITB-TITR-007") is severity
    # a decrease or the same dose is not an increase
    same = titration_range(
        300, SPINAL, hours_since_start=200, hours_since_last_increase=hours, proposed_mcg_per_day=300
    )
    assert _sev(same.findings, "ITB-TITR-007") is None


@pytest.mark.parametrize(("hours", "held"), [(23.9, True), (24.0, False)])
def test_issue9_range_holds_until_24h_after_the_last_increase(hours, held) -> None:
    r = titration_range(300, SPINAL, hours_since_start=200, hours_since_last_increase=hours)
    assert (r.max_mcg_per_day == 300) is held
    assert (_sev(r.findings, "ITB-TITR-007") is Severity.BLOCK) is held
    assert (r.to_dict()["hold_for_hours"] is not None) is held


def test_issue9_last_increase_cannot_be_before_the_start() -> None:
    from baclofen.domain.errors import InvalidInputError

    with pytest.raises(InvalidInputError):
        titration_range(300, SPINAL, hours_since_last_increase=-1)


# --- 4.2 / item 7: re-introduction after an interruption ----------------------------------------------


@pytest.mark.parametrize(("hours", "present"), [(None, False), (0.0, False), (0.1, True), (72.0, True)])
def test_issue9_item7_titrate_after_an_interruption_is_flagged(hours, present) -> None:
    """Missing rule: "Re-introduction after an interruption (clinical.md 4.2)": be especially vigilant [S30]."""
    r = titration_range(300, SPINAL, hours_since_start=200, interruption_hours=hours)
    f = next((f for f in r.findings if f.rule_id == "ITB-TITR-008"), None)
    assert (f is not None) is present
    if f is not None:
        assert f.severity is Severity.WARN
        assert "S30" in f.evidence and "S42" in f.evidence
        assert "vigilan" in f.reasoning.lower() or "vigilan" in f.message.lower()
        assert f.signs


# --- item 5 and 5.1: implant contraindications ---------------------------------------------------------

from baclofen.domain.cds.contraindications import screen_contraindications  # noqa: E402


@pytest.mark.parametrize(
    ("condition", "rule_id", "source"),
    [
        ("active infection", "CI-ITB-INFECTION-001", "S117"),
        ("insufficient body size", "CI-ITB-BODYSIZE-001", "S66"),
        ("spinal anomaly", "CI-ITB-SPINE-001", "S117"),
        ("MS exacerbation", "CI-ITB-MSEXAC-001", "S41"),
        ("non-healing wound", "CI-ITB-WOUND-001", "S41"),
    ],
)
def test_issue9_item5_itb_implant_and_screening_conditions_block(condition, rule_id, source) -> None:
    """Item 5: "`CI-ITB-INFECTION-001`: active infection contraindicates pump implantation (S117, S66): block";
    missing rules: insufficient body size, spinal anomalies (5.1); no screening during an MS exacerbation or
    with non-healing wounds (5.2)."""
    with_it = screen_contraindications("baclofen-intrathecal", [condition]).findings
    assert _sev(with_it, rule_id) is Severity.BLOCK
    assert source in next(f for f in with_it if f.rule_id == rule_id).evidence
    assert _sev(screen_contraindications("baclofen-intrathecal", []).findings, rule_id) is None
    assert _sev(screen_contraindications("baclofen", [condition]).findings, rule_id) is None  # oral: not this rule


@pytest.mark.parametrize(("depth", "severity"), [(2.5, None), (2.51, Severity.BLOCK), (1.0, None)])
def test_issue9_implant_depth_over_2_5_cm_blocks(depth, severity) -> None:
    findings = screen_contraindications("baclofen-intrathecal", implant_depth_cm=depth).findings
    assert _sev(findings, "CI-ITB-DEPTH-001") is severity


@pytest.mark.parametrize(("days", "severity"), [(364, Severity.BLOCK), (365, None), (0, Severity.BLOCK), (3000, None)])
def test_issue9_at_least_one_year_after_tbi(days, severity) -> None:
    findings = screen_contraindications("baclofen-intrathecal", days_since_tbi=days).findings
    assert _sev(findings, "CI-ITB-TBI-001") is severity


def test_issue9_implant_inputs_are_validated() -> None:
    from baclofen.domain.errors import InvalidInputError

    with pytest.raises(InvalidInputError, match="implant_depth_cm"):
        screen_contraindications("baclofen-intrathecal", implant_depth_cm=-1)
    with pytest.raises(InvalidInputError, match="days_since_tbi"):
        screen_contraindications("baclofen-intrathecal", days_since_tbi=-1)


# --- 5.2: no screening during an MS exacerbation, non-healing wounds, active infection ------------------

from baclofen.domain.itb.screening import assess_screening, responses_to_doses  # noqa: E402


@pytest.mark.parametrize(
    ("conditions", "blocked"),
    [
        ((), set()),
        (("epilepsy",), set()),
        (("MS exacerbation",), {"CI-ITB-MSEXAC-001"}),
        (("non-healing wound",), {"CI-ITB-WOUND-001"}),
        (("active UTI",), {"CI-ITB-INFECTION-001"}),
    ],
)
def test_issue9_screening_not_offerable_during_exacerbation_wound_or_infection(conditions, blocked) -> None:
    r = assess_screening(responses_to_doses([False]), conditions=conditions)
    got = {f.rule_id for f in r.findings if f.severity is Severity.BLOCK}
    assert got == blocked
    assert r.to_dict()["offerable"] is (not blocked)


# --- item 7: RISK-PROGRAM-001 and a restart from 0 or a near-stop --------------------------------------

from baclofen.domain.cds.risk import assess_risk  # noqa: E402
from baclofen.domain.cds.timeline import timeline_from_dict  # noqa: E402


def _restart(stop_dose: float, restart_dose: float = 250):
    doc = {
        "as_of": "2026-01-10T09:00:00+00:00",
        "pump": {
            "model": "synchromed-ii-20",
            "refills": [
                {
                    "time": "2026-01-01T10:00:00+00:00",
                    "volume_ml": 20,
                    "concentration_mcg_per_ml": 500,
                    "daily_dose_mcg": 250,
                }
            ],
            "program_changes": [
                {"time": "2026-01-07T10:00:00+00:00", "daily_dose_mcg": stop_dose},
                {"time": "2026-01-09T10:00:00+00:00", "daily_dose_mcg": restart_dose},
            ],
        },
    }
    a = assess_risk(timeline_from_dict(doc))
    return [r.finding for r in a.risks if r.finding.rule_id == "RISK-PROGRAM-001"]


@pytest.mark.parametrize(("stop_dose", "reintroduction"), [(0, True), (11.9, True), (12, False), (200, False)])
def test_issue9_item7_increase_from_0_or_a_near_stop_is_a_reintroduction(stop_dose, reintroduction) -> None:
    """Item 7: "`RISK-PROGRAM-001` ignores an increase from 0: re-introduction after an interruption needs
    vigilance (S30)". 12 mcg/day is itb.limits.lowest_daily_dose_mcg (below it: a near-stop)."""
    found = _restart(stop_dose)
    assert len(found) == 1  # the increase is flagged in every case
    f = found[0]
    assert f.data["reintroduction"] is reintroduction
    if reintroduction:
        assert "re-introduction" in f.message.lower()
        assert "S42" in f.evidence and "S30" in f.evidence
        assert "previous" in f.action.lower()


# --- 5.6: no admixture ----------------------------------------------------------------------------------

from baclofen.domain.itb.programs import continuous_program, plan_pump_program  # noqa: E402


@pytest.mark.parametrize(("others", "severity"), [((), None), (("clonidine",), Severity.BLOCK)])
def test_issue9_admixture_in_the_pump_is_a_block(others, severity) -> None:
    plan = plan_pump_program("synchromed-ii-20", 500, continuous_program(300), other_drugs_in_pump=others)
    assert _sev(plan.findings, "PUMP-ADMIX-001") is severity
    if severity is not None:
        assert "S36" in next(f for f in plan.findings if f.rule_id == "PUMP-ADMIX-001").evidence
