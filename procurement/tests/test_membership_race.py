"""Two NSPA writers add the same nation to a programme at once: one membership is created, the other
writer gets the clean field error a duplicate gets alone ("... is already a member of ..."), in the
service, the API (400) and the form. Checking ``exists()`` first cannot make that so: both writers
see no row, both insert, and the unique constraint stops the second with an IntegrityError (a 500).
The insert has to decide.

PostgreSQL only: SQLite serialises whole-database writes, so the two inserts cannot interleave.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from rest_framework.test import APIClient

from portal.models import Nation
from procurement import services
from procurement.models import ProgrammeMembership
from procurement.services import catalogue
from procurement.tests.factories import nspa_user
from procurement.tests.test_delivery_races import AfterTheRead, race

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent inserts need PostgreSQL (SQLite serialises whole-database writes)")


@pytest.fixture
def programme():
    return services.programme_create(
        actor=nspa_user(), code="P-RACE", name="Race programme", kind="programme"
    )


def test_two_adds_of_the_same_member_one_is_created_the_other_is_a_field_error(monkeypatch, programme):
    actor = nspa_user()
    poland = Nation.objects.get(code="POL")
    outcomes = race(
        AfterTheRead(monkeypatch, "model_create", module=catalogue),
        {
            name: lambda: services.programme_member_add(
                actor=actor, programme=programme, nation=poland, joined_on=dt.date(2024, 1, 1)
            )
            for name in ("first", "second")
        },
    )

    added = [o for o in outcomes.values() if isinstance(o, ProgrammeMembership)]
    refused = [o for o in outcomes.values() if not isinstance(o, ProgrammeMembership)]
    assert len(added) == 1, outcomes
    assert len(refused) == 1, outcomes
    assert isinstance(refused[0], ValidationError), outcomes
    assert refused[0].message_dict == {"nation": [f"{poland} is already a member of {programme}."]}
    assert ProgrammeMembership.objects.filter(programme=programme).count() == 1


def test_two_api_adds_of_the_same_member_give_201_and_400(monkeypatch, programme):
    actor = nspa_user()

    def post():
        client = APIClient()
        client.force_authenticate(actor)
        body = {"nation": "POL", "joined_on": "2024-01-01"}
        return client.post(f"/api/procurement/programmes/{programme.pk}/members/", body, format="json")

    outcomes = race(
        AfterTheRead(monkeypatch, "model_create", module=catalogue), {"first": post, "second": post}
    )

    statuses = sorted((getattr(o, "status_code", repr(o)) for o in outcomes.values()), key=str)
    assert statuses == [201, 400], outcomes
    (refused,) = (o for o in outcomes.values() if o.status_code == 400)
    assert "is already a member of" in refused.json()["nation"][0]
    assert ProgrammeMembership.objects.filter(programme=programme).count() == 1
