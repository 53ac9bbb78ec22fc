"""Standards' rows in the authorization matrix (DESIGN.md, "Roles and scope").

The catalogue is Alliance reference data that partners read too. National responses are shared
among Allies (NATO ratification status is), so every Ally role reads every nation's; partners see
nothing per nation. A director records their own nation's responses; the secretariat, which
manages the catalogue, may record any nation's on its behalf.
"""

from collections import defaultdict
from collections.abc import Iterable

from portal.choices import Role
from portal.models import User
from portal.permissions import ADD, ALL, CHANGE, DELETE, VIEW, own_nation, register
from portal.rules import ally_directors, nation_directors, secretariat
from standards import models as m

ALLIES = (Role.DIRECTOR, Role.NSPA, Role.SECRETARIAT, Role.BOARD_MEMBER)


def register_rules() -> None:
    everyone = dict.fromkeys(Role.values, ALL)
    allies = dict.fromkeys(ALLIES, ALL)
    secretariat = {Role.SECRETARIAT: ALL}

    register(m.Domain, {VIEW: everyone, ADD: secretariat, CHANGE: secretariat})
    register(m.Standard, {VIEW: everyone, ADD: secretariat, CHANGE: secretariat})
    responders = {Role.DIRECTOR: own_nation(), Role.SECRETARIAT: ALL}
    register(m.NationalResponse, {VIEW: allies, ADD: responders, CHANGE: responders})
    service_responders = {Role.DIRECTOR: own_nation("response__nation"), Role.SECRETARIAT: ALL}
    register(
        m.ServiceImplementation,
        {VIEW: allies, ADD: service_responders, CHANGE: service_responders, DELETE: service_responders},
    )
    register(m.ReviewCycle, {VIEW: allies, ADD: secretariat, CHANGE: secretariat})
    register(
        m.ChangeProposal,
        {VIEW: allies, ADD: {Role.DIRECTOR: own_nation(), Role.SECRETARIAT: ALL}, CHANGE: secretariat},
    )
    # What an item requires is catalogue data, like the item itself; NSPA keeps items, the
    # secretariat keeps standards, so both link them.
    linkers = {Role.SECRETARIAT: ALL, Role.NSPA: ALL}
    register(m.ItemRequirement, {VIEW: everyone, ADD: linkers, DELETE: linkers})
    register(m.UnmatchedDesignation, {VIEW: linkers, DELETE: linkers})


# --- Who hears of what (standards/notifications.py) -----------------------------------------


def directors_by_nation(nation_ids: Iterable[int] | None = None) -> dict[int, list[User]]:
    """The active directors of these nations (every Ally's when None), by nation id, in one query:
    what a reminder source needs to address many nations at once."""
    users = ally_directors()
    if nation_ids is not None:
        users = User.objects.filter(is_active=True, role=Role.DIRECTOR, nation__in=list(nation_ids))
    found: dict[int, list[User]] = defaultdict(list)
    for user in users.order_by("nation", "pk"):
        found[user.nation_id].append(user)
    return dict(found)


def register_audiences() -> None:
    """Who hears of each standards notification; ``notify`` still keeps only those who may see
    its object. The reminders name their recipients themselves (standards/notifications.py),
    from the helpers above."""
    from portal import notifications

    notifications.audience("edition_promulgated", lambda standard: ally_directors())
    notifications.audience("standard_review_due", lambda review_or_edition: secretariat())
    notifications.audience("alert_raised", lambda source: nation_directors(source.nation_id))
