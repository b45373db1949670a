"""Paging tokens are opaque and accepted only whole, as issued."""

from __future__ import annotations

import base64

import pytest

from leadlists import tokens
from leadlists.errors import Invalid
from leadlists.repositories import dynamo, keys

KEY = {keys.PK: {"S": "ORG#org_alpha#LIST#x"}, keys.SK: {"S": "MEMBER#person#p1"}}


@pytest.fixture(autouse=True)
def _paging_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """The deployment's secret, which the tests without AWS hand in directly."""
    monkeypatch.setattr(tokens, "_key", lambda: b"a unit test's key")


def test_a_token_hides_the_key_layout_and_round_trips() -> None:
    token = tokens.encode(KEY)
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    for visible in (b"ORG#", b"org_alpha", keys.PK.encode(), b'"S"'):
        assert visible not in raw
    assert dynamo.decode_token(token, (keys.PK, keys.SK), {keys.PK: "ORG#org_alpha#LIST#x"}) == KEY


def test_a_changed_cut_or_plain_json_token_is_400_at_once() -> None:
    token = tokens.encode(KEY)
    flipped = token[:20] + ("A" if token[20] != "A" else "B") + token[21:]
    plain = base64.urlsafe_b64encode(b'{"pk":{"S":"ORG#org_alpha#LIST#x"}}').decode()
    for bad in (flipped, token[:-4], token[:10], plain, ""):
        with pytest.raises(Invalid) as caught:
            tokens.decode(bad)
        assert caught.value.details[0].field == "nextToken"
    # One of ours that lacks part of the key: still the client's 400, before any query.
    partial = tokens.encode({keys.PK: KEY[keys.PK]})
    with pytest.raises(Invalid):
        dynamo.decode_token(partial, (keys.PK, keys.SK), {keys.PK: "ORG#org_alpha#LIST#x"})


def test_no_key_is_a_configuration_error_never_a_built_in_key() -> None:
    with pytest.raises(tokens.MissingKey):
        tokens._secret_key("")
