"""The emulator's shims (leadlists_local/moto_shims.py) keep DynamoDB's answers and rollbacks:
answers written as plain JSON read back as every attribute type was written, and a cancelled
transaction leaves the items it named, the items it did not, and the table's stream as they
were, while a committed one applies."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from leadlists_local import moto_shims

ITEM = {
    "pk": {"S": "a"},
    "sk": {"S": "1"},
    "n": {"N": "1.5"},
    "b": {"B": b"\x00\xffbin"},
    "bs": {"BS": [b"\x01", b"\x02"]},
    "ss": {"SS": ["x", "y"]},
    "ns": {"NS": ["1", "2"]},
    "m": {"M": {"k": {"L": [{"S": "v"}, {"NULL": True}, {"BOOL": False}, {"B": b"z"}]}}},
}


def _key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


@pytest.fixture
def ddb() -> Any:
    moto_shims.install()
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName="t",
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )
        yield client


def _stream_records(client: Any) -> int:
    """Records in the table's stream shard, from moto's own state (its DescribeStream is not
    served in-process)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    shard = dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].tables["t"].stream_shard
    return len(shard.items)


def test_every_attribute_type_reads_back_from_each_data_operation(ddb: Any) -> None:
    ddb.put_item(TableName="t", Item=ITEM)
    key = _key("a", "1")
    assert ddb.get_item(TableName="t", Key=key)["Item"] == ITEM
    query = ddb.query(
        TableName="t",
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "a"}},
        ReturnConsumedCapacity="TOTAL",
    )
    assert (query["Items"], query["Count"], query["ScannedCount"]) == ([ITEM], 1, 1)
    assert query["ConsumedCapacity"]["TableName"] == "t"
    assert ddb.scan(TableName="t")["Items"] == [ITEM]
    batch = ddb.batch_get_item(RequestItems={"t": {"Keys": [key]}})
    assert batch["Responses"]["t"] == [ITEM] and batch["UnprocessedKeys"] == {}
    updated = ddb.update_item(
        TableName="t",
        Key=key,
        UpdateExpression="ADD n :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
        ReturnValues="ALL_NEW",
    )
    assert updated["Attributes"] == {**ITEM, "n": {"N": "2.5"}}
    with pytest.raises(ClientError) as failed:
        ddb.put_item(
            TableName="t",
            Item=ITEM,
            ConditionExpression="attribute_not_exists(pk)",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    assert failed.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    assert failed.value.response["Item"]["b"] == ITEM["b"]
    # Control-plane answers (timestamps) still go through moto's own serializer.
    assert ddb.describe_table(TableName="t")["Table"]["CreationDateTime"].year > 2000


def test_a_cancelled_transaction_restores_what_it_named_and_keeps_the_rest(ddb: Any) -> None:
    ddb.put_item(TableName="t", Item={**_key("a", "1"), "v": {"N": "1"}})
    ddb.put_item(TableName="t", Item={**_key("a", "2"), "v": {"N": "2"}})
    records = _stream_records(ddb)
    update = {
        "TableName": "t",
        "Key": _key("a", "1"),
        "UpdateExpression": "SET v = :v",
        "ExpressionAttributeValues": {":v": {"N": "9"}},
    }
    with pytest.raises(ClientError) as cancelled:
        ddb.transact_write_items(
            TransactItems=[
                {"Update": update},
                {"Put": {"TableName": "t", "Item": {**_key("b", "1"), "v": {"N": "3"}}}},
                {"Delete": {"TableName": "t", "Key": _key("a", "2")}},
                {
                    "ConditionCheck": {
                        "TableName": "t",
                        "Key": _key("c", "1"),
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
            ]
        )
    assert cancelled.value.response["Error"]["Code"] == "TransactionCanceledException"
    items = {(i["pk"]["S"], i["sk"]["S"]): i["v"]["N"] for i in ddb.scan(TableName="t")["Items"]}
    assert items == {("a", "1"): "1", ("a", "2"): "2"}
    assert _stream_records(ddb) == records

    ddb.transact_write_items(
        TransactItems=[
            {"Update": update},
            {"Put": {"TableName": "t", "Item": {**_key("b", "1"), "v": {"N": "3"}}}},
        ]
    )
    items = {(i["pk"]["S"], i["sk"]["S"]): i["v"]["N"] for i in ddb.scan(TableName="t")["Items"]}
    assert items == {("a", "1"): "9", ("a", "2"): "2", ("b", "1"): "3"}
    assert _stream_records(ddb) == records + 2


def test_queries_and_scans_page_in_key_order_across_partitions(ddb: Any) -> None:
    for pk in ("a", "b", "c"):
        for n in range(12):
            ddb.put_item(TableName="t", Item={**_key(pk, f"{n:02d}"), "n": {"N": str(n)}})
    pages, request = (
        [],
        {
            "TableName": "t",
            "KeyConditionExpression": "pk = :p AND sk >= :from",
            "ExpressionAttributeValues": {":p": {"S": "b"}, ":from": {"S": "03"}},
            "ScanIndexForward": False,
            "Limit": 4,
        },
    )
    while True:
        answer = ddb.query(**request)
        pages.append([i["sk"]["S"] for i in answer["Items"]])
        if "LastEvaluatedKey" not in answer:
            break
        request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]
    assert [sk for page in pages for sk in page] == [f"{n:02d}" for n in range(11, 2, -1)]
    assert len(pages) == 3
    assert ddb.query(**{**request, "ExpressionAttributeValues": {
        ":p": {"S": "none"}, ":from": {"S": "00"}}})["Items"] == []  # fmt: skip
    seen, request = [], {"TableName": "t", "Limit": 5}
    while True:
        answer = ddb.scan(**request)
        seen += [(i["pk"]["S"], i["sk"]["S"]) for i in answer["Items"]]
        if "LastEvaluatedKey" not in answer:
            break
        request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]
    assert seen == sorted(seen) and len(seen) == 36


def test_parallel_scan_segments_page_without_overlap(ddb: Any) -> None:
    for n in range(40):
        ddb.put_item(TableName="t", Item={**_key(f"p{n}", "x"), "n": {"N": str(n)}})
    seen = []
    for segment in range(3):
        request: dict[str, Any] = {"TableName": "t", "Limit": 4, "Segment": segment}
        request["TotalSegments"] = 3
        while True:
            answer = ddb.scan(**request)
            seen += [i["pk"]["S"] for i in answer["Items"]]
            if "LastEvaluatedKey" not in answer:
                break
            request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]
    assert sorted(seen) == sorted(f"p{n}" for n in range(40))


