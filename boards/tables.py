"""Sortable tables of the boards lists; the same columns make the CSV and XLSX exports."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from boards.choices import RiskType
from boards.models import ActionItem, Risk
from portal.tables import ActionColumn, ActionTable, links


class ActionItemTable(ActionTable):
    text = tables.Column(verbose_name=_("Action"))
    body = tables.Column(verbose_name=_("Body"), accessor="body__name", order_by=("body__code",))
    owner = tables.Column(
        verbose_name=_("Owner"),
        accessor="owner_label",
        order_by=("owner_user__username", "owner_nation__name"),
    )
    due_on = tables.DateColumn(verbose_name=_("Due"))
    status = tables.Column(verbose_name=_("Status"))
    overdue = tables.BooleanColumn(verbose_name=_("Overdue"), accessor="is_overdue", orderable=False)
    meeting = tables.Column(
        verbose_name=_("Decided at"), accessor="meeting__title", order_by=("meeting__starts_at",)
    )
    actions = ActionColumn()

    class Meta(ActionTable.Meta):
        model = ActionItem
        fields = ["text", "body", "owner", "due_on", "status", "overdue", "meeting", "actions"]

    def render_meeting(self, record, value):
        return format_html(
            '<a href="{}">{}</a>', reverse("boards:meeting-detail", kwargs={"pk": record.meeting_id}), value
        )

    def render_actions(self, record):
        if not self.may_act():
            return ""
        return links((reverse("boards:action-edit", kwargs={"pk": record.pk}), _("Edit")))


class RiskTable(ActionTable):
    title = tables.Column(verbose_name=_("Risk"))
    item = tables.Column(verbose_name=_("Item"), accessor="item__name", order_by=("item__name",))
    component = tables.Column(verbose_name=_("Component"))
    tier = tables.Column(verbose_name=_("Tier"))
    risk_type = tables.Column(verbose_name=_("Type"))
    supplier = tables.Column(verbose_name=_("Supplier"))
    supplier_country = tables.Column(verbose_name=_("Supplier country"))
    likelihood = tables.Column(verbose_name=_("Likelihood"))
    impact = tables.Column(verbose_name=_("Impact"))
    score = tables.Column(verbose_name=_("Score"))
    status = tables.Column(verbose_name=_("Status"))
    review_on = tables.DateColumn(verbose_name=_("Review date"))
    sensitive = tables.BooleanColumn(verbose_name=_("Sensitive"))

    class Meta(ActionTable.Meta):
        model = Risk
        fields = [
            "title",
            "item",
            "component",
            "tier",
            "risk_type",
            "supplier",
            "supplier_country",
            "likelihood",
            "impact",
            "score",
            "status",
            "review_on",
            "sensitive",
        ]
        # "Free from hostile influences": a risk of that type stands out in the register.
        row_attrs = {
            "class": lambda record: "risk-hostile" if record.risk_type == RiskType.HOSTILE_INFLUENCE else "",
            "data-risk-type": lambda record: record.risk_type,
        }

    def render_title(self, record, value):
        return format_html(
            '<a href="{}">{}</a>', reverse("boards:risk-detail", kwargs={"pk": record.pk}), value
        )

    def value_title(self, value):
        return value
