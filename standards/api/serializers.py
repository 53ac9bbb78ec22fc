"""Standards API serializers.

Input and output are separate, as in procurement's API: ``*Write`` serializers only parse and
type-check what a client may send (the services hold the rules, and their field messages become
the 400); output serializers are read-only through and through, so a computed or bookkeeping field
(``next_review_due``, ``last_reviewed_on``, ``version``, who updated a response) is never an input.

Each choice field's enum is a schema component named after its choices class: several models here
(and in the other apps) have a ``status``, a ``kind`` or a ``source`` with different choices.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.api.fields import LONG_TEXT, OptionalFieldsMixin, enum_field, username_field, version_field
from portal.api.serializers import ErrorSerializer
from procurement import selectors as procurement_selectors
from procurement.api.serializers import NationCodeField, scoped
from procurement.models import Item
from standards import selectors
from standards.choices import (
    AlertKind,
    AlertSource,
    DocumentType,
    Implementation,
    Level,
    ProposalStatus,
    Ratification,
    ReviewOutcome,
    ReviewStatus,
    Service,
    StandardStatus,
)
from standards.models import (
    ChangeProposal,
    Domain,
    ItemRequirement,
    NationalResponse,
    ReviewCycle,
    Standard,
)

# A nation's response form holds one row per edition; the catalogue is far below this.
MAX_BULK_ROWS = 5_000


def designation_field(source: str = "standard") -> serializers.CharField:
    return serializers.CharField(
        source=source, read_only=True, help_text='How the edition is cited: "STANAG 4425 Ed. 2".'
    )


DocumentTypeField = enum_field(DocumentType)
StandardStatusField = enum_field(StandardStatus)
LevelField = enum_field(Level)
RatificationField = enum_field(Ratification)
ImplementationField = enum_field(Implementation)
ServiceField = enum_field(Service)
ReviewStatusField = enum_field(ReviewStatus)
ReviewOutcomeField = enum_field(ReviewOutcome)
ProposalStatusField = enum_field(ProposalStatus)
AlertKindField = enum_field(AlertKind)
AlertSourceField = enum_field(AlertSource)


# --- Errors (for the schema) ------------------------------------------------------------------


class WorkflowConflictSerializer(ErrorSerializer):
    """A review or proposal write refused because of its state (``status``, ``allowed_from``), or a
    stale ``version`` (what changed since, and by whom)."""

    status = serializers.CharField(required=False, help_text="The state it is in now.")
    allowed_from = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="The states this action starts from."
    )
    current_version = serializers.IntegerField(required=False)
    changed_fields = serializers.ListField(child=serializers.CharField(), required=False)
    changed_by = serializers.ListField(child=serializers.CharField(), required=False)


class StaleRowSerializer(serializers.Serializer):
    standard = serializers.IntegerField(help_text="The edition whose response changed.")
    designation = serializers.CharField()
    current_version = serializers.IntegerField(help_text="0: there is still no response.")
    changed_fields = serializers.ListField(child=serializers.CharField())
    changed_by = serializers.ListField(child=serializers.CharField())


class ResponsesConflictSerializer(ErrorSerializer):
    """A bulk save that started from older responses: each stale row, what changed and by whom.
    Nothing was saved."""

    rows = StaleRowSerializer(many=True)


class RowsErrorSerializer(ErrorSerializer):
    """Some rows broke a rule; nothing was saved."""

    rows = serializers.DictField(
        child=serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
        help_text='Each refused row\'s field messages by its index: {"2": {"reservations": ["..."]}}.',
    )


# --- Domains ----------------------------------------------------------------------------------


class DomainSerializer(serializers.ModelSerializer):
    class Meta:
        model = Domain
        fields = ["id", "code", "name", "name_fr", "description", "order", "version"]
        read_only_fields = fields


class DomainWriteSerializer(serializers.Serializer):
    code = serializers.SlugField(max_length=40)
    name = serializers.CharField(max_length=120)
    name_fr = serializers.CharField(max_length=120, allow_blank=True, required=False)
    description = serializers.CharField(max_length=LONG_TEXT, allow_blank=True, required=False)
    order = serializers.IntegerField(min_value=0, max_value=32767, required=False)


class DomainUpdateSerializer(OptionalFieldsMixin, DomainWriteSerializer):
    version = version_field()


# --- Editions ---------------------------------------------------------------------------------


class StandardSerializer(serializers.ModelSerializer):
    doc_type = DocumentTypeField(read_only=True)
    status = StandardStatusField(read_only=True)
    level = LevelField(read_only=True)
    designation = serializers.CharField(read_only=True, help_text='"STANAG 4425", or an AP\'s own code.')
    domain_code = serializers.CharField(source="domain.code", read_only=True)
    superseded_by = serializers.SerializerMethodField(help_text="The edition that supersedes this one.")
    next_review_due = serializers.DateField(
        read_only=True, allow_null=True, help_text="Computed from the dates and the review cycle."
    )

    class Meta:
        model = Standard
        fields = [
            "id",
            "doc_type",
            "number",
            "edition",
            "designation",
            "title",
            "title_fr",
            "covering_publication",
            "covering_edition",
            "status",
            "promulgated_on",
            "effective_on",
            "custodian",
            "domain",
            "domain_code",
            "level",
            "supersedes",
            "superseded_by",
            "review_cycle_months",
            "last_reviewed_on",
            "next_review_due",
            "notes",
            "version",
            "updated_at",
        ]
        read_only_fields = fields

    def get_superseded_by(self, standard: Standard) -> int | None:
        # A reverse one-to-one: the selector's select_related says "none" without a query.
        newer = getattr(standard, "superseded_by", None)
        return newer.pk if newer is not None else None


class StandardWriteSerializer(serializers.Serializer):
    doc_type = DocumentTypeField()
    number = serializers.CharField(max_length=30, help_text="As cited without the type: 4425, or AOP-29.")
    edition = serializers.CharField(max_length=12, help_text="As written: 3, D or D v1.")
    title = serializers.CharField(max_length=300)
    title_fr = serializers.CharField(max_length=300, allow_blank=True, required=False)
    covering_publication = serializers.CharField(max_length=40, allow_blank=True, required=False)
    covering_edition = serializers.CharField(max_length=12, allow_blank=True, required=False)
    status = StandardStatusField()
    promulgated_on = serializers.DateField(allow_null=True, required=False)
    effective_on = serializers.DateField(allow_null=True, required=False)
    custodian = serializers.CharField(max_length=120, allow_blank=True, required=False)
    domain = scoped(Domain, selectors.domain_list)
    level = LevelField()
    supersedes = scoped(
        Standard,
        selectors.standard_list,
        allow_null=True,
        required=False,
        help_text="The earlier, promulgated edition of the same document this one replaces.",
    )
    review_cycle_months = serializers.IntegerField(min_value=1, max_value=240, required=False)
    notes = serializers.CharField(max_length=LONG_TEXT, allow_blank=True, required=False)


class StandardUpdateSerializer(OptionalFieldsMixin, StandardWriteSerializer):
    version = version_field()


# --- National responses -----------------------------------------------------------------------


class ServiceLineSerializer(serializers.Serializer):
    """One service's implementation, where it differs from the nation's overall one."""

    service = ServiceField()
    implementation = ImplementationField()
    implementation_date = serializers.DateField(allow_null=True, required=False, default=None)


class NationalResponseSerializer(serializers.ModelSerializer):
    nation = NationCodeField(read_only=True)
    designation = designation_field()
    ratification = RatificationField(read_only=True)
    implementation = ImplementationField(read_only=True)
    services = ServiceLineSerializer(many=True, read_only=True)
    updated_by = username_field()

    class Meta:
        model = NationalResponse
        fields = [
            "id",
            "nation",
            "standard",
            "designation",
            "ratification",
            "ratification_reference",
            "ratified_on",
            "reservations",
            "implementation",
            "implementation_date",
            "implemented_without_ratification",
            "without_ratification_reason",
            "services",
            "version",
            "updated_by",
            "updated_at",
        ]
        read_only_fields = fields


class ResponseValuesSerializer(serializers.Serializer):
    """What a response says. A value left out keeps the response's current one (a new response's
    default: no response, not implemented)."""

    ratification = RatificationField(required=False)
    ratification_reference = serializers.CharField(max_length=120, allow_blank=True, required=False)
    ratified_on = serializers.DateField(allow_null=True, required=False)
    reservations = serializers.CharField(max_length=LONG_TEXT, allow_blank=True, required=False)
    implementation = ImplementationField(required=False)
    implementation_date = serializers.DateField(allow_null=True, required=False)
    implemented_without_ratification = serializers.BooleanField(required=False)
    without_ratification_reason = serializers.CharField(
        max_length=LONG_TEXT, allow_blank=True, required=False
    )
    services = ServiceLineSerializer(
        many=True,
        required=False,
        max_length=len(Service.values),
        help_text="Each service's implementation where it differs; [] removes them all, and leaving "
        "it out keeps them as they are.",
    )


class ResponseWriteSerializer(ResponseValuesSerializer):
    """Record one nation's response to one edition."""

    nation = NationCodeField(
        required=False,
        help_text="A director records their own nation's and may leave this out; the secretariat "
        "must give it.",
    )
    standard = scoped(Standard, selectors.standard_list)
    version = version_field(
        required=False,
        help_text="Leave it out to record a new response: if the nation has one already, 409 says "
        "what it holds. Give the version the client last read to change it: a stale write gets 409.",
    )


