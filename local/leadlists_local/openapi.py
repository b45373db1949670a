"""One OpenAPI document for the whole API, generated from every function's Powertools resolver.

Each function owns one route; their schemas are merged here, the contract's error responses,
limits and bearer security are added, and the result is checked in as `openapi.json` (CI fails
when it no longer matches the code).
"""

from __future__ import annotations

import json
import sys
from typing import Any

from leadlists import idempotency
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
    "409": "A write lost an optimistic-concurrency race (stale version), a name is taken, or a "
    "request with the same Idempotency-Key still runs (CONFLICT); or the Idempotency-Key was "
    "used within 24 h with another body (IDEMPOTENCY_KEY_REUSED)",
    "413": "Request body above 1 MiB",
    "429": "Over the caller's rate limit (an API key's rateLimitPerMinute, or the organization's "
    "JWT limit); Retry-After says when to retry",
    "500": "Unexpected error; the requestId finds the logs",
    "503": "The work could not be queued; nothing was saved, and the same request (its "
    "Idempotency-Key included) may be retried",
}
# Each error status's code in the error body (api.error_body's mapping).
CODES = {
    "400": "BAD_REQUEST",
    "401": "UNAUTHORIZED",
    "403": "FORBIDDEN",
    "404": "NOT_FOUND",
    "409": "CONFLICT",
    "413": "PAYLOAD_TOO_LARGE",
    "429": "RATE_LIMITED",
    "500": "INTERNAL_ERROR",
    "503": "SERVICE_UNAVAILABLE",
}
EXAMPLE_MESSAGES = {
    "400": "Request validation failed",
    "401": "Missing or invalid token",
    "403": "Not allowed for this caller",
    "404": "Not found",
    "409": "Stale version 3; the list is at 5",
    "413": "Request body exceeds 1048576 bytes",
    "429": "Rate limit of 1000 requests a minute exceeded",
    "500": "Internal error",
    "503": "The list's computation could not be queued; nothing was saved",
}
REUSED_EXAMPLE = {
    "code": "IDEMPOTENCY_KEY_REUSED",
    "message": "This Idempotency-Key was used with another request",
}
EXAMPLE_REQUEST_ID = "c0a8011e-5f3b-4d7e-9a41-2b6f0e8d7c10"

# Operations are grouped by tag, in one rule: a path holding "/export" is an export route; any
# other takes the tag of the first prefix it starts with; a path no prefix names is tagged by its
# first segment, so a new area is grouped without touching this table.
EXPORTS = "Exports"
TAG_RULES: tuple[tuple[str, str, str], ...] = (
    ("/lists", "Saved lists", "Saved filters over the catalog and their refreshed members"),
    ("/api/v1/entities/leadlists", "Lead lists", "Curated lists of companies or persons"),
    ("/api/v1/search", "Search", "Searches of the global catalog, synchronous or in background"),
    ("/export", EXPORTS, "CSV exports of saved lists and lead lists, and their status"),
    ("/api-keys", "API keys", "Keys for server-to-server access"),
    ("/webhooks", "Webhooks", "Event subscriptions and their deliveries"),
)
NEXT_TOKEN_HEADER = {
    "X-Next-Token": {
        "description": "The token of the next page (pass it as nextToken); absent on the last "
        "page. Only routes that answer an array page this way; others answer nextToken in the "
        "body.",
        "schema": {"type": "string"},
    }
}

