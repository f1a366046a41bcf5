"""Issue 9 items 8 and 9: literals that the fact sheet's rule makes settings (one home each, cited)."""

from __future__ import annotations

from datetime import date

import pytest

from baclofen.domain.cds.dose_limits import check_dose
from baclofen.domain.cds.scales import ITB_SCREENING_ASHWORTH_REDUCTION, evaluate_response
from baclofen.domain.errors import InvalidInputError, UnknownNameError
from baclofen.domain.itb import screening
from baclofen.domain.itb.dosing import HIGHEST_REPORTED_DAILY_DOSE, check_daily_dose
from baclofen.domain.itb.screening import ScreeningDose, assess_screening
from baclofen.domain.oral.limits import (
    MAX_DAILY_DOSE_IN_HOSPITAL_UK,
    MAX_DAILY_DOSE_IN_HOSPITAL_US,
    in_hospital_ceiling_setting,
)
from baclofen.domain.oral.titration import plan_titration
from baclofen.domain.patient import ELDERLY_AGE_YEARS, Locale, PatientSnapshot
from baclofen.domain.rules.core import Override
from baclofen.domain.settings import SETTINGS, EvidenceStatus, Setting

D0 = date(2026, 12, 1)


def _ids(findings) -> set[str]:
    return {f.rule_id for f in findings}


# --- item 8: tizanidine doses in 24 h, per locale -----------------------------------------------------------
@pytest.mark.parametrize(
    ("locale", "doses", "flagged"),
    [(Locale.US, 3, False), (Locale.US, 4, True), (Locale.UK, 4, False), (Locale.UK, 5, True)],
)
def test_issue9_item8_tizanidine_frequency_follows_the_locale(locale: Locale, doses: int, flagged: bool) -> None:
    """DOSE-TIZ-FREQ-001 hard-codes 3 doses a day; UK sources give 3-4 (S25, a DISAGREE): a locale setting."""
    result = check_dose("tizanidine", mg_per_day=12, doses_per_day=doses, locale=locale)

    assert ("DOSE-TIZ-FREQ-001" in _ids(result.findings)) is flagged
    name = f"cds.tizanidine.max_doses_per_day.{locale.value}"
    assert name in [u.setting.name for u in result.settings]
    row = next(r for r in result.limits if r["kind"] == "doses in 24 h")
    assert row["setting"] == name and row["status"] == "disagree"


@pytest.mark.parametrize(("doses", "flagged"), [(2, False), (3, True)])
def test_issue9_item8_tizanidine_frequency_setting_override(doses: int, flagged: bool) -> None:
    result = check_dose(
        "tizanidine", mg_per_day=12, doses_per_day=doses, settings={"cds.tizanidine.max_doses_per_day.us": 2}
    )

    assert ("DOSE-TIZ-FREQ-001" in _ids(result.findings)) is flagged


def test_issue9_item8_tizanidine_frequency_settings_are_cited_disagree() -> None:
    us = SETTINGS["cds.tizanidine.max_doses_per_day.us"]
    uk = SETTINGS["cds.tizanidine.max_doses_per_day.uk"]
    assert (us.default, uk.default) == (3, 4)
    assert us.status is uk.status is EvidenceStatus.DISAGREE
    assert "S73" in us.evidence and "S25" in uk.evidence
    with pytest.raises(InvalidInputError):
        check_dose("tizanidine", mg_per_day=12, settings={"cds.tizanidine.max_doses_per_day.uk": 5})


# --- item 9: the highest reported ITB dose, 2003 mcg/day ------------------------------------------------------
def test_issue9_item9_highest_reported_itb_dose_is_one_cited_setting() -> None:
    """2003 mcg/day in itb/dosing.py is a literal that is a setting by the sheet's rule."""
    assert isinstance(HIGHEST_REPORTED_DAILY_DOSE, Setting)
    assert SETTINGS["itb.dose.highest_reported_mcg_per_day"] is HIGHEST_REPORTED_DAILY_DOSE
    assert HIGHEST_REPORTED_DAILY_DOSE.default == 2003.0
    assert HIGHEST_REPORTED_DAILY_DOSE.status is EvidenceStatus.PARTLY_VERIFIED
    assert "HarrietLane24" in HIGHEST_REPORTED_DAILY_DOSE.evidence


