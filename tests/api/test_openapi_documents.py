"""The OpenAPI schema describes the documents the API reads by their real JSON Schemas: POST /risk's body is the
``baclofen-timeline/1`` schema (docs/schemas/timeline.schema.json, shipped with the package), so that a client and
schemathesis see its shape, not a generic object."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.api.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def _resolved(openapi: dict[str, Any], schema: dict[str, Any]) -> Draft202012Validator:
    """A validator of ``schema`` whose ``#/components/...`` references resolve in the OpenAPI document."""
    registry = Registry().with_resource(
        "urn:openapi", Resource.from_contents(openapi, default_specification=DRAFT202012)
    )
    return Draft202012Validator({"$ref": "urn:openapi" + schema["$ref"]}, registry=registry)


def test_the_risk_body_is_the_timeline_schema(memory_api) -> None:
    openapi = memory_api.client.get("/openapi.json").json()

    body = openapi["paths"]["/api/v1/risk"]["post"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]
    assert body["required"] is True and schema == {"$ref": "#/components/schemas/Timeline"}
    timeline = openapi["components"]["schemas"]["Timeline"]
    assert {"as_of", "patient", "oral", "pump"} <= set(timeline["properties"]) and timeline["required"] == ["as_of"]
    assert "$defs" not in json.dumps(openapi) and "urn:baclofen" not in json.dumps(openapi)
    validator = _resolved(openapi, schema)
    example = json.loads((ROOT / "docs" / "examples" / "timeline.json").read_text())
    assert list(validator.iter_errors(example)) == []
    assert list(validator.iter_errors({**example, "surprise": 1}))  # unknown keys refused, as the reader does
    assert list(validator.iter_errors({"as_of": "yesterday"}))


def test_the_example_timeline_is_assessed_through_the_api(memory_api) -> None:
    example = json.loads((ROOT / "docs" / "examples" / "timeline.json").read_text())

    r = memory_api.client.post("/api/v1/risk", json=example, headers=memory_api.auth("clin1"))

    assert r.status_code == 200, r.text


def test_the_packaged_schemas_are_the_documented_ones() -> None:
    packaged = resources.files("baclofen") / "schemas"
    documented = sorted((ROOT / "docs" / "schemas").glob("*.schema.json"))

    assert documented and sorted(p.name for p in packaged.iterdir() if p.name.endswith(".json")) == [
        p.name for p in documented
    ]
    for path in documented:
        assert json.loads((packaged / path.name).read_text()) == json.loads(path.read_text()), path.name


#: The one operation whose 422 may also be a FHIR OperationOutcome (a refused Bundle element; its body's own
#: validation, before the Bundle is read, is a problem document as everywhere).
FHIR_OUTCOMES = {("post", "/api/v1/fhir/import", "422")}


def test_every_operation_declares_its_errors_as_problem_documents(memory_api) -> None:
    openapi = memory_api.client.get("/openapi.json").json()
    problem = openapi["components"]["schemas"]["Problem"]
    answer = memory_api.client.post("/api/v1/auth/token", json={})

    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            for status, response in responses.items():
                if status.startswith("2") and "application/json" in response.get("content", {}):
                    assert response["content"]["application/json"]["schema"], (method, path, status)
            for status in ("422", "default"):
                content = responses[status]["content"]
                also = ["application/fhir+json"] if (method, path, status) in FHIR_OUTCOMES else []
                assert list(content) == ["application/problem+json", *also], (method, path, status)
                assert content["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}
    assert "HTTPValidationError" not in openapi["components"]["schemas"]
    assert (
        answer.status_code == 422
        and list(_resolved(openapi, {"$ref": "#/components/schemas/Problem"}).iter_errors(answer.json())) == []
    )
    assert set(problem["required"]) == {"type", "title", "status", "detail"}


def test_the_login_declares_its_token(memory_api) -> None:
    openapi = memory_api.client.get("/openapi.json").json()
    token = memory_api.client.post("/api/v1/auth/token", json={"username": "clin1", "password": PASSWORD})

    declared = openapi["paths"]["/api/v1/auth/token"]["post"]["responses"]["200"]["content"]["application/json"]
    assert token.status_code == 200 and list(_resolved(openapi, declared["schema"]).iter_errors(token.json())) == []
    assert set(openapi["components"]["schemas"]["TokenResponse"]["required"]) == {
        "access_token",
        "token_type",
        "expires_in",
    }
