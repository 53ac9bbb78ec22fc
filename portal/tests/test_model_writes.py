"""``portal.services.model_create`` and ``model_update``: the one way every app's services save a
new or changed row with its audit record. Exercised through real services of two apps."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.choices import AuditAction
from portal.models import ObjectChange
from portal.services import model_update
from procurement import services
from procurement.models import FrameworkContract, Programme, Supplier
from procurement.tests.factories import make_framework

pytestmark = pytest.mark.django_db


def trail(obj) -> list[ObjectChange]:
    # By type too: on SQLite a supplier and a framework of one test often share an id.
    content_type = ContentType.objects.get_for_model(obj)
    return list(ObjectChange.objects.filter(content_type=content_type, object_id=str(obj.pk)).order_by("pk"))


def test_create_validates_saves_and_audits(nspa):
    supplier = services.supplier_create(actor=nspa, name="Nammo", country="NOR")
    [change] = trail(supplier)
    assert change.action == AuditAction.CREATE
    assert change.actor == nspa
    assert change.after["name"] == "Nammo"
    with pytest.raises(ValidationError) as excinfo:
        services.supplier_create(actor=nspa, name="", country="NOR")
    assert "name" in excinfo.value.message_dict
    assert Supplier.objects.filter(name="").count() == 0


def test_update_records_before_and_after_and_bumps_the_version(nspa):
    framework = make_framework(actor=nspa)
    before = framework.version
    services.framework_update(actor=nspa, framework=framework, expected_version=before, notes="Lot 2 added")
    framework.refresh_from_db()
    assert framework.version == before + 1
    change = trail(framework)[-1]
    assert change.action == AuditAction.UPDATE
    assert change.after["notes"] == "Lot 2 added"
    assert change.before["notes"] != "Lot 2 added"


def test_an_update_that_changes_nothing_writes_nothing(nspa):
    framework = make_framework(actor=nspa)
    version, changes = framework.version, len(trail(framework))
    services.framework_update(
        actor=nspa, framework=framework, expected_version=version, notes=framework.notes
    )
    services.framework_update(actor=nspa, framework=framework, expected_version=version)
    framework.refresh_from_db()
    assert framework.version == version
    assert len(trail(framework)) == changes


def test_a_changed_supplier_set_is_still_an_audited_update(nspa):
    framework = make_framework(actor=nspa)
    version, changes = framework.version, len(trail(framework))
    supplier = services.supplier_create(actor=nspa, name="Rheinmetall", country="DEU")
    services.framework_update(actor=nspa, framework=framework, expected_version=version, suppliers=[supplier])
    framework.refresh_from_db()
    assert framework.version == version + 1
    assert len(trail(framework)) == changes + 1
    assert list(framework.suppliers.all()) == [supplier]
    # The same set again is no change.
    services.framework_update(
        actor=nspa, framework=framework, expected_version=version + 1, suppliers=[supplier]
    )
    framework.refresh_from_db()
    assert framework.version == version + 1


def test_an_unchanged_foreign_key_is_compared_by_id_without_a_query(nspa):
    programme = Programme.objects.create(code="P-1", name="Ammunition", kind="programme")
    framework = make_framework(actor=nspa)
    FrameworkContract.objects.filter(pk=framework.pk).update(programme=programme)
    framework = FrameworkContract.objects.get(pk=framework.pk)  # programme not loaded
    with CaptureQueriesContext(connection) as queries:
        model_update(framework, actor=nspa, changes={"programme": programme})
    assert len(queries) == 0


def test_a_named_event_is_recorded_even_without_a_field_change(nspa):
    framework = make_framework(actor=nspa)
    version = framework.version
    model_update(framework, actor=nspa, changes={"notes": framework.notes}, action="framework.reviewed")
    framework.refresh_from_db()
    assert framework.version == version + 1
    assert trail(framework)[-1].action == "framework.reviewed"