@pytest.mark.parametrize(
    ("dose", "settings", "blocked"),
    [
        (2003, None, False),
        (2003.5, None, True),
        (1500, {"itb.dose.highest_reported_mcg_per_day": 1500}, False),
        (1501, {"itb.dose.highest_reported_mcg_per_day": 1500}, True),
    ],
)
def test_issue9_item9_highest_reported_itb_dose_override_in_check_dose(
    dose: float, settings: dict | None, blocked: bool
) -> None:
    result = check_dose("Gablofen", mcg_per_day=dose, settings=settings)

    assert ("ITB-DOSE-002" in _ids(result.findings)) is blocked
    row = next(r for r in result.limits if r["kind"] == "highest reported adult maintenance dose")
    assert row["value"] == (settings or {}).get("itb.dose.highest_reported_mcg_per_day", 2003.0)
    assert row["setting"] == "itb.dose.highest_reported_mcg_per_day"


def test_issue9_item9_highest_reported_itb_dose_cannot_be_raised() -> None:
    with pytest.raises(InvalidInputError):
        check_dose("Gablofen", mcg_per_day=1200, settings={"itb.dose.highest_reported_mcg_per_day": 2500})
    assert [f.rule_id for f in check_daily_dose(1201, highest_reported_mcg_per_day=1200)][0] == "ITB-DOSE-002"


# --- item 9: age 65 for elderly cautions -----------------------------------------------------------------
def test_issue9_item9_elderly_age_is_a_setting() -> None:
    """Age 65 for elderly cautions (patient.py) is a literal; the sheet gives no age (3.5 PARTLY VERIFIED)."""
    assert SETTINGS["patient.elderly_age_years"] is ELDERLY_AGE_YEARS
    assert ELDERLY_AGE_YEARS.default == 65
    assert ELDERLY_AGE_YEARS.status is EvidenceStatus.ASSUMPTION
    assert not PatientSnapshot(age_years=64.9).is_elderly
    assert PatientSnapshot(age_years=65).is_elderly


@pytest.mark.parametrize(
    ("age", "settings", "cautioned"),
    [
        (64.9, None, False),
        (65, None, True),
        (59.9, {"patient.elderly_age_years": 60}, False),
        (60, {"patient.elderly_age_years": 60}, True),
        (65, {"patient.elderly_age_years": 70}, False),
    ],
)
def test_issue9_item9_elderly_age_setting_changes_the_titration_caution(
    age: float, settings: dict | None, cautioned: bool
) -> None:
    plan = plan_titration(start_date=D0, patient=PatientSnapshot(age_years=age), settings=settings)

    assert ("ORAL-ELDERLY-001" in _ids(plan.findings)) is cautioned
    assert "patient.elderly_age_years" in {s.setting.name for s in plan.settings}


def test_issue9_item9_elderly_age_setting_slows_steps_from_the_clinic_age() -> None:
    settings = {"patient.elderly_age_years": 60, "titration.slow_elderly_steps": True}

    plan = plan_titration(start_date=D0, patient=PatientSnapshot(age_years=62), settings=settings)

    finding = next(f for f in plan.findings if f.rule_id == "ORAL-ELDERLY-001")
    assert finding.data["slowed"] is True


# --- item 9: the Ashworth screening responder threshold, one home -----------------------------------------
def test_issue9_item9_ashworth_responder_threshold_has_one_home() -> None:
    """itb/screening.py ASHWORTH_RESPONDER_POINTS duplicated the setting of cds/scales.py; then it was an alias
    of it (two names for one threshold). One threshold, one home, one name: the screening reads the setting."""
    assert not hasattr(screening, "ASHWORTH_RESPONDER_POINTS")
    assert ITB_SCREENING_ASHWORTH_REDUCTION in screening.SCREENING_SETTINGS


