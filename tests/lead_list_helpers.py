"""Helpers shared by the lead-list and search tests."""

from __future__ import annotations

from typing import Any

import boto3

from conftest import Api
from leadlists.config import settings

BASE = "/api/v1/entities/leadlists"
UNKNOWN = "550e8400-e29b-41d4-a716-446655440999"


def new_list(api: Api, kind: str = "company", **extra: Any) -> dict[str, Any]:
    body = {
        "name": f"{kind} list",
        "type": kind,
        "startDate": "2024-01-01T00:00:00.000Z",
        "endDate": "2024-03-31T23:59:59.000Z",
        **extra,
    }
    status, created, _ = api.post(BASE, body)
    assert status == 201, created
    return created


def assert_error(status: int, body: Any, want_status: int, code: str) -> None:
    assert status == want_status, body
    assert body["code"] == code, body
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["requestId"], str) and body["requestId"]


def fields(body: dict[str, Any]) -> set[str]:
    return {d["field"] for d in body.get("details", [])}


def tenant_items() -> list[dict[str, Any]]:
    """Every item of the tenant table (small in tests), as raw DynamoDB items."""
    client = boto3.client("dynamodb", region_name="us-east-1")
    request: dict[str, Any] = {"TableName": settings().tenant_table}
    items: list[dict[str, Any]] = []
    while True:
        page = client.scan(**request)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def snapshot() -> list[tuple[str, str, str]]:
    """The tenant table's content, comparable before and after a request."""
    return sorted((i["pk"]["S"], i["sk"]["S"], repr(sorted(i.items()))) for i in tenant_items())


def person_input(person_id: str, **fields: Any) -> dict[str, Any]:
    return {"id": person_id, "fullName": "Supplied Name", **fields}
