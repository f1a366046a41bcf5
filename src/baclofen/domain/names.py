"""The one parser of name lists (medicines, conditions): every path that takes such a list calls it.

A list is a comma-separated text (``"tizanidine, Cipro"``, the CLI's ``--drugs``) or a sequence of names
(a repeatable option such as ``--condition``; each item is one name and may hold a comma, as the condition
"spasticity used for posture, balance or function" does). A name is never empty and holds a letter or
digit; other separators (``;``, ``|``, tabs, new lines, other control characters) are refused rather than
read as part of one unknown name: ``"tizanidine;ciprofloxacin"`` must not pass as a single unrecognised
medicine while the absolute tizanidine + ciprofloxacin contraindication goes unseen (issue 8).

>>> parse_name_list(" tizanidine, Cipro ", "drugs")
('tizanidine', 'Cipro')
>>> parse_name_list(["epilepsy", "spasticity used for posture, balance or function"], "conditions")
('epilepsy', 'spasticity used for posture, balance or function')
>>> parse_name_list("a;b", "drugs")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
baclofen.domain.errors.InvalidInputError: 'drugs' must be names separated by commas (not ';', '|', ...
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

from baclofen.domain.errors import InvalidInputError

NAME_SEPARATOR = ","
#: Characters that people use to separate list items but that this parser refuses (control characters too).
REFUSED_SEPARATORS = ";|"

_EMPTY = "names separated by commas, none empty (each with a letter or digit)"
_OTHER_SEPARATOR = "names separated by commas (not ';', '|', tabs, new lines or other control characters)"


def _refused(text: str) -> bool:
    return any(ch in REFUSED_SEPARATORS or unicodedata.category(ch) == "Cc" for ch in text)


def parse_name_list(value: str | Iterable[Any] | None, field: str) -> tuple[str, ...]:
    """The names of a comma-separated text, or of a sequence of names, surrounding spaces removed, in order.

    ``None`` and an empty sequence are the empty list. Raises :class:`InvalidInputError` naming ``field``
    for an empty name (``"a,,b"``, ``""``, ``" "``, ``","``), a refused separator or control character, or an
    item that is not a text.
    """
    if value is None:
        return ()
    texts = value.split(NAME_SEPARATOR) if isinstance(value, str) else list(value)
    out: list[str] = []
    for text in texts:
        if not isinstance(text, str):
            raise InvalidInputError(field, _EMPTY, value)
        if _refused(text):
            raise InvalidInputError(field, _OTHER_SEPARATOR, value)
        name = text.strip()
        if not any(ch.isalnum() for ch in name):
            raise InvalidInputError(field, _EMPTY, value)
        out.append(name)
    return tuple(out)
