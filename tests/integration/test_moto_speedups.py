"""The test speed-ups keep moto's answers: item values of every kind come back as written, the item
size limit still refuses, and the replayed fixtures start each test from the same fresh state."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from leadlists.config import settings

KINDS = {
    "pk": {"S": "speed"},
    "sk": {"S": "kinds"},
    "s": {"S": "é text"},
    "empty": {"S": ""},
    "n": {"N": "-1.5"},
    "b": {"B": b"\x00\xffbytes"},
    "ss": {"SS": ["a", "b"]},
    "ns": {"NS": ["1", "2"]},
    "bs": {"BS": [b"x", b"y"]},
    "null": {"NULL": True},
    "yes": {"BOOL": True},
    "no": {"BOOL": False},
    "l": {"L": [{"S": "x"}, {"N": "2"}, {"M": {"b": {"B": b"z"}}}, {"L": []}]},
    "m": {"M": {"inner": {"M": {"deep": {"SS": ["q"]}}}, "nothing": {"M": {}}}},
}


def test_every_value_kind_comes_back_as_written(aws: dict[str, Any]) -> None:
    client = boto3.client("dynamodb", region_name="us-east-1")
    table = settings().tenant_table
    client.put_item(TableName=table, Item=KINDS)
    key = {"pk": KINDS["pk"], "sk": KINDS["sk"]}
    assert client.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"] == KINDS
    found = client.batch_get_item(RequestItems={table: {"Keys": [key]}})["Responses"][table]
    assert found == [KINDS]


@pytest.mark.parametrize(("size", "accepted"), [(404_000, True), (406_000, False)])
def test_the_item_size_limit_still_refuses(aws: dict[str, Any], size: int, accepted: bool) -> None:
    client = boto3.client("dynamodb", region_name="us-east-1")
    item = {"pk": {"S": "big"}, "sk": {"S": str(size)}, "data": {"S": "x" * size}}
    if accepted:
        client.put_item(TableName=settings().tenant_table, Item=item)
        return
    with pytest.raises(ClientError, match="Item size has exceeded the maximum allowed size"):
        client.put_item(TableName=settings().tenant_table, Item=item)


@pytest.mark.parametrize("run", [1, 2])
def test_replayed_fixtures_start_fresh(aws: dict[str, Any], catalog: Any, run: int) -> None:
    """Run twice: the second test's resources and catalog are replayed; neither sees the other's
    write, and both see the whole catalog."""
    client = boto3.client("dynamodb", region_name="us-east-1")
    table = settings().tenant_table
    assert client.scan(TableName=table)["Items"] == []
    client.put_item(TableName=table, Item={"pk": {"S": "run"}, "sk": {"S": str(run)}})
    assert len(catalog["persons"]) == 600 and len(catalog["companies"]) == 60
    count = client.scan(TableName=settings().global_table, Select="COUNT")["Count"]
    assert count == 600 + 60 + 1  # and the catalog's stats item
