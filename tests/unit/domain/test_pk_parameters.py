"""PK parameters: published values, derived values, the kidney covariate and the settings behind them."""

from __future__ import annotations

import math

import pytest

from baclofen.domain.errors import InvalidInputError, UnknownNameError
from baclofen.domain.pk.bands import BAND_EDGE_SETTINGS, band_for, get_band, plasma_bands
from baclofen.domain.pk.parameters import (
    CRCL_CAP_ML_MIN,
    KOCHAK_KA_PER_H,
    NONRENAL_FRACTION,
    IntrathecalParameters,
    KidneyInput,
    ModelSettings,
    OralModel,
    Variability,
    kochak_disposition,
    omega_from_cv,
    oral_parameters,
    renal_clearance_factor,
)
from baclofen.domain.settings import SETTINGS, EvidenceStatus


def test_the_default_model_is_simon_2018() -> None:
    """ka 1.64 /h, CL/F 11.6 L/h, V/F 72.8 L, t1/2 4.35 h (Simon2018; pk-models.md §1)."""
    p = oral_parameters()

    assert (p.ka_per_h, p.cl_f_l_per_h, p.v_f_l) == (1.64, 11.6, 72.8)
    assert p.half_life_h == pytest.approx(4.35, abs=0.005)


def test_true_iv_clearance_and_volume_use_f_074() -> None:
    """True CL = 11.6 x 0.74 = 8.6 L/h, V = 53.9 L (Agarwal2015; pk-models.md §2.3)."""
    p = oral_parameters()

    assert p.true_clearance_l_per_h == pytest.approx(8.584)
    assert p.true_volume_l == pytest.approx(53.87, abs=0.01)


def test_kochak_micro_constants_are_derived_as_the_sheet_shows() -> None:
    """Q/F 12.9 L/h, V2/F 19.7 L, Vss/F 48.5 L, t1/2 beta 3.63 h (pk-models.md §2.2)."""
    q, v2 = kochak_disposition()
    p = oral_parameters(OralModel.KOCHAK)

    assert (round(q, 1), round(v2, 1)) == (12.9, 19.7)
    assert p.v_f_l + p.v2_f_l == pytest.approx(48.5, abs=0.05)
    assert p.half_life_h == pytest.approx(3.63, abs=0.005)
    assert p.ka_per_h == KOCHAK_KA_PER_H.default


@pytest.mark.parametrize(
    ("crcl", "factor"),
    [
        (0.0, 0.2),
        (20.0, 0.2 + 0.8 * 20 / 110),
        (110.0, 1.0),
        (149.9, 0.2 + 0.8 * 149.9 / 110),
        (150.0, 0.2 + 0.8 * 150 / 110),
        (150.1, 0.2 + 0.8 * 150 / 110),
        (250.0, 0.2 + 0.8 * 150 / 110),
    ],
)
def test_the_renal_factor_is_linear_in_crcl_up_to_the_cap(crcl: float, factor: float) -> None:
    """CL/F(CrCl) = 11.6 [f_nr + (1 - f_nr) min(CrCl, 150) / 110] (pk-models.md §3.2)."""
    assert renal_clearance_factor(crcl) == pytest.approx(factor, rel=1e-12)


@pytest.mark.parametrize("crcl", [-0.1, 250.1, float("nan")])
def test_a_crcl_outside_0_to_250_is_refused(crcl: float) -> None:
    with pytest.raises(InvalidInputError, match="crcl_ml_min"):
        renal_clearance_factor(crcl)


@pytest.mark.parametrize(("crcl", "half_life"), [(110, 4.35), (65, 6.5), (40, 8.9), (20, 12.6), (0, 21.8)])
def test_half_lives_by_kidney_function_match_the_sheet(crcl: float, half_life: float) -> None:
    """pk-models.md §3.2 table, f_nr 0.2."""
    assert oral_parameters(kidney=KidneyInput(crcl)).half_life_h == pytest.approx(half_life, abs=0.05)


def test_dialysis_without_a_crcl_is_anuric_and_a_given_crcl_is_kept() -> None:
    assert KidneyInput(dialysis=True).effective_crcl_ml_min() == 0.0
    assert KidneyInput(12.0, dialysis=True).effective_crcl_ml_min() == 12.0
    assert KidneyInput().effective_crcl_ml_min() == 110.0
    assert not KidneyInput().is_given
    assert "not given" in KidneyInput().describe()