# Which errors each method can answer besides 400/401/403/404/429/500, which every route can
# (403: an API key without the route's scope; 429: the rate limit).
_EXTRA = {"get": (), "delete": (), "post": ("409", "413"), "patch": ("409", "413")}
# Operations that can answer 503: a save whose refresh cannot be queued is undone.
UNAVAILABLE = {("post", "/lists/save")}
IDEMPOTENT_METHODS = {m.lower() for m in idempotency.METHODS}
IDEMPOTENCY_KEY = {
    "name": idempotency.HEADER,
    "in": "header",
    "required": False,
    "description": "Makes a retry safe: the same key with the same body (and query) within 24 h "
    "answers the first 2xx answer again (with Idempotent-Replayed: true) without doing the work "
    "again; with another body it is a 409 IDEMPOTENCY_KEY_REUSED, and while the first request "
    "still runs a 409 CONFLICT. The key belongs to the caller and the route.",
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": idempotency.MAX_KEY_LENGTH,
        # Printable ASCII, no space at either end (HTTP trims those).
        "pattern": "^[!-~]([ -~]*[!-~])?$",
    },
}
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
                "IDEMPOTENCY_KEY_REUSED",
                "SERVICE_UNAVAILABLE",
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
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            _add_errors(method, operation, (method, path) in UNAVAILABLE)
            _declare_next_token_header(operation)
            if method in IDEMPOTENT_METHODS:
                operation.setdefault("parameters", []).append(IDEMPOTENCY_KEY)
            operation["tags"] = [tag_of(path)]
    _add_links(spec["paths"])
    spec["paths"] = dict(sorted(spec["paths"].items()))
    used = {tag for ops in spec["paths"].values() for op in ops.values() for tag in op["tags"]}
    described = {name: text for _, name, text in TAG_RULES}
    spec["tags"] = [{"name": t, "description": described.get(t, t)} for t in _tag_order(used)]
    _drop_unreferenced_schemas(spec)
    return spec


def tag_of(path: str) -> str:
    if "/export" in path:
        return EXPORTS
    for prefix, tag, _ in TAG_RULES:
        if path == prefix or path.startswith(prefix + "/"):
            return tag
    segment = next(part for part in path.split("/") if part and not part.startswith("{"))
    return segment.replace("-", " ").capitalize()


def _tag_order(used: set[str]) -> list[str]:
    known = [tag for _, tag, _ in TAG_RULES if tag in used]
    return known + sorted(used - set(known))


def _declare_next_token_header(operation: dict[str, Any]) -> None:
    """A 200 that may be a JSON array carries its next page's token in X-Next-Token."""
    ok = operation.get("responses", {}).get("200", {})
    schema = ok.get("content", {}).get("application/json", {}).get("schema", {})
    shapes = [schema, *schema.get("anyOf", ())]
    if any(shape.get("type") == "array" for shape in shapes):
        ok["headers"] = NEXT_TOKEN_HEADER


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"].rsplit("/", 1)[-1]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node))
    return set()


def _drop_unreferenced_schemas(spec: dict[str, Any]) -> None:
    """Only schemas the operations reach (directly or through other schemas) stay."""
    schemas = spec["components"]["schemas"]
    reached: set[str] = set()
    frontier = _refs(spec["paths"])
    while frontier:
        reached |= frontier
        frontier = set().union(*(_refs(schemas[n]) for n in frontier if n in schemas)) - reached
    spec["components"]["schemas"] = {n: s for n, s in schemas.items() if n in reached}


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


def _add_errors(method: str, operation: dict[str, Any], unavailable: bool = False) -> None:
    responses = operation.setdefault("responses", {})
    responses.pop("422", None)  # Powertools' default; the contract answers 400 instead
    for response in responses.values():
        # A `Response[None]` answer has no body at all, not a JSON null.
        json_body = response.get("content", {}).get("application/json", {})
        if json_body.get("schema", {}).get("type") == "null":
            del response["content"]
    extra = (*_EXTRA.get(method, ()), "429", "500", *(("503",) if unavailable else ()))
    for status in ("400", "401", "403", "404", *extra):
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
    for status, response in responses.items():
        body = response.get("content", {}).get("application/json")
        if status in CODES and body is not None:
            body["example"] = {
                "code": CODES[status],
                "message": EXAMPLE_MESSAGES[status],
                "requestId": EXAMPLE_REQUEST_ID,
            }
    if "409" in responses and method in IDEMPOTENT_METHODS:
        body = responses["409"]["content"]["application/json"]
        body["examples"] = {
            "conflict": {"value": body.pop("example")},
            "idempotencyKeyReused": {"value": {**REUSED_EXAMPLE, "requestId": EXAMPLE_REQUEST_ID}},
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
