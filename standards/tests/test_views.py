"""The standards pages a user works in: the catalogue, an edition's page, the matrix, a nation's
page, the bulk response form (per-row errors, input kept, 409 naming the change) and alerts."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from portal.models import Nation
from procurement import services as procurement_services
from procurement.tests.factories import ItemFactory, make_calloff, make_framework, nspa_user
from standards import services
from standards.models import NationalResponse
from standards.services import ResponseInput
from standards.tests.factories import make_domain, make_standard

pytestmark = pytest.mark.django_db
TOMORROW = dt.date.today() + dt.timedelta(days=1)


@pytest.fixture
def edition(secretariat):
    domain = make_domain(actor=secretariat)
    return make_standard(
        number="4425",
        edition="2",
        domain=domain,
        actor=secretariat,
        title="Indirect fire ammunition",
        title_fr="Munitions de tir indirect",
    )


@pytest.fixture
def poland():
    return Nation.objects.get(code="POL")


def row_data(edition, response=None, **values):
    prefix = f"s{edition.pk}"
    data = {
        "ratification": "no_response",
        "ratification_reference": "",
        "ratified_on": "",
        "reservations": "",
        "implementation": "not_implemented",
        "implementation_date": "",
        "without_ratification_reason": "",
        "version": str(response.version if response else 0),
        "original": "",
        **values,
    }
    return {f"{prefix}-{name}": value for name, value in data.items()}


def loaded_original(client, url, edition) -> str:
    """The ``original`` the page rendered for the row: an unchanged row must not be saved."""
    page = client.get(url)
    form = page.context["form_rows"][0]
    return form["original"].value()


# --- The catalogue -------------------------------------------------------------------------


def test_catalogue_finds_an_edition_as_people_cite_it_and_by_french_title(client, owner, edition):
    other = make_standard(number="2459", edition="3", domain=edition.domain)
    client.force_login(owner)
    for query in ("STANAG 4425", "4425", "tir indirect"):
        page = client.get("/standards/", {"q": query})
        assert page.status_code == 200
        rows = [row.record for row in page.context["table"].page.object_list]
        assert rows == [edition], query
    assert other not in rows


def test_catalogue_exports_typed_rows(client, owner, edition):
    client.force_login(owner)
    response = client.get("/standards/", {"export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    first = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert first["Standard"] == "STANAG 4425"
    assert first["Promulgated"].date() == edition.promulgated_on


def test_edition_page_shows_responses_items_and_history(client, owner, secretariat, edition, poland):
    services.response_save(
        actor=secretariat,
        nation=poland,
        row=ResponseInput(standard=edition, ratification="reservations", reservations="Charge zones differ"),
    )
    item = ItemFactory(name="155 mm round")
    services.requirement_add(actor=secretariat, item=item, standard=edition)
    client.force_login(owner)
    page = client.get(f"/standards/{edition.pk}/").content.decode()
    assert "Charge zones differ" in page
    assert "155 mm round" in page
    assert "Recorded on behalf of Poland" in page  # the history shows who recorded it for whom


def test_partner_reads_the_edition_but_no_response(client, make_user, secretariat, edition, poland):
    services.response_save(
        actor=secretariat,
        nation=poland,
        row=ResponseInput(standard=edition, ratification="reservations", reservations="Secret reservation"),
    )
    client.force_login(make_user("partner", "UKR"))
    page = client.get(f"/standards/{edition.pk}/")
    assert page.status_code == 200
    assert "Secret reservation" not in page.content.decode()
    assert client.get("/standards/matrix/").status_code == 403


# --- The matrix --------------------------------------------------------------------------


def test_matrix_cell_carries_letter_words_and_reservations(client, owner, secretariat, edition, poland):
    services.response_save(
        actor=secretariat,
        nation=poland,
        row=ResponseInput(standard=edition, ratification="reservations", reservations="Zone 6 charges"),
    )
    client.force_login(owner)
    page = client.get("/standards/matrix/", {"domain": edition.domain_id})
    html = page.content.decode()
    assert page.status_code == 200
    assert "R*†" in html  # the letter, not only a colour
    assert 'role="tooltip"' in html
    assert "Zone 6 charges" in html
    matrix = page.context["matrix"]
    polish = matrix.nations.index(poland)
    assert matrix.rows[0].cells[polish].letter == "R*"
    assert matrix.nation_totals[polish].ratified == 1


def test_matrix_legend_is_french_in_french(client, owner, edition):
    client.force_login(owner)
    page = client.get("/standards/matrix/", HTTP_ACCEPT_LANGUAGE="fr")
    assert "Ratifié avec réserves" in page.content.decode()


def test_matrix_export_has_a_column_per_ally(client, owner, edition):
    client.force_login(owner)
    response = client.get("/standards/matrix/", {"export": "csv"})
    assert response.status_code == 200
    header = response.content.decode("utf-8-sig").splitlines()[0].split(",")
    assert "POL" in header
    assert "FRA" in header
    assert "UKR" not in header


def test_an_unknown_domain_is_a_404_not_a_500(client, owner):
    client.force_login(owner)
    assert client.get("/standards/matrix/", {"domain": "999999"}).status_code == 404
    assert client.get("/standards/matrix/", {"domain": "x"}).status_code == 404
    assert client.get("/standards/matrix/", {"page": "-1"}).status_code == 200


# --- The response form -------------------------------------------------------------------


def test_director_records_a_reservation_in_bulk(client, owner, edition, poland):
    client.force_login(owner)
    url = "/standards/responses/"
    data = row_data(
        edition,
        ratification="reservations",
        reservations="Charge zones",
        original=loaded_original(client, url, edition),
    )
    response = client.post(url, data)
    assert response.status_code == 302
    saved = NationalResponse.objects.get(nation=poland, standard=edition)
    assert (saved.ratification, saved.reservations, saved.updated_by) == (
        "reservations",
        "Charge zones",
        owner,
    )


def test_an_unchanged_row_is_not_saved(client, owner, edition):
    client.force_login(owner)
    url = "/standards/responses/"
    response = client.post(url, row_data(edition, original=loaded_original(client, url, edition)))
    assert response.status_code == 302
    assert not NationalResponse.objects.exists()


def test_errors_stay_beside_their_row_and_keep_the_input(client, owner, edition):
    second = make_standard(number="2459", edition="3", domain=edition.domain)
    client.force_login(owner)
    url = "/standards/responses/"
    data = {
        **row_data(edition, ratification="reservations", reservations=""),
        **row_data(
            second, ratification="ratified", implementation="implemented", implementation_date=str(TOMORROW)
        ),
    }
    response = client.post(url, data)
    assert response.status_code == 400
    rows = {row.standard.pk: row for row in response.context["form_rows"]}
    assert rows[edition.pk].errors["reservations"] == ["State the reservations."]
    assert "cannot be in the future" in rows[second.pk].errors["implementation_date"][0]
    assert rows[second.pk]["implementation"].value() == "implemented"  # the input is kept
    assert not NationalResponse.objects.exists()  # all or nothing


def test_a_row_the_post_does_not_carry_is_left_alone(client, owner, secretariat, edition, poland):
    """An edition added after the page was loaded is not in the post: it is not an invalid row."""
    client.force_login(owner)
    url = "/standards/responses/"
    original = loaded_original(client, url, edition)
    make_standard(number="2459", edition="3", domain=edition.domain)
    response = client.post(url, row_data(edition, ratification="ratified", original=original))
    assert response.status_code == 302
    assert list(NationalResponse.objects.values_list("standard__number", flat=True)) == ["4425"]


def test_a_stale_save_is_a_409_that_names_the_change(client, owner, make_user, secretariat, edition, poland):
    client.force_login(owner)
    url = "/standards/responses/"
    original = loaded_original(client, url, edition)
    services.response_save(
        actor=secretariat,
        nation=poland,
        row=ResponseInput(standard=edition, ratification="will_not_ratify", expected_version=0),
    )
    response = client.post(url, row_data(edition, ratification="ratified", original=original))
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else recorded responses" in html
    assert "sec" in html  # who changed it
    assert response.context["form_rows"][0]["ratification"].value() == "ratified"
    assert NationalResponse.objects.get(nation=poland, standard=edition).ratification == "will_not_ratify"


def test_a_director_may_not_open_another_nations_form(client, owner):
    client.force_login(owner)
    assert client.get("/standards/responses/", {"nation": "FRA"}).status_code == 403


def test_secretariat_records_on_behalf(client, secretariat, edition, poland):
    client.force_login(secretariat)
    url = "/standards/responses/?nation=POL"
    page = client.get(url)
    assert "on behalf of Poland" in page.content.decode()
    response = client.post(
        url, row_data(edition, ratification="ratified", original=loaded_original(client, url, edition))
    )
    assert response.status_code == 302
    assert NationalResponse.objects.get(nation=poland, standard=edition).updated_by == secretariat


# --- Alerts ------------------------------------------------------------------------------


@pytest.fixture
def ordered(secretariat, edition):
    """A Polish call-off for an item that requires the edition."""
    item = ItemFactory(name="155 mm round")
    services.requirement_add(actor=secretariat, item=item, standard=edition)
    framework = make_framework(actor=nspa_user(), nations=("POL", "FRA"))
    line = procurement_services.framework_line_add(
        actor=nspa_user(), framework=framework, item=item, unit_price=Decimal("10.00"), max_quantity=100
    )
    return make_calloff(framework, nation="POL", quantity=10, actor=nspa_user(), line=line)


def test_call_off_page_shows_its_alert_and_it_clears_on_ratification(
    client, secretariat, edition, ordered, poland
):
    client.force_login(secretariat)
    url = f"/procurement/call-offs/{ordered.pk}/"
    assert "Not ratified" in client.get(url).content.decode()
    services.response_save(
        actor=secretariat,
        nation=poland,
        row=ResponseInput(
            standard=edition,
            ratification="ratified",
            implementation="implemented",
            implementation_date=dt.date(2024, 1, 1),
        ),
    )
    assert 'data-testid="no-alerts"' in client.get(url).content.decode()


def test_alert_list_filters_and_nation_page_lists_them(client, secretariat, owner, edition, ordered, poland):
    client.force_login(secretariat)
    page = client.get("/standards/alerts/", {"nation": "POL", "kind": "not_ratified"})
    assert page.status_code == 200
    assert [alert.source_label for alert in page.context["alerts"]] == [ordered.reference]
    assert client.get("/standards/alerts/", {"nation": "FRA"}).context["alerts"] == []
    assert client.get("/standards/alerts/", {"nation": "ZZZ"}).status_code == 200  # a field message
    client.force_login(owner)
    nation_page = client.get(f"/standards/nations/{poland.pk}/").content.decode()
    assert ordered.reference in nation_page


def test_alert_list_pages_without_counting_and_misses_no_alert(
    client, secretariat, edition, ordered, monkeypatch
):
    """Five call-offs by two nations, read two alerts a page: every alert once, in the list's order,
    "Page 2" with no total, and a next link only while there is more."""
    from standards import selectors
    from standards.views import alerts as alert_views

    framework = ordered.framework
    line = ordered.lines.get().framework_line
    for nation in ("FRA", "POL", "FRA", "POL"):
        make_calloff(framework, nation=nation, quantity=5, actor=nspa_user(), line=line)
    monkeypatch.setattr(alert_views, "PAGE_SIZE", 2)
    client.force_login(secretariat)
    seen, number = [], 1
    while True:
        page = client.get("/standards/alerts/", {"page": number})
        assert page.status_code == 200
        seen += [alert.row for alert in page.context["alerts"]]
        html = page.content.decode()
        if number == 2:
            assert "Page 2" in html
            assert "Page 2 of" not in html
            assert "Alerts 3\N{EN DASH}4" in html
        if f"page={number + 1}" not in html:
            break
        number += 1
    assert number == 3
    assert seen == list(selectors.alert_list(user=secretariat))
    assert len(seen) == 5
    # A page past the end shows the first, as a counted list shows its last.
    assert client.get("/standards/alerts/", {"page": 99}).context["page"].number == 1


def test_alert_list_exports(client, secretariat, ordered):
    client.force_login(secretariat)
    response = client.get("/standards/alerts/", {"export": "csv"})
    assert response.status_code == 200
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Alert,Nation code")
    assert "POL" in lines[1]
    assert "STANAG 4425 Ed. 2" in lines[1]
