"""The home page as a workspace (issue 14): what needs the user now, and how things stand.

Each app contributes panels through functions registered here under a key
(``register("pledges.plan", plan_panel)``); ``portal.rules.HOME_PANELS`` says which keys a role's
home shows, in order, so that only rules.py knows about roles. A panel function takes
``(user, today)`` and returns a :class:`Panel`, or None when the panel has nothing to say to
that user (a director with no nation, say). Each reads through the app's selectors, in a fixed
number of queries whatever the data size, and shows at most ``LIMIT`` entries with a link to the
full list when there are more: the home page's query count is asserted constant.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

# Entries a panel shows before it links to the full list.
LIMIT = 8

# Tones an entry may carry; the stylesheet colours them and the text says the same in words.
LATE = "late"
DUE = "due"
DONE = "done"


@dataclass(frozen=True)
class Entry:
    """One line of a panel: what needs doing (``text``), where it is done (``url``), and when."""

    text: str
    url: str
    date: dt.date | None = None
    note: str = ""  # e.g. "3 days overdue", "waiting 12 days"
    tone: str = ""
    detail: str = ""  # a second line, e.g. the secretariat's comment on a returned plan


@dataclass
class Figure:
    """A number with its label, for a panel's summary row (``value`` is already formatted)."""

    label: str
    value: str
    url: str = ""
    tone: str = ""


@dataclass
class Panel:
    key: str
    title: str
    entries: list[Entry] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    more_url: str = ""  # the full list; shown as "All …" whenever set
    more: bool = False  # there were more entries than shown
    empty: str = ""  # the honest empty state, in words
    more_label: str = ""

    @property
    def is_empty(self) -> bool:
        return not self.entries and not self.figures


PanelFunction = Callable[[object, dt.date], "Panel | None"]
_panels: dict[str, PanelFunction] = {}


def register(key: str, function: PanelFunction) -> None:
    _panels[key] = function


def registered() -> set[str]:
    return set(_panels)


def capped(rows: Iterable, limit: int = LIMIT) -> tuple[list, bool]:
    """The first ``limit`` rows and whether there were more: fetch ``limit + 1`` (a slice of a
    queryset stays one query) instead of counting."""
    rows = list(rows[: limit + 1]) if hasattr(rows, "query") else list(rows)
    return rows[:limit], len(rows) > limit


def panels(user, today: dt.date, keys: Sequence[str]) -> list[Panel]:
    result = []
    for key in keys:
        panel = _panels[key](user, today)
        if panel is not None:
            result.append(panel)
    return result


def days_note(date: dt.date, today: dt.date) -> tuple[str, str]:
    """(note, tone) for a due date: "3 days overdue" (late), "due today", "in 5 days"."""
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    days = (date - today).days
    if days < 0:
        return ngettext("%(n)d day overdue", "%(n)d days overdue", -days) % {"n": -days}, LATE
    if days == 0:
        return _("due today"), DUE
    return ngettext("in %(n)d day", "in %(n)d days", days) % {"n": days}, DUE if days <= 7 else ""


def waited_note(since: dt.date, today: dt.date) -> str:
    from django.utils.translation import ngettext

    days = max((today - since).days, 0)
    return ngettext("waiting %(n)d day", "waiting %(n)d days", days) % {"n": days}


# The apps whose deadlines the overdue panel gathers. Procurement's scheduled deliveries are left
# out: late deliveries have a panel of their own ("procurement.late_lines").
OVERDUE_SOURCES = ("pledges.selectors", "standards.selectors", "boards.selectors")


def overdue_panel(user, today: dt.date) -> Panel | None:
    """Every overdue deadline the user may see across ``OVERDUE_SOURCES`` (plans still with their
    nation, standards reviews, open actions), the oldest first: each app's
    ``selectors.deadlines(user=..., until=yesterday, limit=...)``, one to three queries each."""
    from importlib import import_module

    from django.utils.translation import gettext as _

    rows = []
    for source in OVERDUE_SOURCES:
        rows += import_module(source).deadlines(
            user=user, until=today - dt.timedelta(days=1), limit=LIMIT + 1
        )
    rows.sort(key=lambda row: (row.date, row.kind, row.object.pk))
    shown, more = capped(rows)
    entries = [
        Entry(f"{row.label}: {row.object}", row.url, row.date, *days_note(row.date, today)) for row in shown
    ]
    return Panel(
        "portal.overdue",
        _("Overdue"),
        entries,
        more=more,
        empty=_("Nothing is overdue."),
    )


def released_panel(user, today: dt.date) -> Panel | None:
    """What the portal holds for the user beyond the core pages: the menu's app entries they may
    open. For a partner that is, today, nothing, and the panel says so."""
    from django.utils.translation import gettext as _

    from portal.navigation import APP_ORDERS, menu_for

    entries = [
        Entry(str(item["label"]), item["url"]) for item in menu_for(user) if item["order"] in APP_ORDERS
    ]
    return Panel(
        "portal.released",
        _("Released to you"),
        entries,
        empty=_(
            "Nothing has been released to partners in the portal yet. When the Alliance releases "
            "figures or standards to partners, they will be listed here."
        ),
    )


register("portal.overdue", overdue_panel)
register("portal.released", released_panel)
