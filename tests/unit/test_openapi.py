"""The checked-in OpenAPI document is the one the code generates, and it covers every route."""

from __future__ import annotations

import json

import pytest

from leadlists_local import openapi, template


def test_checked_in_spec_matches_the_code():
    assert openapi.SPEC_PATH.read_text() == openapi.render(), (
        "openapi.json is stale: run `make openapi`"
    )


def test_every_template_route_is_in_the_spec_with_errors_and_security():
    spec = openapi.build()
    for route in template.routes():
        operation = spec["paths"][route.path][route.method.lower()]
        assert {"400", "401", "403", "404", "429", "500"} <= set(operation["responses"])
        assert "422" not in operation["responses"]
        limited = operation["responses"]["429"]["headers"]
        assert {"Retry-After", "X-RateLimit-Limit", "X-RateLimit-Reset"} <= set(limited)
    # Either credential: a bearer JWT or an API key.
    assert spec["security"] == [{"bearer": []}, {"apiKey": []}]
    assert spec["components"]["securitySchemes"]["apiKey"]["name"] == "X-API-Key"
    routes = {(r.path, r.method.lower()) for r in template.routes()}
    documented = {(p, m) for p, ops in spec["paths"].items() for m in ops}
    assert documented == routes


def test_limits_are_documented_in_the_schemas():
    schemas = openapi.build()["components"]["schemas"]
    name = schemas["SaveListRequest"]["properties"]["listName"]
    assert name["maxLength"] == 200


def test_links_lead_from_a_create_to_operations_on_what_it_created():
    spec = openapi.build()
    operations = {
        op["operationId"]: (path, op) for path, ops in spec["paths"].items() for op in ops.values()
    }
    linked = 0
    for (method, path), targets in openapi.LINKS.items():
        responses = spec["paths"][path][method]["responses"]
        links = next(r for s, r in responses.items() if s.startswith("2"))["links"]
        assert len(links) == len(targets)
        for link in links.values():
            target_path, target = operations[link["operationId"]]
            assert "{id}" in target_path
            assert link["parameters"] == {"id": "$response.body#/id"}
            assert any(p["name"] == "id" and p["in"] == "path" for p in target["parameters"])
            linked += 1
    assert linked == 12


@pytest.fixture(scope="module")
def spec():
    """One generated document for the read-only checks below."""
    return openapi.build()


def test_operations_are_tagged_by_area_from_their_path(spec):
    tags = {
        (method, path): op["tags"]
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
    }
    assert tags[("post", "/lists/save")] == ["Saved lists"]
    assert tags[("get", "/lists/{id}/contacts")] == ["Saved lists"]
    assert tags[("patch", "/api/v1/entities/leadlists/{id}")] == ["Lead lists"]
    assert tags[("get", "/api/v1/search/{searchId}")] == ["Search"]
    assert tags[("post", "/lists/{id}/export")] == ["Exports"]
    assert tags[("get", "/api/v1/entities/leadlists/{id}/exports/{exportId}")] == ["Exports"]
    assert all(len(t) == 1 for t in tags.values())
    # A new area is tagged by rule, without a change here.
    assert openapi.tag_of("/api-keys/{id}") == "API keys"
    assert openapi.tag_of("/webhooks/{id}/deliveries") == "Webhooks"
    assert openapi.tag_of("/audit-log") == "Audit log"
    declared = [t["name"] for t in spec["tags"]]
    assert set(declared) == {t for ts in tags.values() for t in ts}
    assert declared[:4] == ["Saved lists", "Lead lists", "Search", "Exports"]


def test_refresh_declares_its_202(spec):
    responses = spec["paths"]["/lists/refresh/{id}"]["post"]["responses"]
    assert {"200", "202"} <= set(responses)
    assert "refreshStatus" in responses["202"]["description"]


def test_every_error_status_has_its_own_example_with_its_own_code(spec):
    seen = set()
    for ops in spec["paths"].values():
        for op in ops.values():
            for status, response in op["responses"].items():
                if int(status) < 400:
                    continue
                body = response["content"]["application/json"]
                # A POST's or PATCH's 409 names both of its codes, CONFLICT first.
                example = body.get("example") or next(iter(body["examples"].values()))["value"]
                assert example["code"] == openapi.CODES[status]
                assert example["requestId"] and example["message"]
                seen.add(status)
    assert seen == set(openapi.CODES)


def test_the_id_of_get_lists_is_described_and_an_array_answer_declares_x_next_token(spec):
    get = spec["paths"]["/lists/{id}"]["get"]
    param = next(p for p in get["parameters"] if p["in"] == "path")
    assert "organization id" in param["description"] and "list's id" in param["description"]
    assert "X-Next-Token" in get["responses"]["200"]["headers"]
    # Pages in a body do not declare the header.
    contacts = spec["paths"]["/lists/{id}/contacts"]["get"]["responses"]["200"]
    assert "X-Next-Token" not in contacts.get("headers", {})


def test_every_schema_is_referenced(spec):
    schemas = spec["components"]["schemas"]
    text = json.dumps({"paths": spec["paths"], "schemas": schemas})
    for name in schemas:
        assert f'"#/components/schemas/{name}"' in text, name
    assert "SelectionAdded" in schemas


def test_every_post_and_patch_declares_its_idempotency_key_and_its_409(spec):
    writes = 0
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            header = [p for p in operation.get("parameters", []) if p["in"] == "header"]
            if method not in ("post", "patch"):
                assert not header, (method, path)
                assert "409" not in operation["responses"], (method, path)
                continue
            writes += 1
            assert [(p["name"], p["required"]) for p in header] == [("Idempotency-Key", False)]
            assert "24 h" in header[0]["description"]
            examples = operation["responses"]["409"]["content"]["application/json"]["examples"]
            codes = {e["value"]["code"] for e in examples.values()}
            assert codes == {"CONFLICT", "IDEMPOTENCY_KEY_REUSED"}, (method, path)
            # 503 where the route can answer it: a save whose refresh cannot be queued.
            assert ("503" in operation["responses"]) == ((method, path) in openapi.UNAVAILABLE)
    assert writes >= 15
    save = spec["paths"]["/lists/save"]["post"]["responses"]["503"]
    assert save["content"]["application/json"]["example"]["code"] == "SERVICE_UNAVAILABLE"
    codes = spec["components"]["schemas"]["Error"]["properties"]["code"]["enum"]
    assert {"IDEMPOTENCY_KEY_REUSED", "SERVICE_UNAVAILABLE"} <= set(codes)
