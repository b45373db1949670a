"""The filter model shared by saved lists and searches, its evaluation and its DynamoDB pushdown."""

from leadlists.filters.evaluate import matches
from leadlists.filters.model import Filter, parse_filter

__all__ = ["Filter", "matches", "parse_filter"]
