"""Products as cited data; a dose converts to dispensable units or is refused with the reason."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baclofen.domain.errors import InvalidInputError, UnknownNameError
from baclofen.domain.evidence import REFERENCES
from baclofen.domain.patient import Locale
from baclofen.domain.products import (
    DEFAULT_ORAL_PRODUCT,
    INTRATHECAL_CONCENTRATIONS_MCG_PER_ML,
    INTRATHECAL_PRODUCTS,
    ORAL_PRODUCTS,
    TABLETS_SCORED,
    Dispensed,
    DispenseRefusal,
    DoseForm,
    OralProduct,
    dispensable_quantum_mg,
    dispense_dose,
    get_intrathecal_product,
    get_oral_product,
    is_dispensable,
    oral_products_giving,
    round_down_to_dispensable_mg,
)
from baclofen.domain.settings import EvidenceStatus
from baclofen.domain.units import Unit
from tests.strategies import oral_daily_doses_mg, oral_products


def test_the_catalogue_holds_every_oral_product_of_the_fact_sheet() -> None:
    expected = {
        "tablet-5mg": (DoseForm.TABLET, (5.0,), None),
        "tablet-10mg": (DoseForm.TABLET, (10.0,), None),
        "tablet-15mg": (DoseForm.TABLET, (15.0,), None),
        "tablet-20mg": (DoseForm.TABLET, (20.0,), None),
        "ozobax": (DoseForm.SOLUTION, (), 1.0),
        "fleqsuvy": (DoseForm.SUSPENSION, (), 5.0),
        "suspension-5mg-ml": (DoseForm.SUSPENSION, (), 5.0),
        "lyvispah": (DoseForm.GRANULES, (20.0, 10.0, 5.0), None),
        "lyvispah-5mg": (DoseForm.GRANULES, (5.0,), None),
        "uk-tablet-10mg": (DoseForm.TABLET, (10.0,), None),
        "uk-solution-5mg-5ml": (DoseForm.SOLUTION, (), 1.0),
    }

    for name, (form, strengths, conc) in expected.items():
        product = ORAL_PRODUCTS[name]
        assert (product.form, product.unit_strengths_mg, product.concentration_mg_per_ml) == (
            form,
            strengths,
            conc,
        )


def test_every_product_cites_evidence_that_resolves() -> None:
    for product in [*ORAL_PRODUCTS.values(), *INTRATHECAL_PRODUCTS.values()]:
        assert product.evidence
        assert all(key in REFERENCES for key in product.evidence)


def test_uk_products_are_marked_uk_and_the_default_product_follows_the_locale() -> None:
    assert ORAL_PRODUCTS["uk-tablet-10mg"].locales == frozenset({Locale.UK})
    assert ORAL_PRODUCTS["ozobax"].locales == frozenset({Locale.US})
    assert DEFAULT_ORAL_PRODUCT[Locale.US] == "tablet-10mg"
    assert DEFAULT_ORAL_PRODUCT[Locale.UK] == "uk-tablet-10mg"


def test_intrathecal_strengths_are_the_four_marketed_concentrations() -> None:
    assert INTRATHECAL_CONCENTRATIONS_MCG_PER_ML == (50.0, 500.0, 1000.0, 2000.0)
    assert get_intrathecal_product("GABLOFEN-2000").concentration.unit is Unit.MCG_PER_ML
    assert {
        p.concentration_mcg_per_ml
        for p in INTRATHECAL_PRODUCTS.values()
        if "lioresal-it" in p.name and not p.name.startswith("uk")
    } == {50.0, 500.0, 2000.0}


@pytest.mark.parametrize("name", ["Ozobax", "OZOBAX", " ozobax ", "Tablet-10MG", "LYVISPAH-20mg"])
def test_lookup_ignores_case_and_surrounding_spaces(name: str) -> None:
    assert get_oral_product(name).name == name.strip().lower()


def test_an_unknown_product_lists_the_choices() -> None:
    with pytest.raises(UnknownNameError) as err:
        get_oral_product("tablet-25mg")

    assert err.value.field == "product"
    assert "tablet-10mg" in err.value.expected and "ozobax" in err.value.expected
    with pytest.raises(UnknownNameError, match="gablofen-50"):
        get_intrathecal_product("gablofen-3000")


def test_whether_tablets_are_scored_is_an_unconfirmed_cited_setting() -> None:
    assert TABLETS_SCORED.status is EvidenceStatus.UNCONFIRMED
    assert TABLETS_SCORED.evidence
    assert get_oral_product("tablet-10mg").scored is TABLETS_SCORED.default
    assert get_oral_product("tablet-10mg", tablets_scored=False).scored is False
    assert get_oral_product("ozobax", tablets_scored=False).form is DoseForm.SOLUTION


@pytest.mark.parametrize(
    ("name", "dose_mg", "text"),
    [
        ("tablet-10mg", 5, "1/2 x 10 mg tablet"),
        ("tablet-10mg", 10, "1 x 10 mg tablet"),
        ("tablet-10mg", 15, "1 1/2 x 10 mg tablets"),
        ("tablet-10mg", 20, "2 x 10 mg tablets"),
        ("tablet-5mg", 2.5, "1/2 x 5 mg tablet"),
        ("tablet-20mg", 30, "1 1/2 x 20 mg tablets"),
        ("lyvispah", 35, "1 x 20 mg packet + 1 x 10 mg packet + 1 x 5 mg packet"),
        ("lyvispah", 40, "2 x 20 mg packets"),
        ("lyvispah-10mg", 10, "1 x 10 mg packet"),
        ("ozobax", 5, "5 mL of 5 mg/5 mL oral solution"),
        ("ozobax", 2.5, "2.5 mL of 5 mg/5 mL oral solution"),
        ("fleqsuvy", 20, "4 mL of 25 mg/5 mL oral suspension"),
        ("uk-solution-5mg-5ml", 10, "10 mL of 5 mg/5 mL oral solution"),
    ],
)
def test_doses_convert_to_dispensable_units(name: str, dose_mg: float, text: str) -> None:
    result = dispense_dose(dose_mg, get_oral_product(name))

    assert isinstance(result, Dispensed)
    assert result.text == text
    assert result.dose_mg == dose_mg


def test_liquid_doses_report_their_volume_and_tablets_their_count() -> None:
    liquid = dispense_dose(20, get_oral_product("fleqsuvy"))
    tablets = dispense_dose(15, get_oral_product("tablet-10mg"))

    assert isinstance(liquid, Dispensed) and liquid.volume_ml == 4.0
    assert isinstance(tablets, Dispensed) and tablets.units == ((10.0, 1.5),)
    assert tablets.to_dict()["units"] == [{"strength_mg": 10.0, "count": 1.5}]


@pytest.mark.parametrize(
    ("name", "dose_mg", "reason_part"),
    [
        ("tablet-10mg", 7.5, "3/4 of a 10 mg tablet"),
        ("tablet-10mg", 2.5, "1/4 of a 10 mg tablet"),
        ("tablet-10mg", 3, "only whole or half tablets"),
        ("lyvispah", 2.5, "packets are never split"),
        ("lyvispah-20mg", 10, "packets are never split"),
        ("ozobax", 0.05, "cannot be measured in steps of 0.1 mL"),
        ("fleqsuvy", 0.2, "cannot be measured"),
        ("tablet-10mg", 0, "more than 0 mg"),
        ("tablet-10mg", -5, "more than 0 mg"),
    ],
)
def test_doses_that_cannot_be_given_are_refused_with_the_reason(name: str, dose_mg: float, reason_part: str) -> None:
    result = dispense_dose(dose_mg, get_oral_product(name))

    assert isinstance(result, DispenseRefusal)
    assert reason_part in result.reason
    assert result.to_dict()["refused"] == result.reason


def test_half_tablets_are_refused_when_the_tablet_is_not_scored() -> None:
    whole_only = get_oral_product("tablet-10mg", tablets_scored=False)

    refused = dispense_dose(5, whole_only)
    assert isinstance(refused, DispenseRefusal) and "not marked as scored" in refused.reason
    assert isinstance(dispense_dose(20, whole_only), Dispensed)
    assert dispensable_quantum_mg(whole_only) == 10.0


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "5", None, True])
def test_a_dose_that_is_not_a_number_is_invalid_input(bad: object) -> None:
    with pytest.raises(InvalidInputError):
        dispense_dose(bad, get_oral_product("tablet-10mg"))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "quantum"),
    [
        ("tablet-10mg", 5.0),
        ("tablet-15mg", 7.5),
        ("tablet-5mg", 2.5),
        ("lyvispah", 5.0),
        ("lyvispah-20mg", 20.0),
        ("ozobax", 0.1),
        ("fleqsuvy", 0.5),
    ],
)
def test_the_dispensable_quantum_of_each_form(name: str, quantum: float) -> None:
    assert dispensable_quantum_mg(get_oral_product(name)) == quantum


def test_the_liquid_resolution_can_be_changed_and_is_bounded() -> None:
    ozobax = get_oral_product("ozobax")

    assert dispensable_quantum_mg(ozobax, liquid_resolution_ml=0.5) == 0.5
    assert isinstance(dispense_dose(0.3, ozobax, liquid_resolution_ml=0.5), DispenseRefusal)
    with pytest.raises(InvalidInputError):
        dispensable_quantum_mg(ozobax, liquid_resolution_ml=0)


def test_a_product_must_cite_evidence_and_be_consistent() -> None:
    with pytest.raises(InvalidInputError, match="citation"):
        OralProduct("x", "x", DoseForm.TABLET, unit_strengths_mg=(10.0,))
    with pytest.raises(InvalidInputError):
        OralProduct("x", "x", DoseForm.SOLUTION, unit_strengths_mg=(10.0,), evidence=("S4",))
    with pytest.raises(InvalidInputError):
        OralProduct("x", "x", DoseForm.TABLET, concentration_mg_per_ml=1.0, evidence=("S4",))


@settings(max_examples=200)
@given(dose=oral_daily_doses_mg, product=oral_products)
def test_rounding_down_never_exceeds_the_dose_and_is_dispensable(dose: float, product: OralProduct) -> None:
    rounded = round_down_to_dispensable_mg(dose, product)
    quantum = dispensable_quantum_mg(product)

    assert rounded <= dose + 1e-9
    assert dose - rounded < quantum + 1e-9
    assert rounded == 0 or is_dispensable(rounded, product)


@settings(max_examples=200)
@given(n=st.integers(min_value=1, max_value=200), product=oral_products)
def test_every_multiple_of_the_quantum_is_dispensable_and_adds_up(n: int, product: OralProduct) -> None:
    dose = n * dispensable_quantum_mg(product)

    result = dispense_dose(dose, product)

    assert isinstance(result, Dispensed)
    if result.units:
        assert math.isclose(sum(s * c for s, c in result.units), dose)
    else:
        assert result.volume_ml is not None and product.concentration_mg_per_ml is not None
        assert math.isclose(result.volume_ml * product.concentration_mg_per_ml, dose)


@pytest.mark.parametrize(
    ("dose_mg", "locale", "scored", "expected"),
    [
        (
            5.0,
            Locale.US,
            None,
            {"tablet-5mg", "tablet-10mg", "ozobax", "fleqsuvy", "suspension-5mg-ml", "lyvispah", "lyvispah-5mg"},
        ),
        (5.0, Locale.US, False, {"tablet-5mg", "ozobax", "fleqsuvy", "suspension-5mg-ml", "lyvispah", "lyvispah-5mg"}),
        (7.5, Locale.US, None, {"tablet-5mg", "tablet-15mg", "ozobax", "fleqsuvy", "suspension-5mg-ml"}),
        (5.0, Locale.UK, False, {"uk-tablet-5mg", "uk-solution-5mg-5ml"}),
        (0.05, Locale.US, None, set()),
    ],
)
def test_the_products_that_can_give_a_daily_dose_are_listed_for_the_locale(
    dose_mg: float, locale: Locale, scored: bool | None, expected: set[str]
) -> None:
    found = oral_products_giving(dose_mg, locale, tablets_scored=scored)

    assert {p.name for p in found} == expected
    assert all(locale in p.locales for p in found)
