"""Procurement API serializers.

Input and output are separate: ``*Write`` serializers only parse and type-check what a client may
send (the business rules live in the services, whose field-level ``ValidationError`` the API turns
into a 400); output serializers are read-only through and through, so a derived or bookkeeping
field (committed value, ordered or delivered quantities, totals, version, creator) can never be
set by mass assignment: it is simply not an input.
"""

from __future__ import annotations

import re

from rest_framework import serializers

from portal.api.serializers import ErrorSerializer
from portal.models import Nation
from portal.selectors import nation_list
from procurement import selectors
from procurement.choices import AmendmentRationale, CapabilityArea, Firmness, FrameworkStatus
from procurement.models import (
    MONEY,
    Amendment,
    CallOff,
    CallOffLine,
    Delivery,
    DemandSignal,
    FrameworkContract,
    FrameworkLine,
    FrameworkParticipant,
    Item,
    Programme,
    ProgrammeMembership,
    ScheduledDelivery,
    Supplier,
)
from procurement.services import AMENDABLE_FIELDS, EDITABLE_FIELDS

# PostgreSQL's bigint, the type of every quantity column.
MAX_QUANTITY = 2**63 - 1


def quantity_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=kwargs.pop("min_value", 1), max_value=MAX_QUANTITY, **kwargs)


def money_field(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(**MONEY, **kwargs)


# --- Related fields that only accept rows the requesting user may see --------------------------


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A primary key that must name a row the requesting user may see: a row outside their scope
    gets the same "does not exist" message as a row that does not exist."""

    def __init__(self, *, selector, **kwargs):
        self.selector = selector
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.selector(user=self.context["request"].user)


class NationCodeField(serializers.SlugRelatedField):
    """A nation named by its ISO alpha-3 code (``POL``)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", Nation.objects.all())
        super().__init__(**kwargs)

    def get_queryset(self):
        return nation_list(user=self.context["request"].user)

    def to_internal_value(self, data):
        # Check the shape before the lookup: a NUL byte or a huge string must be a 400, not a DB error.
        if not isinstance(data, str) or not re.fullmatch(r"[A-Za-z]{3}", data):
            self.fail("does_not_exist", slug_name=self.slug_field, value=str(data)[:20])
        return super().to_internal_value(data.upper())


def framework_lines_visible(*, user):
    return selectors.framework_line_list(user=user)


def scoped(model, selector, **kwargs) -> ScopedPrimaryKeyRelatedField:
    return ScopedPrimaryKeyRelatedField(queryset=model.objects.all(), selector=selector, **kwargs)


# --- Errors (for the schema) ------------------------------------------------------------------


class ConflictSerializer(ErrorSerializer):
    """A stale write: what changed since the version the client started from, and by whom."""

    current_version = serializers.IntegerField()
    changed_fields = serializers.ListField(child=serializers.CharField())
    changed_by = serializers.ListField(child=serializers.CharField())


# --- Catalogue, programmes, suppliers ---------------------------------------------------------


class RequiredStandardSerializer(serializers.Serializer):
    """A standard edition an item must meet (``standards.ItemRequirement``)."""

    id = serializers.IntegerField(
        source="standard_id", read_only=True, help_text="The edition's id in /api/standards/standards/."
    )
    designation = serializers.CharField(
        source="standard.designation", read_only=True, help_text='As cited, e.g. "STANAG 4425".'
    )
    edition = serializers.CharField(source="standard.edition", read_only=True)


class ItemSerializer(serializers.ModelSerializer):
    required_standards = RequiredStandardSerializer(
        source="standard_requirements",
        many=True,
        read_only=True,
        help_text="The standard editions the item must meet.",
    )

    class Meta:
        model = Item
        fields = ["id", "code", "name", "capability_area", "unit", "nato_stock_number", "required_standards"]
        read_only_fields = fields


class ItemRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Item
        fields = ["id", "code", "name", "unit"]
        read_only_fields = fields


class ItemWriteSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=200)
    capability_area = serializers.ChoiceField(choices=CapabilityArea.choices)
    unit = serializers.CharField(max_length=30)
    nato_stock_number = serializers.CharField(max_length=16, allow_blank=True, required=False)


class ProgrammeMemberSerializer(serializers.ModelSerializer):
    nation = NationCodeField(read_only=True)

    class Meta:
        model = ProgrammeMembership
        fields = ["nation", "joined_on"]
        read_only_fields = fields


