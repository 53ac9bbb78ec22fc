"""The NATO edition upload page: the same all-or-nothing import as the command, in the browser."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pledges.expenditure_import import SHIPPED_DATA
from pledges.models import DipMetric, ExpenditureDataset, ExpenditureRecord
from portal.models import ObjectChange

DATA = SHIPPED_DATA
NC, USD = "defence-expenditure-2026-edition.csv", "defence-expenditure-2026-edition-usd.csv"
URL = reverse("pledges:dip-edition-import")

pytestmark = pytest.mark.django_db(transaction=True)  # the recompute job runs on commit


def upload(name: str, content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, content if content is not None else (DATA / name).read_bytes(), "text/csv"
    )


def post(client, **files):
    return client.post(URL, {"edition_year": 2026, "price_base_year": 2021, **files})


def test_the_secretariat_uploads_an_edition_and_a_reupload_changes_nothing(client, secretariat):
    client.force_login(secretariat)
    response = post(client, national_currency=upload(NC), usd=upload(USD))
    dataset = ExpenditureDataset.objects.get(edition_year=2026)
    assert response.status_code == 302
    assert response["Location"] == reverse("pledges:dip-dataset", kwargs={"pk": dataset.pk})
    assert dataset.records.count() == 403
    assert DipMetric.objects.filter(dataset=dataset, stale=False).count() == 429
    page = client.get(response["Location"]).content.decode()
    assert "403 created" in page

    changes = ObjectChange.objects.count()
    response = post(client, national_currency=upload(NC), usd=upload(USD))
    assert response.status_code == 302
    assert "Nothing changed" in client.get(response["Location"]).content.decode()
    assert ObjectChange.objects.count() == changes


def test_bad_rows_are_listed_and_nothing_is_imported(client, secretariat):
    client.force_login(secretariat)
    lines = (DATA / USD).read_text(encoding="utf-8").splitlines(keepends=True)
    lines[5] = lines[5].replace("AL,ALB,Albania", "XX,XYZ,Nowhere", 1)
    response = post(client, usd=upload(USD, "".join(lines).encode()))
    assert response.status_code == 400
    content = response.content.decode()
    assert "Nothing was imported" in content
    assert "row 6, country_iso3: Unknown nation &#x27;XYZ&#x27;." in content
    assert not ExpenditureDataset.objects.exists()
    assert not ExpenditureRecord.objects.exists()


def test_form_errors_name_the_field(client, secretariat):
    client.force_login(secretariat)
    response = post(client)
    assert response.status_code == 400
    assert "Choose at least one of the edition" in response.content.decode()
    # The USD file in the national-currency box, and a file that is not UTF-8.
    response = post(client, national_currency=upload(USD), usd=upload(NC, "é;1".encode("cp1252")))
    content = response.content.decode()
    assert response.status_code == 400
    assert "This looks like the USD file" in content
    assert "not UTF-8 text" in content
    response = client.post(URL, {"edition_year": "abc", "price_base_year": 2021, "usd": upload(USD)})
    assert response.status_code == 400
    assert 'id="id_edition_year_error"' in response.content.decode()  # what aria-describedby names
    assert not ExpenditureDataset.objects.exists()


def test_only_the_secretariat_uploads(client, owner):
    client.force_login(owner)
    assert post(client, usd=upload(USD)).status_code == 403
    assert not ExpenditureDataset.objects.exists()
