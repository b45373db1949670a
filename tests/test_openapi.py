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
        assert {"400", "401", "404", "500"} <= set(operation["responses"])
        assert "422" not in operation["responses"]
    assert spec["security"] == [{"bearer": []}]
    routes = {(r.path, r.method.lower()) for r in template.routes()}
    documented = {(p, m) for p, ops in spec["paths"].items() for m in ops}
    assert documented == routes


def test_limits_are_documented_in_the_schemas():
    schemas = openapi.build()["components"]["schemas"]
    name = schemas["SaveListRequest"]["properties"]["listName"]
    assert name["maxLength"] == 200
