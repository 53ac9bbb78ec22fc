"""NSPA uploads a delivery file in the browser: per-row errors, all or nothing, re-upload is a no-op."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from procurement.models import Delivery, DeliveryImport
from procurement.tests.factories import make_calloff, make_framework

pytestmark = pytest.mark.django_db
URL = reverse("procurement:delivery-import")


def csv_file(text: str, name: str = "deliveries.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


@pytest.fixture
def line():
    return make_calloff(make_framework(), quantity=100).lines.get()


def test_valid_file_is_imported_once(client, nspa, line):
    body = (
        "call_off_line,delivered_on,quantity_delivered,quantity_accepted,quantity_rejected,rejection_reason,lot_number\n"
        f"{line.pk},2024-09-01,40,40,0,,A1\n"
        f'{line.pk},2024-10-01,"1,5",8,2,Dented,A2\n'
    )
    client.force_login(nspa)
    page = client.get(URL)
    assert page.status_code == 200
    assert b'enctype="multipart/form-data"' in page.content
    # "1,5" is not a whole number: the whole file is refused, with row and column.
    response = client.post(URL, {"file": csv_file(body)})
    assert response.status_code == 400
    errors = response.context["errors"]
    assert [(e.row, e.column) for e in errors] == [(3, "quantity_delivered")]
    assert b"Nothing was saved." in response.content
    assert Delivery.objects.count() == 0

    fixed = body.replace('"1,5"', "10")
    response = client.post(URL, {"file": csv_file(fixed)}, follow=True)
    assert response.status_code == 200
    assert "Imported 2 deliveries" in response.content.decode()
    assert Delivery.objects.count() == 2
    line.refresh_from_db()
    assert (line.delivered_quantity, line.accepted_quantity) == (50, 48)

    response = client.post(URL, {"file": csv_file(fixed)}, follow=True)
    assert "Nothing new: all 2 rows were already recorded." in response.content.decode()
    assert Delivery.objects.count() == 2
    assert DeliveryImport.objects.count() == 1


def test_missing_file_is_a_field_error(client, nspa):
    client.force_login(nspa)
    response = client.post(URL, {})
    assert response.status_code == 400
    assert response.context["form"].errors["file"]


def test_an_xls_renamed_to_xlsx_gets_a_clear_message(client, nspa):
    client.force_login(nspa)
    fake = SimpleUploadedFile("deliveries.xlsx", b"\xd0\xcf\x11\xe0" + b"\x00" * 600)
    response = client.post(URL, {"file": fake})
    assert response.status_code == 400
    assert ".xls" in response.context["errors"][0].message


@pytest.mark.parametrize("role", ["director", "secretariat", "partner"])
def test_only_nspa_may_import(client, users_by_role, role):
    client.force_login(users_by_role[role])
    assert client.post(URL, {"file": csv_file("x")}).status_code == 403


def test_a_file_naming_lines_by_call_off_and_line_number(client, nspa, line):
    reference = line.call_off.reference
    header = "call_off,line_number,delivered_on,quantity_delivered,quantity_accepted,lot_number\n"
    body = header + (
        f"{reference},1,2024-09-01,40,40,A1\nCO-NOWHERE,1,2024-09-01,1,1,A2\n{reference},2,2024-09-01,1,1,A3\n"
    )
    client.force_login(nspa)
    page = client.get(URL).content.decode()
    assert "<code>call_off</code>, <code>line_number</code>" in page
    assert "as the call-off page shows them" in page

    response = client.post(URL, {"file": csv_file(body)})

    assert response.status_code == 400
    assert [(e.row, e.column) for e in response.context["errors"]] == [(3, "call_off"), (4, "line_number")]
    table = response.content.decode().split('data-testid="import-errors"')[1]
    assert "No call-off with the reference CO-NOWHERE." in table
    assert f"Call-off {reference} has 1 line; there is no line 2." in table
    assert Delivery.objects.count() == 0

    fixed = header + f"{reference},1,2024-09-01,40,40,A1\n{reference},1,2024-09-02,2,2,A3\n"
    response = client.post(URL, {"file": csv_file(fixed)}, follow=True)
    assert "Imported 2 deliveries" in response.content.decode()
    assert set(Delivery.objects.values_list("call_off_line_id", flat=True)) == {line.pk}
