"""Input checks and helpers shared by the oral planners (private)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from baclofen.domain.errors import InvalidInputError
from baclofen.domain.patient import PatientSnapshot
from baclofen.domain.products import (
    DEFAULT_ORAL_PRODUCT,
    LIQUID_RESOLUTION_ML,
    TABLETS_SCORED,
    DoseForm,
    OralProduct,
    get_oral_product,
)
from baclofen.domain.rules.core import Override
from baclofen.domain.settings import Setting, SettingValues


def check_date(value: Any, field: str) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidInputError(field, "a date (YYYY-MM-DD)", value)
    return value


def check_patient(value: Any) -> PatientSnapshot:
    if value is None:
        return PatientSnapshot()
    if not isinstance(value, PatientSnapshot):
        raise InvalidInputError("patient", "a PatientSnapshot", type(value).__name__)
    return value


def check_overrides(values: Iterable[Any]) -> tuple[Override, ...]:
    out = tuple(values)
    for o in out:
        if not isinstance(o, Override):
            raise InvalidInputError("override", "an Override(rule_id, reason)", o)
    ids = [o.rule_id for o in out]
    if len(ids) != len(set(ids)):
        raise InvalidInputError("override", "one override per rule id", sorted(ids))
    return out


def whole_days(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not float(value).is_integer():
        raise InvalidInputError(field, "a whole number of days", value)
    return int(value)


def interval_setting_value(values: SettingValues, setting: Setting, explicit: Any, field: str) -> int:
    """A days-setting's value: the explicit argument when given (validated), else the setting's value."""
    if explicit is not None:
        days = whole_days(explicit, field)
        try:
            return int(values.set(setting, days))
        except InvalidInputError as exc:
            raise InvalidInputError(field, exc.expected, explicit) from None
    return whole_days(values.get(setting), setting.name)


def resolve_product(
    product: OralProduct | None, patient: PatientSnapshot, values: SettingValues, scored_overridden: bool
) -> tuple[OralProduct, float]:
    """The product to plan with (the locale's default tablet if none) and the liquid resolution (mL).

    For tablets, ``products.tablets_scored`` decides halving when the caller overrides the setting;
    otherwise the product's own ``scored`` attribute is used and recorded as the setting's value.
    """
    if product is None:
        product = get_oral_product(DEFAULT_ORAL_PRODUCT[patient.locale])
    if not isinstance(product, OralProduct):
        raise InvalidInputError("product", "an oral product", product)
    if product.form is DoseForm.TABLET:
        if scored_overridden:
            product = replace(product, scored=bool(values.get(TABLETS_SCORED)))
        else:
            values.set(TABLETS_SCORED, product.scored)
    resolution = float(values.get(LIQUID_RESOLUTION_ML)) if product.is_liquid else float(LIQUID_RESOLUTION_ML.default)
    return product, resolution


def merge_repeated_doses(daily_doses_mg: Iterable[float]) -> list[tuple[float, int]]:
    """Consecutive equal daily doses as one (dose, how many steps it holds).

    >>> merge_repeated_doses([15.0, 15.0, 30.0, 15.0])
    [(15.0, 2), (30.0, 1), (15.0, 1)]
    """
    merged: list[tuple[float, int]] = []
    for dose in daily_doses_mg:
        if merged and abs(merged[-1][0] - dose) < 1e-9:
            merged[-1] = (dose, merged[-1][1] + 1)
        else:
            merged.append((dose, 1))
    return merged
