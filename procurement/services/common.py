"""What every procurement write shares: the add check and the row lock with its scope check.
Saving a new or changed row with its audit record is the core's (``portal.services.model_create``
and ``model_update``).

The business rules (DESIGN: "never check-then-act") hold under concurrency because every rule on a
running total is checked after taking the row lock of the row that holds the total.
"""

from __future__ import annotations

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
