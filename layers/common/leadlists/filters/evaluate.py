"""Exact evaluation of a filter against one catalog person (company facets denormalized on it)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from leadlists.filters.facets import EXACT_FIELDS, keyword_text
from leadlists.filters.model import Filter

_WORD = re.compile(r"[\w+#.&-]+")


def words(text: str) -> set[str]:
    return {w.strip(".-") for w in _WORD.findall(text.casefold())} - {""}


def _title_matches(title: str, wanted: list[str]) -> bool:
    have = words(title)
    return any(words(w) and words(w) <= have for w in wanted)


def _keyword_matches(person: Mapping[str, Any], wanted: list[str]) -> bool:
    text = keyword_text(person)
    return any(w.casefold() in text for w in wanted)


def _value_in(value: Any, wanted: list[str]) -> bool:
    return isinstance(value, str) and value.casefold() in {w.casefold() for w in wanted}


def matches(flt: Filter, person: Mapping[str, Any]) -> bool:
    for name, attribute in EXACT_FIELDS.items():
        include = getattr(flt, name)
        if include is not None and not _value_in(person.get(attribute), include):
            return False
        exclude = getattr(flt, f"exclude_{name}")
        if exclude is not None and _value_in(person.get(attribute), exclude):
            return False
    title = str(person.get("title") or "")
    if flt.job_titles is not None and not _title_matches(title, flt.job_titles):
        return False
    if flt.exclude_job_titles is not None and _title_matches(title, flt.exclude_job_titles):
        return False
    if flt.keywords is not None and not _keyword_matches(person, flt.keywords):
        return False
    if flt.exclude_keywords is not None and _keyword_matches(person, flt.exclude_keywords):
        return False
    if flt.founded_year is not None:
        year = person.get("foundedYear")
        if year is None:
            return False
        if flt.founded_year.min is not None and year < flt.founded_year.min:
            return False
        if flt.founded_year.max is not None and year > flt.founded_year.max:
            return False
    return True
