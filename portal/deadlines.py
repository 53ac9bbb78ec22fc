"""The shape of a deadline (DESIGN, convention 18): each app's ``<app>.selectors.deadlines(user=...)``
returns these, so that the workspaces and reminders read every app's dates the same way."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class Deadline:
    """A dated thing to act on: ``kind`` is a key of the app's ``kinds`` (its label), ``object``
    the row it is about. An app's subclass sets ``kinds`` and says where the work is done
    (``url``)."""

    date: dt.date
    kind: str
    object: object

    kinds: ClassVar[dict] = {}

    @property
    def label(self) -> str:
        return str(self.kinds[self.kind])

    @property
    def url(self) -> str:
        raise NotImplementedError


def earliest(queryset, limit: int | None):
    """The first ``limit`` rows of an ordered queryset, or all of them: applied to each kind, it
    keeps the first ``limit`` deadlines of the merged, date-sorted list exact (a workspace panel
    reads no more than it shows)."""
    return queryset if limit is None else queryset[:limit]
