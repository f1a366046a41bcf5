"""Named settings refuse values outside their bounds, non-numbers and non-finite numbers."""

from __future__ import annotations

import math

import pytest

from baclofen.domain.errors import InvalidInputError
from baclofen.domain.settings import SETTINGS, EvidenceStatus, Setting

DEMO = Setting(
    "demo.test_threshold_ml",
    2.0,
    "mL",
    EvidenceStatus.UNCONFIRMED,
    ("S62",),
    "A test setting.",
    minimum=0.0,
    maximum=10.0,
)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, "2", True, None])
def test_a_non_finite_or_non_numeric_override_is_refused_naming_the_setting(value: object) -> None:
    with pytest.raises(InvalidInputError, match="demo.test_threshold_ml"):
        DEMO.validate(value)


@pytest.mark.parametrize(("value", "ok"), [(0.0, True), (-0.001, False), (10.0, True), (10.001, False)])
def test_bounds_hold_on_both_sides(value: float, ok: bool) -> None:
    if ok:
        assert DEMO.validate(value) == value
    else:
        with pytest.raises(InvalidInputError):
            DEMO.validate(value)


def test_a_setting_without_evidence_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="citation"):
        Setting("demo.no_evidence", 1, "mL", EvidenceStatus.ASSUMPTION, (), "none")


def test_every_registered_numeric_setting_accepts_its_own_default() -> None:
    import importlib
    import pkgutil

    import baclofen.domain as domain

    for mod in pkgutil.walk_packages(domain.__path__, "baclofen.domain."):
        importlib.import_module(mod.name)

    assert len(SETTINGS) > 40
    for setting in SETTINGS.values():
        assert setting.validate(setting.default) == setting.default


def test_setting_values_resolve_overrides_record_uses_and_refuse_unknown_names() -> None:
    from baclofen.domain.errors import UnknownNameError
    from baclofen.domain.settings import SettingValues

    values = SettingValues([DEMO], {"demo.test_threshold_ml": 3.5})

    assert values.get(DEMO) == 3.5
    assert [u.to_dict()["value"] for u in values.used()] == [3.5]
    with pytest.raises(UnknownNameError, match="settings"):
        SettingValues([DEMO], {"demo.unknown": 1})
    with pytest.raises(InvalidInputError, match="finite"):
        SettingValues([DEMO], {"demo.test_threshold_ml": math.nan})


COUNT = Setting(
    "demo.test_interval_days",
    3,
    "days",
    EvidenceStatus.ASSUMPTION,
    ("S109",),
    "A count setting.",
    minimum=1,
    maximum=60,
)


@pytest.mark.parametrize(("value", "ok"), [(3, True), (3.0, True), (2.5, False), (math.nan, False), ("3", False)])
def test_a_setting_counted_in_days_takes_whole_numbers_only(value: object, ok: bool) -> None:
    assert COUNT.is_count and not DEMO.is_count
    if ok:
        assert COUNT.validate(value) == 3
    else:
        with pytest.raises(InvalidInputError, match="whole number of days"):
            COUNT.validate(value)