class ProgrammeSerializer(serializers.ModelSerializer):
    """Read and write alike (one component keeps the ``kind`` enum's schema name unambiguous)."""

    members = ProgrammeMemberSerializer(source="memberships", many=True, read_only=True)

    class Meta:
        model = Programme
        fields = ["id", "code", "name", "kind", "description", "members"]
        read_only_fields = ["id", "members"]


class MemberWriteSerializer(serializers.Serializer):
    """A nation joining a programme or a framework, from a date."""

    nation = NationCodeField()
    joined_on = serializers.DateField()


class SupplierSerializer(serializers.ModelSerializer):
    class Meta:
        model = Supplier
        fields = ["id", "name", "country"]
        read_only_fields = fields


class SupplierWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    country = serializers.CharField(max_length=3, help_text="ISO 3166 alpha-3, e.g. FRA.")


# --- Demand ---------------------------------------------------------------------------------


class DemandSignalSerializer(serializers.ModelSerializer):
    nation = NationCodeField(read_only=True)
    item_code = serializers.CharField(source="item.code", read_only=True)
    filed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = DemandSignal
        fields = [
            "id",
            "nation",
            "item",
            "item_code",
            "year",
            "quantity",
            "firmness",
            "notes",
            "filed_by",
            "updated_at",
            "version",
        ]
        read_only_fields = fields


class DemandSignalWriteSerializer(serializers.Serializer):
    """Set one (nation, item, year) cell of the demand grid."""

    nation = NationCodeField(
        required=False,
        help_text="A director files for their own nation and may leave this out; NSPA must give it.",
    )
    item = scoped(Item, selectors.item_list)
    year = serializers.IntegerField(min_value=1949, max_value=2100)
    quantity = quantity_field(min_value=0)
    firmness = serializers.ChoiceField(choices=Firmness.choices)
    notes = serializers.CharField(allow_blank=True, required=False, default="")
    version = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="Leave it out to create the cell: if it exists already, 409 gives its id and version. "
        "Give the version the client last read to update the cell: a stale write gets 409.",
    )


class DemandSignalConflictSerializer(ConflictSerializer):
    """A demand write that lost to another writer, naming the row that won."""

    id = serializers.IntegerField(help_text="The demand signal now in the cell.")


class DemandSignalUpdateSerializer(serializers.Serializer):
    quantity = quantity_field(min_value=0, required=False)
    firmness = serializers.ChoiceField(choices=Firmness.choices, required=False)
    notes = serializers.CharField(allow_blank=True, required=False)
    version = serializers.IntegerField(min_value=1, help_text="The version the client last read.")


# --- Frameworks -----------------------------------------------------------------------------


class FrameworkParticipantSerializer(serializers.ModelSerializer):
    nation = NationCodeField(read_only=True)

    class Meta:
        model = FrameworkParticipant
        fields = ["id", "nation", "joined_on"]
        read_only_fields = fields


class FrameworkLineSerializer(serializers.ModelSerializer):
    item = ItemRefSerializer(read_only=True)
    ordered_quantity = serializers.IntegerField(
        source="ordered_shown",
        read_only=True,
        allow_null=True,
        help_text="Null where it would reveal the orders of fewer than AGGREGATE_MIN_NATIONS other nations.",
    )

    class Meta:
        model = FrameworkLine
        fields = ["id", "item", "unit_price", "max_quantity", "ordered_quantity"]
        read_only_fields = fields


class FrameworkLineWriteSerializer(serializers.Serializer):
    item = scoped(Item, selectors.item_list)
    unit_price = money_field()
    max_quantity = quantity_field()


class AmendmentSerializer(serializers.ModelSerializer):
    changes = serializers.DictField(
        child=serializers.DictField(child=serializers.CharField()),
        read_only=True,
        help_text='Changed values, e.g. {"ceiling_value": {"old": "100.00", "new": "200.00"}}.',
    )
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Amendment
        fields = ["id", "date", "rationale", "description", "changes", "created_by", "created_at"]
        read_only_fields = fields


WITHHELD_HELP = (
    "Null where the reader may not read every nation's call-offs and the figure would reveal the "
    "orders of fewer than AGGREGATE_MIN_NATIONS other nations."
)


