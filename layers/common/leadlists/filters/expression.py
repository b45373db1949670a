"""A DynamoDB FilterExpression that pre-selects a superset of a filter's matches.

It cuts what a scan returns (and so its cost); `matches` stays the exact judge. Values travel only
as expression attribute values, never inside the expression text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from leadlists.filters.evaluate import words
from leadlists.filters.facets import EXACT_FIELDS, KEYWORD_FACET, facet
from leadlists.filters.model import Filter

# DynamoDB caps an expression at 4 KB; stop adding clauses well before that.
_MAX_EXPRESSION = 3000


@dataclass
class Pushdown:
    clauses: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)

    def _name(self, attribute: str) -> str:
        key = f"#n{len(self.names)}"
        self.names[key] = attribute
        return key

    def _value(self, value: Any) -> str:
        key = f":v{len(self.values)}"
        self.values[key] = value
        return key

    def add(self, build: Any) -> None:
        """Add one clause unless it would push the expression past the size budget."""
        snapshot = (dict(self.names), dict(self.values))
        clause = build(self)
        if len(" AND ".join([*self.clauses, clause])) > _MAX_EXPRESSION:
            self.names, self.values = snapshot
            return
        self.clauses.append(clause)

    def kwargs(self) -> dict[str, Any]:
        if not self.clauses:
            return {}
        return {
            "FilterExpression": " AND ".join(self.clauses),
            "ExpressionAttributeNames": self.names,
            "ExpressionAttributeValues": self.values,
        }


def exact_pushdown(flt: Filter, kind_attribute: str, kind: str, fields: dict[str, str]) -> Pushdown:
    """The record kind, whole-value fields (`fields`: filter field -> attribute) and year range."""
    push = Pushdown()
    push.add(lambda p: f"{p._name(kind_attribute)} = {p._value(kind)}")
    for name, attribute in fields.items():
        for negate, values in (
            (False, getattr(flt, name)),
            (True, getattr(flt, f"exclude_{name}")),
        ):
            if values:
                push.add(_in_clause(facet(attribute), [v.casefold() for v in values], negate))
    if flt.founded_year is not None:
        push.add(_year_clause(flt.founded_year.min, flt.founded_year.max))
    for negate, wanted in ((False, flt.keywords), (True, flt.exclude_keywords)):
        # An empty keyword is in every text: `matches` alone judges such a list.
        if wanted and all(w.casefold() for w in wanted):
            push.add(_keyword_clause([w.casefold() for w in wanted], negate))
    return push


def person_pushdown(flt: Filter, kind_attribute: str, kind: str) -> dict[str, Any]:
    """Scan keyword arguments selecting persons that may match `flt`."""
    push = exact_pushdown(flt, kind_attribute, kind, EXACT_FIELDS)
    if flt.job_titles and all(words(t) for t in flt.job_titles):
        push.add(_title_clause(flt.job_titles))
    return push.kwargs()


def _in_clause(attribute: str, values: list[str], negate: bool) -> Callable[[Pushdown], str]:
    def build(p: Pushdown) -> str:
        clause = f"{p._name(attribute)} IN ({', '.join(p._value(v) for v in values)})"
        return f"NOT ({clause})" if negate else clause

    return build


def _keyword_clause(wanted: list[str], negate: bool) -> Callable[[Pushdown], str]:
    # The facet holds exactly the text `matches` searches, so `contains` accepts the same items;
    # an item written before the facet existed is let through for `matches` to judge.
    def build(p: Pushdown) -> str:
        name = p._name(KEYWORD_FACET)
        parts = [f"contains({name}, {p._value(w)})" for w in dict.fromkeys(wanted)]
        if negate:
            return f"NOT {_group(parts, ' OR ')}"
        return "(" + " OR ".join([f"attribute_not_exists({name})", *parts]) + ")"

    return build


def _year_clause(low: int | None, high: int | None) -> Callable[[Pushdown], str]:
    def build(p: Pushdown) -> str:
        name = p._name("foundedYear")
        if low is not None and high is not None:
            return f"{name} BETWEEN {p._value(low)} AND {p._value(high)}"
        if low is not None:
            return f"{name} >= {p._value(low)}"
        return f"{name} <= {p._value(high)}"

    return build


def _title_clause(titles: list[str]) -> Callable[[Pushdown], str]:
    # Substring containment of every word is implied by a word match, so this stays a superset.
    def build(p: Pushdown) -> str:
        name = p._name(facet("title"))
        options = []
        for title in titles:
            parts = [f"contains({name}, {p._value(w)})" for w in sorted(words(title))]
            options.append(_group(parts, " AND ") if len(titles) > 1 else " AND ".join(parts))
        return _group(options, " OR ")

    return build


def _group(parts: list[str], joiner: str) -> str:
    # DynamoDB rejects redundant parentheses, so only a real group gets them.
    return parts[0] if len(parts) == 1 else "(" + joiner.join(parts) + ")"
