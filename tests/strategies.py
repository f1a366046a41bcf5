"""Hypothesis strategies for domain values: patients, kidney function, doses, dates, products.

Other areas may add their own strategies here (one section per area).
"""

from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

from baclofen.domain.patient import Locale, PatientSnapshot, Sex, SpasticityOrigin
from baclofen.domain.products import ORAL_PRODUCTS, OralProduct

# --- Patients --------------------------------------------------------------------------------------------
locales = st.sampled_from(list(Locale))
origins = st.sampled_from(list(SpasticityOrigin))
sexes = st.sampled_from(list(Sex))
adult_ages = st.floats(min_value=18, max_value=100, allow_nan=False)
weights_kg = st.floats(min_value=35, max_value=200, allow_nan=False)
crcl_ml_min = st.floats(min_value=0, max_value=250, allow_nan=False)
serum_creatinine_mg_dl = st.floats(min_value=0.3, max_value=12, allow_nan=False)


@st.composite
def patients(
    draw: st.DrawFn,
    *,
    locale: Locale | None = None,
    dialysis: bool | None = None,
    with_kidney: bool | None = None,
) -> PatientSnapshot:
    """Adult patients with any one way of giving kidney function (or none, or dialysis)."""
    age = draw(st.none() | adult_ages)
    loc = locale if locale is not None else draw(locales)
    origin = draw(origins)
    on_dialysis = dialysis if dialysis is not None else draw(st.booleans())
    if on_dialysis:
        return PatientSnapshot(age_years=age, dialysis=True, origin=origin, locale=loc)
    kind = draw(
        st.sampled_from(
            ["crcl", "egfr", "creatinine"]
            if with_kidney
            else ["none"]
            if with_kidney is False
            else ["none", "crcl", "egfr", "creatinine"]
        )
    )
    if kind == "crcl":
        return PatientSnapshot(age_years=age, crcl_ml_min=draw(crcl_ml_min), origin=origin, locale=loc)
    if kind == "egfr":
        return PatientSnapshot(age_years=age, egfr_ml_min_1_73m2=draw(crcl_ml_min), origin=origin, locale=loc)
    if kind == "creatinine":
        return PatientSnapshot(
            age_years=draw(adult_ages),
            weight_kg=draw(weights_kg),
            sex=draw(sexes),
            serum_creatinine_mg_dl=draw(serum_creatinine_mg_dl),
            origin=origin,
            locale=loc,
        )
    return PatientSnapshot(age_years=age, origin=origin, locale=loc)


# --- Dates and doses -------------------------------------------------------------------------------------
start_dates = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))
#: Oral daily doses in mg/day, from tiny to beyond every ceiling (inputs may exceed limits).
oral_daily_doses_mg = st.floats(min_value=0.5, max_value=300, allow_nan=False)
#: Daily doses in whole multiples of 5 mg (what 10 mg tablets halved or Lyvispah packets can give).
daily_doses_5mg_multiples = st.integers(min_value=1, max_value=60).map(lambda n: 5.0 * n)

# --- Products --------------------------------------------------------------------------------------------
oral_product_names = st.sampled_from(sorted(ORAL_PRODUCTS))
oral_products: st.SearchStrategy[OralProduct] = oral_product_names.map(lambda n: ORAL_PRODUCTS[n])
liquid_products = st.sampled_from([p for p in ORAL_PRODUCTS.values() if p.is_liquid])
