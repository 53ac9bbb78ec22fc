"""Serializers of the expenditure datasets, national returns and DIP metrics API.

Output serializers are read-only. A return's nation and status are never inputs: the nation is the
director's own and the status moves only through ``submit``. Input serializers type-check what a
client may send (limits from the model fields); the services hold the rules (shares adding up to
more than 100%, a duplicate year, a zero GDP).
"""

from __future__ import annotations

from rest_framework import serializers

from pledges.api.serializers.plans import StateConflictSerializer, _enum, username_field
from pledges.choices import DatasetSource, DatasetStatus
from pledges.models import (
    AMOUNT_FIELDS,
    PUBLISHED_FIELDS,
    SHARE_FIELDS,
    YEAR_MAX,
    YEAR_MIN,
    DipMetric,
    ExpenditureDataset,
    ExpenditureRecord,
)

DatasetSourceField = _enum(DatasetSource.choices, "DatasetSourceEnum")
DatasetStatusField = _enum(DatasetStatus.choices, "DatasetStatusEnum")
DIP_YEAR = {"min_value": YEAR_MIN, "max_value": YEAR_MAX}
MAX_VERSION = 2**31 - 1


def nation_code_field() -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)


# --- Datasets --------------------------------------------------------------------------------


class ExpenditureDatasetSerializer(serializers.ModelSerializer):
    source = DatasetSourceField(read_only=True)
    status = DatasetStatusField(read_only=True)
    nation = nation_code_field()
    submitted_by = username_field()
    records_count = serializers.IntegerField(read_only=True, help_text="Nation-years in the dataset.")

    class Meta:
        model = ExpenditureDataset
        fields = [
            "id", "source", "title", "edition_year", "price_base_year", "currency_basis", "published_on",
            "notes", "nation", "status", "is_reference", "records_count", "inputs_changed_at",
            "submitted_at", "submitted_by", "version", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class ReturnCreateSerializer(serializers.Serializer):
    """Open the requesting director's own nation's return for a year (a draft)."""

    edition_year = serializers.IntegerField(help_text="The year the return is filed for.", **DIP_YEAR)
    price_base_year = serializers.IntegerField(
        help_text="Constant-price amounts are in this year's prices.", **DIP_YEAR
    )
    notes = serializers.CharField(max_length=10_000, allow_blank=True, required=False, default="")


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, max_value=MAX_VERSION, help_text="The version the client last read."
    )


class RecordConflictSerializer(StateConflictSerializer):
    """A stale ``version`` (what changed since, and by whom) or a return no longer in draft."""

    current_version = serializers.IntegerField(required=False)
    changed_fields = serializers.ListField(child=serializers.CharField(), required=False)
    changed_by = serializers.ListField(child=serializers.CharField(), required=False)


# --- Records ---------------------------------------------------------------------------------


class ExpenditureRecordSerializer(serializers.ModelSerializer):
    nation = nation_code_field()
    updated_by = username_field()

    class Meta:
        model = ExpenditureRecord
        fields = [
            "id", "dataset", "nation", "year", "is_estimate", "currency", *AMOUNT_FIELDS, *SHARE_FIELDS,
            *PUBLISHED_FIELDS, "version", "updated_at", "updated_by",
        ]  # fmt: skip
        read_only_fields = fields


def _amount(help_text: str) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=18, decimal_places=2, min_value=0, required=False, allow_null=True, help_text=help_text
    )


def _share(help_text: str) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
        required=False,
        allow_null=True,
        help_text=help_text,
    )


class RecordInputSerializer(serializers.Serializer):
    """One year's inputs (amounts in millions; shares in % of defence expenditure)."""

    year = serializers.IntegerField(**DIP_YEAR)
    is_estimate = serializers.BooleanField(required=False)
    currency = serializers.CharField(
        max_length=3, allow_blank=True, required=False, help_text="ISO 4217 code of def_nc_current_m."
    )

    def get_fields(self):
        fields = super().get_fields()
        for name in AMOUNT_FIELDS:
            fields[name] = _amount(str(ExpenditureRecord._meta.get_field(name).help_text))
        for name in SHARE_FIELDS:
            fields[name] = _share(str(ExpenditureRecord._meta.get_field(name).help_text))
        return fields


class RecordUpdateSerializer(RecordInputSerializer):
    """The fields to change (all optional) and the record's ``version`` as last read."""

    year = serializers.IntegerField(required=False, **DIP_YEAR)
    version = serializers.IntegerField(
        min_value=1, max_value=MAX_VERSION, help_text="The record's version the client last read."
    )


class RecordDeleteQuerySerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1,
        max_value=MAX_VERSION,
        required=False,
        help_text="The record's version the client last read (recommended: a stale one is a 409).",
    )


# --- Metrics ---------------------------------------------------------------------------------


class DipMetricSerializer(serializers.ModelSerializer):
    nation = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text="Null for an aggregate."
    )

    class Meta:
        model = DipMetric
        fields = [
            "dataset", "subject", "nation", "year", "is_estimate", "nations_count", "pct_gdp",
            "equipment_pct", "real_change_pct", "meets_2pct", "meets_20pct", "hague_core_pct",
            "hague_gap_pct", "hague_related_pct", "path_base_year", "path_pct", "on_track", "stale",
            "computed_at", "input_watermark", "published_pct_gdp", "computed_pct_gdp",
            "published_equipment_pct", "computed_equipment_pct", "reconcile",
        ]  # fmt: skip
        read_only_fields = fields
