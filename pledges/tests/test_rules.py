"""Pledges' rows of the authorization matrix, as /api/me/ reports them for each role, written out
from DESIGN.md ("Roles and scope"): drafts are their nation's alone; the secretariat reviews
submitted plans and reads submitted returns; NSPA reads submitted plans' capacity lines; board
members read published NATO editions; partners read nothing of the pledges."""

from __future__ import annotations

import pytest

from pledges import services
from pledges.models import ExpenditureDataset
from pledges.tests.dip_data import synthetic_edition
from portal.permissions import CHANGE, VIEW, permissions_for, restrict

pytestmark = pytest.mark.django_db

OWN = "own_nation"
PLAN_CONTENT = {"view": OWN, "change": OWN}
SUBMITTED = {"view": "submitted"}
EXPECTED = {
    "director": {
        "pledges.plancycle": {"view": "all"},
        "pledges.nationalplan": {"view": OWN, "add": OWN, "change": OWN, "submit": OWN, "read_draft": OWN},
        "pledges.planversion": {"view": OWN},
        "pledges.plansection": PLAN_CONTENT,
        "pledges.investment": PLAN_CONTENT,
        "pledges.measure": PLAN_CONTENT,
        "pledges.capacityline": PLAN_CONTENT,
        "pledges.reviewcomment": {"view": OWN},
        "pledges.expendituredataset": {
            "view": "published_or_own_nation",
            "add": OWN,
            "change": "own_nation_return",
            "file_return": "own_nation_return",
        },
        "pledges.expenditurerecord": {"view": "published_or_own_nation"},
        "pledges.dipmetric": {"view": "published_or_own_nation"},
        "pledges.publishedaggregate": {"view": "published_or_own_nation"},
    },
    "secretariat": {
        "pledges.plancycle": {"view": "all", "add": "all", "change": "all"},
        "pledges.nationalplan": {"view": "submitted", "review": "submitted"},
        "pledges.planversion": SUBMITTED,
        "pledges.plansection": SUBMITTED,
        "pledges.investment": SUBMITTED,
        "pledges.measure": SUBMITTED,
        "pledges.capacityline": {"view": "submitted", "read_capacity": "submitted"},
        "pledges.reviewcomment": {"view": "all", "add": "all"},
        "pledges.expendituredataset": {
            "view": "published_or_submitted",
            "add": "all",
            "change": "all",
            "manage_editions": "all",
        },
        "pledges.expenditurerecord": {"view": "published_or_submitted"},
        "pledges.dipmetric": {"view": "published_or_submitted"},
        "pledges.publishedaggregate": {"view": "published_or_submitted"},
    },
    "nspa": {
        "pledges.plancycle": {"view": "all"},
        "pledges.nationalplan": SUBMITTED,
        "pledges.planversion": SUBMITTED,
        "pledges.capacityline": {"view": "submitted", "read_capacity": "submitted"},
    },
    "board_member": {
        "pledges.plancycle": {"view": "all"},
        "pledges.expendituredataset": {"view": "published"},
        "pledges.expenditurerecord": {"view": "published"},
        "pledges.dipmetric": {"view": "published"},
        "pledges.publishedaggregate": {"view": "published"},
    },
    "partner": {},
    "no_role": {},
}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_each_role_holds_the_pledges_grants_of_the_matrix(users_by_role, role):
    granted = permissions_for(users_by_role[role])
    assert {label: actions for label, actions in granted.items() if label.startswith("pledges.")} == (
        EXPECTED[role]
    )


def test_who_reads_which_expenditure_datasets(users_by_role, make_user, secretariat):
    edition = synthetic_edition(secretariat, edition_year=2026, codes=["POL"], years=range(2024, 2026))
    director = users_by_role["director"]  # Poland
    polish_draft = services.return_create(actor=director, edition_year=2026, price_base_year=2021)
    french = make_user("director", "FRA", username="fra_director")
    french_submitted = services.return_create(actor=french, edition_year=2026, price_base_year=2021)
    services.record_save(
        actor=french, dataset=french_submitted, year=2025, values={"gdp_usd_constant_m": 1000}
    )
    services.return_submit(actor=french, dataset=french_submitted)

    def readable(user) -> set[ExpenditureDataset]:
        return set(restrict(ExpenditureDataset.objects.all(), user, VIEW))

    assert readable(director) == {edition, polish_draft}
    assert readable(secretariat) == {edition, french_submitted}
    assert readable(users_by_role["board_member"]) == {edition}
    assert readable(users_by_role["partner"]) == set()
    # A director edits their own nation's returns only, never an edition.
    assert set(restrict(ExpenditureDataset.objects.all(), director, CHANGE)) == {polish_draft}
    # A director without a nation (the database refuses one; here only in memory) reads nothing,
    # not even the editions: the scope fails closed.
    stateless = make_user(None, None, username="stateless")
    stateless.role = "director"
    assert readable(stateless) == set()
    assert set(restrict(ExpenditureDataset.objects.all(), stateless, CHANGE)) == set()
