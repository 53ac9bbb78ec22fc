"""Procurement pages' security: CSRF on posts, the menu per role, and the delivery correction form."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from procurement.tests.views_helpers import body, url

# --- Security -------------------------------------------------------------------------------


def test_posts_need_the_csrf_token(nspa):
    client = Client(enforce_csrf_checks=True)
    client.force_login(nspa)
    data = {"name": "Rheinmetall", "country": "DEU"}
    refused = client.post(url("supplier-create"), data)
    assert refused.status_code == 403
    assert "Your form expired or came from another site." in body(refused)
    token = re.search(
        r'name="csrfmiddlewaretoken" value="([^"]+)"', body(client.get(url("supplier-create")))
    )[1]
    assert client.post(url("supplier-create"), {**data, "csrfmiddlewaretoken": token}).status_code == 302


def test_menu_shows_procurement_pages_by_role(client, users_by_role):
    client.force_login(users_by_role["nspa"])
    menu = body(client.get("/")).split('class="mainnav"')[1].split("</nav>")[0]
    for page in (
        "framework-list",
        "call-off-list",
        "delivery-list",
        "demand-list",
        "item-list",
    ):
        assert f'href="{url(page)}"' in menu
    assert f'href="{url("demand-entry")}"' not in menu  # NSPA opens it from the demand list
    assert f'href="{url("demand-entry")}"' in body(client.get(url("demand-list")))
    client.force_login(users_by_role["director"])
    menu = body(client.get("/")).split('class="mainnav"')[1].split("</nav>")[0]
    assert f'href="{url("demand-entry")}"' in menu
    client.force_login(users_by_role["partner"])
    menu = body(client.get("/")).split('class="mainnav"')[1].split("</nav>")[0]
    assert f'href="{url("item-list")}"' in menu
    assert f'href="{url("framework-list")}"' not in menu
    assert f'href="{url("demand-entry")}"' not in menu


def test_nspa_corrects_a_delivery_in_the_browser(client, nspa):
    from procurement.tests.factories import make_calloff as _calloff
    from procurement.tests.factories import make_delivery as _delivery
    from procurement.tests.factories import make_framework as _framework

    recorded = _delivery(_calloff(_framework(), quantity=50).lines.get(), delivered=5, lot="WEB-C")
    client.force_login(nspa)
    url = reverse("procurement:delivery-correct", kwargs={"pk": recorded.pk})
    page = client.get(url)
    assert page.status_code == 200
    assert "compensating lot" in page.content.decode()
    response = client.post(url, {"accepted_on": "2024-08-01", "location": "Depot 9", "rejection_reason": ""})
    # Acceptance before the delivery date is refused on the field, input kept.
    assert response.status_code == 400
    assert "Depot 9" in response.content.decode()
    response = client.post(url, {"accepted_on": "2024-09-02", "location": "Depot 9", "rejection_reason": ""})
    assert response.status_code == 302
    recorded.refresh_from_db()
    assert (recorded.location, str(recorded.accepted_on)) == ("Depot 9", "2024-09-02")
