"""What every app's list tables share: rows that never repeat across pages, the portal's look."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_tables2.data import TableQuerysetData

from portal.permissions import CHANGE, may

TIE_BREAKERS = {"pk", "-pk", "id", "-id"}


class TieBrokenData(TableQuerysetData):
    """Queryset data whose every ordering ends with the primary key, so no row repeats or goes
    missing across pages when the sorted column has equal values."""

    def order_by(self, aliases):
        super().order_by(aliases)
        ordering = [str(o) for o in self.data.query.order_by]
        if not TIE_BREAKERS & set(ordering):
            self.data = self.data.order_by(*self.data.query.order_by, "pk")


class PortalTable(tables.Table):
    def __init__(self, data, **kwargs):
        super().__init__(TieBrokenData(data), **kwargs)

    class Meta:
        attrs = {"class": "table"}
        empty_text = _("Nothing matches.")
        template_name = "django_tables2/table.html"


class ActionColumn(tables.Column):
    """Links to what the reader may do with the row; empty for a reader who may do nothing."""

    def __init__(self, **kwargs):
        super().__init__(
            verbose_name=_("Actions"),
            accessor="pk",
            orderable=False,
            empty_values=(),
            exclude_from_export=True,
            **kwargs,
        )


def links(*pairs: tuple[str, str]) -> str:
    return format_html(
        " ".join(['<a href="{}">{}</a>'] * len(pairs)), *[part for pair in pairs for part in pair]
    )


class ActionTable(PortalTable):
    """A table whose action column asks ``may(user, Meta.model, action_grant)`` once per page."""

    action_grant = CHANGE

    def may_act(self) -> bool:
        if not hasattr(self, "_may_act"):
            request = getattr(self, "request", None)
            self._may_act = request is not None and may(request.user, self._meta.model, self.action_grant)
        return self._may_act
