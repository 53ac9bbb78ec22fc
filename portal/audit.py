"""The audit trail: services call ``record_change`` inside their own transaction."""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction

from portal.models import ObjectChange
from portal.request_context import current_request_id


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict:
    """A JSON-safe dict of ``obj``'s concrete fields (foreign keys as ids), for before/after."""
    wanted = set(fields) if fields is not None else None
    data = {}
    for field in obj._meta.concrete_fields:
        if wanted is not None and field.name not in wanted:
            continue
        if field.name == "password":
            continue  # never copy credentials into the trail
        data[field.attname if field.is_relation else field.name] = field.value_from_object(obj)
    # Round-trip through the encoder so dates, decimals and UUIDs become plain JSON values.
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def record_change(
    *,
    actor,
    obj: models.Model,
    action: str,
    before: dict | None = None,
    after: dict | None = None,
    message: str = "",
) -> ObjectChange:
    """Write one audit row for ``obj``. Must run inside the caller's transaction, so the audit
    row and the change it describes commit or roll back together."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_change() must be called inside the service's transaction.atomic()")
    if obj.pk is None:
        raise ValueError("record_change() needs a saved object")
    actor_obj = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return ObjectChange.objects.create(
        actor=actor_obj,
        actor_username=actor_obj.get_username() if actor_obj else "",
        request_id=current_request_id(),
        action=action,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        before=before,
        after=after,
        message=message,
    )
