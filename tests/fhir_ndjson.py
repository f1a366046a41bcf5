"""The check of a FHIR bulk export (NDJSON, one file per resource type) shared by the CLI and API tests: every line
of every file is a valid FHIR R4 resource of the file's type (fhir.resources), each resource once, and every
reference resolves to a resource of the files."""

from __future__ import annotations

import json
from typing import Any

from fhir.resources.R4B import get_fhir_model_class


def references(node: Any) -> list[str]:
    """Every ``reference`` in a JSON value."""
    if isinstance(node, dict):
        own = [node["reference"]] if isinstance(node.get("reference"), str) else []
        return own + [r for value in node.values() for r in references(value)]
    if isinstance(node, list):
        return [r for value in node for r in references(value)]
    return []


def check_ndjson_files(files: dict[str, list[str]]) -> set[str]:
    """Check ``files`` (resource type -> its lines) as above; the ``Type/id`` of every resource."""
    keys: set[str] = set()
    found: list[str] = []
    for kind, lines in files.items():
        assert lines and all(lines), kind
        for line in lines:
            resource = get_fhir_model_class(kind).model_validate_json(line)
            key = f"{kind}/{resource.id}"
            assert key not in keys, key
            keys.add(key)
            found += references(json.loads(line))
    assert found and set(found) <= keys, set(found) - keys
    return keys
