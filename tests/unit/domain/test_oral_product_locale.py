"""ORAL-PRODUCT-002: a plan with a product not listed for the patient's locale says so."""

from __future__ import annotations

from datetime import date

import pytest

from baclofen.domain.oral.taper import plan_taper
from baclofen.domain.oral.titration import plan_titration
from baclofen.domain.patient import Locale, PatientSnapshot
from baclofen.domain.products import get_oral_product

START = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("locale", "product", "flagged"),
    [
        (Locale.UK, "ozobax", True),
        (Locale.UK, "tablet-10mg", True),
        (Locale.US, "tablet-10mg", False),
        (Locale.UK, "uk-tablet-10mg", False),
        (Locale.US, "uk-tablet-10mg", True),
    ],
)
def test_titration_flags_a_product_listed_for_another_locale(locale: Locale, product: str, flagged: bool) -> None:
    plan = plan_titration(start_date=START, patient=PatientSnapshot(locale=locale), product=get_oral_product(product))

    found = [f for f in plan.findings if f.rule_id == "ORAL-PRODUCT-002"]
    assert bool(found) is flagged
    if flagged:
        assert found[0].severity.value == "warn" and found[0].evidence
        assert plan.offerable


def test_taper_flags_a_product_listed_for_another_locale() -> None:
    plan = plan_taper(
        start_date=START,
        from_mg_per_day=30,
        patient=PatientSnapshot(locale=Locale.UK),
        product=get_oral_product("tablet-10mg"),
    )

    assert "ORAL-PRODUCT-002" in [f.rule_id for f in plan.findings]


def test_the_default_product_of_each_locale_is_never_flagged() -> None:
    for locale in Locale:
        plan = plan_titration(start_date=START, patient=PatientSnapshot(locale=locale))

        assert "ORAL-PRODUCT-002" not in [f.rule_id for f in plan.findings]
