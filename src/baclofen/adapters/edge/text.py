"""Text to domain values: the one reader of every date, date-time, clock time, flex program, yes/no list,
visit history, override, locale, origin and sex a caller types.

Each parser takes the text (a value already of the domain type passes through, checked) and the field as the
caller knows it, and returns a domain value or raises :class:`~baclofen.domain.errors.InvalidInputError`
naming that field. No parser reads the clock or knows any CLI option.

>>> parse_date("2026-12-01", "start_date")
datetime.date(2026, 12, 1)
>>> parse_moment("2026-12-01T08:30+01:00", "filled").isoformat()
'2026-12-01T08:30:00+01:00'
>>> parse_responses("no, Yes", "responses")
(False, True)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time
from typing import Any

from baclofen.domain.dates import (
    ISO_DATE,
    read_iso_date,
    read_iso_datetime,
    require_date,
    require_datetime,
    require_moment,
)
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.itb.programs import InfusionProgram, ProgramMode, parse_flex_schedule
from baclofen.domain.itb.pumps import PumpModel
from baclofen.domain.names import parse_name_list
from baclofen.domain.patient import Locale, Sex, SpasticityOrigin
from baclofen.domain.rules.core import Override

_CLOCK = re.compile(r"^([0-9]{1,2}):([0-9]{2})$")
_YES = {"yes", "y", "true", "1", "responded", "positive"}
_NO = {"no", "n", "false", "0", "none", "negative"}


def parse_date(value: str | date, field: str) -> date:
    """A date ``YYYY-MM-DD`` in the plausible range (``domain.dates.PLAN_DATE_RANGE``)."""
    if not isinstance(value, str):
        return require_date(value, field)
    text = value.strip()
    if "T" in text or " " in text:
        raise InvalidInputError(field, "a date (YYYY-MM-DD), not a date and time", value)
    try:
        return read_iso_date(text, field)
    except InvalidInputError as exc:
        raise InvalidInputError(field, exc.expected, value) from None


def parse_moment(value: str | date | datetime, field: str) -> date | datetime:
    """A date ``YYYY-MM-DD`` or a date and time ``YYYY-MM-DDTHH:MM`` (optionally with a UTC offset
    ``+HH:MM``), as given, in the plausible range."""
    if not isinstance(value, str):
        return require_moment(value, field)
    text = value.strip()
    expected = "a date YYYY-MM-DD or date-time YYYY-MM-DDTHH:MM"
    try:
        return read_iso_date(text, field) if ISO_DATE.match(text) else read_iso_datetime(text, field, expected=expected)
    except InvalidInputError as exc:
        wrong_form = exc.expected in ("a date YYYY-MM-DD", expected)
        raise InvalidInputError(field, expected if wrong_form else exc.expected, value) from None


def parse_datetime(value: str | datetime, field: str) -> datetime:
    """A date and time ``YYYY-MM-DDTHH:MM`` (optionally with a UTC offset), in the plausible range."""
    if not isinstance(value, str):
        return require_datetime(value, field)
    parsed = parse_moment(value, field)
    if not isinstance(parsed, datetime):
        raise InvalidInputError(field, "a date-time YYYY-MM-DDTHH:MM", value)
    return parsed


def parse_clock_minute(value: str | int, field: str) -> int:
    """Minutes after midnight of a clock time ``HH:MM`` (00:00-23:59).

    >>> parse_clock_minute("22:30", "change_time")
    1350
    """
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        return value
    m = _CLOCK.match(value.strip()) if isinstance(value, str) else None
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise InvalidInputError(field, "a time HH:MM between 00:00 and 23:59", value)
    return int(m.group(1)) * 60 + int(m.group(2))


def parse_clock_times(values: str | Sequence[str | time], field: str) -> tuple[time, ...]:
    """Clock times from ``"08:00,14:00"`` (or a list of ``HH:MM`` texts / ``time`` values)."""
    items: Iterable[Any] = [v for v in values.split(",") if v.strip()] if isinstance(values, str) else values
    out = []
    for v in items:
        if isinstance(v, time):
            out.append(v)
            continue
        match = _CLOCK.match(str(v).strip())
        if match is None or int(match[1]) > 23 or int(match[2]) > 59:
            raise InvalidInputError(field, "clock times HH:MM", v)
        out.append(time(int(match[1]), int(match[2])))
    return tuple(out)


def parse_flex(value: str | InfusionProgram, field: str, pump: PumpModel | None = None) -> InfusionProgram:
    """A flex program from ``"HH:MM=MCG_PER_H,..."`` (at most the pump's steps a day); an empty text is a flex
    option given without a schedule, refused."""
    if isinstance(value, InfusionProgram):
        return value
    if isinstance(value, str) and not value.strip():
        raise InvalidInputError(field, "a flex schedule HH:MM=MCG_PER_H,... (or no flex at all)", value)
    return parse_flex_schedule(value, max_steps=None if pump is None else pump.max_rate_steps_per_day, field=field)


def parse_responses(value: str | Sequence[bool | str], field: str) -> tuple[bool, ...]:
    """Yes/no answers from ``"no,no,yes"`` (or a list of booleans / yes-no texts); ``""`` = none yet."""
    if isinstance(value, str) and not value.strip():
        return ()
    items: Iterable[Any] = value.split(",") if isinstance(value, str) else value
    out: list[bool] = []
    for item in items:
        text = item if isinstance(item, bool) else str(item).strip().lower()
        if text is True or text in _YES:
            out.append(True)
        elif text is False or text in _NO:
            out.append(False)
        else:
            raise InvalidInputError(field, "yes/no answers separated by commas, e.g. no,no,yes", value)
    return tuple(out)


def parse_volume_pairs(value: str | Sequence[Sequence[float]], field: str) -> tuple[tuple[float, float], ...]:
    """Earlier visits, oldest first, from ``"E1:A1,E2:A2"`` (expected:aspirated mL) or pairs.

    >>> parse_volume_pairs("4.9:4.5, 5:4.6", "previous")
    ((4.9, 4.5), (5.0, 4.6))
    """
    expected = "expected:aspirated mL pairs separated by commas, e.g. 4.9:4.5,5.0:4.6"
    if isinstance(value, str):
        if not value.strip():
            return ()
        items: list[Any] = []
        for part in value.split(","):
            e_text, sep, a_text = part.strip().partition(":")
            items.append((e_text, a_text) if sep else part)
    else:
        items = list(value)
    pairs = []
    for item in items:
        try:
            e, a = item
            pairs.append((float(e), float(a)))
        except (TypeError, ValueError):
            raise InvalidInputError(field, expected, value) from None
    return tuple(pairs)


def parse_number_pair(
    value: str | Sequence[float], field: str, expected: str = "A:B (two numbers)"
) -> tuple[float, float]:
    """Two numbers from ``"A:B"`` (a haemodialysis session ``START_H:DURATION_H``, a range ``LOW:HIGH``) or a pair;
    ``expected`` says what they are.

    >>> parse_number_pair("2:4.5", "hd_sessions", "START_H:DURATION_H in hours")
    (2.0, 4.5)
    """
    try:
        if isinstance(value, str):
            first_text, sep, second_text = value.partition(":")
            if not sep:
                raise ValueError(value)
            return float(first_text), float(second_text)
        first, second = value
        return float(first), float(second)
    except (TypeError, ValueError):
        raise InvalidInputError(field, expected, value) from None


def parse_number_pairs(
    values: Iterable[str | Sequence[float]], field: str, expected: str = "A:B (two numbers)"
) -> tuple[tuple[float, float], ...]:
    """Pairs of numbers (see :func:`parse_number_pair`), one per text; the first malformed one is named."""
    if isinstance(values, str):
        values = (values,)
    return tuple(parse_number_pair(value, field, expected) for value in values)


def parse_overrides(
    values: Iterable[Override | str | tuple[str, str]] | Mapping[str, str] | None, field: str, clinician: str = ""
) -> tuple[Override, ...]:
    """Overrides from ``"RULE-ID=reason"`` texts, (id, reason) pairs, a mapping or ``Override`` values, all
    given by ``clinician``."""
    if values is None:
        return ()
    items: Iterable[Any] = values.items() if isinstance(values, Mapping) else values
    out = []
    for item in items:
        if isinstance(item, Override):
            out.append(item)
            continue
        if isinstance(item, str):
            rule_id, sep, reason = item.partition("=")
            if not sep:
                raise InvalidInputError(field, "RULE-ID=REASON (e.g. ORAL-MAX-001=in hospital)", item)
        elif isinstance(item, tuple) and len(item) == 2:
            rule_id, reason = item
        else:
            raise InvalidInputError(field, "RULE-ID=REASON", item)
        out.append(Override(str(rule_id).strip().upper(), str(reason).strip(), clinician))
    return tuple(out)


def parse_locale(value: str | Locale, field: str) -> Locale:
    """``us`` or ``uk`` (any case)."""
    if isinstance(value, Locale):
        return value
    try:
        return Locale(str(value).strip().lower())
    except ValueError:
        raise InvalidInputError(field, "us or uk", value) from None


def parse_origin(value: str | SpasticityOrigin, field: str) -> SpasticityOrigin:
    """``spinal`` (includes MS) or ``cerebral`` (any case)."""
    if isinstance(value, SpasticityOrigin):
        return value
    try:
        return SpasticityOrigin(str(value).strip().lower())
    except ValueError:
        raise InvalidInputError(field, "spinal or cerebral", value) from None


def parse_sex(value: str | Sex, field: str) -> Sex:
    """``female``/``f``/``woman`` or ``male``/``m``/``man`` (any case)."""
    if isinstance(value, Sex):
        return value
    key = str(value).strip().lower()
    aliases = {"f": "female", "m": "male", "woman": "female", "man": "male"}
    try:
        return Sex(aliases.get(key, key))
    except ValueError:
        raise InvalidInputError(field, "female or male", value) from None


def parse_names(value: str | Iterable[str] | None, field: str) -> tuple[str, ...]:
    """Names from a comma-separated text or a list (:func:`baclofen.domain.names.parse_name_list`)."""
    return parse_name_list(value, field)


def format_flex(program: InfusionProgram) -> str:
    """A flex program as the text :func:`parse_flex` reads, ``HH:MM=MCG_PER_H,...``."""
    return ",".join(f"{s.start_minute // 60:02d}:{s.start_minute % 60:02d}={s.rate_mcg_per_h:g}" for s in program.steps)


def describe_program(program: InfusionProgram | None, concentration_mcg_per_ml: float | None) -> str:
    """A pump program in words: its mode, its daily dose (mcg/day) and, with the concentration, its mL/day."""
    if program is None:
        return "not recorded"
    rate = f", {program.daily_dose_mcg / concentration_mcg_per_ml:.3g} mL/day" if concentration_mcg_per_ml else ""
    if program.mode is ProgramMode.FLEX:
        return f"flex {format_flex(program)} ({program.daily_dose_mcg:g} mcg/day{rate})"
    return f"{program.mode.value} {program.daily_dose_mcg:g} mcg/day{rate}"


__all__ = [
    "describe_program",
    "format_flex",
    "parse_clock_minute",
    "parse_clock_times",
    "parse_date",
    "parse_datetime",
    "parse_flex",
    "parse_locale",
    "parse_moment",
    "parse_names",
    "parse_number_pair",
    "parse_number_pairs",
    "parse_origin",
    "parse_overrides",
    "parse_responses",
    "parse_sex",
    "parse_volume_pairs",
]
