"""One OpenAPI document for the whole API, generated from every function's Powertools resolver.

Each function owns one route; their schemas are merged here, the contract's error responses,
limits and bearer security are added, and the result is checked in as `openapi.json` (CI fails
when it no longer matches the code).
"""

from __future__ import annotations

import json
import sys
from typing import Any

from leadlists_local import lambdas, template

SPEC_PATH = template.ROOT / "openapi.json"
TITLE = "leadlists API"
VERSION = "1.0.0"

ERRORS = {
    "400": "Malformed JSON, schema violation (`details` lists every field), wrong list type, "
    "limit exceeded or unknown ids",
    "401": "No credentials, a bad token, a token without an organization claim, or an unknown, "
    "revoked or expired API key",
    "403": "Authenticated but not allowed (not shared with the caller; foreign organizationId; "
    "an API key without the route's scope)",
    "404": "No such resource in the caller's organization",
    "409": "A write lost an optimistic-concurrency race (stale version) or a name is taken",
    "413": "Request body above 1 MiB",
    "429": "Over the caller's rate limit (an API key's rateLimitPerMinute, or the organization's "
    "JWT limit); Retry-After says when to retry",
    "500": "Unexpected error; the requestId finds the logs",
}
# Which errors each method can answer besides 400/401/403/404/429/500, which every route can
# (403: an API key without the route's scope; 429: the rate limit).
_EXTRA = {"post": ("409", "413"), "patch": ("409", "413")}
# On every answer to an authenticated request.
RATE_LIMIT_HEADERS = {
    "X-RateLimit-Limit": "Requests allowed in the current minute",
    "X-RateLimit-Remaining": "Requests left in the current minute",
    "X-RateLimit-Reset": "When the current minute's window ends (epoch seconds)",
}

# OpenAPI links: the `id` a create answers is the `{id}` of these operations. They document how
# ids flow, and let stateful fuzzing chain a create into the operations on what it created.
LINKS: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {
    ("post", "/lists/save"): (
        ("get", "/lists/{id}"),
        ("get", "/lists/{id}/contacts"),
        ("post", "/lists/refresh/{id}"),
        ("post", "/lists/{id}/export"),
        ("delete", "/lists/{id}"),
    ),
    ("post", "/api/v1/entities/leadlists"): tuple(
        (method, f"/api/v1/entities/leadlists/{{id}}{suffix}")
        for method, suffix in (
            ("get", ""),
            ("patch", ""),
            ("post", "/add-companies"),
            ("post", "/add-prospects"),
            ("post", "/remove-companies"),
            ("post", "/remove-prospects"),
            ("delete", ""),
        )
    ),
}

ERROR_SCHEMA = {
    "type": "object",
    "required": ["code", "message", "requestId"],
    "properties": {
        "code": {
            "type": "string",
            "enum": [
                "BAD_REQUEST",
                "UNAUTHORIZED",
                "FORBIDDEN",
                "NOT_FOUND",
                "CONFLICT",
                "PAYLOAD_TOO_LARGE",
                "RATE_LIMITED",
                "INTERNAL_ERROR",
            ],
        },
        "message": {"type": "string"},
        "details": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
        "requestId": {"type": "string"},
    },
}


def _function_app(logical_id: str) -> Any:
    lambdas.load_handler(logical_id)
    return sys.modules[f"leadlists_fn_{logical_id}"].app


def build() -> dict[str, Any]:
    spec: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": TITLE,
            "version": VERSION,
            "description": "Saved lists and lead lists of B2B prospects. Limits: 1,000 ids per "
            "add/remove request, 1,000 prospects per bulk selection, 1 MiB request bodies, "
            "100 items per page, 200 characters per list name.",
        },
        "paths": {},
        "components": {
            "schemas": {"Error": ERROR_SCHEMA},
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                "apiKey": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-API-Key",
                    "description": "An API key (POST /api-keys); scopes read, write, admin",
                },
            },
            "headers": {
                name: {"description": text, "schema": {"type": "integer"}}
                for name, text in RATE_LIMIT_HEADERS.items()
            },
        },
        # Either credential (never both).
        "security": [{"bearer": []}, {"apiKey": []}],
    }
    for logical_id, function in sorted(template.functions().items()):
        if not function.routes:
            continue
        part = json.loads(_function_app(logical_id).get_openapi_json_schema())
        for path, operations in part.get("paths", {}).items():
            spec["paths"].setdefault(path, {}).update(operations)
        spec["components"]["schemas"].update(part.get("components", {}).get("schemas", {}))
    for operations in spec["paths"].values():
        for method, operation in operations.items():
            _add_errors(method, operation)
    _add_links(spec["paths"])
    spec["paths"] = dict(sorted(spec["paths"].items()))
    return spec


def _add_links(paths: dict[str, Any]) -> None:
    for (method, path), targets in LINKS.items():
        responses = paths[path][method]["responses"]
        success = next(status for status in responses if status.startswith("2"))
        links = responses[success].setdefault("links", {})
        for target_method, target_path in targets:
            target = paths[target_path][target_method]
            name = "".join(word.capitalize() for word in target["summary"].split())
            links[name] = {
                "operationId": target["operationId"],
                "parameters": {"id": "$response.body#/id"},
            }


def _add_errors(method: str, operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    responses.pop("422", None)  # Powertools' default; the contract answers 400 instead
    for response in responses.values():
        # A `Response[None]` answer has no body at all, not a JSON null.
        json_body = response.get("content", {}).get("application/json", {})
        if json_body.get("schema", {}).get("type") == "null":
            del response["content"]
    for status in ("400", "401", "403", "404", *_EXTRA.get(method, ()), "429", "500"):
        responses[status] = {
            "description": ERRORS[status],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    limits = {name: {"$ref": f"#/components/headers/{name}"} for name in RATE_LIMIT_HEADERS}
    for status, response in responses.items():
        if status != "401":
            response["headers"] = {**response.get("headers", {}), **limits}
    responses["429"]["headers"]["Retry-After"] = {
        "description": "Seconds until the window resets",
        "schema": {"type": "integer"},
    }


def render() -> str:
    return json.dumps(build(), indent=2, sort_keys=False) + "\n"


def write() -> None:
    SPEC_PATH.write_text(render())


def main() -> None:
    write()
    print(f"wrote {SPEC_PATH.name}")


if __name__ == "__main__":
    main()
