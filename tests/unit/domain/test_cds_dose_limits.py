"""Dose limits: each cited maximum on both sides of its boundary; units refused when they do not fit."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baclofen.domain.cds.dose_limits import check_dose
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.patient import KidneyFunction, Locale, SpasticityOrigin
from baclofen.domain.rules.core import Severity


def _ids(**kw: Any) -> list[str]:
    return [f.rule_id for f in check_dose(**kw).findings]


@pytest.mark.parametrize(
    ("kw", "rule_id", "fires"),
    [
        # tizanidine: > 36 mg/day is a block [S73]
        ({"drug": "tizanidine", "mg_per_day": 36}, "DOSE-TIZ-MAX-001", False),
        ({"drug": "tizanidine", "mg_per_day": 36.5}, "DOSE-TIZ-MAX-001", True),
        ({"drug": "tizanidine", "mg_per_day": 24}, "DOSE-TIZ-USUAL-001", False),
        ({"drug": "tizanidine", "mg_per_day": 26}, "DOSE-TIZ-USUAL-001", True),
        ({"drug": "tizanidine", "mg_per_day": 24, "single_dose_mg": 16}, "DOSE-TIZ-SINGLE-001", False),
        ({"drug": "tizanidine", "mg_per_day": 24, "single_dose_mg": 16.5}, "DOSE-TIZ-SINGLE-001", True),
        ({"drug": "tizanidine", "mg_per_day": 12, "doses_per_day": 3}, "DOSE-TIZ-FREQ-001", False),
        ({"drug": "tizanidine", "mg_per_day": 12, "doses_per_day": 4}, "DOSE-TIZ-FREQ-001", True),
        ({"drug": "tizanidine", "mg_per_day": 12, "kidney": KidneyFunction(25)}, "CI-TIZ-RENAL-001", False),
        ({"drug": "tizanidine", "mg_per_day": 12, "kidney": KidneyFunction(24)}, "CI-TIZ-RENAL-001", True),
        # oral baclofen: US 80, UK 100 [S1] [S4] [S24]
        ({"drug": "baclofen", "mg_per_day": 80}, "DOSE-BAC-ORAL-MAX-001", False),
        ({"drug": "baclofen", "mg_per_day": 85}, "DOSE-BAC-ORAL-MAX-001", True),
        ({"drug": "baclofen", "mg_per_day": 100, "locale": Locale.UK}, "DOSE-BAC-ORAL-MAX-001", False),
        ({"drug": "baclofen", "mg_per_day": 105, "locale": Locale.UK}, "DOSE-BAC-ORAL-MAX-001", True),
        # kidney: dialysis ~5 mg/day [S14]; CKD > 20 mg/day [S23]; [S22] band
        (
            {"drug": "baclofen", "mg_per_day": 5, "kidney": KidneyFunction(None, dialysis=True)},
            "ORAL-DIALYSIS-002",  # issue 9 item 10: one rule on every path (was DOSE-BAC-KIDNEY-001)
            False,
        ),
        (
            {"drug": "baclofen", "mg_per_day": 7.5, "kidney": KidneyFunction(None, dialysis=True)},
            "ORAL-DIALYSIS-002",
            True,
        ),
        ({"drug": "baclofen", "mg_per_day": 20, "kidney": KidneyFunction(45)}, "DOSE-BAC-KIDNEY-002", False),
        ({"drug": "baclofen", "mg_per_day": 25, "kidney": KidneyFunction(45)}, "DOSE-BAC-KIDNEY-002", True),
        ({"drug": "baclofen", "mg_per_day": 25, "kidney": KidneyFunction(60)}, "DOSE-BAC-KIDNEY-002", False),
        ({"drug": "baclofen", "mg_per_day": 26, "kidney": KidneyFunction(25)}, "DOSE-BAC-KIDNEY-003", False),
        ({"drug": "baclofen", "mg_per_day": 27.5, "kidney": KidneyFunction(25)}, "DOSE-BAC-KIDNEY-003", True),
        # intrathecal: ITB domain rules, > 1000 confirm, > 2003 block
        ({"drug": "Gablofen", "mcg_per_day": 1000}, "ITB-DOSE-001", False),
        ({"drug": "Gablofen", "mcg_per_day": 1001}, "ITB-DOSE-001", True),
        ({"drug": "Gablofen", "mcg_per_day": 2003}, "ITB-DOSE-002", False),
        ({"drug": "Gablofen", "mcg_per_day": 2004}, "ITB-DOSE-002", True),
        # dantrolene max 400 mg/day, 100 mg per dose [S77]
        ({"drug": "dantrolene", "mg_per_day": 400}, "DOSE-DAN-MAX-001", False),
        ({"drug": "dantrolene", "mg_per_day": 425}, "DOSE-DAN-MAX-001", True),
        ({"drug": "dantrolene", "mg_per_day": 300, "single_dose_mg": 100}, "DOSE-DAN-SINGLE-001", False),
        ({"drug": "dantrolene", "mg_per_day": 300, "single_dose_mg": 125}, "DOSE-DAN-SINGLE-001", True),
        # gabapentin 3600 (UNCONFIRMED for spasticity), diazepam 5, clonazepam 2 (eTG [S27]), nabiximols 12 sprays
        ({"drug": "gabapentin", "mg_per_day": 3600}, "DOSE-GABA-MAX-001", False),
        ({"drug": "gabapentin", "mg_per_day": 3900}, "DOSE-GABA-MAX-001", True),
        ({"drug": "diazepam", "mg_per_day": 5}, "DOSE-DZP-MAX-001", False),
        ({"drug": "diazepam", "mg_per_day": 7.5}, "DOSE-DZP-MAX-001", True),
        ({"drug": "clonazepam", "mg_per_day": 2}, "DOSE-CZP-MAX-001", False),
        ({"drug": "clonazepam", "mg_per_day": 2.5}, "DOSE-CZP-MAX-001", True),
        ({"drug": "Sativex", "sprays_per_day": 12}, "DOSE-NABX-MAX-001", False),
        ({"drug": "Sativex", "sprays_per_day": 13}, "DOSE-NABX-MAX-001", True),
    ],
)
def test_each_limit_on_both_sides_of_its_boundary(kw: dict[str, Any], rule_id: str, fires: bool) -> None:
    assert (rule_id in _ids(**kw)) is fires


def test_tizanidine_above_36_mg_is_a_block_and_not_within_limits() -> None:
    result = check_dose("Zanaflex", mg_per_day=40)

    assert result.findings[0].severity is Severity.BLOCK
    assert result.findings[0].is_blocking
    assert not result.within_limits


def test_the_uk_hospital_maximum_is_named_in_the_reasoning() -> None:
    finding = check_dose("baclofen", mg_per_day=110, locale=Locale.UK).findings[0]

    assert "120 mg/day only in hospital" in finding.reasoning
    assert "NovartisCore" in finding.evidence


def test_settings_change_limits_and_are_recorded() -> None:
    result = check_dose(
        "tizanidine", mg_per_day=24, single_dose_mg=14, settings={"cds.tizanidine.max_single_dose_mg": 12}
    )

    assert "DOSE-TIZ-SINGLE-001" in [f.rule_id for f in result.findings]
    assert {s["name"]: s["value"] for s in result.to_dict()["settings"]}["cds.tizanidine.max_single_dose_mg"] == 12


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"drug": "baclofen-intrathecal", "mg_per_day": 1}, "mg_per_day"),
        ({"drug": "baclofen", "mcg_per_day": 60000}, "mcg_per_day"),
        ({"drug": "nabiximols", "mg_per_day": 5}, "mg_per_day"),
        ({"drug": "baclofen"}, "mg_per_day"),
        ({"drug": "baclofen", "mg_per_day": -5}, "mg_per_day"),
        ({"drug": "baclofen", "mg_per_day": float("nan")}, "mg_per_day"),
        ({"drug": "tizanidine", "mg_per_day": 8, "single_dose_mg": 12}, "single_dose_mg"),
        ({"drug": "tizanidine", "mg_per_day": 8, "doses_per_day": 0}, "doses_per_day"),
        ({"drug": "tizanidine", "mg_per_day": 8, "settings": {"nope": 1}}, "setting"),
        (
            {"drug": "tizanidine", "mg_per_day": 8, "settings": {"cds.tizanidine.max_single_dose_mg": 40}},
            "cds.tizanidine.max_single_dose_mg",
        ),
        ({"drug": "bacloffen", "mg_per_day": 8}, "drug"),
    ],
)
def test_a_dose_in_the_wrong_unit_or_out_of_range_is_refused_naming_the_field(kw: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInputError) as err:
        check_dose(**kw)

    assert err.value.field == field


def test_a_drug_without_a_cited_limit_says_so() -> None:
    result = check_dose("pregabalin", mg_per_day=600)

    assert result.limits == () and not result.has_cited_limits
    assert "NOT checked" in result.to_dict()["note"]


def test_itb_usual_range_is_shown_with_origin() -> None:
    result = check_dose("ITB", mcg_per_day=200, origin=SpasticityOrigin.SPINAL)

    assert "ITB-DOSE-003" in [f.rule_id for f in result.findings]
    assert any("maintenance" in lim["kind"] for lim in result.limits)


@settings(max_examples=50)
@given(st.floats(0, 36), st.floats(36.0001, 1000))
def test_tizanidine_block_is_monotone_in_the_daily_dose(ok: float, over: float) -> None:
    assert "DOSE-TIZ-MAX-001" not in _ids(drug="tizanidine", mg_per_day=ok)
    assert "DOSE-TIZ-MAX-001" in _ids(drug="tizanidine", mg_per_day=over)
