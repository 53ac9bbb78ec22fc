"""Writes to nations' demand signals: one cell (nation, item, year) at a time, or a whole grid
of cells in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from portal.audit import record_change, snapshot
from portal.choices import AuditAction
from portal.concurrency import check_version
from portal.exceptions import Conflict, Forbidden
from portal.models import Nation
from portal.permissions import ADD, CHANGE, DELETE, allows, ensure_added, may
from portal.services import model_create, model_update
from procurement.models import (
    DemandSignal,
    Item,
)
from procurement.tasks import refresh_analytics_after_commit

REFUSED = "A director files demand for their own nation only."


def _ensure_may_file_demand(actor) -> None:
    # Which nations are the actor's to file is the rules' ADD/CHANGE/DELETE scope, applied to the
    # row itself: ``ensure_added`` after a create, ``allows`` on the locked row before a change.
    if not may(actor, DemandSignal, ADD):
        raise Forbidden("You may not file demand signals.")


def _ensure_may_write(actor, action: str, signal: DemandSignal) -> None:
    if not allows(actor, action, signal):
        raise Forbidden(REFUSED)


def _locked_demand_cell(nation: Nation, item: Item, year: int) -> DemandSignal | None:
    return DemandSignal.objects.select_for_update().filter(nation=nation, item=item, year=year).first()


def _check_demand_version(signal: DemandSignal, expected_version: int | None) -> None:
    """``check_version`` for a demand cell. Its conflict also names the row's id: a writer who
    expected an empty cell (version 0) has no id to send the update to."""
    try:
        check_version(signal, expected_version)
    except Conflict as conflict:
        message = conflict.message
        if expected_version == 0:
            message = (
                f"Someone else filed this cell meanwhile (it is now at version {signal.version}). "
                "Review their value and save again."
            )
        raise Conflict(message, detail={"id": signal.pk, **conflict.detail}) from None


@transaction.atomic
def demand_signal_set(
    *,
    actor,
    nation: Nation,
    item: Item,
    year: int,
    quantity: int,
    firmness: str,
    notes: str = "",
    expected_version: int | None = None,
) -> DemandSignal:
    """Create or update the nation's demand for ``item`` in ``year`` (one row per year).

    ``expected_version`` is the version the writer last read: 0 for a cell that was empty, so that a
    row someone else filed meanwhile is a ``Conflict`` naming that row, never overwritten. ``None``
    sets the cell whatever it holds.
    """
    _ensure_may_file_demand(actor)
    on_behalf = (
        "" if actor.nation_id == nation.pk else f"Filed by {actor.get_username()} on behalf of {nation}"
    )
    existing = _locked_demand_cell(nation, item, year)
    if existing is None:
        signal = DemandSignal(
            nation=nation,
            item=item,
            year=year,
            quantity=quantity,
            firmness=firmness,
            notes=notes,
            filed_by=actor,
        )
        try:
            with transaction.atomic():
                # The insert decides who filed the cell first (the unique constraint); checking the
                # constraint beforehand would only race it, and lose with a 400, not a conflict.
                model_create(signal, actor=actor, message=on_behalf, validate_constraints=False)
                ensure_added(actor, signal, REFUSED)  # another nation's cell: rolled back
        except IntegrityError:
            # Someone filed the same cell a moment ago; the failed insert waited for them to commit.
            existing = _locked_demand_cell(nation, item, year)
            if existing is None:
                raise
        else:
            refresh_analytics_after_commit()
            return signal
    _ensure_may_write(actor, CHANGE, existing)
    _check_demand_version(existing, expected_version)
    changes = {"quantity": quantity, "firmness": firmness, "notes": notes, "filed_by": actor}
    if all(getattr(existing, k) == v for k, v in changes.items() if k != "filed_by"):
        return existing
    refresh_analytics_after_commit()
    return model_update(existing, actor=actor, changes=changes, message=on_behalf)


@transaction.atomic
def demand_signal_delete(*, actor, signal: DemandSignal, expected_version: int | None = None) -> None:
    signal = DemandSignal.objects.select_for_update().get(pk=signal.pk)
    _ensure_may_file_demand(actor)
    _ensure_may_write(actor, DELETE, signal)
    check_version(signal, expected_version)
    refresh_analytics_after_commit()
    record_change(actor=actor, obj=signal, action=AuditAction.DELETE, before=snapshot(signal))
    signal.delete()


@dataclass(frozen=True)
class DemandCellInput:
    """One changed cell of a nation's demand grid. ``quantity`` None clears the cell. ``signal`` is
    the row the writer read for the cell (None if it was empty) and ``expected_version`` its version."""

    item: Item
    year: int
    quantity: int | None
    firmness: str = ""
    expected_version: int | None = None
    signal: DemandSignal | None = None


class DemandGridRejected(Exception):
    """Nothing in the grid was saved. ``errors`` maps (item id, year) to that cell's messages;
    ``conflict`` says whether a cell changed since the writer read it (409) rather than failed
    validation (400)."""

    def __init__(self, errors: dict[tuple[int, int], list[str]], *, conflict: bool):
        self.errors = errors
        self.conflict = conflict
        super().__init__(f"{len(errors)} demand cells were refused")


@transaction.atomic
def demand_grid_save(*, actor, nation: Nation, cells: Sequence[DemandCellInput]) -> int:
    """Save a nation's changed demand cells in one transaction: all of them, or none.

    Each cell is set or cleared by ``demand_signal_set`` / ``demand_signal_delete`` (audited one
    row at a time, as from the API). Returns how many cells were saved; a cell cleared that is
    already gone is skipped. Raises ``DemandGridRejected`` with every cell's errors, or
    ``Forbidden`` at the first cell the actor may not file.
    """
    saved, conflict = 0, False
    errors: dict[tuple[int, int], list[str]] = {}
    for cell in cells:
        try:
            if cell.quantity is None:
                if cell.signal is None:
                    continue  # already gone: someone else cleared it too
                demand_signal_delete(actor=actor, signal=cell.signal, expected_version=cell.expected_version)
            else:
                demand_signal_set(
                    actor=actor,
                    nation=nation,
                    item=cell.item,
                    year=cell.year,
                    quantity=cell.quantity,
                    firmness=cell.firmness,
                    notes=cell.signal.notes if cell.signal else "",
                    # A cell that was empty expects no row: version 0 conflicts with any row.
                    expected_version=cell.expected_version or 0,
                )
            saved += 1
        except ValidationError as exc:
            errors.setdefault((cell.item.pk, cell.year), []).extend(exc.messages)
        except Conflict as exc:
            conflict = True
            errors.setdefault((cell.item.pk, cell.year), []).append(
                f"{cell.item.name} {cell.year}: {exc.message}"
            )
    if errors:
        raise DemandGridRejected(errors, conflict=conflict)
    return saved
