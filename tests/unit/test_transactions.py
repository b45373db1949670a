"""Transaction cancellations told apart (repositories/dynamo.py), with a fake client."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from leadlists.errors import Conflict
from leadlists.repositories import dynamo
from leadlists.repositories import saved_lists as saved_repo


def _cancelled(*reasons: str) -> ClientError:
    error: Any = {
        "Error": {"Code": "TransactionCanceledException"},
        "CancellationReasons": [{"Code": r} for r in reasons],
    }
    return ClientError(error, "TransactWriteItems")


class FakeClient:
    def __init__(self, *outcomes: ClientError | None) -> None:
        self.outcomes = list(outcomes)
        self.calls = 0

    def transact_write_items(self, **_: Any) -> None:
        self.calls += 1
        outcome = self.outcomes.pop(0) if self.outcomes else None
        if outcome is not None:
            raise outcome


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(dynamo.time, "sleep", lambda _: None)

    def install(*outcomes: ClientError | None) -> FakeClient:
        client = FakeClient(*outcomes)
        monkeypatch.setattr(dynamo, "client", lambda: client)
        return client

    return install


def test_conflicts_and_throttling_are_retried_until_the_transaction_passes(fake: Any) -> None:
    throttled = ClientError({"Error": {"Code": "ThrottlingException"}}, "TransactWriteItems")
    client = fake(
        _cancelled("None", "TransactionConflict"), throttled, _cancelled("ThrottlingError")
    )
    dynamo.transact([{}])
    assert client.calls == 4


def test_other_cancellations_are_told_apart(fake: Any) -> None:
    record: Any = {"organizationId": "o", "id": "l", "name": "n", "createdAt": "t", "version": 1}
    fake(_cancelled("None", "ConditionalCheckFailed"))
    with pytest.raises(Conflict, match="name already exists"):
        saved_repo.create(record)
    # Neither a clash nor a race: an error the client cannot fix (a 5xx), not a 409.
    client = fake(_cancelled("ValidationError", "None"))
    with pytest.raises(dynamo.TransactionCancelled) as caught:
        saved_repo.create(record)
    assert caught.value.reasons == ["ValidationError", "None"] and client.calls == 1
    fake(_cancelled("ConditionalCheckFailed", "None", "None"))
    with pytest.raises(Conflict, match="changed by another request"):
        saved_repo.replace(record, 1, old_name="n")
    # Conflicts every time: given up after the capped retries, still not a 409.
    client = fake(*[_cancelled("TransactionConflict")] * 20)
    with pytest.raises(ClientError):
        dynamo.transact([{}])
    assert client.calls == len(dynamo._RETRY_DELAYS) + 1
