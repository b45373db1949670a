"""Resolving a bulk selection (add prospects by `selection`) against a stored search of
prospects: exactly what the caller was shown and counted, whatever the catalog did since."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from leadlists.errors import FieldError, Invalid
from leadlists.models.common import MAX_IDS, unique
from leadlists.repositories import keys, searches
from leadlists.services.search_results import now_epoch, require_complete

if TYPE_CHECKING:  # an annotation only: a search route never imports the lead-list models
    from leadlists.models.lead_lists import Selection

# Seed limit: a bulk selection adds at most this many prospects.
MAX_SELECTION = MAX_IDS


@dataclass(frozen=True)
class Picked:
    """A selection's prospect ids; for `selectAll`, the offset the next call continues at (None
    once the end is reached; `by_ids` selections have none)."""

    ids: list[str]
    next_offset: int | None = None
    by_ids: bool = False


def resolve_selection(org_id: str, selection: Selection) -> Picked:
    """The prospect ids a bulk selection picks, or a 400 saying why it cannot be used."""
    head = searches.get(org_id, selection.searchId, now_epoch())
    if head is None:
        raise Invalid(
            "Unknown or expired search",
            [FieldError("selection.searchId", "Unknown or expired search; search again")],
        )
    require_complete(head, "selection.searchId")
    if head["kind"] != keys.PERSON:
        raise Invalid(
            "Not a prospect search",
            [FieldError("selection.searchId", "A selection needs a search of prospects")],
        )
    if selection.ids is not None:
        ids = unique(selection.ids)
        found = searches.contained(org_id, head, ids)
        details = [
            FieldError(f"selection.ids.{n}", "Not a result of this search")
            for n, i in enumerate(selection.ids)
            if i not in found
        ]
        if details:
            raise Invalid("Selected ids are not results of this search", details)
        return Picked(ids, by_ids=True)
    return _select_all(searches.all_ids(org_id, head), selection)


def _select_all(results: Iterator[str], selection: Selection) -> Picked:
    """`selectAll`: the search's results in its stable order, minus `excludeIds`, from `offset`,
    up to `limit`; one more result is read to know whether a next call has anything to take."""
    excluded = set(selection.excludeIds or ())
    offset = selection.offset or 0
    cap = selection.limit or MAX_SELECTION
    eligible = (i for i in results if i not in excluded)
    picked: list[str] = []
    for position, i in enumerate(eligible):
        if position < offset:
            continue
        if len(picked) == cap:
            if selection.limit is None:
                raise Invalid(
                    f"The selection resolves to more than {MAX_SELECTION} prospects",
                    [
                        FieldError(
                            "selection",
                            f"At most {MAX_SELECTION} prospects; set a limit (and an offset to "
                            "continue) or exclude ids",
                        )
                    ],
                )
            return Picked(picked, offset + len(picked))
        picked.append(i)
    return Picked(picked)