def test_model_settings_override_the_defaults_and_are_reported() -> None:
    s = ModelSettings(nonrenal_fraction=0.43)

    p = oral_parameters(kidney=KidneyInput(0.0), settings=s)

    assert p.cl_f_l_per_h == pytest.approx(11.6 * 0.43)
    used = {u.setting.name: u.value for u in s.used(OralModel.DEFAULT)}
    assert used[NONRENAL_FRACTION.name] == 0.43


@pytest.mark.parametrize("value", [-0.01, 1.01])
def test_a_setting_override_outside_its_bounds_is_refused(value: float) -> None:
    with pytest.raises(InvalidInputError, match="pk.renal.nonrenal_fraction"):
        ModelSettings(nonrenal_fraction=value)


def test_every_unconfirmed_pk_value_is_a_cited_setting() -> None:
    pk = {name: s for name, s in SETTINGS.items() if name.startswith("pk.")}

    assert {
        "pk.renal.nonrenal_fraction",
        "pk.itb.ke0_per_h",
        "pk.itb.csf_clearance_ml_per_h",
        "pk.dialysis.hd_clearance_l_per_h",
        "pk.kochak.ka_per_h",
    } <= set(pk)
    assert pk["pk.itb.ke0_per_h"].status is EvidenceStatus.CALIBRATED
    assert pk["pk.renal.nonrenal_fraction"].default == 0.2
    assert all(s.evidence for s in pk.values())


def test_log_normal_omegas_come_from_the_cvs() -> None:
    """omega = sqrt(ln(1 + CV^2)): ka 0.42, CL 0.21, V 0.22 (pk-models.md §1.1)."""
    v = Variability()

    assert (round(v.omega_ka, 2), round(v.omega_cl, 2), round(v.omega_v, 2)) == (0.42, 0.21, 0.22)
    assert omega_from_cv(0.0) == 0.0
    assert Variability.none().omega_ka == 0.0


def test_the_csf_volume_is_derived_from_clearance_and_half_life() -> None:
    """V_csf = 30 x 1.51 / ln 2 = 65 mL (pk-models.md §4.2)."""
    it = IntrathecalParameters()

    assert it.csf_volume_ml == pytest.approx(30 * 1.51 / math.log(2))
    with pytest.raises(InvalidInputError, match="pk.itb.ke0_per_h"):
        IntrathecalParameters(ke0_per_h=0.0)


def test_an_unknown_model_is_refused_with_the_choices() -> None:
    with pytest.raises(UnknownNameError, match="default, kochak"):
        OralModel.parse("nonmem")


@pytest.mark.parametrize(
    ("conc", "band"),
    [
        (0.0, "low"),
        (79.9, "low"),
        (80.0, "usual"),
        (399.9, "usual"),
        (400.0, "caution"),
        (599.9, "caution"),
        (600.0, "encephalopathy_reported"),
        (999.9, "encephalopathy_reported"),
        (1000.0, "overdose_range"),
        (2999.9, "overdose_range"),
        (3000.0, "severe_intoxication"),
    ],
)
def test_band_edges_on_both_sides(conc: float, band: str) -> None:
    """Bands of pk-models.md §5.2 (heuristics)."""
    assert band_for(conc).name == band


def test_band_edges_can_be_overridden_and_must_increase() -> None:
    bands = plasma_bands({"pk.band.encephalopathy_lower_ng_per_ml": 700.0})

    assert get_band("encephalopathy_reported", bands).lower_ng_per_ml == 700.0
    assert get_band("caution", bands).upper_ng_per_ml == 700.0
    with pytest.raises(InvalidInputError, match="band edges"):
        plasma_bands({"pk.band.caution_lower_ng_per_ml": 900.0, "pk.band.encephalopathy_lower_ng_per_ml": 800.0})
    with pytest.raises(UnknownNameError):
        plasma_bands({"pk.band.nope": 1.0})
    assert all(s.status in (EvidenceStatus.ASSUMPTION, EvidenceStatus.DISAGREE) for s in BAND_EDGE_SETTINGS)


def test_bands_are_labelled_as_heuristics() -> None:
    assert all(b.to_dict()["heuristic"] for b in plasma_bands())
    assert plasma_bands()[-1].to_dict()["upper_ng_per_ml"] is None


def test_the_crcl_cap_setting_bounds_the_factor() -> None:
    assert renal_clearance_factor(250.0, crcl_cap_ml_min=CRCL_CAP_ML_MIN.maximum) == pytest.approx(
        0.2 + 0.8 * 250 / 110
    )
