"""Versioned JSON documents: their schema names, the version check, and readers that name the field path.

Every document this package writes for programs (a plan, a simulation result, a pump forecast, a risk
assessment) carries ``"schema_version": "baclofen-NAME/MAJOR"``; the patient timeline, an input older than
this rule, names its version ``"schema"`` (``baclofen-timeline/1``). The JSON Schemas and the versioning
policy are in ``docs/serialisation.md``: within a major version a document only gains keys (a minor
version, ``baclofen-plan/1.1``, may say so); a key removed, renamed or given another meaning or unit is a new
major version. A reader accepts any minor of a major it knows and refuses any other version, naming the field.

The readers below take a document parsed from JSON (dicts, lists, strings, numbers) and name the full path
of a bad value (``steps[2].doses[0].dose_mg``) in the :class:`~baclofen.domain.errors.InvalidInputError`.

>>> check_schema_version({"schema_version": "baclofen-plan/1.3"}, PLAN_SCHEMA)
>>> try:
...     check_schema_version({"schema_version": "baclofen-plan/2"}, PLAN_SCHEMA)
... except InvalidInputError as exc:
...     print(exc.field, exc.actual)
schema_version baclofen-plan/2
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, time
from enum import Enum
from typing import Any, TypeVar

from baclofen.domain.dates import read_iso_date
from baclofen.domain.errors import InvalidInputError

SCHEMA_VERSION_KEY = "schema_version"
PLAN_SCHEMA = "baclofen-plan/1"
SIMULATION_SCHEMA = "baclofen-simulation/1"
PUMP_FORECAST_SCHEMA = "baclofen-pump-forecast/1"
RISK_SCHEMA = "baclofen-risk/1"
TIMELINE_SCHEMA = "baclofen-timeline/1"
PATIENT_GUIDE_SCHEMA = "baclofen-patient-guide/1"

#: Every versioned document by its short name (the JSON Schema of each is docs/schemas/NAME.schema.json).
SCHEMAS: Mapping[str, str] = {
    "plan": PLAN_SCHEMA,
    "simulation": SIMULATION_SCHEMA,
    "pump-forecast": PUMP_FORECAST_SCHEMA,
    "risk": RISK_SCHEMA,
    "timeline": TIMELINE_SCHEMA,
    "patient-guide": PATIENT_GUIDE_SCHEMA,
}

_VERSION = re.compile(r"^(?P<name>[a-z][a-z0-9-]*)/(?P<major>[0-9]+)(\.[0-9]+)?$")
_CLOCK = re.compile(r"^([0-9]{1,2}):([0-9]{2})$")

E = TypeVar("E", bound=Enum)


def check_schema_version(data: Mapping[str, Any], expected: str, *, key: str = SCHEMA_VERSION_KEY) -> None:
    """Refuse a document whose version is missing, malformed, of another document or of another major version."""
    value = data.get(key)
    wanted = _VERSION.match(expected)
    assert wanted is not None, expected
    found = _VERSION.match(value) if isinstance(value, str) else None
    if found is None or (found["name"], int(found["major"])) != (wanted["name"], int(wanted["major"])):
        raise InvalidInputError(
            key,
            f"'{expected}' (a version {wanted['major']}.x of {wanted['name']}; regenerate the document with "
            "this version of baclofen)",
            value,
        )


def join(path: str, key: str | int) -> str:
    """``steps`` + 2 -> ``steps[2]``; ``steps[2]`` + ``dose_mg`` -> ``steps[2].dose_mg``."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


@contextmanager
def within(path: str) -> Iterator[None]:
    """Name errors raised by a constructor from inside the document: ``dose_mg`` becomes ``PATH.dose_mg``."""
    try:
        yield
    except InvalidInputError as exc:
        if not path or exc.field == path or exc.field.startswith((path + ".", path + "[")):
            raise
        field = join(path, exc.field)
        named = type(exc).__new__(type(exc))
        named.__dict__.update(exc.__dict__, field=field)
        Exception.__init__(named, f"'{field}' must be {exc.expected} (got {exc.actual!r})")
        raise named from None


