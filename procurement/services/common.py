"""What every procurement write shares: the add check and the row lock with its scope check.
Saving a new or changed row with its audit record is the core's (``portal.services.model_create``
and ``model_update``).

The business rules (DESIGN: "never check-then-act") hold under concurrency because every rule on a
running total is checked after taking the row lock of the row that holds the total.
"""

from __future__ import annotations

from portal.services import ensure_may, locked_for


def ensure_may_add(actor, model) -> None:
    ensure_may(actor, model)


def locked_for_change(obj, *, actor):
    """``obj``'s row, locked for this transaction, after checking the actor may change it."""
    return locked_for(obj, actor=actor)
