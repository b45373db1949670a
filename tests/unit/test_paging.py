"""The one token codec, start-key check and UUID check, without AWS."""

from __future__ import annotations

import pytest

from leadlists import tokens
from leadlists.errors import Invalid
from leadlists.models.common import parse_uuid
from leadlists.repositories import dynamo, keys

U = "550e8400-e29b-41d4-a716-446655440000"
INDEX = "ORG#org_alpha#LISTS"
FULL = {
    keys.PK: {"S": "ORG#org_alpha#LIST#x"},
    keys.SK: {"S": "#META"},
    keys.BY_ORG_PK: {"S": INDEX},
    keys.BY_ORG_SK: {"S": "2026#x"},
}


@pytest.fixture(autouse=True)
def _paging_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """The deployment's secret, which the tests without AWS hand in directly."""
    monkeypatch.setattr(tokens, "_key", lambda: b"a unit test's key")


def _field(error: Invalid) -> str:
    return error.details[0].field


def test_a_token_round_trips():
    assert tokens.decode(tokens.encode({"s": U, "o": 3})) == {"s": U, "o": 3}
    start = dynamo.decode_token(dynamo.encode_token(FULL), keys.BY_ORG_KEY, {keys.BY_ORG_PK: INDEX})
    assert start == FULL


@pytest.mark.parametrize(
    "key",
    [
        {k: v for k, v in FULL.items() if k != keys.SK},  # part of the key missing
        {**FULL, "extra": {"S": "x"}},  # an attribute the index does not key on
        {**FULL, keys.SK: {"N": "1"}},  # not a string
        {**FULL, keys.SK: {"S": 1}},
        {**FULL, keys.BY_ORG_PK: {"S": "ORG#org_beta#LISTS"}},  # another partition
        [FULL],
    ],
)
def test_a_start_key_must_be_the_whole_key_in_the_callers_partition(key):
    with pytest.raises(Invalid) as caught:
        dynamo.decode_token(tokens.encode(key), keys.BY_ORG_KEY, {keys.BY_ORG_PK: INDEX})
    assert _field(caught.value) == "nextToken"


@pytest.mark.parametrize("token", ["@@@", "e30x", "A" * 3001, "bnVsbA" + "=" * 3, "W1tbW1tbW1s"])
def test_malformed_tokens_are_the_clients_400(token):
    with pytest.raises(Invalid) as caught:
        dynamo.decode_token(token, keys.TABLE_KEY, {})
    assert _field(caught.value) == "nextToken"


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        (U, U),
        (U.upper(), U),
        (U.replace("-", ""), U),
        ("not-a-uuid", None),
        ("urn:" * 20 + U, None),  # past the length cap
        ("", None),
    ],
)
def test_one_uuid_check(raw, canonical):
    assert parse_uuid(raw) == canonical
