"""Pages of a list without counting the whole list.

Django's ``Paginator`` runs ``COUNT(*)`` over everything the query matches on every page view,
to print "page 3 of 4,000": on the officer dashboard that is the agency's whole history, on the
audit page every event ever recorded. ``lean_page`` reads one row more than a page instead, which
says whether there is a next page; the cost of the first pages does not grow with the history.
Page numbers, links and out-of-range behaviour are those of ``Paginator.get_page``: a page past
the end shows the last page (only then is the list counted).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet


@dataclass
class LeanPage:
    """One page: its rows, its number, and whether there are pages before and after it."""

    object_list: Sequence[Any]
    number: int
    _has_next: bool

    def __iter__(self) -> Iterator[Any]:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def has_next(self) -> bool:
        return self._has_next

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def lean_page(queryset: QuerySet[Any], per_page: int, number: Any) -> LeanPage:
    """Page ``number`` (1-based; anything not a positive integer means 1) of an ordered query."""
    try:
        page = max(1, int(number))
    except (TypeError, ValueError):
        page = 1
    start = (page - 1) * per_page
    rows = list(queryset[start:start + per_page + 1])
    if not rows and page > 1:  # past the end: the last page, as Paginator.get_page does
        page = max(1, -(-queryset.count() // per_page))
        start = (page - 1) * per_page
        rows = list(queryset[start:start + per_page + 1])
    return LeanPage(rows[:per_page], page, len(rows) > per_page)