def read_object(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidInputError(path or "document", "a JSON object", type(value).__name__)
    return value


def read_key(data: Mapping[str, Any], key: str, path: str) -> Any:
    """The value of a required key (a missing key is named, not read as null)."""
    if key not in data:
        raise InvalidInputError(join(path, key), "present", "missing")
    return data[key]


def read_list(data: Mapping[str, Any], key: str, path: str, *, required: bool = True) -> list[Any]:
    if not required and key not in data:
        return []
    value = read_key(data, key, path)
    if not isinstance(value, list):
        raise InvalidInputError(join(path, key), "a JSON array", type(value).__name__)
    return value


def read_mapping(data: Mapping[str, Any], key: str, path: str, *, required: bool = True) -> dict[str, Any]:
    if not required and key not in data:
        return {}
    return dict(read_object(read_key(data, key, path), join(path, key)))


def read_text(data: Mapping[str, Any], key: str, path: str, *, required: bool = True, non_empty: bool = False) -> str:
    if not required and key not in data:
        return ""
    value = read_key(data, key, path)
    if not isinstance(value, str) or (non_empty and not value.strip()):
        raise InvalidInputError(join(path, key), "a non-empty text" if non_empty else "a text", value)
    return value


def read_texts(data: Mapping[str, Any], key: str, path: str, *, required: bool = True) -> tuple[str, ...]:
    items = read_list(data, key, path, required=required)
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise InvalidInputError(join(join(path, key), i), "a text", item)
    return tuple(items)


def read_bool(data: Mapping[str, Any], key: str, path: str, *, required: bool = True, default: bool = False) -> bool:
    if not required and key not in data:
        return default
    value = read_key(data, key, path)
    if not isinstance(value, bool):
        raise InvalidInputError(join(path, key), "true or false", value)
    return value


def read_number(data: Mapping[str, Any], key: str, path: str, *, minimum: float | None = None) -> float:
    """A finite number; an int stays an int, so that ``80`` reads back as ``80``."""
    value = read_key(data, key, path)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InvalidInputError(join(path, key), "a finite number", value)
    if minimum is not None and value < minimum:
        raise InvalidInputError(join(path, key), f"a number >= {minimum:g}", value)
    return value


def read_optional_number(data: Mapping[str, Any], key: str, path: str) -> float | None:
    """A finite number or null (the key itself is required)."""
    if read_key(data, key, path) is None:
        return None
    try:
        return read_number(data, key, path)
    except InvalidInputError as exc:
        raise InvalidInputError(exc.field, "a finite number or null", exc.actual) from None


def read_enum(data: Mapping[str, Any], key: str, path: str, kind: type[E]) -> E:
    """The member of ``kind`` whose value is written."""
    value = read_key(data, key, path)
    for member in kind:
        if member.value == value:
            return member
    raise InvalidInputError(join(path, key), "one of: " + ", ".join(str(m.value) for m in kind), value)


def read_optional_enum(data: Mapping[str, Any], key: str, path: str, kind: type[E]) -> E | None:
    """A member of ``kind`` or null (the key itself is required)."""
    return None if read_key(data, key, path) is None else read_enum(data, key, path, kind)


def read_date(data: Mapping[str, Any], key: str, path: str) -> date:
    return read_iso_date(read_key(data, key, path), join(path, key))


def read_clock_time(data: Mapping[str, Any], key: str, path: str) -> time:
    value = read_key(data, key, path)
    match = _CLOCK.match(value) if isinstance(value, str) else None
    if match is not None and int(match[1]) <= 23 and int(match[2]) <= 59:
        return time(int(match[1]), int(match[2]))
    raise InvalidInputError(join(path, key), "a clock time HH:MM", value)


__all__ = [
    "PATIENT_GUIDE_SCHEMA",
    "PLAN_SCHEMA",
    "PUMP_FORECAST_SCHEMA",
    "RISK_SCHEMA",
    "SCHEMAS",
    "SCHEMA_VERSION_KEY",
    "SIMULATION_SCHEMA",
    "TIMELINE_SCHEMA",
    "check_schema_version",
    "join",
    "read_bool",
    "read_clock_time",
    "read_date",
    "read_enum",
    "read_key",
    "read_list",
    "read_mapping",
    "read_number",
    "read_object",
    "read_optional_enum",
    "read_optional_number",
    "read_text",
    "read_texts",
    "within",
]