@pytest.mark.parametrize(
    ("after", "settings", "disagrees"),
    [
        (2.0, None, False),
        (2.5, None, True),
        (2.5, {ITB_SCREENING_ASHWORTH_REDUCTION.name: 0.5}, False),
        (2.75, {ITB_SCREENING_ASHWORTH_REDUCTION.name: 0.5}, True),
    ],
)
def test_issue9_item9_ashworth_threshold_override_reaches_screening(
    after: float, settings: dict | None, disagrees: bool
) -> None:
    doses = [ScreeningDose(50, responded=True, ashworth_before=3.0, ashworth_after=after)]

    result = assess_screening(doses, settings=settings)

    assert ("ITB-SCREEN-006" in _ids(result.findings)) is disagrees
    assert ITB_SCREENING_ASHWORTH_REDUCTION.name in [s["name"] for s in result.to_dict()["settings"]]


def test_issue9_item9_ashworth_threshold_same_value_in_scale_evaluate_and_screening() -> None:
    override = {ITB_SCREENING_ASHWORTH_REDUCTION.name: 0.5}
    scale = evaluate_response("modified-ashworth", "2", "1+", "itb-screening", settings=override)
    screen = assess_screening(
        [ScreeningDose(50, responded=True, ashworth_before=2.0, ashworth_after=1.5)], settings=override
    )

    assert scale.responder is True
    assert "ITB-SCREEN-006" not in _ids(screen.findings)
    with pytest.raises(UnknownNameError):
        assess_screening([], settings={"cds.scales.nrs_responder_fraction": 0.2})


# --- item 9: ORAL-MAX-001's override ceiling per locale ----------------------------------------------------
def test_issue9_item9_in_hospital_ceiling_is_a_setting_per_locale() -> None:
    """ORAL-MAX-001's 120 mg/day override ceiling applied to US plans too; the sheet frames it against the UK."""
    assert in_hospital_ceiling_setting(Locale.UK) is MAX_DAILY_DOSE_IN_HOSPITAL_UK
    assert in_hospital_ceiling_setting(Locale.US) is MAX_DAILY_DOSE_IN_HOSPITAL_US
    assert (MAX_DAILY_DOSE_IN_HOSPITAL_US.default, MAX_DAILY_DOSE_IN_HOSPITAL_UK.default) == (80, 120)
    assert MAX_DAILY_DOSE_IN_HOSPITAL_US.status is EvidenceStatus.DISAGREE
    assert {"S1", "S4", "NovartisCore"} <= set(MAX_DAILY_DOSE_IN_HOSPITAL_US.evidence)


@pytest.mark.parametrize(
    ("locale", "target", "settings", "top", "offerable"),
    [
        (Locale.UK, 120, None, 120.0, True),
        (Locale.UK, 121, None, 120.0, False),
        (Locale.US, 80.5, None, 80.0, False),
        (Locale.US, 100, None, 80.0, False),
        (Locale.US, 100, {"oral.max_daily_dose_mg.in_hospital.us": 100}, 100.0, True),
        (Locale.US, 101, {"oral.max_daily_dose_mg.in_hospital.us": 100}, 100.0, False),
    ],
)
def test_issue9_item9_override_ceiling_follows_the_locale(
    locale: Locale, target: float, settings: dict | None, top: float, offerable: bool
) -> None:
    override = Override("ORAL-MAX-001", "in hospital under careful supervision", "Dr A")

    plan = plan_titration(
        start_date=D0,
        patient=PatientSnapshot(locale=locale),
        target_mg_per_day=target,
        doses_per_day=4,
        overrides=[override],
        settings=settings,
    )

    assert plan.max_daily_dose_mg == top
    assert plan.offerable is offerable
    assert ("ORAL-MAX-002" in _ids(plan.findings)) is (not offerable)


@pytest.mark.parametrize(("locale", "hospital"), [(Locale.US, 80.0), (Locale.UK, 120.0)])
def test_issue9_item9_check_dose_names_the_locale_in_hospital_ceiling(locale: Locale, hospital: float) -> None:
    result = check_dose("baclofen", mg_per_day=110, locale=locale)

    finding = next(f for f in result.findings if f.rule_id == "DOSE-BAC-ORAL-MAX-001")
    assert finding.data["in_hospital_max_mg"] == hospital
