"""What the stateless calculators share (:mod:`.simulations`, :mod:`.itb_calculators`): the result as the CLI's
``--json`` prints it, and input errors named by the request body's fields."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import Any

from baclofen.domain.errors import InvalidInputError
from baclofen.entrypoints.api.problems import Problem, field_errors
from baclofen.entrypoints.json_values import json_ready

__all__ = ["cli_document", "body_fields"]

#: The edge's and use cases' names of a field that the body names otherwise (the CLI's ``--setting``,
#: ``--override``).
_BODY_NAMES = {"setting": "settings", "override": "overrides"}


def cli_document(result: Any) -> dict[str, Any]:
    """A result as ``baclofen ... --json`` prints it (its JSON values)."""
    data: dict[str, Any] = json_ready(result.to_dict())
    return data


def _body_name(field: str, settings: Collection[str]) -> str:
    if field in settings:  # a setting's value out of its bounds names the setting
        return f"settings.{field}"
    head, dot, rest = field.partition(".")
    return _BODY_NAMES.get(head, head) + dot + rest


@contextmanager
def body_fields(settings: Collection[str] = ()) -> Iterator[None]:
    """Answer an input error of the block as a 422 naming each invalid field by its path in the body
    (``settings`` are the names of the body's settings: a setting's invalid value is ``settings.NAME``)."""
    try:
        yield
    except InvalidInputError as exc:
        errors = field_errors(exc)
        for error in errors:
            error["field"] = _body_name(error["field"], settings)
        raise Problem(422, f"{len(errors)} invalid field(s)", errors=errors) from None
