"""Procurement's rows in the authorization matrix (DESIGN.md, "Roles and scope")."""

from django.db.models import QuerySet

from portal.choices import Role
from portal.permissions import ADD, ALL, CHANGE, DELETE, VIEW, Scope, own_nation, register
from portal.rules import nation_directors, nspa_staff
from procurement import models as m

NSPA_AND_SECRETARIAT = {Role.NSPA: ALL, Role.SECRETARIAT: ALL}

# --- Named grants: actions that are not about one row (procurement.analytics reads them) --------

ALLIANCE_READERS = frozenset({Role.DIRECTOR, Role.NSPA, Role.SECRETARIAT, Role.BOARD_MEMBER})
# A director is in this set too, but ``restrict`` narrows their rows to their own nation.
NATION_READERS = frozenset({Role.DIRECTOR, Role.NSPA, Role.SECRETARIAT})


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def may_read_alliance_aggregates(user) -> bool:
    return _signed_in(user) and (user.is_superuser or user.role in ALLIANCE_READERS)


def may_drill_down(user) -> bool:
    """Whether the user may see per-nation rows at all (a director: only their own)."""
    return _signed_in(user) and (user.is_superuser or user.role in NATION_READERS)


# --- Rows -------------------------------------------------------------------------------------


def participating(path: str) -> Scope:
    """Frameworks (or their parts) in which the user's nation takes part."""

    def apply(qs: QuerySet, user) -> QuerySet:
        if not user.nation_id:
            return qs.none()
        return qs.filter(**{f"{path}participations__nation": user.nation_id}).distinct()

    return Scope("participating", apply)


def register_rules() -> None:
    everyone_but_partners = {r: ALL for r in Role.values if r != Role.PARTNER}
    nspa_writes = {Role.NSPA: ALL}

    # The catalogue and programmes are Alliance reference data.
    register(m.Item, {VIEW: dict.fromkeys(Role.values, ALL), ADD: nspa_writes, CHANGE: nspa_writes})
    register(m.Programme, {VIEW: everyone_but_partners, ADD: nspa_writes, CHANGE: nspa_writes})
    register(m.ProgrammeMembership, {VIEW: everyone_but_partners, ADD: nspa_writes, DELETE: nspa_writes})
    register(m.Supplier, {VIEW: everyone_but_partners, ADD: nspa_writes, CHANGE: nspa_writes})

    # A nation's own demand is national data: its director files it, NSPA may file on its behalf.
    demand_writers = {Role.DIRECTOR: own_nation(), Role.NSPA: ALL}
    register(
        m.DemandSignal,
        {
            VIEW: {**NSPA_AND_SECRETARIAT, Role.DIRECTOR: own_nation()},
            ADD: demand_writers,
            CHANGE: demand_writers,
            DELETE: demand_writers,
        },
    )

    # Frameworks: NSPA runs them; participating nations' directors see theirs.
    register(
        m.FrameworkContract,
        {
            VIEW: {**NSPA_AND_SECRETARIAT, Role.DIRECTOR: participating("")},
            ADD: nspa_writes,
            CHANGE: nspa_writes,
        },
    )
    for model in (m.FrameworkParticipant, m.FrameworkLine, m.Amendment):
        register(
            model,
            {
                VIEW: {**NSPA_AND_SECRETARIAT, Role.DIRECTOR: participating("framework__")},
                ADD: nspa_writes,
                CHANGE: nspa_writes,
            },
        )

    # Orders and deliveries: a director reads only their own nation's.
    register(
        m.CallOff,
        {VIEW: {**NSPA_AND_SECRETARIAT, Role.DIRECTOR: own_nation()}, ADD: nspa_writes, CHANGE: nspa_writes},
    )
    for model, path in (
        (m.CallOffLine, "call_off__nation"),
        (m.ScheduledDelivery, "call_off_line__call_off__nation"),
        (m.Delivery, "call_off_line__call_off__nation"),
    ):
        register(
            model,
            {
                VIEW: {**NSPA_AND_SECRETARIAT, Role.DIRECTOR: own_nation(path)},
                ADD: nspa_writes,
                CHANGE: nspa_writes,
            },
        )
    register(m.DeliveryImport, {VIEW: NSPA_AND_SECRETARIAT, ADD: nspa_writes})
    # Running totals kept by the delivery services and read only inside aggregated demand (which
    # applies the disclosure rule): nobody lists them, so no role reads them directly.
    register(m.DeliveredPerYear, {})
    register(m.OrderedPerYear, {})


# --- Who hears of what (portal.notifications; the kinds are in procurement/notifications.py) ------


def _ordering_nation(obj) -> int:
    """The nation that ordered: of a call-off, or of the call-off a delivery or tranche is under."""
    call_off = obj if isinstance(obj, m.CallOff) else obj.call_off_line.call_off
    return call_off.nation_id


def register_audiences() -> None:
    """Who hears of each procurement notification; ``notify`` still keeps only those who may see
    its object (a director: their own nation's call-offs and deliveries)."""
    from portal import notifications

    notifications.audience("call_off_placed", lambda call_off: nation_directors(call_off.nation_id))
    notifications.audience("delivery_recorded", lambda obj: nation_directors(_ordering_nation(obj)))
    # NSPA takes a rejection or a late tranche up with the supplier, whoever of them recorded it.
    for kind in ("delivery_rejected", "delivery_late"):
        notifications.audience(kind, lambda obj: nation_directors(_ordering_nation(obj)) | nspa_staff())
    notifications.audience("framework_near_ceiling", lambda framework: nspa_staff())
