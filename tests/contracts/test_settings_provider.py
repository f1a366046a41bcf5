"""Contract of every settings provider: the clinic's values of exactly the settings asked for, validated."""

from __future__ import annotations

import pytest

from baclofen.domain.errors import InvalidInputError
from baclofen.domain.itb.pumps import get_pump
from baclofen.domain.itb.refill import RECONCILE_TOLERANCE_ML, RECONCILE_TOLERANCE_PERCENT
from baclofen.domain.itb.reservoir import REFILL_MARGIN_DAYS
from baclofen.domain.settings import Setting

_SYNCHROMED_ACCURACY = get_pump("synchromed-ii-20").flow_accuracy
assert _SYNCHROMED_ACCURACY is not None
ACCURACY: Setting = _SYNCHROMED_ACCURACY


def test_only_the_settings_asked_for_and_overridden_are_returned(make_settings) -> None:
    provider = make_settings({RECONCILE_TOLERANCE_PERCENT.name: 5.0, ACCURACY.name: 10.0})

    found = provider.overrides([RECONCILE_TOLERANCE_PERCENT, RECONCILE_TOLERANCE_ML, REFILL_MARGIN_DAYS])

    assert dict(found) == {RECONCILE_TOLERANCE_PERCENT.name: 5.0}


def test_no_overrides_give_an_empty_mapping(make_settings) -> None:
    assert dict(make_settings({}).overrides([RECONCILE_TOLERANCE_PERCENT, ACCURACY])) == {}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        (RECONCILE_TOLERANCE_PERCENT.name, 101.0),
        (REFILL_MARGIN_DAYS.name, 2.5),
        (ACCURACY.name, "ten"),
        ("pump.no_such_setting", 1),
    ],
)
def test_a_value_outside_its_setting_or_an_unknown_name_is_refused_naming_it(make_settings, name, value) -> None:
    with pytest.raises(InvalidInputError) as err:
        make_settings({name: value}).overrides([RECONCILE_TOLERANCE_PERCENT, REFILL_MARGIN_DAYS, ACCURACY])

    assert name in (err.value.field, err.value.actual)
