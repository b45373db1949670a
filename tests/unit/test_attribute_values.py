"""Attribute values are written as boto3's TypeSerializer writes them, read back as plain values,
and no function imports boto3 (the layer's clients come from botocore's session)."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal, Inexact
from pathlib import Path
from typing import Any

import pytest
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from leadlists.repositories import attribute_values, dynamo


def _id(value: Any) -> str:
    """A test id that is the same in every worker: sets print in a per-process order."""
    return type(value).__name__ + (str(sorted(map(repr, value))) if isinstance(value, set) else "")


VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    -7,
    10**37,
    Decimal("3.25"),
    Decimal("-0.001"),
    Decimal("1E+5"),
    "",
    "naïve ☃",
    b"\x00\xff",
    bytearray(b"ab"),
    {1, 2, 3},
    {Decimal("1.5"), 4},
    {"b", "a"},
    {b"x", b"y"},
    set(),
    [],
    [1, "a", None, [True, {"k": "v"}]],
    ("t", 2),
    {},
    {"nested": {"list": [{"n": 1}], "set": {"s"}}},
]


@pytest.mark.parametrize("value", VALUES, ids=_id)
def test_serialize_writes_what_boto3_writes(value):
    assert _normal(attribute_values.serialize(value)) == _normal(TypeSerializer().serialize(value))


@pytest.mark.parametrize(
    "value",
    [1.5, float("nan"), Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity"), object(),
     {1, "a"}, [1.0], {"k": 2.5}],
    ids=_id,
)  # fmt: skip
def test_what_dynamodb_cannot_hold_is_refused(value):
    with pytest.raises(TypeError):
        attribute_values.serialize(value)


def test_a_number_beyond_38_digits_is_refused_not_rounded():
    with pytest.raises(Inexact):
        attribute_values.serialize(10**38 + 1)


@pytest.mark.parametrize("value", VALUES, ids=_id)
def test_deserialize_reads_back_plain_values(value):
    wire = TypeSerializer().serialize(value)
    assert attribute_values.deserialize(wire) == _plain(TypeDeserializer().deserialize(wire))


def test_numbers_read_back_as_int_or_float_and_sets_as_sorted_lists():
    item = dynamo.to_item({"a": 3, "b": Decimal("2.5"), "c": {"z", "y"}, "d": {3, 1}, "e": None})
    assert "e" not in item  # None attributes are left out, not stored as NULL
    assert dynamo.from_item(item) == {"a": 3, "b": 2.5, "c": ["y", "z"], "d": [1, 3]}
    assert type(dynamo.from_item(item)["a"]) is int


@pytest.mark.parametrize("value", [{}, {"X": "1"}])
def test_an_unknown_or_empty_attribute_value_is_a_type_error(value):
    with pytest.raises(TypeError):
        attribute_values.deserialize(value)


_IMPORTS_BOTO3 = """
import importlib.util, json, sys
layer, found = sys.argv[1], {}
sys.path.insert(0, layer)
for name, path in json.loads(sys.argv[2]).items():
    sys.path.insert(0, path.rsplit("/", 1)[0])
    spec = importlib.util.spec_from_file_location("fn_" + name, path)
    spec.loader.exec_module(importlib.util.module_from_spec(spec))
    sys.path.pop(0)
    from leadlists.repositories import dynamo
    dynamo.client()  # what the first request makes
    found[name] = "boto3" in sys.modules
print(json.dumps(found))
"""


def test_no_function_imports_boto3_at_init():
    root = Path(__file__).resolve().parents[2]
    functions = {p.parent.name: str(p) for p in sorted((root / "functions").glob("*/app.py"))}
    out = subprocess.run(  # noqa: S603 - our interpreter, our files
        [sys.executable, "-c", _IMPORTS_BOTO3, str(root / "layers" / "common"),
         json.dumps(functions)],
        capture_output=True, text=True, check=True, env={"AWS_DEFAULT_REGION": "us-east-1"},
    )  # fmt: skip
    found = json.loads(out.stdout.splitlines()[-1])
    assert len(found) == len(functions) > 40
    assert [name for name, imported in found.items() if imported] == []


def _normal(value: Any) -> Any:
    """Set members in a stable order (sets serialize in iteration order); bytearray as bytes."""
    if isinstance(value, dict):
        return {k: sorted(v) if k in ("SS", "NS", "BS") else _normal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normal(v) for v in value]
    return bytes(value) if isinstance(value, bytearray) else value


def _plain(value: Any) -> Any:
    """What the layer read before: boto3's values with Decimals as int/float, sets sorted."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, set):
        return sorted(_plain(v) for v in value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return getattr(value, "value", value)  # boto3's Binary wraps bytes