class FrameworkSerializer(serializers.ModelSerializer):
    suppliers = SupplierSerializer(many=True, read_only=True)
    committed_value = money_field(
        source="committed_shown", read_only=True, allow_null=True, help_text=WITHHELD_HELP
    )
    remaining_value = money_field(
        source="remaining_shown", read_only=True, allow_null=True, help_text=WITHHELD_HELP
    )

    class Meta:
        model = FrameworkContract
        fields = [
            "id",
            "reference",
            "title",
            "programme",
            "suppliers",
            "currency",
            "ceiling_value",
            "firm_order_value",
            "committed_value",
            "remaining_value",
            "period_start",
            "period_end",
            "status",
            "notes",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class FrameworkDetailSerializer(FrameworkSerializer):
    participants = FrameworkParticipantSerializer(source="participations", many=True, read_only=True)
    lines = FrameworkLineSerializer(many=True, read_only=True)
    amendments = AmendmentSerializer(many=True, read_only=True)

    class Meta(FrameworkSerializer.Meta):
        fields = [*FrameworkSerializer.Meta.fields, "participants", "lines", "amendments"]
        read_only_fields = fields


class FrameworkWriteSerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=60)
    title = serializers.CharField(max_length=300)
    programme = scoped(Programme, selectors.programme_list, allow_null=True, required=False)
    suppliers = scoped(Supplier, selectors.supplier_list, many=True, required=False)
    currency = serializers.CharField(max_length=3, help_text="ISO 4217, e.g. EUR.")
    ceiling_value = money_field()
    firm_order_value = money_field(required=False)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    status = serializers.ChoiceField(choices=FrameworkStatus.choices, required=False)
    notes = serializers.CharField(allow_blank=True, required=False)


class FrameworkUpdateSerializer(serializers.Serializer):
    """Descriptive fields only; contract values change through ``amend``."""

    title = serializers.CharField(max_length=300, required=False)
    notes = serializers.CharField(allow_blank=True, required=False)
    programme = scoped(Programme, selectors.programme_list, allow_null=True, required=False)
    suppliers = scoped(Supplier, selectors.supplier_list, many=True, required=False)
    version = serializers.IntegerField(min_value=1, help_text="The version the client last read.")

    def validate(self, attrs):
        # A contract value sent here would otherwise be silently dropped: say where it belongs.
        sent = set(self.initial_data) & (AMENDABLE_FIELDS - EDITABLE_FIELDS)
        if sent:
            raise serializers.ValidationError(
                {field: ["Change this through an amendment (POST .../amend/)."] for field in sorted(sent)}
            )
        return attrs


class AmendmentChangesSerializer(serializers.Serializer):
    """The contract values an amendment sets; only these may be amended."""

    title = serializers.CharField(max_length=300, required=False)
    ceiling_value = money_field(required=False)
    firm_order_value = money_field(required=False)
    period_start = serializers.DateField(required=False)
    period_end = serializers.DateField(required=False)
    status = serializers.ChoiceField(choices=FrameworkStatus.choices, required=False)

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = set(data) - set(self.fields)
            if unknown:
                raise serializers.ValidationError(
                    {field: ["This field cannot be amended."] for field in sorted(map(str, unknown))}
                )
        return super().to_internal_value(data)


class FrameworkAmendSerializer(serializers.Serializer):
    date = serializers.DateField()
    rationale = serializers.ChoiceField(choices=AmendmentRationale.choices)
    description = serializers.CharField()
    changes = AmendmentChangesSerializer()
    version = serializers.IntegerField(min_value=1, help_text="The version the client last read.")


# --- Call-offs ------------------------------------------------------------------------------


class ScheduledDeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = ScheduledDelivery
        fields = ["due_date", "quantity"]
        read_only_fields = fields


class DeliveryBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Delivery
        fields = ["id", "lot_number", "delivered_on", "quantity_delivered", "quantity_accepted"]
        read_only_fields = fields


class CallOffLineSerializer(serializers.ModelSerializer):
    item = ItemRefSerializer(source="framework_line.item", read_only=True)
    outstanding_quantity = serializers.IntegerField(read_only=True)
    schedule = ScheduledDeliverySerializer(many=True, read_only=True)
    deliveries = DeliveryBriefSerializer(many=True, read_only=True)

    class Meta:
        model = CallOffLine
        fields = [
            "id",
            "framework_line",
            "item",
            "quantity",
            "unit_price",
            "value",
            "delivered_quantity",
            "accepted_quantity",
            "outstanding_quantity",
            "schedule",
            "deliveries",
        ]
        read_only_fields = fields


