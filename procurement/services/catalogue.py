"""Writes to the Alliance reference data: the item catalogue, suppliers, programmes and their
member nations."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from portal.models import Nation
from portal.services import model_create, model_update
from procurement.models import (
    Item,
    Programme,
    ProgrammeMembership,
    Supplier,
)
from procurement.services.common import ensure_may_add, locked_for_change


@transaction.atomic
def item_create(
    *,
    actor,
    code: str,
    name: str,
    capability_area: str,
    unit: str,
    nato_stock_number: str = "",
) -> Item:
    ensure_may_add(actor, Item)
    item = Item(
        code=code,
        name=name,
        capability_area=capability_area,
        unit=unit,
        nato_stock_number=nato_stock_number,
    )
    return model_create(item, actor=actor)


@transaction.atomic
def item_update(*, actor, item: Item, **changes) -> Item:
    item = locked_for_change(item, actor=actor)
    return model_update(item, actor=actor, changes=changes)


@transaction.atomic
def supplier_create(*, actor, name: str, country: str) -> Supplier:
    ensure_may_add(actor, Supplier)
    return model_create(Supplier(name=name, country=country), actor=actor)


@transaction.atomic
def supplier_update(*, actor, supplier: Supplier, **changes) -> Supplier:
    supplier = locked_for_change(supplier, actor=actor)
    return model_update(supplier, actor=actor, changes=changes)


@transaction.atomic
def programme_update(*, actor, programme: Programme, **changes) -> Programme:
    programme = locked_for_change(programme, actor=actor)
    return model_update(programme, actor=actor, changes=changes)


@transaction.atomic
def programme_create(*, actor, code: str, name: str, kind: str, description: str = "") -> Programme:
    ensure_may_add(actor, Programme)
    return model_create(Programme(code=code, name=name, kind=kind, description=description), actor=actor)


@transaction.atomic
def programme_member_add(
    *, actor, programme: Programme, nation: Nation, joined_on: dt.date
) -> ProgrammeMembership:
    ensure_may_add(actor, ProgrammeMembership)
    membership = ProgrammeMembership(programme=programme, nation=nation, joined_on=joined_on)
    try:
        with transaction.atomic():
            # The insert decides (the unique constraint): a check beforehand would race a concurrent
            # add of the same nation and lose with an IntegrityError, a 500.
            return model_create(
                membership, actor=actor, message=f"{nation} joined {programme}", validate_constraints=False
            )
    except IntegrityError:
        # The failed insert waited for the other writer to commit: its row is visible now.
        if not ProgrammeMembership.objects.filter(programme=programme, nation=nation).exists():
            raise
    raise ValidationError({"nation": f"{nation} is already a member of {programme}."})
