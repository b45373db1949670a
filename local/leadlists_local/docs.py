"""The API's documentation on the local runtime: `/openapi.json` and Swagger UI at `/docs`.

Local only (the deployed HTTP API has just the template's routes) and open without a token, as
Swagger UI must load before the user authorizes. The spec is generated from the code on first
request, so it is current even before `make openapi` rewrites the checked-in copy. Swagger UI's
assets come from a wheel (swagger-ui-py), so the page works with no network.
"""

from __future__ import annotations

import json
import mimetypes
import threading
from importlib import resources
from typing import NamedTuple

SPEC = "/openapi.json"
UI = "/docs"
ASSETS = f"{UI}/assets/"
# The Swagger UI files the page loads; nothing else of the wheel is served.
_ASSET_FILES = frozenset(
    {"swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png", "favicon-16x16.png"}
)

_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>leadlists API (local)</title>
  <link rel="stylesheet" href="{assets}swagger-ui.css">
  <link rel="icon" type="image/png" href="{assets}favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{assets}swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({{
      url: "{spec}", dom_id: "#swagger-ui", deepLinking: true, persistAuthorization: true
    }});
  </script>
</body>
</html>
"""


class Page(NamedTuple):
    status: int
    content_type: str
    body: bytes


_spec_lock = threading.Lock()
_spec: dict | None = None


def _spec_document(base_url: str) -> bytes:
    """The merged spec with this server as its only server, so "Try it out" calls it."""
    global _spec
    with _spec_lock:
        if _spec is None:
            from leadlists_local import openapi

            _spec = openapi.build()
    return json.dumps({**_spec, "servers": [{"url": base_url}]}).encode()


def _asset(name: str) -> Page | None:
    if name not in _ASSET_FILES:
        return None
    data = (resources.files("swagger_ui") / "static" / name).read_bytes()
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return Page(200, kind, data)


def page(method: str, path: str, base_url: str) -> Page | None:
    """The docs answer for a GET/HEAD of `path`, or None when `path` is not a docs path."""
    if method not in ("GET", "HEAD"):
        return None
    if path == SPEC:
        return Page(200, "application/json", _spec_document(base_url))
    if path in (UI, f"{UI}/"):
        html = _PAGE.format(assets=ASSETS, spec=SPEC).encode()
        return Page(200, "text/html; charset=utf-8", html)
    if path.startswith(ASSETS):
        return _asset(path[len(ASSETS) :])
    return None
