"""Boards API serializers.

Input and output are separate, as in the other apps' APIs: ``*Write`` serializers only parse and
type-check what a client may send (the services hold the rules, and their field messages become
the 400); output serializers are read-only through and through, so a bookkeeping field (``version``,
``agenda_version``, ``score``, who drafted or approved) is never an input. Related rows are given by
id and must be rows the requesting user may see (the same "does not exist" as a missing one).
"""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from boards import selectors
from boards.choices import (
    ActionStatus,
    BodyKind,
    MeetingStatus,
    MemberRole,
    MinutesState,
    Presence,
    RecommendationState,
    RiskStatus,
    RiskType,
    Tier,
)
from boards.documents import DocumentKind
from boards.models import (
    ActionItem,
    AgendaItem,
    Attendance,
    Body,
    Document,
    Meeting,
    Membership,
    Minutes,
    Recommendation,
    Risk,
)
from pledges.models import PlanCycle
from pledges.selectors import cycle_list
from portal.api.fields import LONG_TEXT, OptionalFieldsMixin, enum_field, username_field, version_field
from portal.api.serializers import ErrorSerializer
from portal.models import User
from portal.pdf import DEFAULT_CLASSIFICATION
from procurement import selectors as procurement_selectors
from procurement.api.serializers import NationCodeField, ScopedPrimaryKeyRelatedField, scoped
from procurement.models import FrameworkContract, Item

# The minutes of a long meeting, but not a book.
MINUTES_TEXT = 100_000
# No agenda is longer than this; the reorder body names every item once.
MAX_AGENDA = 500
SCALE = {"min_value": 1, "max_value": 5}

BodyKindField = enum_field(BodyKind)
MemberRoleField = enum_field(MemberRole)
MeetingStatusField = enum_field(MeetingStatus)
PresenceField = enum_field(Presence)
MinutesStateField = enum_field(MinutesState)
ActionStatusField = enum_field(ActionStatus)
RecommendationStateField = enum_field(RecommendationState)
TierField = enum_field(Tier)
RiskTypeField = enum_field(RiskType)
RiskStatusField = enum_field(RiskStatus)
DocumentKindField = enum_field(DocumentKind)


def people_visible(*, user):
    """Who may be named as a presenter, an attendee or an owner: the reader, and the people whose
    seats the reader may see."""
    seats = selectors.membership_list(user=user).order_by().values("user")
    return User.objects.filter(Q(pk__in=seats) | Q(pk=user.pk)).order_by("pk")


def person(**kwargs) -> ScopedPrimaryKeyRelatedField:
    kwargs.setdefault("help_text", "A user's id: someone whose seat on a body you may see, or yourself.")
    return scoped(User, people_visible, **kwargs)


def label_of(user) -> str:
    return user.get_full_name() or user.get_username()


# --- Errors (for the schema) ------------------------------------------------------------------


class RecommendationConflictSerializer(ErrorSerializer):
    """A recommendation write refused because of its state (``state``, ``allowed_from``), or a
    stale ``version`` (what changed since, and by whom)."""

    state = serializers.CharField(required=False, help_text="The state it is in now.")
    allowed_from = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="The states this action starts from."
    )
    current_version = serializers.IntegerField(required=False)
    changed_fields = serializers.ListField(child=serializers.CharField(), required=False)
    changed_by = serializers.ListField(child=serializers.CharField(), required=False)


class MinutesConflictSerializer(ErrorSerializer):
    """Minutes already approved (``state``, ``approved_at_meeting``), a later version to correct
    instead (``current_version_number``), or a stale ``version`` (what changed since, and by whom)."""

    state = serializers.CharField(required=False, help_text="The state of the minutes now.")
    current_version = serializers.IntegerField(required=False)
    changed_fields = serializers.ListField(child=serializers.CharField(), required=False)
    changed_by = serializers.ListField(child=serializers.CharField(), required=False)
    approved_at_meeting = serializers.IntegerField(required=False, allow_null=True)
    current_version_number = serializers.IntegerField(required=False)


class AgendaEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    title = serializers.CharField()


