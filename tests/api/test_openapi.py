"""The OpenAPI document is valid, describes the intake, and the API honours it (schemathesis)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from lawdesk.cases.intake import IntakeData

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(anon) -> dict[str, Any]:
    response = anon.get("/api/openapi.json")
    assert response.status_code == 200
    return json.loads(response.content)


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def test_openapi_document_is_valid_openapi_3(document):
    import schemathesis

    assert document["openapi"].startswith("3.")
    schemathesis.openapi.from_dict(document).validate()
    components = document["components"]["schemas"]
    for ref in _refs(document):
        assert ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] in components, ref


def test_openapi_describes_the_intake_with_intakedata(document):
    post = document["paths"]["/api/v1/requests"]["post"]
    multipart = post["requestBody"]["content"]["multipart/form-data"]
    assert multipart["schema"]["properties"]["request"] == {"$ref": "#/components/schemas/IntakeData"}
    assert multipart["encoding"]["request"]["contentType"] == "application/json"
    intake = document["components"]["schemas"]["IntakeData"]
    assert set(intake["properties"]) == set(IntakeData.model_fields)
    assert {"kind", "instrument_type", "targets"} <= set(intake["required"])
    assert "201" in post["responses"]
    assert post["security"] == [{"TokenAuth": []}]
    assert document["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
    for path_item in document["paths"].values():
        for operation in path_item.values():
            for status, answer in operation["responses"].items():
                if int(status) >= 400:
                    assert list(answer["content"]) == ["application/problem+json"]


def test_no_docs_page_with_inline_script(anon):
    assert anon.get("/api/docs").status_code == 404
