"""The JSON Schemas of the versioned documents in the OpenAPI schema: an operation whose body IS such a document
(``POST /risk``: a ``baclofen-timeline/1`` timeline) declares it with ``openapi_extra={"x-document": NAME}`` and
its request body becomes a reference to the document's schema (``src/baclofen/schemas/NAME.schema.json``, shipped
with the package; docs/schemas links to it), so that a client and schemathesis see its real shape.

Each schema's ``$defs`` (and those of the schemas it references, ``urn:baclofen:schema:OTHER``) become components
named ``Name_def``; every reference is rewritten to point at them (OpenAPI resolves ``#/components/...`` only).

>>> refs = document_components("timeline")
>>> sorted(refs)[:3], refs["Timeline"]["required"]
(['Common_clock_time', 'Common_date', 'Common_date_time'], ['as_of'])
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any

from fastapi import FastAPI

__all__ = [
    "DOCUMENT_KEY",
    "PROBLEM_SCHEMA",
    "declare_problems",
    "document_components",
    "install_document_schemas",
    "packaged_schema",
]

#: The operation's ``openapi_extra`` key naming the document its body is.
DOCUMENT_KEY = "x-document"
_URN = "urn:baclofen:schema:"
_DROPPED = ("$schema", "$id", "$defs")


@cache
def packaged_schema(name: str) -> dict[str, Any]:
    """The JSON Schema of the document ``name`` (``timeline``, ``common`` ...) as the package ships it."""
    text = (resources.files("baclofen") / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _component(name: str, definition: str | None = None) -> str:
    title = name.replace("-", "_").title().replace("_", "")
    return title if definition is None else f"{title}_{definition}"


def _rewritten(value: Any, name: str, wanted: set[str]) -> Any:
    """``value`` with each ``$ref`` of schema ``name`` pointing at the components (the schemas it names kept in
    ``wanted``)."""
    if isinstance(value, list):
        return [_rewritten(v, name, wanted) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key == "$ref" and isinstance(item, str):
            base, _, pointer = item.partition("#")
            other = base.removeprefix(_URN) if base else name
            if base and not base.startswith(_URN):
                raise ValueError(f"schema {name}: an external reference {item!r}")
            wanted.add(other)
            definition = pointer.removeprefix("/$defs/")
            out[key] = "#/components/schemas/" + _component(other, definition if pointer else None)
        else:
            out[key] = _rewritten(item, name, wanted)
    return out


def document_components(name: str) -> dict[str, dict[str, Any]]:
    """The OpenAPI components of document ``name``: its schema (``Name``), its definitions and those of every schema
    it references (``Name_def``), references rewritten."""
    components: dict[str, dict[str, Any]] = {}
    pending, done = {name}, set()
    while pending:
        current = pending.pop()
        done.add(current)
        wanted: set[str] = set()
        schema = packaged_schema(current)
        root = {k: v for k, v in schema.items() if k not in _DROPPED}
        if current == name:
            components[_component(current)] = _rewritten(root, current, wanted)
        for definition, body in schema.get("$defs", {}).items():
            components[_component(current, definition)] = _rewritten(body, current, wanted)
        pending |= wanted - done
    return components


def install_document_schemas(app: FastAPI) -> None:
    """Make ``app``'s OpenAPI schema describe each body marked with :data:`DOCUMENT_KEY` by its document's schema,
    and every operation's errors as problem documents (:func:`declare_problems`)."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                name = operation.get(DOCUMENT_KEY) if isinstance(operation, dict) else None
                if name is None:
                    continue
                components.update(document_components(name))
                reference = {"$ref": "#/components/schemas/" + _component(name)}
                operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": reference}}}
        declare_problems(schema)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


#: RFC 9457 problem details as every error of the API answers them (:mod:`.problems`): the members it always has,
#: and those of a 422 (``errors``: each invalid field's path, where it was and what was expected); more may come.
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "detail"],
                "properties": {"field": {"type": "string"}, "in": {"type": "string"}, "detail": {"type": "string"}},
            },
        },
    },
    "additionalProperties": True,
}
_PROBLEM_CONTENT = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


def declare_problems(schema: dict[str, Any]) -> None:
    """Declare in ``schema`` (OpenAPI, in place) that every operation answers its errors as problem documents: a
    422 (FastAPI's own validation error replaced) and ``default`` (any other error status) with the
    :data:`PROBLEM_SCHEMA`; a success whose body has no schema yet is at least a JSON object."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = PROBLEM_SCHEMA
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for status, response in responses.items():
                body = response.get("content", {}).get("application/json")
                if status.startswith("2") and body is not None and not body.get("schema"):
                    body["schema"] = {"type": "object"}  # every success answers a JSON object
            own = responses.get("422", {}).get("content", {})  # an operation's own 422 (a FHIR OperationOutcome)
            own = {media: body for media, body in own.items() if media != "application/json"}
            responses["422"] = {
                "description": "An invalid field (its path), as a problem"
                + (f"; {responses['422']['description']}" if own else ""),
                "content": {**_PROBLEM_CONTENT, **own},
            }
            responses["default"] = {"description": "An error, as an RFC 9457 problem", "content": _PROBLEM_CONTENT}
