"""DynamoDB's typed attribute values, to and from plain Python values.

Written as boto3's `TypeSerializer` writes them (same types, same errors), and read as the layer
wants them back: numbers as int or float, sets as sorted lists, binary as bytes. Our own so that
no function imports boto3: its package (session, resource factory, S3 transfer) costs about a
tenth of a bare handler's cold start, and the layer only calls low-level clients.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Set
from decimal import Clamped, Context, Decimal, Inexact, Overflow, Rounded, Underflow
from typing import Any

# boto3's context: 38 significant digits, and an error rather than a silently rounded number.
_CONTEXT = Context(
    Emin=-128, Emax=126, prec=38, traps=[Clamped, Overflow, Inexact, Rounded, Underflow]
)


def serialize(value: Any) -> dict[str, Any]:
    """`value` as a DynamoDB attribute value: {"S": ...}, {"N": ...}, {"M": {...}}..."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if _is_number(value):
        return {"N": _number(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, bytes | bytearray):
        return {"B": value}
    if isinstance(value, Set):
        return _set(value)
    if isinstance(value, Mapping):
        return {"M": {key: serialize(item) for key, item in value.items()}}
    if isinstance(value, list | tuple):
        return {"L": [serialize(item) for item in value]}
    raise TypeError(f'Unsupported type "{type(value)}" for value "{value}"')


def deserialize(value: Mapping[str, Any]) -> Any:
    """The plain value of a DynamoDB attribute value."""
    if not value:
        raise TypeError("Value must be a nonempty dictionary whose key is a valid dynamodb type.")
    kind, data = next(iter(value.items()))
    reader = _READERS.get(kind)
    if reader is None:
        raise TypeError(f"Dynamodb type {kind} is not supported")
    return reader(data)


def _is_number(value: Any) -> bool:
    if isinstance(value, float):  # binary floats do not round-trip; boto3 refuses them too
        raise TypeError("Float types are not supported. Use Decimal types instead.")
    return isinstance(value, int | Decimal)


def _number(value: int | Decimal) -> str:
    number = str(_CONTEXT.create_decimal(value))
    if number in ("Infinity", "-Infinity", "NaN", "-NaN", "sNaN", "-sNaN"):
        raise TypeError("Infinity and NaN not supported")
    return number


def _set(value: Set[Any]) -> dict[str, Any]:
    if all(_is_number(item) for item in value):  # an empty set too, as boto3 has it
        return {"NS": [_number(item) for item in value]}
    if all(isinstance(item, str) for item in value):
        return {"SS": list(value)}
    if all(isinstance(item, bytes | bytearray) for item in value):
        return {"BS": list(value)}
    raise TypeError(f'Unsupported type "{type(value)}" for value "{value}"')


def _plain_number(text: str) -> int | float:
    return _plain(_CONTEXT.create_decimal(text))


def _plain(number: Decimal) -> int | float:
    return int(number) if number == number.to_integral_value() else float(number)


def _sorted_set(items: Iterable[Any]) -> list[Any]:
    return sorted(set(items))


_READERS: dict[str, Callable[[Any], Any]] = {
    "NULL": lambda data: None,
    "BOOL": lambda data: data,
    "N": _plain_number,
    "S": lambda data: data,
    "B": bytes,
    "NS": lambda data: sorted(
        _plain(number) for number in {_CONTEXT.create_decimal(n) for n in data}
    ),
    "SS": _sorted_set,
    "BS": lambda data: _sorted_set(bytes(item) for item in data),
    "L": lambda data: [deserialize(item) for item in data],
    "M": lambda data: {key: deserialize(item) for key, item in data.items()},
}
