"""The JSON values of a result, one rule for every entrypoint (the CLI's ``--json`` and the REST API):
dates and times in ISO 8601, enums by value, values with ``to_dict()`` through it, arrays as lists, and a
non-finite number (NaN, infinity) as null.

>>> from datetime import date
>>> json_ready({"on": date(2026, 3, 2), "x": float("nan"), "steps": (1, 2)})
{'on': '2026-03-02', 'x': None, 'steps': [1, 2]}
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import date, datetime, time
from enum import Enum
from typing import Any

__all__ = ["json_ready"]


def _default(value: Any) -> Any:
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def json_ready(data: Any) -> Any:
    """``data`` as plain JSON values (see the module)."""
    return _clean(json.loads(json.dumps(data, default=_default, allow_nan=True)))
