"""Creates the template's tables, queues, buckets and secrets in an AWS endpoint (moto locally)."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from leadlists_local import template

PREFIX = "leadlists-local"

logger = logging.getLogger("leadlists_local")


def physical_name(logical_id: str) -> str:
    return f"{PREFIX}-{logical_id}"


def create_tables(dynamodb: Any) -> dict[str, str]:
    """CreateTable for each AWS::DynamoDB::Table; returns logical id -> table name."""
    names = {}
    existing = set(dynamodb.list_tables()["TableNames"])
    for logical_id, resource in template.resources("AWS::DynamoDB::Table").items():
        props = resource["Properties"]
        name = physical_name(logical_id)
        names[logical_id] = name
        if name in existing:
            continue
        request: dict[str, Any] = {
            "TableName": name,
            "AttributeDefinitions": props["AttributeDefinitions"],
            "KeySchema": props["KeySchema"],
            "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
        }
        if props.get("GlobalSecondaryIndexes"):
            request["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
        if props.get("StreamSpecification"):  # live lists: the stream pollers read it
            request["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
        dynamodb.create_table(**request)
        # Real endpoints create tables asynchronously; TTL can only be set on an active one.
        dynamodb.get_waiter("table_exists").wait(
            TableName=name, WaiterConfig={"Delay": 2, "MaxAttempts": 60}
        )
        ttl = props.get("TimeToLiveSpecification")
        if ttl:
            dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
    return names


def create_queues(sqs: Any) -> dict[str, dict[str, str]]:
    """CreateQueue for each AWS::SQS::Queue (dead-letter queues first, redrive kept)."""
    queues = template.resources("AWS::SQS::Queue")
    out: dict[str, dict[str, str]] = {}

    def make(logical_id: str) -> dict[str, str]:
        if logical_id in out:
            return out[logical_id]
        props = queues[logical_id].get("Properties", {})
        attributes = {}
        if "VisibilityTimeout" in props:
            attributes["VisibilityTimeout"] = str(props["VisibilityTimeout"])
        redrive = props.get("RedrivePolicy")
        if redrive:
            target = make(redrive["deadLetterTargetArn"]["Fn::GetAtt"][0])
            attributes["RedrivePolicy"] = json.dumps(
                {
                    "deadLetterTargetArn": target["arn"],
                    "maxReceiveCount": redrive["maxReceiveCount"],
                }
            )
        url = sqs.create_queue(QueueName=physical_name(logical_id), Attributes=attributes)[
            "QueueUrl"
        ]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        out[logical_id] = {"url": url, "arn": arn}
        return out[logical_id]

    for logical_id in queues:
        make(logical_id)
    return out


def create_buckets(s3: Any) -> dict[str, str]:
    """CreateBucket for each AWS::S3::Bucket; existing ones are kept (safe to run twice)."""
    names = {}
    buckets = template.resources("AWS::S3::Bucket")
    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])} if buckets else set()
    region = s3.meta.region_name
    for logical_id in buckets:
        name = physical_name(logical_id).lower()
        names[logical_id] = name
        if name in existing:
            continue
        if region and region != "us-east-1":
            location = {"LocationConstraint": region}
            s3.create_bucket(Bucket=name, CreateBucketConfiguration=location)
        else:
            s3.create_bucket(Bucket=name)
    return names


def notify_queues(s3: Any, buckets: dict[str, str], queues: dict[str, Any]) -> None:
    """Each bucket's versioning and its S3 -> SQS notifications (QueueConfigurations), so an
    object put into the emulator reaches its queue as in AWS."""
    for logical_id, resource in template.resources("AWS::S3::Bucket").items():
        props = resource.get("Properties", {})
        if (props.get("VersioningConfiguration") or {}).get("Status") == "Enabled":
            versioning = {"Status": "Enabled"}
            s3.put_bucket_versioning(Bucket=buckets[logical_id], VersioningConfiguration=versioning)
        configs = (props.get("NotificationConfiguration") or {}).get("QueueConfigurations", [])
        if not configs:
            continue
        queue_configs = [
            {
                "QueueArn": queues[c["Queue"]["Fn::GetAtt"][0]]["arn"],
                "Events": [c["Event"]],
                "Filter": {"Key": {"FilterRules": c["Filter"]["S3Key"]["Rules"]}},
            }
            for c in configs
        ]
        s3.put_bucket_notification_configuration(
            Bucket=buckets[logical_id],
            NotificationConfiguration={"QueueConfigurations": queue_configs},
        )


def create_secrets(secretsmanager: Any) -> dict[str, str]:
    """A secret for each AWS::SecretsManager::Secret, its value generated as GenerateSecretString
    asks; an existing one is kept. Returns logical id -> ARN (what !Ref gives)."""
    arns = {}
    for logical_id, resource in template.resources("AWS::SecretsManager::Secret").items():
        name = physical_name(logical_id)
        try:
            arns[logical_id] = secretsmanager.describe_secret(SecretId=name)["ARN"]
            continue
        except secretsmanager.exceptions.ResourceNotFoundException:
            pass
        spec = resource["Properties"]["GenerateSecretString"]
        value = secretsmanager.get_random_password(
            PasswordLength=int(spec.get("PasswordLength", 32)),
            ExcludePunctuation=bool(spec.get("ExcludePunctuation", False)),
        )["RandomPassword"]
        arns[logical_id] = secretsmanager.create_secret(Name=name, SecretString=value)["ARN"]
    return arns


def create_all(session: Any, notifications: bool = True) -> dict[str, Any]:
    """Every resource the runtime emulates; returns what `environment` needs to resolve !Refs.
    `notifications=False` leaves out the buckets' S3 notifications (tests that need none)."""
    s3 = session.client("s3")
    created = {
        "tables": create_tables(session.client("dynamodb")),
        "queues": create_queues(session.client("sqs")),
        "buckets": create_buckets(s3),
        "secrets": create_secrets(session.client("secretsmanager")),
    }
    if notifications:
        notify_queues(s3, created["buckets"], created["queues"])
    return created


