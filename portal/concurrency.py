"""Optimistic locking for human-edited records that carry a ``version`` integer."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models

from portal.exceptions import Conflict
from portal.models import ObjectChange

# Fields every save moves; naming them as "changed" would tell the editor nothing.
BOOKKEEPING = {"version", "updated_at", "updated_by"}


def check_version(obj: models.Model, expected_version: int | None) -> None:
    """Raise ``Conflict`` (409) if ``obj`` moved past the version the editor started from.

    ``obj`` must have been read with ``select_for_update()`` in the caller's transaction. The
    conflict names the fields changed since, and by whom, from the audit trail.
    """
    if expected_version is None or expected_version == obj.version:
        return
    later = ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=str(obj.pk),
        after__version__gt=expected_version,
    ).order_by("time", "pk")
    # The trail stores foreign keys by column ("filed_by_id"); users know the field ("filed_by").
    columns = {f.attname: f.name for f in obj._meta.concrete_fields}
    changed: set[str] = set()
    by: list[str] = []
    for change in later:
        changed.update(
            columns.get(f, f)
            for f in change.changed_fields
            if f not in {"version", "updated_at", "updated_by"}
        )
        if change.actor_username and change.actor_username not in by:
            by.append(change.actor_username)
    raise Conflict(
        f"This {obj._meta.verbose_name} was changed by someone else since you opened it "
        f"(your version {expected_version}, now {obj.version}). Review the current values and save again.",
        detail={
            "current_version": obj.version,
            "changed_fields": sorted(changed - BOOKKEEPING),
            "changed_by": by,
        },
    )
