"""The pledges demo: four nations' plans in the states the secretariat meets, loaded once."""

import pytest
from django.core.management import call_command

import pledges.demo  # noqa: F401  (registers the loader until PledgesConfig.ready() imports it)
from pledges import selectors
from pledges.choices import PlanStatus
from pledges.models import CapacityLine, NationalPlan, PlanVersion, ReviewComment
from portal.models import ObjectChange, User

pytestmark = pytest.mark.django_db


def load():
    with open("/dev/null", "w") as sink:
        call_command("load_demo", stdout=sink)


def state() -> tuple:
    return (
        sorted(NationalPlan.objects.values_list("nation__code", "cycle__year", "status", "version")),
        PlanVersion.objects.count(),
        CapacityLine.objects.count(),
        ReviewComment.objects.count(),
        ObjectChange.objects.count(),
    )


def test_demo_plans_follow_the_workflow_and_load_once():
    load()
    statuses = {
        (code, year): status
        for code, year, status in NationalPlan.objects.values_list("nation__code", "cycle__year", "status")
    }
    assert {code: statuses[(code, 2026)] for code in ("DEU", "FRA", "POL", "NLD")} == {
        "DEU": PlanStatus.ACCEPTED,
        "FRA": PlanStatus.IN_REVIEW,
        "POL": PlanStatus.RETURNED,
        "NLD": PlanStatus.DRAFT,
    }
    assert statuses[("DEU", 2025)] == PlanStatus.ACCEPTED

    poland = NationalPlan.objects.get(nation__code="POL", cycle__year=2026)
    reviewed = PlanVersion.objects.get(plan=poland, number=1)
    assert reviewed.frozen
    assert reviewed.comments.filter(commitment=3).exists()
    assert reviewed.comments.filter(commitment__isnull=True).exists()
    # The director has started revising in version 2; the secretariat still reads version 1.
    assert poland.current_version.number == 2
    secretariat = User.objects.get(username="secretariat")
    assert selectors.plan_version_get(user=secretariat, plan=poland) == reviewed

    lines = CapacityLine.objects.filter(plan_version__plan__cycle__year=2026)
    assert set(lines.values_list("item__code", flat=True)) >= {"155mm-round", "patriot-gem-t"}
    assert all(CapacityLine.objects.values_list("illustrative", flat=True))
    # The draft is the Netherlands' alone.
    assert not selectors.plan_list(user=secretariat).filter(nation__code="NLD").exists()
    assert ObjectChange.objects.filter(action="plan.returned", object_id=str(poland.pk)).exists()

    before = state()
    load()
    assert state() == before
