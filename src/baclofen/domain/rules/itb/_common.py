"""Message helpers and the tolerance shared by the intrathecal and pump rules (private to the package)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from baclofen.domain.signs import SignSet

__all__ = ["REL_TOLERANCE", "exact", "fmt", "watch_signs", "watch_text", "with_signs"]


def fmt(value: float, digits: int = 2) -> str:
    """A number for a message: at most ``digits`` decimals, no trailing zeros.

    >>> fmt(1120.0), fmt(0.28600000001), fmt(2.5)
    ('1120', '0.29', '2.5')
    """
    text = f"{value:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def exact(value: float) -> Decimal:
    """The decimal a float was written as (its shortest repr), for exact tolerance comparisons: 4.9 - 4.41
    is 0.49 here, not 0.49000000000000021, so a difference of exactly 10 % is never flagged by rounding."""
    return Decimal(repr(float(value)))


def with_signs(sign_set: SignSet) -> dict[str, Any]:
    return {"signs": sign_set.signs, "action": sign_set.action, "evidence": sign_set.evidence}


def watch_text(sign_set: SignSet) -> str:
    """Routine advice for a finding that is not itself an emergency: what to watch for, and that those signs
    are one (the emergency management itself belongs to the findings that report an emergency).

    >>> from baclofen.domain.signs import ITB_OVERDOSE
    >>> watch_text(ITB_OVERDOSE)  # doctest: +ELLIPSIS
    'Watch for signs of intrathecal baclofen overdose (listed) ...'
    """
    return (
        f"Watch for signs of {sign_set.name} (listed) and tell the patient and carers what they are; if any "
        "appear, treat them as an emergency and get urgent medical review."
    )


def watch_signs(sign_set: SignSet) -> dict[str, Any]:
    """Signs to watch for on a routine finding, with :func:`watch_text` as its action (no emergency procedure)."""
    return {"signs": sign_set.signs, "action": watch_text(sign_set), "evidence": sign_set.evidence}


REL_TOLERANCE = 1e-9  # relative tolerance so that a limit computed in floating point is not "exceeded" by itself