class AgendaConflictSerializer(ErrorSerializer):
    """Someone changed the agenda since the client read ``agenda_version``: its order now."""

    current_agenda_version = serializers.IntegerField()
    agenda = AgendaEntrySerializer(many=True)


# --- Bodies and seats -------------------------------------------------------------------------


class MembershipSerializer(serializers.ModelSerializer):
    body_code = serializers.CharField(source="body.code", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    name = serializers.SerializerMethodField()
    role = MemberRoleField(read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "body", "body_code", "user", "username", "name", "role", "from_date", "to_date"]
        read_only_fields = fields

    def get_name(self, seat: Membership) -> str:
        return label_of(seat.user)


class BodySerializer(serializers.ModelSerializer):
    kind = BodyKindField(read_only=True)
    chair = username_field()
    parent_code = serializers.CharField(source="parent.code", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Body
        fields = [
            "id",
            "code",
            "kind",
            "name",
            "name_fr",
            "parent",
            "parent_code",
            "mandate",
            "chair",
            "starts_on",
            "ends_on",
            "keeps_risk_register",
            "version",
        ]
        read_only_fields = fields


class BodyDetailSerializer(BodySerializer):
    memberships = MembershipSerializer(
        many=True,
        read_only=True,
        source="visible_memberships",
        help_text="The seats you may see (none for a reader who may not see members).",
    )

    class Meta(BodySerializer.Meta):
        fields = [*BodySerializer.Meta.fields, "memberships"]
        read_only_fields = fields


# --- Meetings ---------------------------------------------------------------------------------


class MeetingSerializer(serializers.ModelSerializer):
    body_code = serializers.CharField(source="body.code", read_only=True)
    status = MeetingStatusField(read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "body",
            "body_code",
            "title",
            "starts_at",
            "ends_at",
            "time_zone",
            "location",
            "virtual",
            "status",
            "classification",
            "illustrative",
            "agenda_version",
            "version",
        ]
        read_only_fields = fields


class AgendaItemSerializer(serializers.ModelSerializer):
    presenter_username = serializers.CharField(
        source="presenter.username", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = AgendaItem
        fields = ["id", "meeting", "position", "title", "presenter", "presenter_username", "notes"]
        read_only_fields = fields


class AttendanceSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    presence = PresenceField(read_only=True)

    class Meta:
        model = Attendance
        fields = ["id", "meeting", "user", "username", "presence"]
        read_only_fields = fields


class MinutesSerializer(serializers.ModelSerializer):
    state = MinutesStateField(read_only=True)
    drafted_by = username_field()
    approved_by = username_field()

    class Meta:
        model = Minutes
        fields = [
            "id",
            "meeting",
            "number",
            "text",
            "state",
            "corrects",
            "correction_reason",
            "drafted_by",
            "approved_at_meeting",
            "approved_by",
            "approved_on",
            "updated_at",
            "version",
        ]
        read_only_fields = fields


class DocumentSerializer(serializers.ModelSerializer):
    kind = DocumentKindField(read_only=True)
    uploaded_by = username_field()
    download = serializers.SerializerMethodField(help_text="Where to download the file (an attachment).")

    class Meta:
        model = Document
        fields = [
            "id",
            "meeting",
            "agenda_item",
            "title",
            "original_name",
            "kind",
            "content_type",
            "size",
            "sha256",
            "uploaded_by",
            "uploaded_at",
            "download",
        ]
        read_only_fields = fields

    def get_download(self, document: Document) -> str:
        return reverse("boards-api:document-download", kwargs={"pk": document.pk})


class MeetingDetailSerializer(MeetingSerializer):
    """A meeting with what its page shows, each part as far as the reader may see it."""

    agenda = AgendaItemSerializer(source="agenda_items", many=True, read_only=True)
    attendance = AttendanceSerializer(many=True, read_only=True)
    documents = DocumentSerializer(many=True, read_only=True)
    minutes = MinutesSerializer(many=True, read_only=True, help_text="Every version you may read.")

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "agenda", "attendance", "documents", "minutes"]
        read_only_fields = fields


class MeetingValuesSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    starts_at = serializers.DateTimeField(help_text="ISO 8601 with its offset; stored in UTC.")
    ends_at = serializers.DateTimeField()
    time_zone = serializers.CharField(
        max_length=64, required=False, help_text="Where it sits (IANA), e.g. Europe/Brussels."
    )
    location = serializers.CharField(max_length=200, allow_blank=True, required=False)
    virtual = serializers.BooleanField(required=False)
    status = MeetingStatusField(required=False)
    classification = serializers.CharField(
        max_length=60, required=False, help_text="The marking on every page of the minutes' PDF."
    )

    def validate_classification(self, value: str) -> str:
        return value.strip() or DEFAULT_CLASSIFICATION


class MeetingWriteSerializer(MeetingValuesSerializer):
    body = scoped(Body, selectors.body_list)
    illustrative = serializers.BooleanField(required=False)


class MeetingUpdateSerializer(OptionalFieldsMixin, MeetingValuesSerializer):
    version = version_field()


class AgendaItemWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    presenter = person(allow_null=True, required=False)
    notes = serializers.CharField(max_length=LONG_TEXT, allow_blank=True, required=False)
    agenda_version = version_field(
        required=False,
        help_text="The agenda version the client last read: 409 when someone changed the agenda since.",
    )


class AgendaItemUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300, required=False)
    presenter = person(allow_null=True, required=False)
    notes = serializers.CharField(max_length=LONG_TEXT, allow_blank=True, required=False)


class AgendaVersionQuerySerializer(serializers.Serializer):
    agenda_version = version_field(
        required=False,
        help_text="The agenda version the client last read: 409 when someone changed the agenda since.",
    )


class AgendaReorderSerializer(serializers.Serializer):
    order = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        max_length=MAX_AGENDA,
        help_text="Every item's id, each once, in the new order.",
    )
    agenda_version = version_field(
        help_text="The agenda version the client last read: 409, with the order now, when someone "
        "changed the agenda since."
    )


