"""Pledges API serializers.

Output serializers are read-only through and through: a plan's nation, status, reviewer and
versions change only through the workflow actions, so they are simply not inputs. ``*Write``
serializers only parse and type-check what a client may send; the services hold the rules.

A reader sees only the parts of a plan their role is granted: NSPA reads a submitted plan's
capacity lines, not its narrative, investments, measures or review comments. Those parts are
``null`` for them (hidden), never an empty list (which would say "none").
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from pledges.choices import Commitment, InvestmentKind, MeasureStatus, PlanStatus
from pledges.models import (
    CapacityLine,
    Investment,
    Measure,
    NationalPlan,
    PlanCycle,
    PlanSection,
    PlanVersion,
    ReviewComment,
)
from portal.api.serializers import ErrorSerializer
from portal.permissions import VIEW, may
from procurement import selectors as procurement_selectors
from procurement.models import Item

MAX_OUTPUT = 2**63 - 1  # PositiveBigIntegerField
MAX_SMALL = 32767  # PositiveSmallIntegerField
YEAR = {"min_value": 2000, "max_value": 2100}


def _enum(choices, name: str, type_: str = "string"):
    """A choice field whose enum is its own schema component, named after its choices class:
    several models have a ``status`` or ``kind`` field with different choices."""

    @extend_schema_field({"type": type_, "enum": [value for value, _label in choices]}, component_name=name)
    class EnumField(serializers.ChoiceField):
        def __init__(self, **kwargs):
            super().__init__(choices=choices, **kwargs)

    EnumField.__name__ = name.removesuffix("Enum") + "Field"
    return EnumField


PlanStatusField = _enum(PlanStatus.choices, "PlanStatusEnum")
MeasureStatusField = _enum(MeasureStatus.choices, "MeasureStatusEnum")
InvestmentKindField = _enum(InvestmentKind.choices, "InvestmentKindEnum")
CommitmentField = _enum(Commitment.choices, "CommitmentEnum", "integer")
EntryKindField = _enum([(k, k) for k in ("capacityline", "investment", "measure")], "PlanEntryKindEnum")
LineTagField = _enum([(t, t) for t in ("equal", "insert", "delete", "replace")], "DiffLineTagEnum")
EntryChangeField = _enum([(s, s) for s in ("added", "removed", "changed", "unchanged")], "EntryChangeEnum")


def username_field() -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)


# --- Errors (for the schema) ------------------------------------------------------------------


class StateConflictSerializer(ErrorSerializer):
    """A transition or edit refused because of the plan's state (or a lost race)."""

    status = serializers.CharField(required=False, help_text="The plan's state now.")
    allowed_from = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="The states this action starts from."
    )


class SectionTextSerializer(serializers.Serializer):
    narrative = serializers.CharField()
    version = serializers.IntegerField()


class SectionConflictSerializer(StateConflictSerializer):
    """A stale section save: what changed since the client's version, by whom, and the current
    text, so the client can merge its own text with it."""

    current_version = serializers.IntegerField(required=False)
    changed_fields = serializers.ListField(child=serializers.CharField(), required=False)
    changed_by = serializers.ListField(child=serializers.CharField(), required=False)
    current = SectionTextSerializer(required=False)


# --- Cycles ---------------------------------------------------------------------------------


class CycleSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanCycle
        fields = ["year", "due_date"]
        read_only_fields = fields


class CycleWriteSerializer(serializers.Serializer):
    year = serializers.IntegerField(**YEAR)
    due_date = serializers.DateField()


# --- Plan content ---------------------------------------------------------------------------


class SectionSerializer(serializers.ModelSerializer):
    commitment = CommitmentField(read_only=True)
    title = serializers.CharField(source="get_commitment_display", read_only=True)

    class Meta:
        model = PlanSection
        fields = ["commitment", "title", "narrative", "version", "updated_at"]
        read_only_fields = fields


class SectionWriteSerializer(serializers.Serializer):
    narrative = serializers.CharField(max_length=50_000, allow_blank=True, trim_whitespace=False)
    version = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, help_text="The section's version the client last read."
    )


ENTRY_BASE = ["id", "key", "commitment", "illustrative"]


