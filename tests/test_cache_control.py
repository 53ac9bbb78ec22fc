"""Responses with non-public data carry ``Cache-Control: no-store``: the API, exports, PDFs and
signed-in pages. Static files and ``/health`` keep their own caching."""

import datetime as dt

import pytest
from django.urls import reverse

from pledges import services as pledges_services
from pledges.models import PlanCycle
from procurement.tests.factories import ItemFactory

pytestmark = pytest.mark.django_db


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_api_responses_are_not_stored(client, owner):
    assert no_store(client.get("/api/me/"))  # the anonymous 401 as well
    client.force_login(owner)
    response = client.get("/api/me/")
    assert response.status_code == 200
    assert no_store(response)


@pytest.mark.parametrize("export", ["csv", "xlsx"])
def test_list_exports_are_not_stored(client, nspa, export):
    ItemFactory()
    client.force_login(nspa)
    response = client.get(reverse("procurement:item-list"), {"export": export})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert no_store(response)


def test_pdf_downloads_are_not_stored(client, owner):
    cycle = PlanCycle.objects.create(year=2026, due_date=dt.date(2026, 6, 30))
    plan = pledges_services.plan_start(actor=owner, nation=owner.nation, cycle=cycle)
    client.force_login(owner)
    response = client.get(reverse("pledges:plan-pdf", kwargs={"pk": plan.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert no_store(response)


def test_signed_in_pages_are_not_stored(client, owner):
    client.force_login(owner)
    assert no_store(client.get("/"))


def test_static_files_and_health_keep_their_caching(client, owner):
    client.force_login(owner)
    static = client.get("/static/css/portal.css")
    assert static.status_code == 200
    assert not no_store(static)
    # /health asks for no caching itself (never_cache); the middleware leaves its header alone.
    assert (
        client.get(reverse("health"))["Cache-Control"]
        == "max-age=0, no-cache, no-store, must-revalidate, private"
    )
