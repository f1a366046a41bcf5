"""Reading every field of a request before reporting: an :class:`InputCollector` runs each field's parser,
keeps each field's error, and raises them all at once (:class:`~baclofen.domain.errors.InvalidInputs`).

>>> from baclofen.adapters.edge.text import parse_date
>>> fields = InputCollector()
>>> start = fields.read(parse_date, "2026-13-01", "start_date")
>>> end = fields.read(parse_date, "2026-12-01", "end_date")
>>> start is None, end
(True, datetime.date(2026, 12, 1))
>>> fields.raise_errors()
Traceback (most recent call last):
...
baclofen.domain.errors.InvalidInputError: 'start_date' must be a date YYYY-MM-DD (got '2026-13-01')
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from baclofen.domain.errors import InvalidInputError, InvalidInputs, raise_input_errors

T = TypeVar("T")


class InputCollector:
    """Collects the input errors of one request (fields read in order; one error per field at most)."""

    def __init__(self) -> None:
        self._errors: list[InvalidInputError] = []

    @property
    def errors(self) -> tuple[InvalidInputError, ...]:
        return tuple(self._errors)

    def failed(self, *fields: str) -> bool:
        """Whether any of ``fields`` (any field when none is named) already has an error: a check across
        fields runs only on fields that were read."""
        return any(not fields or e.field in fields for e in self._errors)

    def add(self, error: InvalidInputError) -> None:
        self._errors.extend(error.errors if isinstance(error, InvalidInputs) else (error,))

    def read(self, parser: Callable[..., T], value: Any, field: str, *args: Any, **kwargs: Any) -> T | None:
        """``parser(value, field, ...)``; None (and the error kept) when it fails, None when ``value`` is None."""
        if value is None:
            return None
        try:
            return parser(value, field, *args, **kwargs)
        except InvalidInputError as exc:
            self.add(exc)
            return None

    def check(self, check: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        """``check(...)`` (any validation that raises InvalidInputError); None (and the error kept) when it fails."""
        try:
            return check(*args, **kwargs)
        except InvalidInputError as exc:
            self.add(exc)
            return None

    def raise_errors(self) -> None:
        """Raise the one error, or :class:`InvalidInputs` with every error; nothing when all fields were good."""
        raise_input_errors(self._errors)


__all__ = ["InputCollector"]
