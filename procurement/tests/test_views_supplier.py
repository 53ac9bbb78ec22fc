"""The supplier page: every reader of the supplier list may open it (framework pages link their
suppliers' names here), it lists only the frameworks its reader sees, and only NSPA gets the edit
link and the edit form."""

from __future__ import annotations

import pytest

from procurement import services
from procurement.tests.factories import make_framework
from procurement.tests.views_helpers import body, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def supplier(nspa):
    supplier = services.supplier_create(actor=nspa, name="Nammo", country="NOR")
    polish = make_framework(actor=nspa, nations=("POL",))
    french = make_framework(actor=nspa, nations=("FRA",))
    for framework in (polish, french):
        services.framework_update(
            actor=nspa, framework=framework, expected_version=None, suppliers=[supplier]
        )
    supplier.polish, supplier.french = polish, french
    return supplier


def test_a_director_opens_the_supplier_from_its_framework_and_sees_only_theirs(client, owner, supplier):
    client.force_login(owner)
    framework_page = body(client.get(url("framework-detail", pk=supplier.polish.pk)))
    detail = url("supplier-detail", pk=supplier.pk)
    assert f'href="{detail}"' in framework_page
    response = client.get(detail)
    assert response.status_code == 200
    page = body(response)
    assert "Nammo" in page
    assert "NOR" in page
    assert supplier.polish.reference in page
    assert supplier.french.reference not in page  # France's framework is not Poland's to see
    assert url("supplier-edit", pk=supplier.pk) not in page
    assert client.get(url("supplier-edit", pk=supplier.pk)).status_code == 403


def test_the_supplier_list_links_to_the_page_and_nspa_edits_from_it(client, nspa, secretariat, supplier):
    client.force_login(secretariat)
    detail = url("supplier-detail", pk=supplier.pk)
    assert f'href="{detail}"' in body(client.get(url("supplier-list")))
    secretariat_page = body(client.get(detail))
    assert supplier.polish.reference in secretariat_page
    assert supplier.french.reference in secretariat_page

    client.force_login(nspa)
    page = body(client.get(detail))
    edit = url("supplier-edit", pk=supplier.pk)
    assert f'href="{edit}"' in page
    response = client.post(edit, {"name": "Nammo AS", "country": "NOR"})
    assert response.status_code == 302
    assert response["Location"] == detail
    history = body(client.get(detail)).split('data-testid="history"')[1]
    assert "Nammo AS" in history


def test_a_partner_or_an_unknown_supplier_is_a_404(client, make_user, nspa, supplier):
    client.force_login(make_user("partner", "UKR"))
    assert client.get(url("supplier-detail", pk=supplier.pk)).status_code == 404
    client.force_login(nspa)
    assert client.get(url("supplier-detail", pk=supplier.pk + 1000)).status_code == 404
