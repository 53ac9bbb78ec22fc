"""The main menu. Apps append entries in their ``ready()``; each entry decides who sees it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    visible: Callable[[object], bool]
    order: int = 100
    # The theme it is listed under in the main menu (a key of GROUPS), or "" for a top-level link.
    group: str = ""
    # "user": listed in the user menu (the portal's own tools), not in the main menu.
    place: str = "main"


# The main menu's themes, in their order; each shows only the items its reader may open, and a
# theme with a single one is that one link.
GROUPS = {
    "plans": _("National plans"),
    "investment": _("Defence investment"),
    "procurement": _("Procurement"),
    "standards": _("Standards"),
    "board": _("Board"),
}


_items: list[NavItem] = []


def register(item: NavItem) -> None:
    _items.append(item)


def granted(model_label: str, action: str) -> Callable[[object], bool]:
    """A visibility test: the user holds ``action`` on ``model_label`` ("app.Model"). The model
    is looked up when the menu is drawn, since menus are registered before models load."""

    def visible(user) -> bool:
        from django.apps import apps

        from portal.permissions import may

        return may(user, apps.get_model(model_label), action)

    return visible


# The apps' entries sit between the core's Home (0) and Activity (900).
APP_ORDERS = range(1, 900)


def menu_for(user) -> list[dict]:
    """Every entry ``user`` may open, in order, flat: each with its group and place."""
    return [
        {
            "label": item.label,
            "url": reverse(item.url_name),
            "url_name": item.url_name,
            "order": item.order,
            "group": item.group,
            "place": item.place,
        }
        for item in sorted(_items, key=lambda i: (i.order, str(i.label)))
        if item.visible(user)
    ]


def menu_tree(user, current: str = "") -> dict[str, list[dict]]:
    """The menus as drawn: ``main``, top-level links and themes (``entries``), a theme placed where
    its first entry falls and marked ``current`` when it holds the page (``current``, a view name);
    ``user``, the links of the user menu."""
    main: list[dict] = []
    themes: dict[str, dict] = {}
    tools = []
    for entry in menu_for(user):
        if entry["place"] == "user":
            tools.append(entry)
        elif not entry["group"]:
            main.append(entry)
        else:
            theme = themes.get(entry["group"])
            if theme is None:
                theme = themes[entry["group"]] = {
                    "label": GROUPS[entry["group"]],
                    "entries": [],
                    "current": False,
                }
                main.append(theme)
            theme["entries"].append(entry)
            theme["current"] = theme["current"] or entry["url_name"] == current
    # A theme of one entry is that entry.
    main = [entry["entries"][0] if len(entry.get("entries", ())) == 1 else entry for entry in main]
    return {"main": main, "user": tools}


def _core() -> None:
    def reads_every_job(user) -> bool:
        from portal.models import JobRun  # the menu is built before the app registry is ready
        from portal.permissions import reads_all

        return reads_all(user, JobRun)

    register(NavItem(_("Home"), "home", lambda u: True, order=0))
    register(NavItem(_("Activity"), "activity", lambda u: True, order=900))
    register(NavItem(_("Jobs"), "jobs", reads_every_job, order=910, place="user"))
    register(NavItem(_("API"), "api-docs", lambda u: True, order=950, place="user"))
    register(NavItem(_("Admin"), "admin:index", lambda u: u.is_staff, order=990, place="user"))


_core()