def _condition(name: str, created: dict[str, Any], parameters: dict[str, str]) -> bool:
    """A template condition made of !Equals of resolvable values (the template's only kind)."""
    spec = template.load().get("Conditions", {})[name]
    left, right = spec["Fn::Equals"]
    return resolve(left, created, parameters) == resolve(right, created, parameters)


def resolve(value: Any, created: dict[str, Any], parameters: dict[str, str]) -> str:
    """Resolve one template environment value (!Ref / !GetAtt of emulated resources, !If)."""
    if isinstance(value, dict) and "Fn::If" in value:
        name, when_true, when_false = value["Fn::If"]
        chosen = when_true if _condition(name, created, parameters) else when_false
        return resolve(chosen, created, parameters)
    if isinstance(value, dict) and "Ref" in value:
        ref = value["Ref"]
        if ref in created["tables"]:
            return created["tables"][ref]
        if ref in created["queues"]:
            return created["queues"][ref]["url"]
        if ref in created["buckets"]:
            return created["buckets"][ref]
        if ref in created.get("secrets", {}):
            return created["secrets"][ref]
        if ref in parameters:
            return parameters[ref]
        params = template.load().get("Parameters", {})
        if ref in params and "Default" in params[ref]:
            return str(params[ref]["Default"])
        raise KeyError(f"Cannot resolve !Ref {ref} locally")
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        logical_id, attribute = value["Fn::GetAtt"]
        if logical_id in created["queues"]:
            return created["queues"][logical_id]["arn" if attribute == "Arn" else "url"]
        raise KeyError(f"Cannot resolve !GetAtt {logical_id}.{attribute} locally")
    return str(value)


def environment(
    function: template.Function, created: dict[str, Any], parameters: dict[str, str]
) -> dict[str, str]:
    return {k: resolve(v, created, parameters) for k, v in function.environment.items()}


def environment_all(created: dict[str, Any], parameters: Mapping[str, str]) -> dict[str, str]:
    """The union of every function's environment, for one process that runs them all (the local
    runtime, in-process tests). It can hold one value per name: the first function's wins."""
    merged: dict[str, str] = {}
    for function in template.functions().values():
        for key, value in environment(function, created, dict(parameters)).items():
            if key in merged and merged[key] != value:
                logger.warning(
                    "%s differs between functions (%r vs %r); using the first locally",
                    key,
                    merged[key],
                    value,
                )
                continue
            merged[key] = value
    return merged
