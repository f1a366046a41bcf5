"""``NAME=VALUE`` settings at the edge: the one parser is the settings mechanism's; this only adapts it to
the edge's ``(value, field)`` parser shape."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from baclofen.services.cds import parse_settings


def read_settings(values: Mapping[str, Any] | Iterable[str], field: str = "setting") -> dict[str, Any]:
    """Setting values by name from ``"NAME=VALUE"`` texts or a mapping (errors name ``setting``)."""
    return parse_settings(values)


__all__ = ["read_settings"]