def test_a_scan_page_follows_item_sizes_after_they_change(ddb: Any) -> None:
    def first_page() -> int:
        return len(ddb.scan(TableName="t")["Items"])

    for n in range(12):
        ddb.put_item(TableName="t", Item={**_key("a", f"{n:02d}"), "s": {"S": "x" * 100_000}})
    assert first_page() == first_page() == 9  # moto's page: 1,000,000 bytes; sizes reused
    ddb.update_item(
        TableName="t",
        Key=_key("a", "00"),
        UpdateExpression="SET s = :s",
        ExpressionAttributeValues={":s": {"S": "x" * 300_000}},
    )
    assert first_page() == 7
    ddb.batch_write_item(
        RequestItems={"t": [{"DeleteRequest": {"Key": _key("a", f"{n:02d}")}} for n in (1, 2)]}
    )
    assert first_page() == 7  # the deleted items' room went to the next ones
    ddb.put_item(TableName="t", Item={**_key("a", "03"), "s": {"S": "x"}})
    assert first_page() == 8


def test_an_item_over_the_size_limit_is_refused_and_one_under_it_is_stored(ddb: Any) -> None:
    with pytest.raises(ClientError) as refused:
        ddb.put_item(TableName="t", Item={**_key("a", "1"), "s": {"S": "x" * 410_000}})
    assert "maximum allowed size" in refused.value.response["Error"]["Message"]
    ddb.put_item(TableName="t", Item={**_key("a", "1"), "s": {"S": "x" * 390_000}})
    assert len(ddb.get_item(TableName="t", Key=_key("a", "1"))["Item"]["s"]["S"]) == 390_000