class ResponseUpdateSerializer(ResponseValuesSerializer):
    version = version_field()


class BulkRowSerializer(ResponseValuesSerializer):
    standard = scoped(Standard, selectors.standard_list)
    version = version_field(
        min_value=0,
        help_text="The response's version the client last read; 0 when it had no response yet.",
    )


class BulkResponsesSerializer(serializers.Serializer):
    """A nation's responses to several editions, saved together or not at all."""

    nation = NationCodeField(
        required=False,
        help_text="A director records their own nation's and may leave this out; the secretariat "
        "must give it.",
    )
    rows = BulkRowSerializer(many=True, allow_empty=False, max_length=MAX_BULK_ROWS)


# --- Reviews and proposals --------------------------------------------------------------------


class ReviewSerializer(serializers.ModelSerializer):
    designation = designation_field()
    status = ReviewStatusField(read_only=True)
    outcome = serializers.SerializerMethodField()

    class Meta:
        model = ReviewCycle
        fields = [
            "id",
            "standard",
            "designation",
            "due_on",
            "status",
            "started_on",
            "completed_on",
            "outcome",
            "notes",
            "new_edition",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(ReviewOutcomeField(allow_null=True, help_text="null until the review is completed."))
    def get_outcome(self, review: ReviewCycle) -> str | None:
        return review.outcome or None


class ReviewOpenSerializer(serializers.Serializer):
    standard = scoped(Standard, selectors.standard_list, help_text="A promulgated edition.")
    due_on = serializers.DateField()
    notes = serializers.CharField(max_length=LONG_TEXT, allow_blank=True, required=False)


class ReviewStartSerializer(serializers.Serializer):
    version = version_field()


class ReviewCompleteSerializer(serializers.Serializer):
    outcome = ReviewOutcomeField()
    notes = serializers.CharField(max_length=LONG_TEXT, allow_blank=True, required=False)
    completed_on = serializers.DateField(required=False, help_text="Today when left out.")
    new_edition = serializers.CharField(
        max_length=12,
        allow_blank=True,
        required=False,
        help_text="With the outcome new_edition: the new edition's name (it is created in Study status).",
    )
    version = version_field()


class ProposalSerializer(serializers.ModelSerializer):
    nation = NationCodeField(read_only=True)
    designation = designation_field()
    status = ProposalStatusField(read_only=True)
    submitted_by = username_field()

    class Meta:
        model = ChangeProposal
        fields = [
            "id",
            "standard",
            "designation",
            "nation",
            "text",
            "status",
            "decision",
            "decided_on",
            "submitted_by",
            "submitted_at",
            "version",
        ]
        read_only_fields = fields


class ProposalSubmitSerializer(serializers.Serializer):
    standard = scoped(Standard, selectors.standard_list)
    nation = NationCodeField(
        required=False,
        help_text="The proposer nation: a director's own when left out; the secretariat must give it.",
    )
    text = serializers.CharField(max_length=LONG_TEXT)


class ProposalDecideSerializer(serializers.Serializer):
    status = ProposalStatusField(help_text="under_consideration, accepted, rejected or withdrawn.")
    decision = serializers.CharField(max_length=LONG_TEXT, allow_blank=True, required=False)
    decided_on = serializers.DateField(required=False, help_text="Today when left out.")
    version = version_field()


# --- Item requirements ------------------------------------------------------------------------


class RequirementSerializer(serializers.ModelSerializer):
    item_code = serializers.CharField(source="item.code", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)
    designation = designation_field()

    class Meta:
        model = ItemRequirement
        fields = ["id", "item", "item_code", "item_name", "standard", "designation"]
        read_only_fields = fields


class RequirementWriteSerializer(serializers.Serializer):
    item = scoped(Item, procurement_selectors.item_list)
    standard = scoped(Standard, selectors.standard_list)


# --- Interoperability alerts ------------------------------------------------------------------


class AlertSerializer(serializers.Serializer):
    """An open order or firm demand for an item whose required edition the ordering nation has not
    ratified, has ratified with reservations, or has not implemented."""

    kind = AlertKindField(read_only=True)
    source = AlertSourceField(read_only=True)
    source_id = serializers.IntegerField(read_only=True, help_text="The call-off, or the demand signal.")
    line_id = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="The call-off line; null for demand."
    )
    source_label = serializers.CharField(read_only=True)
    nation = serializers.CharField(source="nation_code", read_only=True)
    nation_name = serializers.CharField(read_only=True)
    item = serializers.IntegerField(source="item_id", read_only=True)
    item_name = serializers.CharField(read_only=True)
    standard = serializers.IntegerField(source="standard_id", read_only=True)
    designation = serializers.SerializerMethodField()
    domain = serializers.IntegerField(source="domain_id", read_only=True)
    domain_name = serializers.CharField(read_only=True)
    ratification = RatificationField(
        read_only=True, allow_null=True, help_text="null: the nation has recorded no response."
    )
    implementation = ImplementationField(read_only=True, allow_null=True)
    reservations = serializers.CharField(read_only=True)

    def get_designation(self, row: dict) -> str:
        return selectors.Alert(row).designation


class AlertQuerySerializer(serializers.Serializer):
    nation = NationCodeField(required=False, help_text="ISO 3166-1 alpha-3 code, e.g. POL.")
    domain = scoped(Domain, selectors.domain_list, required=False)
    kind = AlertKindField(required=False)
    source = AlertSourceField(required=False)
