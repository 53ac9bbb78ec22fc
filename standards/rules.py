"""Standards' rows in the authorization matrix (DESIGN.md, "Roles and scope").

The catalogue is Alliance reference data that partners read too. National responses are shared
among Allies (NATO ratification status is), so every Ally role reads every nation's; partners see
nothing per nation. A director records their own nation's responses; the secretariat, which
manages the catalogue, may record any nation's on its behalf.
"""

from portal.choices import Role
from portal.permissions import ADD, ALL, CHANGE, DELETE, VIEW, own_nation, register
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
