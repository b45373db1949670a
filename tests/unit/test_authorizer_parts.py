"""The authorizer's pure parts: JWT verification against a JWKS (pinned algorithms, key
rotation, numeric dates), the identity a token's claims give, and the scope each route needs."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from leadlists import jwks
from leadlists.auth import MAX_IDENTITY_LENGTH, required_scope
from leadlists.errors import Unauthorized
from leadlists.services.authorizer import identity_from_claims

ISSUER, AUDIENCE = "https://issuer.example", "leadlists"


@pytest.fixture(scope="module")
def rsa_keys() -> dict[str, Any]:
    return {kid: rsa.generate_private_key(public_exponent=65537, key_size=2048)
            for kid in ("k1", "k2")}  # fmt: skip


def _jwks(keys: dict[str, Any]) -> dict[str, Any]:
    out = []
    for kid, key in keys.items():
        public = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
        out.append({**public, "kid": kid, "alg": "RS256", "use": "sig"})
    return {"keys": out}


def _token(key: Any, kid: str | None = "k1", **claims: Any) -> str:
    now = int(time.time())
    body = {"iss": ISSUER, "aud": AUDIENCE, "exp": now + 60, "sub": "u", "org_id": "o", **claims}
    return jwt.encode(body, key, algorithm="RS256", headers={"kid": kid} if kid else None)


class _Fetcher:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document, self.calls = document, 0

    def __call__(self, url: str) -> dict[str, Any]:
        self.calls += 1
        return self.document


def _verifier(fetch: _Fetcher, clock: list[float]) -> jwks.JwksVerifier:
    return jwks.JwksVerifier("https://issuer.example/jwks", ISSUER, AUDIENCE, ["RS256"],
                             fetch=fetch, clock=lambda: clock[0])  # fmt: skip


def test_key_set_is_fetched_once_and_again_only_for_a_new_key_id(rsa_keys):
    fetch, clock = _Fetcher(_jwks({"k1": rsa_keys["k1"]})), [0.0]
    verifier = _verifier(fetch, clock)
    for _ in range(3):
        assert verifier.verify(_token(rsa_keys["k1"]))["sub"] == "u"
    assert fetch.calls == 1
    rotated = _token(rsa_keys["k2"], kid="k2")
    with pytest.raises(jwks.InvalidToken):
        verifier.verify(rotated)  # within REFETCH_SECONDS of the last fetch: no new fetch
    assert fetch.calls == 1
    fetch.document = _jwks(rsa_keys)
    clock[0] += jwks.REFETCH_SECONDS
    assert verifier.verify(rotated)["sub"] == "u"
    assert fetch.calls == 2


@pytest.mark.parametrize(
    "case", ["hs256-with-public-key", "alg-none", "non-numeric-exp", "numeric-string-exp",
             "expired", "wrong-audience", "wrong-issuer", "unknown-kid", "no-exp"],
)  # fmt: skip
def test_tokens_the_jwt_authorizer_refuses(rsa_keys, case):
    key = rsa_keys["k1"]
    public_pem = key.public_key().public_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PublicFormat.SubjectPublicKeyInfo,
    )
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "u", "org_id": "o"}
    token = {
        "hs256-with-public-key": lambda: _hs256_forgery(public_pem, {**claims, "exp": now + 60}),
        "alg-none": lambda: jwt.encode({**claims, "exp": now + 60}, None, algorithm="none"),
        "non-numeric-exp": lambda: _token(key, exp="tomorrow"),
        "numeric-string-exp": lambda: _token(key, exp=str(now + 60)),
        "expired": lambda: _token(key, exp=now - 5),
        "wrong-audience": lambda: _token(key, aud="other"),
        "wrong-issuer": lambda: _token(key, iss="https://evil.example"),
        "unknown-kid": lambda: _token(key, kid="k9"),
        "no-exp": lambda: jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"}),
    }[case]()
    verifier = _verifier(_Fetcher(_jwks({"k1": key})), [0.0])
    with pytest.raises(jwks.InvalidToken):
        verifier.verify(token)


def _hs256_forgery(public_pem: bytes, claims: dict[str, Any]) -> str:
    """An HS256 token whose HMAC key is the issuer's public key (algorithm confusion)."""
    import base64
    import hashlib
    import hmac
    import json

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    signing = f"{part({'alg': 'HS256', 'kid': 'k1'})}.{part(claims)}"
    mac = hmac.new(public_pem, signing.encode(), hashlib.sha256).digest()
    return f"{signing}.{base64.urlsafe_b64encode(mac).decode().rstrip('=')}"


LONG = "x" * (MAX_IDENTITY_LENGTH + 1)


@pytest.mark.parametrize(
    "claims",
    [{"org_id": None}, {"org_id": ""}, {"org_id": "  "}, {"org_id": 42}, {"org_id": ["o"]},
     {"org_id": LONG}, {"sub": None}, {"sub": ""}, {"sub": {"id": "u"}}, {"sub": LONG}],
    ids=["null-org", "empty-org", "blank-org", "number-org", "list-org", "long-org", "null-user",
         "empty-user", "object-user", "long-user"],
)  # fmt: skip
def test_unusable_organization_or_user_claims_are_401(claims):
    with pytest.raises(Unauthorized):
        identity_from_claims({"sub": "u", "org_id": "o", **claims})


def test_identity_of_good_claims_and_the_longest_ids():
    top = "x" * MAX_IDENTITY_LENGTH
    assert identity_from_claims({"sub": top, "org_id": top, "org_role": "admin"}) == {
        "orgId": top, "userId": top, "admin": True,
    }  # fmt: skip
    assert (
        identity_from_claims({"sub": "u", "org_id": "o", "org_role": ["admin"]})["admin"] is False
    )


@pytest.mark.parametrize(
    ("route", "scope"),
    [("GET /lists/{id}", "read"), ("POST /api/v1/search/prospects", "read"),
     ("POST /lists/{id}/export", "read"), ("POST /lists/save", "write"),
     ("DELETE /lists/{id}", "write"), ("PATCH /api/v1/entities/leadlists/{id}", "write"),
     ("GET /api-keys", "admin"), ("POST /webhooks", "admin"), ("DELETE /api-keys/{id}", "admin")],
)  # fmt: skip
def test_scope_each_route_needs(route, scope):
    assert required_scope(route) == scope
