"""Contract of every store of the clinics' settings profiles: each clinic's values are those its append-only
history of changes leaves, a reset is a change too, and a change based on a stale value is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from baclofen.domain.clinic.settings_profile import SettingChange
from baclofen.domain.errors import ConflictError, InvalidInputError
from baclofen.domain.itb.refill import RECONCILE_TOLERANCE_PERCENT
from baclofen.domain.itb.reservoir import REFILL_MARGIN_DAYS
from baclofen.domain.oral.taper import TAPER_BLOCK_ON_CLINIC_LIMITS
from baclofen.services.ports import ClinicSettingsRepository

AT = datetime(2026, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=1)))
MARGIN = REFILL_MARGIN_DAYS.name


def _change(clinic: str, name: str, old: object, new: object, minutes: int = 0, reason: str = "local protocol"):
    return SettingChange(clinic, name, old, new, "admin:ann", AT + timedelta(minutes=minutes), reason)


def test_a_clinic_without_changes_has_no_values_and_no_history(clinic_settings: ClinicSettingsRepository) -> None:
    assert dict(clinic_settings.values("C-1")) == {}
    assert clinic_settings.history("C-1") == ()


def test_the_values_in_force_are_those_the_changes_leave(clinic_settings: ClinicSettingsRepository) -> None:
    clinic_settings.change(_change("C-1", MARGIN, None, 10))
    clinic_settings.change(_change("C-1", RECONCILE_TOLERANCE_PERCENT.name, None, 12.5, 1))
    clinic_settings.change(_change("C-1", TAPER_BLOCK_ON_CLINIC_LIMITS.name, None, False, 2))
    clinic_settings.change(_change("C-1", MARGIN, 10, 14, 3))

    assert dict(clinic_settings.values("C-1")) == {
        MARGIN: 14,
        RECONCILE_TOLERANCE_PERCENT.name: 12.5,
        TAPER_BLOCK_ON_CLINIC_LIMITS.name: False,
    }
    assert isinstance(clinic_settings.values("C-1")[MARGIN], int)


def test_a_reset_is_a_change_that_puts_the_default_back(clinic_settings: ClinicSettingsRepository) -> None:
    clinic_settings.change(_change("C-1", MARGIN, None, 10))
    clinic_settings.change(_change("C-1", MARGIN, 10, None, 1, "back to the default"))

    assert dict(clinic_settings.values("C-1")) == {}
    history = clinic_settings.history("C-1")
    assert [(c.old_value, c.new_value, c.is_reset) for c in history] == [(None, 10, False), (10, None, True)]


def test_the_history_keeps_who_when_what_and_why_oldest_first(clinic_settings: ClinicSettingsRepository) -> None:
    first = _change("C-1", MARGIN, None, 10, 0, "our pharmacy needs a week and a half")
    second = _change("C-1", RECONCILE_TOLERANCE_PERCENT.name, None, 15.0, 5)
    clinic_settings.change(first)
    clinic_settings.change(second)

    history = clinic_settings.history("C-1")

    assert history == (first, second)
    assert history[0].at == AT and history[0].at.utcoffset() == timedelta(hours=1)
    assert history[0].at.astimezone(UTC) == datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    assert clinic_settings.history("C-1", name=MARGIN) == (first,)


def test_clinics_are_apart(clinic_settings: ClinicSettingsRepository) -> None:
    clinic_settings.change(_change("C-1", MARGIN, None, 10))

    assert dict(clinic_settings.values("C-2")) == {}
    assert clinic_settings.history("C-2") == ()
    clinic_settings.change(_change("C-2", MARGIN, None, 3))
    assert clinic_settings.values("C-1")[MARGIN] == 10 and clinic_settings.values("C-2")[MARGIN] == 3


@pytest.mark.parametrize("stale", [None, 9])
def test_a_change_from_a_value_no_longer_in_force_is_refused_and_not_stored(
    clinic_settings: ClinicSettingsRepository, stale: object
) -> None:
    clinic_settings.change(_change("C-1", MARGIN, None, 10))

    with pytest.raises(ConflictError):
        clinic_settings.change(_change("C-1", MARGIN, stale, 12, 1))

    assert clinic_settings.values("C-1")[MARGIN] == 10
    assert len(clinic_settings.history("C-1")) == 1


def test_an_invalid_clinic_id_is_refused_naming_it(clinic_settings: ClinicSettingsRepository) -> None:
    with pytest.raises(InvalidInputError) as err:
        clinic_settings.values(" C-1")

    assert err.value.field == "clinic_id"


def test_only_setting_changes_are_stored(clinic_settings: ClinicSettingsRepository) -> None:
    with pytest.raises(TypeError):
        clinic_settings.change({"name": MARGIN, "value": 10})  # type: ignore[arg-type]


def test_of_two_concurrent_changes_from_one_value_only_one_is_stored(clinic_settings: ClinicSettingsRepository) -> None:
    import threading

    start = threading.Barrier(2)
    outcomes: list[str] = []

    def change(value: int) -> None:
        start.wait()
        try:
            clinic_settings.change(_change("C-1", MARGIN, None, value))
            outcomes.append("stored")
        except ConflictError:
            outcomes.append("conflict")

    workers = [threading.Thread(target=change, args=(v,)) for v in (10, 12)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()

    assert sorted(outcomes) == ["conflict", "stored"]
    assert len(clinic_settings.history("C-1")) == 1
    assert clinic_settings.values("C-1")[MARGIN] == clinic_settings.history("C-1")[0].new_value
