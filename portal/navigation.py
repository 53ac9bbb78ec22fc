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
    return [
        {"label": item.label, "url": reverse(item.url_name), "url_name": item.url_name, "order": item.order}
        for item in sorted(_items, key=lambda i: (i.order, str(i.label)))
        if item.visible(user)
    ]


def _core() -> None:
    def reads_every_job(user) -> bool:
        from portal.models import JobRun  # the menu is built before the app registry is ready
        from portal.permissions import reads_all

        return reads_all(user, JobRun)

    register(NavItem(_("Home"), "home", lambda u: True, order=0))
    register(NavItem(_("Activity"), "activity", lambda u: True, order=900))
    register(NavItem(_("Jobs"), "jobs", reads_every_job, order=910))
    register(NavItem(_("API"), "api-docs", lambda u: True, order=950))
    register(NavItem(_("Admin"), "admin:index", lambda u: u.is_staff, order=990))


_core()
