"""Procurement's rows of the authorization matrix, as /api/me/ reports them for each role, written
out from DESIGN.md ("Roles and scope"): NSPA creates and edits frameworks, call-offs and deliveries
and imports deliveries; a director reads the frameworks their nation takes part in, their own
nation's orders and deliveries, and files its demand; the secretariat reads everything; board
members read the reference data; partners read the item catalogue."""

from __future__ import annotations

import pytest

from portal.permissions import permissions_for

pytestmark = pytest.mark.django_db

ALL = "all"
READ = {"view": ALL}
WRITE = {"view": ALL, "add": ALL, "change": ALL}
OWN = {"view": "own_nation"}
PARTICIPATING = {"view": "participating"}
# NSPA runs the frameworks, orders and deliveries; the secretariat reads all of it.
NSPA = {
    "procurement.item": WRITE,
    "procurement.programme": WRITE,
    "procurement.programmemembership": {"view": ALL, "add": ALL, "delete": ALL},
    "procurement.supplier": WRITE,
    "procurement.demandsignal": {"view": ALL, "add": ALL, "change": ALL, "delete": ALL},
    "procurement.frameworkcontract": WRITE,
    "procurement.frameworkparticipant": WRITE,
    "procurement.frameworkline": WRITE,
    "procurement.amendment": WRITE,
    "procurement.calloff": WRITE,
    "procurement.calloffline": WRITE,
    "procurement.scheduleddelivery": WRITE,
    "procurement.delivery": WRITE,
    "procurement.deliveryimport": {"view": ALL, "add": ALL},
}
EXPECTED = {
    "director": {
        "procurement.item": READ,
        "procurement.programme": READ,
        "procurement.programmemembership": READ,
        "procurement.supplier": READ,
        "procurement.demandsignal": {
            "view": "own_nation",
            "add": "own_nation",
            "change": "own_nation",
            "delete": "own_nation",
        },
        "procurement.frameworkcontract": PARTICIPATING,
        "procurement.frameworkparticipant": PARTICIPATING,
        "procurement.frameworkline": PARTICIPATING,
        "procurement.amendment": PARTICIPATING,
        "procurement.calloff": OWN,
        "procurement.calloffline": OWN,
        "procurement.scheduleddelivery": OWN,
        "procurement.delivery": OWN,
    },
    "nspa": NSPA,
    "secretariat": dict.fromkeys(NSPA, READ),
    "board_member": {
        "procurement.item": READ,
        "procurement.programme": READ,
        "procurement.programmemembership": READ,
        "procurement.supplier": READ,
    },
    "partner": {"procurement.item": READ},
    "no_role": {},
}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_each_role_holds_the_procurement_grants_of_the_matrix(users_by_role, role):
    granted = permissions_for(users_by_role[role])
    assert {label: actions for label, actions in granted.items() if label.startswith("procurement.")} == (
        EXPECTED[role]
    )