class AgendaSerializer(serializers.Serializer):
    """A meeting's agenda after a change, and its new version."""

    agenda_version = serializers.IntegerField()
    agenda = AgendaItemSerializer(many=True)


class AttendanceWriteSerializer(serializers.Serializer):
    user = person()
    presence = PresenceField()


# --- Minutes ----------------------------------------------------------------------------------


class MinutesDraftSerializer(serializers.Serializer):
    meeting = scoped(Meeting, selectors.meeting_list, help_text="A meeting that has begun.")
    text = serializers.CharField(max_length=MINUTES_TEXT)


class MinutesUpdateSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=MINUTES_TEXT)
    version = version_field()


class MinutesApproveSerializer(serializers.Serializer):
    at_meeting = scoped(
        Meeting, selectors.meeting_list, help_text="The later meeting of the same body that approved them."
    )
    version = version_field()


class MinutesCorrectSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=MINUTES_TEXT, help_text="The corrected minutes, in full.")
    reason = serializers.CharField(max_length=2000, help_text="What the correction changes, and why.")


# --- Documents --------------------------------------------------------------------------------


class DocumentUploadSerializer(serializers.Serializer):
    """A document for the meeting of the URL."""

    agenda_item = scoped(
        AgendaItem,
        selectors.agenda_item_list,
        allow_null=True,
        required=False,
        help_text="An item of the same meeting's agenda; leave it out for the meeting itself.",
    )
    title = serializers.CharField(
        max_length=200, allow_blank=True, required=False, help_text="The file's name when left out."
    )
    file = serializers.FileField(
        max_length=255,
        allow_empty_file=True,
        help_text="PDF, Word (.docx) or Excel (.xlsx); checked by its content, whatever its name says.",
    )


# --- Actions and recommendations --------------------------------------------------------------


