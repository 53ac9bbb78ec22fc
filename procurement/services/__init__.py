"""Procurement writes, one module per subject; each is atomic, re-checks the actor's scope, validates
and audits. The public services and their input dataclasses are re-exported here."""

# Callers keep ``from procurement import services``. A test that patches a private helper patches it
# in the submodule that looks it up (``procurement.services.deliveries``), not here.

from procurement.services.calloffs import CallOffLineInput, calloff_create, ordered_per_year_rebuild
from procurement.services.catalogue import (
    item_create,
    item_update,
    programme_create,
    programme_member_add,
    programme_update,
    supplier_create,
    supplier_update,
)
from procurement.services.deliveries import (
    DELIVERY_CORRECTABLE,
    DeliveryInput,
    delivered_per_year_rebuild,
    deliveries_import,
    delivery_correct,
    delivery_record,
)
from procurement.services.demand import (
    DemandCellInput,
    DemandGridRejected,
    demand_grid_save,
    demand_signal_delete,
    demand_signal_set,
)
from procurement.services.frameworks import (
    AMENDABLE_FIELDS,
    EDITABLE_FIELDS,
    framework_amend,
    framework_create,
    framework_line_add,
    framework_participant_add,
    framework_update,
)

__all__ = [
    "AMENDABLE_FIELDS",
    "DELIVERY_CORRECTABLE",
    "EDITABLE_FIELDS",
    "CallOffLineInput",
    "DeliveryInput",
    "DemandCellInput",
    "DemandGridRejected",
    "calloff_create",
    "delivered_per_year_rebuild",
    "deliveries_import",
    "delivery_correct",
    "delivery_record",
    "demand_grid_save",
    "demand_signal_delete",
    "demand_signal_set",
    "framework_amend",
    "framework_create",
    "framework_line_add",
    "framework_participant_add",
    "framework_update",
    "item_create",
    "item_update",
    "ordered_per_year_rebuild",
    "programme_create",
    "programme_member_add",
    "programme_update",
    "supplier_create",
    "supplier_update",
]
