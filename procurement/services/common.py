"""What every procurement write shares: the add check, the row lock with its scope check, and
saving a new or changed row with its audit record, in the caller's transaction.

The business rules (DESIGN: "never check-then-act") hold under concurrency because every rule on a
running total is checked after taking the row lock of the row that holds the total.
"""

from __future__ import annotations

from portal.audit import record_change, snapshot
from portal.choices import AuditAction
from portal.exceptions import Forbidden
from portal.permissions import ADD, CHANGE, ensure_allowed, may


def ensure_may_add(actor, model) -> None:
    if not may(actor, model, ADD):
        raise Forbidden(f"You may not create a {model._meta.verbose_name}.")


def locked_for_change(obj, *, actor):
    """``obj``'s row, locked for this transaction, after checking the actor may change it
    (NotFound if they may not even see it, Forbidden if they may only read it)."""
    locked = type(obj).objects.select_for_update().get(pk=obj.pk)
    ensure_allowed(actor, CHANGE, locked)
    return locked


def save_new(obj, *, actor, message: str = "", validate_constraints: bool = True):
    obj.full_clean(validate_constraints=validate_constraints)
    obj.save()
    record_change(actor=actor, obj=obj, action=AuditAction.CREATE, after=snapshot(obj), message=message)
    return obj


def apply_changes(obj, *, actor, changes: dict, message: str = "", action: str = AuditAction.UPDATE):
    before = snapshot(obj)
    for field, value in changes.items():
        setattr(obj, field, value)
    if hasattr(obj, "version"):
        obj.version += 1
    obj.full_clean()
    obj.save()
    record_change(actor=actor, obj=obj, action=action, before=before, after=snapshot(obj), message=message)
    return obj
