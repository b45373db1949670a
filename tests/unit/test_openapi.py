"""The checked-in OpenAPI document is the one the code generates, and it covers every route."""

from __future__ import annotations

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
