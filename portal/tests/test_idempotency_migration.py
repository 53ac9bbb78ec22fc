"""IdempotencyRecord moved from procurement to the core (portal.0004, procurement.0002) without
touching its table: a database migrated from before the move keeps its records, their unique key
and their content type."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction

from portal.models import IdempotencyRecord
from portal.tests.migrating import migrate_to

BEFORE = [("portal", "0003_objectchange_privacy"), ("procurement", "0001_initial")]


@pytest.mark.django_db(transaction=True)
def test_records_written_before_the_move_are_still_there_after_it():
    old = migrate_to(BEFORE)
    User = old.get_model("portal", "User")
    OldRecord = old.get_model("procurement", "IdempotencyRecord")
    OldContentType = old.get_model("contenttypes", "ContentType")
    user = User.objects.create(username="retrying_client")
    record = OldRecord.objects.create(
        user=user,
        scope="procurement.delivery.create",
        key="key-1",
        request_hash="a" * 64,
        status_code=201,
        response={"id": 7, "lot_number": "LOT-1"},
    )
    old_type, _ = OldContentType.objects.get_or_create(app_label="procurement", model="idempotencyrecord")

    new = migrate_to()
    kept = new.get_model("portal", "IdempotencyRecord").objects.get(pk=record.pk)
    assert (kept.user_id, kept.scope, kept.key, kept.status_code, kept.response) == (
        user.pk,
        "procurement.delivery.create",
        "key-1",
        201,
        {"id": 7, "lot_number": "LOT-1"},
    )
    # The running code reads the same row, and the unique key still refuses a second claim.
    assert IdempotencyRecord.objects.get(user=user.pk, scope=kept.scope, key="key-1").pk == record.pk
    with pytest.raises(IntegrityError), transaction.atomic():
        IdempotencyRecord.objects.create(
            user_id=user.pk, scope=kept.scope, key="key-1", request_hash="b" * 64, status_code=1, response={}
        )
    # The content type moved with the model, so what pointed at it (permissions) still does.
    ContentType.objects.clear_cache()
    assert ContentType.objects.get_for_model(IdempotencyRecord).pk == old_type.pk
    assert not ContentType.objects.filter(app_label="procurement", model="idempotencyrecord").exists()