class ActionSerializer(serializers.ModelSerializer):
    body_code = serializers.CharField(source="body.code", read_only=True)
    owner_username = serializers.CharField(
        source="owner_user.username", read_only=True, allow_null=True, default=None
    )
    owner_nation = NationCodeField(read_only=True, allow_null=True)
    owner_label = serializers.CharField(read_only=True, help_text="The person, or the nation.")
    status = ActionStatusField(read_only=True)
    overdue = serializers.BooleanField(
        source="is_overdue", read_only=True, help_text="Open and past its due date today."
    )

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "body",
            "body_code",
            "meeting",
            "agenda_item",
            "is_decision",
            "text",
            "owner_user",
            "owner_username",
            "owner_nation",
            "owner_label",
            "due_on",
            "status",
            "overdue",
            "overdue_since",
            "illustrative",
            "created_at",
            "version",
        ]
        read_only_fields = fields


class ActionValuesSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=4000)
    is_decision = serializers.BooleanField(required=False)
    owner_user = person(allow_null=True, required=False)
    owner_nation = NationCodeField(
        allow_null=True, required=False, help_text="ISO 3166-1 alpha-3 code: the nation that owns it."
    )
    due_on = serializers.DateField()
    agenda_item = scoped(
        AgendaItem,
        selectors.agenda_item_list,
        allow_null=True,
        required=False,
        help_text="The item of the deciding meeting's agenda it was decided under.",
    )


class ActionWriteSerializer(ActionValuesSerializer):
    body = scoped(Body, selectors.body_list)
    meeting = scoped(
        Meeting,
        selectors.meeting_list,
        allow_null=True,
        required=False,
        help_text="The meeting that decided it.",
    )


class ActionUpdateSerializer(OptionalFieldsMixin, ActionValuesSerializer):
    status = ActionStatusField()
    version = version_field()


class RecommendationSerializer(serializers.ModelSerializer):
    body_code = serializers.CharField(source="body.code", read_only=True)
    state = RecommendationStateField(read_only=True)

    class Meta:
        model = Recommendation
        fields = [
            "id",
            "body",
            "body_code",
            "title",
            "text",
            "state",
            "endorsed_on",
            "submitted_on",
            "decided_on",
            "decision_note",
            "illustrative",
            "created_at",
            "version",
        ]
        read_only_fields = fields


class RecommendationWriteSerializer(serializers.Serializer):
    body = scoped(Body, selectors.body_list, help_text="The working group that drafts it.")
    title = serializers.CharField(max_length=200)
    text = serializers.CharField(max_length=LONG_TEXT)


class RecommendationUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    text = serializers.CharField(max_length=LONG_TEXT, required=False)
    version = version_field()


class RecommendationMoveSerializer(serializers.Serializer):
    to = RecommendationStateField(
        help_text="endorsed (the Board), submitted (to CNAD), noted, approved or returned (CNAD's "
        "answer, recorded by the secretariat), or drafted (back to the working group)."
    )
    note = serializers.CharField(
        max_length=4000, allow_blank=True, required=False, help_text="CNAD's note; required to return it."
    )
    on = serializers.DateField(required=False, help_text="Today when left out; never in the future.")
    version = version_field()


# --- The risk register ------------------------------------------------------------------------


class RiskSerializer(serializers.ModelSerializer):
    body_code = serializers.CharField(source="body.code", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True, allow_null=True, default=None)
    tier = TierField(read_only=True)
    risk_type = RiskTypeField(read_only=True)
    status = RiskStatusField(read_only=True)
    score = serializers.IntegerField(read_only=True, help_text="Likelihood times impact (1 to 25).")
    owner_username = serializers.CharField(
        source="owner.username", read_only=True, allow_null=True, default=None
    )
    frameworks = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="The dependent frameworks you may see."
    )
    dependent_items = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Risk
        fields = [
            "id",
            "body",
            "body_code",
            "title",
            "item",
            "item_name",
            "component",
            "tier",
            "supplier",
            "supplier_country",
            "risk_type",
            "likelihood",
            "impact",
            "score",
            "frameworks",
            "dependent_items",
            "owner",
            "owner_username",
            "mitigation",
            "status",
            "review_on",
            "sensitive",
            "illustrative",
            "updated_at",
            "version",
        ]
        read_only_fields = fields


class RiskValuesSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    item = scoped(Item, procurement_selectors.item_list, allow_null=True, required=False)
    component = serializers.CharField(max_length=200, allow_blank=True, required=False)
    tier = TierField()
    supplier = serializers.CharField(max_length=200)
    supplier_country = serializers.CharField(
        max_length=3, help_text="ISO 3166-1 alpha-3 code of the supplier's country, e.g. DEU."
    )
    risk_type = RiskTypeField()
    likelihood = serializers.IntegerField(**SCALE, help_text="1 (rare) to 5 (almost certain).")
    impact = serializers.IntegerField(**SCALE, help_text="1 (minor) to 5 (severe).")
    frameworks = scoped(FrameworkContract, procurement_selectors.framework_list, many=True, required=False)
    dependent_items = scoped(Item, procurement_selectors.item_list, many=True, required=False)
    owner = person(allow_null=True, required=False)
    mitigation = serializers.CharField(max_length=LONG_TEXT, allow_blank=True, required=False)
    status = RiskStatusField(required=False)
    review_on = serializers.DateField()
    sensitive = serializers.BooleanField(
        required=False, help_text="Read only by the secretariat and the register's working group."
    )


class RiskWriteSerializer(RiskValuesSerializer):
    body = scoped(Body, selectors.body_list, help_text="The body that keeps the register (working group 2).")


class RiskUpdateSerializer(OptionalFieldsMixin, RiskValuesSerializer):
    version = version_field()


class HeatCellSerializer(serializers.Serializer):
    likelihood = serializers.IntegerField(**SCALE)
    impact = serializers.IntegerField(**SCALE)
    count = serializers.IntegerField(min_value=0)


class HeatMapSerializer(serializers.Serializer):
    """The 5 x 5 counts of the risks you may see (and the filters select): likelihood 5 first,
    impact 1 to 5 within each."""

    total = serializers.IntegerField(min_value=0)
    cells = HeatCellSerializer(many=True)


# --- The industrial capacity view -------------------------------------------------------------


class CapacityQuerySerializer(serializers.Serializer):
    cycle = scoped(
        PlanCycle, cycle_list, required=False, help_text="The plan cycle's id; the latest when left out."
    )
    item = scoped(Item, procurement_selectors.item_list, required=False)
    year_from = serializers.IntegerField(min_value=1949, max_value=2100, required=False)
    year_to = serializers.IntegerField(min_value=1949, max_value=2100, required=False)


class CapacityRowSerializer(serializers.Serializer):
    """One item in one year. A null figure is withheld from you: built from fewer nations than the
    disclosure rule allows."""

    item = serializers.IntegerField(source="item.pk")
    item_code = serializers.CharField(source="item.code")
    item_name = serializers.CharField(source="item.name")
    unit = serializers.CharField(source="item.unit")
    year = serializers.IntegerField()
    demanded = serializers.IntegerField(allow_null=True)
    firm = serializers.IntegerField(allow_null=True)
    contracted_max = serializers.IntegerField()
    ordered = serializers.IntegerField(allow_null=True)
    delivered = serializers.IntegerField(allow_null=True)
    capacity = serializers.IntegerField(allow_null=True)
    surge = serializers.IntegerField(allow_null=True)
    gap = serializers.IntegerField(
        allow_null=True, help_text="Demand less capacity; null unless both are shown."
    )
    nations = serializers.IntegerField()
    capacity_nations = serializers.IntegerField()


class CapacityViewSerializer(serializers.Serializer):
    cycle = serializers.SerializerMethodField(help_text="The plan cycle's year; null when there is none yet.")
    year_from = serializers.SerializerMethodField()
    year_to = serializers.SerializerMethodField()
    withheld = serializers.IntegerField(help_text="How many figures are withheld from you.")
    minimum = serializers.IntegerField(help_text="The fewest nations a figure you see is built from.")
    rows = CapacityRowSerializer(many=True)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_cycle(self, view) -> int | None:
        return view.cycle.year if view.cycle is not None else None

    def get_year_from(self, view) -> int:
        return view.years.start

    def get_year_to(self, view) -> int:
        return view.years.stop - 1
