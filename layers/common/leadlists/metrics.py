"""The service's own CloudWatch metrics, written as Embedded Metric Format log lines (Powertools).

Each call prints one EMF document to stdout and flushes itself, so no handler needs a decorator
and nothing is left buffered when a function returns; CloudWatch Logs turns the line into
metrics. Namespace: POWERTOOLS_METRICS_NAMESPACE (the template's MetricsNamespace); dimension:
`service` (POWERTOOLS_SERVICE_NAME). The stack's dashboard charts these names.

A metric must never fail the work it measures: errors are logged and dropped.

Powertools' Metrics (its package, the EMF provider, Tracer and the middleware factory) are
imported by the first metric a process publishes, not at every function's init: most functions
and invocations publish none (a refresh completed, a throttle, a dead letter).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from aws_lambda_powertools import Logger

logger = Logger()

REFRESH_DURATION = "RefreshDuration"
REFRESH_COMPLETED = "RefreshCompleted"
MEMBERS_CHANGED = "MembersChanged"
THROTTLES = "Throttles"
DEAD_LETTERS = "DeadLetters"
DEFAULT_NAMESPACE = "leadlists"

# Units by the names of Powertools' `MetricUnit`, which `add_metric` accepts as plain strings.
COUNT = "Count"
MILLISECONDS = "Milliseconds"

Value = tuple[str, str, float]  # (metric name, unit, value)


def _publish(values: list[Value], metadata: Mapping[str, Any]) -> None:
    try:
        from aws_lambda_powertools.metrics import EphemeralMetrics  # first use: see above

        # Ephemeral: no state shared with any other Metrics instance, so a flush here sends
        # exactly these values.
        metrics = EphemeralMetrics(
            namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or DEFAULT_NAMESPACE
        )
        for name, unit, value in values:
            metrics.add_metric(name=name, unit=unit, value=value)
        for key, value in metadata.items():
            metrics.add_metadata(key=key, value=value)
        metrics.flush_metrics()
    except Exception:  # a metric is never worth a failed refresh
        logger.warning("Metrics not published", extra={"metrics": [v[0] for v in values]})


def refresh_completed(record: Mapping[str, Any], contacts: int, finished: datetime) -> None:
    """A run finished: its duration from the record's `refreshStartedAt`, and how much the
    member count moved (from 0 on a list's first computation)."""
    previous = int(record.get("contactsNum") or 0) if record.get("lastSyncedTime") else 0
    values: list[Value] = [
        (REFRESH_COMPLETED, COUNT, 1),
        (MEMBERS_CHANGED, COUNT, abs(contacts - previous)),
    ]
    started = record.get("refreshStartedAt")
    if isinstance(started, str):
        elapsed = finished - datetime.fromisoformat(started)
        values.append((REFRESH_DURATION, MILLISECONDS, elapsed.total_seconds() * 1000))
    _publish(values, {"listId": str(record.get("id", ""))})


def throttled(operation: str, count: int = 1) -> None:
    """DynamoDB or SQS throttled `count` calls of `operation` (after the SDK's own retries)."""
    _publish([(THROTTLES, COUNT, count)], {"operation": operation})


def dead_letter(message_type: str) -> None:
    """A message reached a dead-letter queue and its run, search or export was failed (the
    DeadLetters alarm watches this: the dead-letter consumer empties the queues)."""
    _publish([(DEAD_LETTERS, COUNT, 1)], {"messageType": message_type})
