"""Reads template.yaml: the single source of routes, functions, tables, queues and environment."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"


class _CfnLoader(yaml.SafeLoader):
    """YAML loader that keeps CloudFormation short-form tags (!Ref, !GetAtt, !Sub...) as dicts."""


def _construct_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_CfnLoader.add_multi_constructor("!", _construct_tag)


@dataclass
class Route:
    method: str
    path: str
    function: str
    pattern: re.Pattern[str] = field(repr=False)

    def match(self, method: str, path: str) -> dict[str, str] | None:
        if method.upper() != self.method:
            return None
        found = self.pattern.fullmatch(path)
        return found.groupdict() if found else None


@dataclass
class Function:
    logical_id: str
    code_uri: Path
    handler: str
    environment: dict[str, Any]
    routes: list[Route]
    # SQS events or event source mappings: {"queue": logical id, "batch_size": n}
    queues: list[dict[str, Any]]
    # {"name", "expression", "rate_seconds" (None for cron()), "input" (JSON text or None),
    #  "enabled"}
    schedules: list[dict[str, Any]]


@lru_cache(maxsize=1)
def load(path: Path = TEMPLATE) -> dict[str, Any]:
    return yaml.load(path.read_text(), Loader=_CfnLoader)  # noqa: S506  # nosec B506


def resources(kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in load()["Resources"].items() if v["Type"] == kind}


def _route_pattern(path: str) -> re.Pattern[str]:
    regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(path))
    return re.compile(regex)


_RATE = re.compile(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)")
_UNIT = {"minute": 60, "hour": 3600, "day": 86400}


def _rate_seconds(expression: str) -> int | None:
    """Seconds between runs of a rate() expression; None for cron(), which has no fixed rate."""
    found = _RATE.fullmatch(expression.strip())
    if not found:
        if expression.strip().startswith("cron("):
            return None
        raise ValueError(f"Not a schedule expression: {expression}")
    return int(found.group(1)) * _UNIT[found.group(2).rstrip("s")]


def _schedule(name: str, props: dict[str, Any]) -> dict[str, Any]:
    """A Schedule (EventBridge rule) or ScheduleV2 (EventBridge Scheduler) event source."""
    expression = str(props.get("Schedule") or props.get("ScheduleExpression") or "")
    enabled = props.get("Enabled", True) is not False
    enabled = enabled and str(props.get("State", "ENABLED")).upper() != "DISABLED"
    payload = props.get("Input")
    return {
        "name": name,
        "expression": expression,
        "rate_seconds": _rate_seconds(expression),
        "input": payload if isinstance(payload, str) else None,
        "enabled": enabled,
    }


def _sqs_source(queue_arn: dict[str, Any], props: dict[str, Any]) -> dict[str, Any]:
    return {"queue": queue_arn["Fn::GetAtt"][0], "batch_size": int(props.get("BatchSize", 10))}


def _mapped_queues() -> dict[str, list[dict[str, Any]]]:
    """SQS sources of explicit event source mappings, by function (template.yaml says why)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for mapping in resources("AWS::Lambda::EventSourceMapping").values():
        props = mapping["Properties"]
        if _is_stream(props):
            continue  # stream_sources()
        source = _sqs_source(props["EventSourceArn"], props)
        # A mapping names its function's alias (`Function.Alias`, SnapStart) or the function.
        function = props["FunctionName"]["Ref"].removesuffix(".Alias")
        out.setdefault(function, []).append(source)
    return out


def _is_stream(props: dict[str, Any]) -> bool:
    return props["EventSourceArn"].get("Fn::GetAtt", ["", ""])[1] == "StreamArn"


def stream_sources() -> list[dict[str, Any]]:
    """DynamoDB stream event source mappings: {"function", "table" (logical ids), "batch_size",
    "starting_position", "max_retries", "bisect", "on_failure" (a queue's logical id or None)}."""
    out = []
    for mapping in resources("AWS::Lambda::EventSourceMapping").values():
        props = mapping["Properties"]
        if not _is_stream(props):
            continue
        destination = props.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
        out.append(
            {
                "function": props["FunctionName"]["Ref"],
                "table": props["EventSourceArn"]["Fn::GetAtt"][0],
                "batch_size": int(props.get("BatchSize", 100)),
                "starting_position": props.get("StartingPosition", "LATEST"),
                "max_retries": int(props.get("MaximumRetryAttempts", -1)),
                "bisect": bool(props.get("BisectBatchOnFunctionError", False)),
                "on_failure": destination["Fn::GetAtt"][0] if destination else None,
            }
        )
    return out


def functions() -> dict[str, Function]:
    globals_fn = load().get("Globals", {}).get("Function", {})
    global_env = globals_fn.get("Environment", {}).get("Variables", {})
    mapped = _mapped_queues()
    out: dict[str, Function] = {}
    for logical_id, resource in resources("AWS::Serverless::Function").items():
        props = resource["Properties"]
        env = {**global_env, **props.get("Environment", {}).get("Variables", {})}
        routes, schedules = [], []
        queues = list(mapped.get(logical_id, []))
        for event_name, event in props.get("Events", {}).items():
            ev = event.get("Properties", {})
            if event["Type"] == "HttpApi":
                routes.append(
                    Route(ev["Method"].upper(), ev["Path"], logical_id, _route_pattern(ev["Path"]))
                )
            elif event["Type"] == "SQS":
                queues.append(_sqs_source(ev["Queue"], ev))
            elif event["Type"] in ("Schedule", "ScheduleV2"):
                schedules.append(_schedule(event_name, ev))
        out[logical_id] = Function(
            logical_id=logical_id,
            code_uri=ROOT / props["CodeUri"],
            handler=props.get("Handler", globals_fn.get("Handler", "app.lambda_handler")),
            environment=env,
            routes=routes,
            queues=queues,
            schedules=schedules,
        )
    return out


def authorizer_function() -> str | None:
    """The logical id of the function that authorizes the HttpApi's routes (its default Lambda
    authorizer), or None when the API has no Lambda authorizer."""
    for api in resources("AWS::Serverless::HttpApi").values():
        auth = api.get("Properties", {}).get("Auth", {})
        default = (auth.get("Authorizers") or {}).get(auth.get("DefaultAuthorizer") or "", {})
        arn = default.get("FunctionArn")
        if isinstance(arn, dict) and "Fn::GetAtt" in arn:
            return str(arn["Fn::GetAtt"][0])
    return None


def routes() -> list[Route]:
    found = [r for f in functions().values() for r in f.routes]
    # Literal segments beat parameters: /lists/save before /lists/{key}.
    return sorted(found, key=lambda r: (r.path.count("{"), -len(r.path)))
