"""The one JSON file reader of the CLI: bounded size, nesting depth and number length; and the one check of an
output file's path (:func:`check_output_path`).

Every command that reads a JSON file (``simulate regimen`` PLAN, ``risk`` TIMELINE) goes through
:func:`read_json_file`, so a hostile file (a 4,300-digit number, 100,000 nested brackets, a huge file, NaN)
exits with code 2 and one line naming the argument and the file, never a traceback. A key repeated in an
object is refused too (read last-wins, it would silently hide a value such as a prescription).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NoReturn

from baclofen.entrypoints.cli.errors import fail

MAX_JSON_BYTES = 10 * 1024 * 1024
"""Largest JSON input file (bytes): a plan or a timeline of years is well under 1 MiB."""
MAX_JSON_DEPTH = 32
"""Deepest nesting of arrays and objects (the timeline and plan schemas nest at most 5 levels)."""
MAX_NUMBER_CHARS = 50
"""Longest number literal (characters): no dose, volume or time needs more than about 20."""


class _BadNumber(ValueError):
    pass


def _int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise _BadNumber(text)
    return int(text)


def _float(text: str) -> float:
    if len(text) > MAX_NUMBER_CHARS:
        raise _BadNumber(text)
    return float(text)


def _constant(text: str) -> NoReturn:
    raise _BadNumber(text)


class _DuplicateKey(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object whose keys are all different: a repeated key (read last-wins by default) could hide a value."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def _depth(value: Any) -> int:
    """Nesting depth of a parsed JSON value, walked without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, level)
            if level > MAX_JSON_DEPTH:
                return level
            stack.extend((v, level + 1) for v in item)
    return deepest


def read_json_file(path: Path, argument: str, what: str = "JSON file") -> Any:
    """The parsed content of the JSON file ``path``; bad input stops the command naming ``argument`` and the file.

    Parameters
    ----------
    path : the file
    argument : the CLI argument or option that named it, e.g. ``"FILE"`` or ``"TIMELINE"``
    what : what the file is, for the message (``"plan JSON file"``)
    """
    name = str(path)
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_JSON_BYTES + 1)
    except FileNotFoundError:
        fail(argument, f"an existing {what}", name)
    except IsADirectoryError:
        fail(argument, f"a {what}, not a folder", name)
    except OSError as exc:
        fail(argument, f"a readable {what}", f"{name} ({exc.strerror or exc.__class__.__name__})")
    if len(raw) > MAX_JSON_BYTES:
        fail(argument, f"a {what} of at most {MAX_JSON_BYTES // (1024 * 1024)} MiB", f"{name} (larger)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        fail(argument, f"a UTF-8 {what}", name)
    try:
        value = json.loads(
            text, parse_int=_int, parse_float=_float, parse_constant=_constant, object_pairs_hook=_unique_keys
        )
    except json.JSONDecodeError as exc:
        fail(argument, f"valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})", name)
    except _BadNumber as exc:
        fail(
            argument,
            f"valid JSON with finite numbers of at most {MAX_NUMBER_CHARS} characters",
            f"{name}: {str(exc)[:20]}... ({len(str(exc))} characters)" if len(str(exc)) > 20 else f"{name}: {exc}",
        )
    except _DuplicateKey as exc:
        fail(argument, "JSON objects with each key once (a repeated key hides a value)", f"{name}: key {exc}")
    except (RecursionError, ValueError):
        fail(argument, f"valid JSON nested at most {MAX_JSON_DEPTH} levels with realistic numbers", name)
    if _depth(value) > MAX_JSON_DEPTH:
        fail(argument, f"JSON nested at most {MAX_JSON_DEPTH} levels", name)
    return value


def check_output_path(path: Path, suffix: str, option: str = "-o") -> None:
    """Stop the command unless ``path`` is a file name ending in ``suffix`` (``.ics``, ``.pdf``) in an existing
    folder, naming ``option``."""
    if path.suffix.lower() != suffix:
        fail(option, f"a file name ending in {suffix}", str(path))
    if not path.parent.is_dir():
        fail(option, "a file in an existing folder", str(path))
    if path.is_dir():
        fail(option, "a file path (not a folder)", str(path))
