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


# --- one settings mechanism (issue 10 item 2) ------------------------------------------------------------------
CHOICE = Setting(
    "demo.test_schedule",
    "current-label",
    "schedule",
    EvidenceStatus.DISAGREE,
    ("S75",),
    "A test enumeration.",
    choices=("current-label", "older-label"),
)


@pytest.mark.parametrize("value", ["older-label", "Older-Label", " older label ", "older_label"])
def test_a_setting_with_choices_takes_one_of_them_in_its_canonical_spelling(value: str) -> None:
    assert CHOICE.validate(value) == "older-label"


@pytest.mark.parametrize("value", ["weekly", "", 3, None, True])
def test_a_setting_with_choices_refuses_anything_else_naming_the_setting_and_the_choices(value: object) -> None:
    from baclofen.domain.errors import UnknownNameError

    with pytest.raises(UnknownNameError, match="demo.test_schedule") as caught:
        CHOICE.validate(value)

    assert caught.value.choices == ("current-label", "older-label")


def test_a_setting_whose_default_is_not_among_its_choices_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="choices"):
        Setting("demo.bad_choices", "x", "schedule", EvidenceStatus.ASSUMPTION, ("S75",), "none", choices=("a", "b"))


def test_every_registered_text_setting_declares_its_choices() -> None:
    """A text setting is an enumeration (guideline, monitoring schedule): its choices are declared, so that an
    override is checked by the setting itself, not by the module that reads it."""
    import importlib
    import pkgutil

    import baclofen.domain as domain

    for mod in pkgutil.walk_packages(domain.__path__, "baclofen.domain."):
        importlib.import_module(mod.name)
    text = [s for s in SETTINGS.values() if isinstance(s.default, str)]

    assert {s.name for s in text} >= {"cds.alternatives.guideline", "cds.tizanidine.lft_schedule"}
    assert all(s.choices and s.default in s.choices for s in text), [s.name for s in text if not s.choices]
    assert all(s.to_dict()["choices"] == list(s.choices or ()) for s in text)


def test_a_count_comes_back_as_a_whole_number() -> None:
    assert type(COUNT.validate(3.0)) is int
    assert type(DEMO.validate(3)) is int  # a measurement keeps what was given


def test_settings_used_have_one_json_shape() -> None:
    from baclofen.domain.settings import SettingUse, SettingValues, settings_to_dicts

    values = SettingValues([DEMO, COUNT], {"demo.test_interval_days": 5})
    values.get(COUNT)
    values.get(DEMO)

    listed = settings_to_dicts(values.used())

    assert [s["name"] for s in listed] == ["demo.test_interval_days", "demo.test_threshold_ml"]
    assert listed[0] == {
        "name": "demo.test_interval_days",
        "value": 5,
        "default": 3,
        "unit": "days",
        "status": "assumption",
        "evidence": ["S109"],
        "description": "A count setting.",
    }
    assert values.to_dicts() == listed
    # The same setting with the same value twice (two parts of one result) is listed once.
    assert settings_to_dicts([SettingUse(DEMO, 2.0), SettingUse(DEMO, 2.0)]) == [DEMO.to_dict(2.0)]
