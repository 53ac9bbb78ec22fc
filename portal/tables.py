"""What every app's list tables share: rows that never repeat across pages, the portal's look."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _
from django_tables2.data import TableQuerysetData

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
