"""Errors raised for invalid input and programming errors (never for clinical conditions).

Clinical conditions are returned as :class:`~baclofen.domain.rules.Finding` values. The tree::

    * BaclofenError
      x DomainError
        + InvalidInputError(ValueError)      one field, what was expected, what was got
          + InvalidInputs                     several fields at once (every invalid field of a command)
          + UnitMismatchError                 quantities of different dimensions mixed
          + UnknownNameError                  a product, model, pump, drug, scale ... not in the catalogue
      x ServiceError
        + NotFoundError(LookupError)
        + ConflictError
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class BaclofenError(Exception):
    """Root of every error this package raises on purpose."""


class DomainError(BaclofenError):
    """An input that violates a domain invariant."""


class InvalidInputError(DomainError, ValueError):
    """One field is wrong: says the field, what was expected and what was got.

    >>> str(InvalidInputError("dose_mg", "a number > 0", -5))
    "'dose_mg' must be a number > 0 (got -5)"
    """

    def __init__(self, field: str, expected: str, actual: Any) -> None:
        self.field = field
        self.expected = expected
        self.actual = actual
        super().__init__(f"'{field}' must be {expected} (got {actual!r})")


class InvalidInputs(InvalidInputError):
    """Several fields are wrong: every invalid field of one request, reported at once (``errors``, in the
    order the fields were read). It is an :class:`InvalidInputError` naming the first, so that a caller that
    handles one error still works.

    >>> e = InvalidInputs([InvalidInputError("filled", "a date", "x"), InvalidInputError("as_of", "a date", "y")])
    >>> [err.field for err in e.errors], e.field
    (['filled', 'as_of'], 'filled')
    """

    errors: tuple[InvalidInputError, ...]

    def __init__(self, errors: Sequence[InvalidInputError]) -> None:
        flat: list[InvalidInputError] = []
        for error in errors:
            flat.extend(error.errors if isinstance(error, InvalidInputs) else (error,))
        if not flat:
            raise ValueError("InvalidInputs needs at least one error")
        self.errors = tuple(flat)
        first = flat[0]
        super().__init__(first.field, first.expected, first.actual)
        self.args = ("; ".join(str(e) for e in flat),)


def raise_input_errors(errors: Sequence[InvalidInputError]) -> None:
    """Raise nothing for no error, the error itself for one, :class:`InvalidInputs` for several."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise InvalidInputs(errors)


class UnitMismatchError(InvalidInputError):
    """Quantities of different dimensions (or an unknown unit) were combined."""


class UnknownNameError(InvalidInputError):
    """A name that is not in the catalogue it was looked up in."""

    def __init__(self, field: str, choices: Any, actual: Any) -> None:
        choices_text = ", ".join(sorted(str(c) for c in choices))
        super().__init__(field, f"one of: {choices_text}", actual)
        self.choices = tuple(choices)


class ServiceError(BaclofenError):
    """A use case could not be carried out."""


class NotFoundError(ServiceError, LookupError):
    """A record that was asked for does not exist."""


class ConflictError(ServiceError):
    """The request conflicts with what is stored."""


def require(condition: bool, field: str, expected: str, actual: Any) -> None:
    """Raise :class:`InvalidInputError` unless ``condition`` holds."""
    if not condition:
        raise InvalidInputError(field, expected, actual)


def require_finite_number(
    value: Any,
    field: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    strictly_positive: bool = False,
) -> float:
    """Check that ``value`` is a finite real number within bounds; return it as float.

    >>> require_finite_number(5, "dose_mg", strictly_positive=True)
    5.0
    """
    import math

    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidInputError(field, "a number", value)
    number = float(value)
    if not math.isfinite(number):
        raise InvalidInputError(field, "a finite number", value)
    if strictly_positive and number <= 0:
        raise InvalidInputError(field, "a number > 0", value)
    if minimum is not None and number < minimum:
        if maximum is not None:
            raise InvalidInputError(field, f"a number between {minimum:g} and {maximum:g}", value)
        raise InvalidInputError(field, f"a number >= {minimum:g}", value)
    if maximum is not None and number > maximum:
        if minimum is not None:
            raise InvalidInputError(field, f"a number between {minimum:g} and {maximum:g}", value)
        raise InvalidInputError(field, f"a number <= {maximum:g}", value)
    return number
