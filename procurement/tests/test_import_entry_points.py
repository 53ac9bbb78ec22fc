"""The delivery file import's entry points: the ``import_deliveries`` command and the upload API."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.test import APIClient

from portal.tests.openapi import assert_matches_schema
from procurement.importers import reader
from procurement.models import Delivery, DeliveryImport
from procurement.tests.import_helpers import csv_bytes, row, xlsx_bytes

URL = "/api/procurement/deliveries/import/"


# --- Command ------------------------------------------------------------------------------------


def test_command_imports_a_file(nspa, line, tmp_path):
    path = tmp_path / "deliveries.csv"
    path.write_bytes(csv_bytes([row(line, "L1"), row(line, "L2")]))
    out = io.StringIO()

    call_command("import_deliveries", str(path), "--as", nspa.username, stdout=out)

    assert out.getvalue().strip() == "deliveries.csv: 2 rows, 2 deliveries imported, 0 already recorded."
    assert Delivery.objects.count() == 2


def test_command_prints_each_error_and_fails(nspa, line, tmp_path):
    path = tmp_path / "deliveries.csv"
    path.write_bytes(csv_bytes([row(line, "L1", on="bad"), row(line, "L2", delivered="x")]))
    err = io.StringIO()

    with pytest.raises(CommandError, match="rejected; nothing was imported"):
        call_command("import_deliveries", str(path), "--as", nspa.username, stderr=err)

    lines = err.getvalue().splitlines()
    assert lines[0].startswith("row 2, delivered_on: 'bad' is not a date")
    assert lines[1].startswith("row 3, quantity_delivered: 'x' is not a number")
    assert Delivery.objects.count() == 0


def test_command_needs_an_nspa_user(owner, line, tmp_path):
    path = tmp_path / "deliveries.csv"
    path.write_bytes(csv_bytes([row(line)]))
    with pytest.raises(CommandError, match="--as"):
        call_command("import_deliveries", str(path))
    with pytest.raises(CommandError, match="No active user 'ghost'"):
        call_command("import_deliveries", str(path), "--as", "ghost")
    with pytest.raises(CommandError, match="Only NSPA staff"):
        call_command("import_deliveries", str(path), "--as", owner.username)
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_deliveries", str(tmp_path / "missing.csv"), "--as", owner.username)


# --- API ----------------------------------------------------------------------------------------


@pytest.fixture
def api():
    return APIClient()


def upload(api, data, name="deliveries.csv"):
    return api.post(URL, {"file": _named(data, name)}, format="multipart")


def _named(data: bytes, name: str):
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def test_api_imports_then_reports_nothing_new(api, nspa, line):
    api.force_authenticate(nspa)
    data = csv_bytes([row(line, "L1"), row(line, "L2")])

    first = upload(api, data)
    assert first.status_code == 201
    assert_matches_schema(first, URL, "post")
    batch = DeliveryImport.objects.get()
    assert first.json() == {"rows": 2, "created": 2, "skipped": 0, "import_id": batch.pk}

    again = upload(api, data)
    assert again.status_code == 200
    assert_matches_schema(again, URL, "post")
    assert again.json() == {"rows": 2, "created": 0, "skipped": 2, "import_id": None}


def test_api_lists_errors(api, nspa, line):
    api.force_authenticate(nspa)
    response = upload(api, xlsx_bytes([row(line, on="bad")]), "d.xlsx")

    assert response.status_code == 400
    assert_matches_schema(response, URL, "post")
    assert response.json() == {
        "errors": [
            {
                "row": 2,
                "column": "delivered_on",
                "message": "'bad' is not a date; use YYYY-MM-DD or DD/MM/YYYY.",
            }
        ]
    }


def test_api_without_a_file(api, nspa):
    api.force_authenticate(nspa)
    response = api.post(URL, {}, format="multipart")
    assert response.status_code == 400
    assert response.json()["errors"][0]["column"] == "file"


def test_api_refuses_an_upload_over_the_limit_before_reading_it(api, nspa, line, monkeypatch):
    monkeypatch.setattr(reader, "MAX_UPLOAD_BYTES", 100)
    api.force_authenticate(nspa)
    response = upload(api, csv_bytes([row(line, f"L{n}") for n in range(5)]))
    assert response.status_code == 400
    assert "the limit is" in response.json()["errors"][0]["message"]
    assert Delivery.objects.count() == 0


def test_api_is_for_nspa_only(api, owner, line):
    data = csv_bytes([row(line)])
    assert upload(api, data).status_code == 401
    api.force_authenticate(owner)
    response = upload(api, data)
    assert response.status_code == 403
    assert_matches_schema(response, URL, "post")
    assert Delivery.objects.count() == 0
