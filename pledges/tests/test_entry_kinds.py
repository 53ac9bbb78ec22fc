"""The entry kinds have one registry, ``pledges.models.ENTRY_KINDS``; every layer's per-kind table
is keyed on its models, so a kind added there and forgotten in a layer fails here, not in use."""

from __future__ import annotations

from django.urls import reverse

from pledges.api.views.plans import ENTRY_SERIALIZERS
from pledges.forms import ENTRY_FORMS
from pledges.models import ENTRY_KINDS, PlanVersion
from pledges.views.editor import ENTRY_TABLES
from pledges.views.review import KIND_LABELS


def test_every_layer_covers_exactly_the_registry():
    kinds = set(ENTRY_KINDS.values())
    assert list(ENTRY_KINDS) == ["capacityline", "investment", "measure"]
    for table in (ENTRY_FORMS, ENTRY_TABLES, ENTRY_SERIALIZERS, KIND_LABELS):
        assert set(table) == kinds
    for name, form in ENTRY_FORMS.items():
        assert form.entry_kind == name.entry_kind


def test_each_kind_names_real_fields_and_relations():
    relations = {rel.get_accessor_name() for rel in PlanVersion._meta.related_objects}
    for kind, model in ENTRY_KINDS.items():
        assert kind == model._meta.model_name
        assert model.entry_related in relations
        for name in (*model.shown_fields, *model.entry_select):
            model._meta.get_field(name)
        for name in model.entry_ordering:
            if name != "pk":
                model._meta.get_field(name.split("__")[0])


def test_each_kind_has_its_editor_urls_and_api_paths():
    for kind in ENTRY_KINDS:
        assert (
            reverse("pledges:entry-add", kwargs={"pk": 1, "kind": kind})
            == f"/pledges/plans/1/entries/{kind}/"
        )
        assert reverse(f"pledges-api:plan-entries-{kind}", kwargs={"pk": 1}).endswith(f"/entries/{kind}/")
        assert reverse(f"pledges-api:plan-entry-{kind}", kwargs={"pk": 1, "entry_id": 2}).endswith(
            f"/entries/{kind}/2/"
        )
