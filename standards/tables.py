"""Sortable tables of the standards lists; the same columns make the CSV and XLSX exports.

A row's action links (start a review, decide a proposal, resolve a designation) show only to a
reader who may take the action (``may``, asked of ``rules.py``), and never go into an export.
"""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal.permissions import DELETE
from portal.tables import ActionColumn, ActionTable, PortalTable
from portal.tables import links as _links
from standards.choices import PROPOSAL_OPEN, ReviewStatus
from standards.models import ChangeProposal, Domain, ReviewCycle, Standard, UnmatchedDesignation


def standard_link(accessor: str = "standard_id"):
    return ("standards:standard-detail", {"pk": tables.A(accessor)})


def edition_column() -> tables.Column:
    """The edition a row is about, linked to its page, sorted as the catalogue is."""
    return tables.Column(
        verbose_name=_("Edition"),
        accessor="standard",
        order_by=("standard__doc_type", "standard__number", "standard__edition"),
        linkify=standard_link(),
    )


class StandardTable(PortalTable):
    designation = tables.Column(
        verbose_name=_("Standard"),
        accessor="designation",
        order_by=("doc_type", "number"),
        linkify=("standards:standard-detail", {"pk": tables.A("pk")}),
    )
    edition = tables.Column(verbose_name=_("Edition"))
    title = tables.Column(verbose_name=_("Title"))
    status = tables.Column(verbose_name=_("Status"))
    domain = tables.Column(
        verbose_name=_("Domain"), accessor="domain__name", order_by=("domain__order", "domain__name")
    )
    level = tables.Column(verbose_name=_("Level"))
    covering_publication = tables.Column(verbose_name=_("Covering publication"))
    promulgated_on = tables.DateColumn(verbose_name=_("Promulgated"))
    next_review_due = tables.DateColumn(verbose_name=_("Next review due"))

    class Meta(PortalTable.Meta):
        model = Standard
        fields = [
            "designation",
            "edition",
            "title",
            "status",
            "domain",
            "level",
            "covering_publication",
            "promulgated_on",
            "next_review_due",
        ]

    def render_title(self, record):
        return record.display_title()

    def render_domain(self, record):
        return record.domain.display_name()


class DomainTable(ActionTable):
    name = tables.Column(verbose_name=_("Name (English)"))
    name_fr = tables.Column(verbose_name=_("Name (French)"))
    actions = ActionColumn()

    class Meta(PortalTable.Meta):
        model = Domain
        fields = ["order", "code", "name", "name_fr", "description", "actions"]

    def render_name(self, record, value):
        # The domain's editions in the catalogue: what every reader of the domain list wants next.
        return format_html(
            '<a href="{}?domain={}">{}</a>', reverse("standards:standard-list"), record.pk, value
        )

    def render_actions(self, record):
        if not self.may_act():
            return ""
        return _links((reverse("standards:domain-edit", kwargs={"pk": record.pk}), _("Edit")))


class ReviewTable(ActionTable):
    standard = edition_column()
    title = tables.Column(verbose_name=_("Title"), accessor="standard__title", orderable=False)
    new_edition = tables.Column(verbose_name=_("New edition"), linkify=standard_link("new_edition_id"))
    actions = ActionColumn()

    class Meta(PortalTable.Meta):
        model = ReviewCycle
        fields = [
            "standard",
            "title",
            "due_on",
            "status",
            "started_on",
            "completed_on",
            "outcome",
            "new_edition",
            "actions",
        ]

    def render_title(self, record):
        return record.standard.display_title()

    def value_title(self, record):
        return record.standard.display_title()

    def render_actions(self, record):
        if not self.may_act() or record.status == ReviewStatus.COMPLETED:
            return ""
        links = [(reverse("standards:review-complete", kwargs={"pk": record.pk}), _("Complete"))]
        if record.status == ReviewStatus.DUE:
            links.insert(0, (reverse("standards:review-start", kwargs={"pk": record.pk}), _("Start")))
        return _links(*links)


class ProposalTable(ActionTable):
    standard = edition_column()
    nation = tables.Column(accessor="nation__code", order_by=("nation__code",), verbose_name=_("Nation"))
    text = tables.Column(verbose_name=_("Proposal"), orderable=False)
    submitted_at = tables.DateTimeColumn(verbose_name=_("Submitted"))
    actions = ActionColumn()

    class Meta(PortalTable.Meta):
        model = ChangeProposal
        fields = ["standard", "nation", "text", "submitted_at", "status", "decision", "decided_on", "actions"]

    def render_text(self, value):
        # The list shows the start of a proposal; the export keeps the whole text.
        return value if len(value) <= 160 else f"{value[:159]}…"

    def render_actions(self, record):
        if not self.may_act() or record.status not in PROPOSAL_OPEN:
            return ""
        return _links((reverse("standards:proposal-decide", kwargs={"pk": record.pk}), _("Decide")))


class UnmatchedTable(ActionTable):
    action_grant = DELETE
    item = tables.Column(
        verbose_name=_("Item"),
        accessor="item__name",
        order_by=("item__name",),
        linkify=("procurement:item-detail", {"pk": tables.A("item_id")}),
    )
    code = tables.Column(verbose_name=_("Item code"), accessor="item__code", order_by=("item__code",))
    designation = tables.Column(verbose_name=_("Designation as written"))
    actions = ActionColumn()

    class Meta(PortalTable.Meta):
        model = UnmatchedDesignation
        fields = ["item", "code", "designation", "actions"]

    def render_actions(self, record):
        if not self.may_act():
            return ""
        return _links((reverse("standards:unmatched-resolve", kwargs={"pk": record.pk}), _("Resolve")))