class CapacityLineSerializer(serializers.ModelSerializer):
    commitment = CommitmentField(read_only=True)
    item_code = serializers.CharField(source="item.code", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)

    class Meta:
        model = CapacityLine
        fields = [
            *ENTRY_BASE, "item", "item_code", "item_name", "site", "baseline_output", "baseline_year",
            "current_output", "target_output", "target_year", "surge_capacity", "lead_time_months",
        ]  # fmt: skip
        read_only_fields = fields


class InvestmentSerializer(serializers.ModelSerializer):
    commitment = CommitmentField(read_only=True)
    kind = InvestmentKindField(read_only=True)

    class Meta:
        model = Investment
        fields = [*ENTRY_BASE, "description", "kind", "value", "currency", "year"]
        read_only_fields = fields


class MeasureSerializer(serializers.ModelSerializer):
    commitment = CommitmentField(read_only=True)
    status = MeasureStatusField(read_only=True)

    class Meta:
        model = Measure
        fields = [*ENTRY_BASE, "title", "status", "due_date"]
        read_only_fields = fields


class CommentSerializer(serializers.ModelSerializer):
    commitment = CommitmentField(read_only=True, allow_null=True, help_text="null: on the plan as a whole.")
    author = username_field()

    class Meta:
        model = ReviewComment
        fields = ["id", "commitment", "text", "author", "created_at"]
        read_only_fields = fields


class VisibleItemField(serializers.PrimaryKeyRelatedField):
    """A catalogue item the requesting user may see, by id."""

    def get_queryset(self):
        return procurement_selectors.item_list(user=self.context["request"].user)


class EntryWriteSerializer(serializers.Serializer):
    commitment = CommitmentField()


class CapacityLineWriteSerializer(EntryWriteSerializer):
    item = VisibleItemField(queryset=Item.objects.all())
    site = serializers.CharField(max_length=200)
    baseline_output = serializers.IntegerField(min_value=0, max_value=MAX_OUTPUT)
    baseline_year = serializers.IntegerField(**YEAR)
    current_output = serializers.IntegerField(min_value=0, max_value=MAX_OUTPUT)
    target_output = serializers.IntegerField(min_value=0, max_value=MAX_OUTPUT)
    target_year = serializers.IntegerField(**YEAR)
    surge_capacity = serializers.IntegerField(min_value=0, max_value=MAX_OUTPUT, required=False)
    lead_time_months = serializers.IntegerField(min_value=0, max_value=240)


class InvestmentWriteSerializer(EntryWriteSerializer):
    description = serializers.CharField(max_length=300)
    kind = InvestmentKindField()
    value = serializers.DecimalField(max_digits=18, decimal_places=2, min_value=0)
    currency = serializers.RegexField(r"^[A-Z]{3}$", max_length=3, help_text="ISO 4217, e.g. EUR.")
    year = serializers.IntegerField(**YEAR)


class MeasureWriteSerializer(EntryWriteSerializer):
    title = serializers.CharField(max_length=300)
    status = MeasureStatusField(required=False)
    due_date = serializers.DateField(required=False, allow_null=True)


# Which model's VIEW grant each part of a version needs (NSPA: capacity lines only).
PART_MODELS = {
    "sections": PlanSection,
    "capacity_lines": CapacityLine,
    "investments": Investment,
    "measures": Measure,
    "comments": ReviewComment,
}


def hide_ungranted(data: dict, user, parts=PART_MODELS) -> dict:
    for name, model in parts.items():
        if name in data and not may(user, model, VIEW):
            data[name] = None
    return data


class VersionSerializer(serializers.ModelSerializer):
    """One version of the plan, as loaded by ``selectors.plan_content_get``; a part the user's role
    may not read is ``null``."""

    submitted_by = username_field()
    sections = SectionSerializer(many=True, read_only=True, allow_null=True)
    capacity_lines = CapacityLineSerializer(
        source="capacitylines", many=True, read_only=True, allow_null=True
    )
    investments = InvestmentSerializer(many=True, read_only=True, allow_null=True)
    measures = MeasureSerializer(many=True, read_only=True, allow_null=True)
    comments = CommentSerializer(
        many=True, read_only=True, allow_null=True, help_text="The reviewer's comments on this version."
    )

    class Meta:
        model = PlanVersion
        fields = [
            "number", "frozen", "submitted_at", "submitted_by", "created_at",
            "sections", "capacity_lines", "investments", "measures", "comments",
        ]  # fmt: skip
        read_only_fields = fields

    def to_representation(self, instance):
        return hide_ungranted(super().to_representation(instance), self.context["request"].user)


class VersionBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanVersion
        fields = ["number", "frozen", "submitted_at", "created_at"]
        read_only_fields = fields


# --- Plans ----------------------------------------------------------------------------------


class PlanSerializer(serializers.ModelSerializer):
    nation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    nation_name = serializers.CharField(source="nation.name", read_only=True)
    cycle = serializers.IntegerField(source="cycle.year", read_only=True)
    due_date = serializers.DateField(source="cycle.due_date", read_only=True)
    status = PlanStatusField(read_only=True)
    reviewer = username_field()

    class Meta:
        model = NationalPlan
        fields = [
            "id", "nation", "nation_name", "cycle", "due_date", "status", "overdue", "classification",
            "first_submitted_at", "submitted_at", "reviewer", "version", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class PlanDetailSerializer(PlanSerializer):
    """The plan with the version this user reads: the nation its working version, everyone else
    the latest submitted one. ``review_comments`` are the last review's comments (on the latest
    submitted version): what a director revising a returned plan works from."""

    shown_version = VersionSerializer(read_only=True, allow_null=True)
    review_comments = CommentSerializer(many=True, read_only=True, allow_null=True)

    class Meta(PlanSerializer.Meta):
        fields = [*PlanSerializer.Meta.fields, "shown_version", "review_comments"]
        read_only_fields = fields

    def to_representation(self, instance):
        return hide_ungranted(
            super().to_representation(instance),
            self.context["request"].user,
            {"review_comments": ReviewComment},
        )


class PlanCreateSerializer(serializers.Serializer):
    """Start the requesting director's own nation's plan for a cycle. The nation is not an input."""

    cycle = serializers.IntegerField(help_text="The cycle's year.", **YEAR)


class CommentWriteSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=10_000, allow_blank=True)
    commitment = CommitmentField(
        required=False, allow_null=True, help_text="The section commented on; null for the whole plan."
    )


class ReturnSerializer(serializers.Serializer):
    comments = CommentWriteSerializer(many=True, max_length=50)


class TransitionSerializer(serializers.Serializer):
    comment = serializers.CharField(
        max_length=10_000, allow_blank=True, required=False, help_text="Recorded in the audit trail."
    )


# --- Diff -----------------------------------------------------------------------------------


class DiffQuerySerializer(serializers.Serializer):
    """``?from=1&to=2``: version numbers of the plan (``from`` is a Python keyword)."""

    def get_fields(self):
        return {
            "from": serializers.IntegerField(min_value=1, max_value=MAX_SMALL, help_text="Older version."),
            "to": serializers.IntegerField(min_value=1, max_value=MAX_SMALL, help_text="Newer version."),
        }


class LinePairSerializer(serializers.Serializer):
    tag = LineTagField()
    old = serializers.CharField(allow_null=True)
    new = serializers.CharField(allow_null=True)


class SectionDiffSerializer(serializers.Serializer):
    commitment = CommitmentField()
    title = serializers.CharField()
    changed = serializers.BooleanField()
    rows = LinePairSerializer(many=True)


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.CharField()
    new = serializers.CharField()


class EntryDiffSerializer(serializers.Serializer):
    kind = EntryKindField()
    label = serializers.CharField()
    status = EntryChangeField()
    changes = FieldChangeSerializer(many=True)
    old = serializers.DictField(child=serializers.CharField(), allow_null=True)
    new = serializers.DictField(child=serializers.CharField(), allow_null=True)


class VersionDiffSerializer(serializers.Serializer):
    """Sections (side-by-side rows) and entries (paired across versions, field by field)."""

    old = serializers.IntegerField(source="old.number", help_text="The older version's number.")
    new = serializers.IntegerField(source="new.number", help_text="The newer version's number.")
    old_cycle = serializers.IntegerField(source="old.plan.cycle.year", help_text="The older version's cycle.")
    new_cycle = serializers.IntegerField(source="new.plan.cycle.year", help_text="The newer version's cycle.")
    sections = SectionDiffSerializer(many=True)
    entries = EntryDiffSerializer(many=True)