class CallOffSerializer(serializers.ModelSerializer):
    framework_reference = serializers.CharField(source="framework.reference", read_only=True)
    currency = serializers.CharField(source="framework.currency", read_only=True)
    nation = NationCodeField(read_only=True)

    class Meta:
        model = CallOff
        fields = [
            "id",
            "reference",
            "framework",
            "framework_reference",
            "nation",
            "order_date",
            "total_value",
            "currency",
            "illustrative",
            "created_at",
        ]
        read_only_fields = fields


class CallOffDetailSerializer(CallOffSerializer):
    lines = CallOffLineSerializer(many=True, read_only=True)

    class Meta(CallOffSerializer.Meta):
        fields = [*CallOffSerializer.Meta.fields, "lines"]
        read_only_fields = fields


class ScheduleEntryWriteSerializer(serializers.Serializer):
    due_date = serializers.DateField()
    quantity = quantity_field()

    def to_internal_value(self, data) -> tuple:
        """``(due date, quantity)``, the shape ``services.CallOffLineInput`` takes a schedule in."""
        value = super().to_internal_value(data)
        return value["due_date"], value["quantity"]


class CallOffLineWriteSerializer(serializers.Serializer):
    framework_line = scoped(FrameworkLine, framework_lines_visible)
    quantity = quantity_field()
    schedule = ScheduleEntryWriteSerializer(many=True, required=False, max_length=500)


class CallOffWriteSerializer(serializers.Serializer):
    framework = scoped(FrameworkContract, selectors.framework_list)
    nation = NationCodeField(help_text="The ordering nation: it must take part in the framework.")
    reference = serializers.CharField(max_length=60)
    order_date = serializers.DateField()
    illustrative = serializers.BooleanField(required=False, default=False)
    lines = CallOffLineWriteSerializer(many=True, max_length=500)


# --- Deliveries -----------------------------------------------------------------------------


class DeliverySerializer(serializers.ModelSerializer):
    call_off = serializers.IntegerField(source="call_off_line.call_off_id", read_only=True)
    call_off_reference = serializers.CharField(source="call_off_line.call_off.reference", read_only=True)
    nation = serializers.CharField(source="call_off_line.call_off.nation.code", read_only=True)
    item_code = serializers.CharField(source="call_off_line.framework_line.item.code", read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "call_off_line",
            "call_off",
            "call_off_reference",
            "nation",
            "item_code",
            "delivered_on",
            "accepted_on",
            "quantity_delivered",
            "quantity_accepted",
            "quantity_rejected",
            "rejection_reason",
            "lot_number",
            "location",
            "imported_in",
            "created_at",
        ]
        read_only_fields = fields


class DeliveryWriteSerializer(serializers.Serializer):
    call_off_line = scoped(CallOffLine, selectors.calloff_line_list)
    delivered_on = serializers.DateField()
    accepted_on = serializers.DateField(
        required=False, allow_null=True, help_text="Defaults to the delivery date when some is accepted."
    )
    quantity_delivered = quantity_field()
    quantity_accepted = quantity_field(min_value=0)
    quantity_rejected = quantity_field(min_value=0, required=False, default=0)
    rejection_reason = serializers.CharField(max_length=300, allow_blank=True, required=False, default="")
    lot_number = serializers.CharField(max_length=60)
    location = serializers.CharField(max_length=120, allow_blank=True, required=False, default="")


# --- OCDS -----------------------------------------------------------------------------------


class OcdsPublisherSerializer(serializers.Serializer):
    name = serializers.CharField()


class OcdsReleaseSerializer(serializers.Serializer):
    """A release's fields; the rest follow OCDS 1.1 and the extensions (see procurement/ocds.py). A
    framework's amendment releases hold only what the amendment changed."""

    ocid = serializers.CharField()
    id = serializers.CharField()
    date = serializers.DateTimeField()
    tag = serializers.ListField(child=serializers.CharField())
    initiationType = serializers.CharField()
    parties = serializers.ListField(child=serializers.DictField(), required=False)
    buyer = serializers.DictField(required=False)
    tender = serializers.DictField(required=False)
    awards = serializers.ListField(child=serializers.DictField(), required=False)
    contracts = serializers.ListField(child=serializers.DictField())
    relatedProcesses = serializers.ListField(child=serializers.DictField(), required=False)


class OcdsReleasePackageSerializer(serializers.Serializer):
    uri = serializers.CharField()
    version = serializers.CharField()
    extensions = serializers.ListField(
        child=serializers.URLField(), help_text="The extensions' extension.json URLs."
    )
    publishedDate = serializers.DateTimeField()
    publisher = OcdsPublisherSerializer()
    releases = OcdsReleaseSerializer(many=True)
