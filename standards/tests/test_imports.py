"""The catalogue and national-response imports: a good file in CSV and XLSX, every bad row with its
row, column and message, nothing written on a refusal, a director refused another nation's rows,
formula-looking text kept as text, the audit trail, the upload pages and the API endpoints."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from portal.models import Nation, ObjectChange
from portal.tests.openapi import assert_matches_schema
from procurement.tests.import_helpers import csv_bytes, xlsx_bytes
from standards import importers, services
from standards.choices import AuditEvent, Implementation, Ratification, StandardStatus
from standards.importers import ImportRejected
from standards.models import NationalResponse, Standard
from standards.services import ResponseInput
from standards.tests.factories import make_domain, make_standard

pytestmark = pytest.mark.django_db

CATALOGUE_HEADER = [
    "doc_type", "number", "edition", "title", "title_fr", "status", "promulgated_on", "effective_on",
    "custodian", "domain", "level", "supersedes", "review_cycle_months", "notes",
]  # fmt: skip
RESPONSE_HEADER = [
    "nation", "doc_type", "number", "edition", "ratification", "ratification_reference", "ratified_on",
    "reservations", "implementation", "implementation_date",
]  # fmt: skip


def rejection(run, actor, data, name="file.csv") -> list[tuple[int, str, str]]:
    with pytest.raises(ImportRejected) as caught:
        run(actor=actor, data=data, file_name=name)
    return [(error.row, error.column, error.message) for error in caught.value.errors]


def where(found) -> list[tuple[int, str]]:
    return [(row, column) for row, column, _message in found]


@pytest.fixture
def domain(secretariat):
    return make_domain(code="lbdm", name="Land battle decisive munitions", actor=secretariat)


def edition_row(number="4425", edition="2", status="promulgated", promulgated="2020-03-31", **cells):
    values = {
        "doc_type": "STANAG", "number": number, "edition": edition, "title": f"Shell {number}",
        "title_fr": "", "status": status, "promulgated_on": promulgated, "effective_on": "",
        "custodian": "LCG LE", "domain": "lbdm", "level": "interchangeability", "supersedes": "",
        "review_cycle_months": "", "notes": "", **cells,
    }  # fmt: skip
    return [values[name] for name in CATALOGUE_HEADER]


def catalogue(actor, rows, name="catalogue.csv", header=CATALOGUE_HEADER):
    return importers.import_catalogue(actor=actor, data=csv_bytes(header=header, rows=rows), file_name=name)


# --- The catalogue ----------------------------------------------------------------------------


def test_a_catalogue_file_creates_editions_and_their_supersession(secretariat, domain):
    rows = [
        # The new edition comes first in the file and supersedes the old one, which the file
        # marks superseded: the import saves the old one first, as promulgated, then supersedes it.
        edition_row(edition="3", promulgated="22/05/2023", supersedes="4425 Ed. 2", review_cycle_months="36"),
        edition_row(edition="2", status="Superseded", promulgated="2010-01-15", title_fr="Obus"),
        edition_row(
            number="AOP-29", edition="D v1", doc_type="ap", status="Ratification draft", promulgated=""
        ),
    ]
    counts = catalogue(secretariat, rows)
    assert (counts.rows, counts.created, counts.updated, counts.unchanged) == (3, 3, 0, 0)
    old = Standard.objects.get(number="4425", edition="2")
    new = Standard.objects.get(number="4425", edition="3")
    assert (old.status, old.title_fr) == (StandardStatus.SUPERSEDED, "Obus")
    assert (new.status, new.supersedes_id, new.promulgated_on) == (
        "promulgated",
        old.pk,
        dt.date(2023, 5, 22),
    )
    assert new.review_cycle_months == 36
    assert new.next_review_due == dt.date(2026, 5, 22)
    ap = Standard.objects.get(number="AOP-29")
    assert (ap.doc_type, ap.edition, ap.status, ap.review_cycle_months) == (
        "ap",
        "D v1",
        "ratification_draft",
        60,
    )
    # One event for the file, and the ordinary per-row audit rows of the services.
    events = ObjectChange.objects.filter(action=AuditEvent.CATALOGUE_IMPORTED)
    assert [(e.actor_username, e.after["created"], e.after["file"]) for e in events] == [
        ("sec", 3, "catalogue.csv")
    ]
    created = ObjectChange.objects.filter(action="create", content_type__model="standard")
    assert sorted(created.values_list("object_repr", flat=True)) == [
        "AOP-29 Ed. D v1",
        "STANAG 4425 Ed. 2",
        "STANAG 4425 Ed. 3",
    ]
    assert ObjectChange.objects.filter(action=AuditEvent.EDITION_SUPERSEDED, object_id=str(old.pk)).exists()

    # The same file again: the supersession is there already, so nothing is replayed or changed.
    changes = ObjectChange.objects.count()
    counts = catalogue(secretariat, rows)
    assert (counts.created, counts.updated, counts.unchanged) == (0, 0, 3)
    assert ObjectChange.objects.count() == changes
    assert [s.version for s in Standard.objects.order_by("pk")] == [2, 1, 1]


def test_the_same_file_again_changes_nothing_and_a_changed_row_updates_its_edition(secretariat, domain):
    rows = [edition_row(edition="2"), edition_row(number="4426", edition="1")]
    catalogue(secretariat, rows)
    changes = ObjectChange.objects.count()
    counts = catalogue(secretariat, rows)
    assert (counts.created, counts.updated, counts.unchanged) == (0, 0, 2)
    assert ObjectChange.objects.count() == changes

    rows[1] = edition_row(number="4426", edition="1", title="Fuzes, renamed", custodian="")
    counts = catalogue(secretariat, rows)
    assert (counts.created, counts.updated, counts.unchanged) == (0, 1, 1)
    renamed = Standard.objects.get(number="4426")
    assert (renamed.title, renamed.custodian, renamed.version) == ("Fuzes, renamed", "", 2)
    update = ObjectChange.objects.get(action="update", object_id=str(renamed.pk))
    assert set(update.changed_fields) >= {"title", "custodian"}


def test_a_column_left_out_keeps_what_the_catalogue_holds(secretariat, domain):
    standard = make_standard(number="4425", edition="2", domain=domain, actor=secretariat, custodian="LCG LE")
    header = ["doc_type", "number", "edition", "title", "status", "promulgated_on", "domain", "level"]
    data = csv_bytes(
        header=header,
        rows=[["stanag", "4425", "2", "Renamed", "promulgated", "2020-03-31", "lbdm", "commonality"]],
    )
    importers.import_catalogue(actor=secretariat, data=data, file_name="c.csv")
    standard.refresh_from_db()
    assert (standard.title, standard.level, standard.custodian) == ("Renamed", "commonality", "LCG LE")


def test_every_bad_row_is_reported_by_row_and_column_and_nothing_is_written(secretariat, domain):
    make_standard(number="4425", edition="1", status="study", domain=domain, actor=secretariat)
    before = (Standard.objects.count(), ObjectChange.objects.count())
    rows = [
        edition_row(number="5001"),  # valid, but the file is refused as a whole
        edition_row(number="5002", status="in force"),
        edition_row(number="5003", promulgated="31/02/2020"),
        edition_row(number="5004", domain="nope"),
        edition_row(number="5005", supersedes="Ed. 9"),
        edition_row(number="5001"),
        edition_row(number="5006", title=""),
        edition_row(number="5007", review_cycle_months="ten"),
        edition_row(number="5008", supersedes="5008 Ed. 2"),
    ]
    found = rejection(importers.import_catalogue, secretariat, csv_bytes(header=CATALOGUE_HEADER, rows=rows))
    assert where(found) == [
        (3, "status"),
        (4, "promulgated_on"),
        (8, "title"),
        (9, "review_cycle_months"),
        (5, "domain"),
        (6, "supersedes"),
        (7, "edition"),
        (10, "supersedes"),
    ]
    messages = {(row, column): message for row, column, message in found}
    assert "promulgated" in messages[(3, "status")]
    assert "not a real date" in messages[(4, "promulgated_on")]
    assert "nope" in messages[(5, "domain")]
    assert "STANAG 5005 Ed. 9" in messages[(6, "supersedes")]
    assert "first in row 2" in messages[(7, "edition")]
    assert (Standard.objects.count(), ObjectChange.objects.count()) == before


def test_the_services_rules_are_reported_for_every_row_at_once(secretariat, domain):
    make_standard(number="4425", edition="1", status="study", domain=domain, actor=secretariat)
    rows = [
        edition_row(number="6001"),  # saved inside the transaction, then rolled back
        edition_row(number="6002", promulgated=""),
        edition_row(number="6003", effective_on="2019-01-01"),
        # Superseding an edition that is not promulgated is refused.
        edition_row(number="4425", edition="2", supersedes="1"),
    ]
    found = rejection(importers.import_catalogue, secretariat, csv_bytes(header=CATALOGUE_HEADER, rows=rows))
    assert where(found) == [(3, "promulgated_on"), (4, "effective_on"), (5, "supersedes")]
    assert "promulgation date" in found[0][2]
    assert "study" in found[2][2]
    assert not Standard.objects.filter(number__in=["6001", "6002", "6003"]).exists()
    assert not ObjectChange.objects.filter(action=AuditEvent.CATALOGUE_IMPORTED).exists()


def test_the_header_must_name_the_required_columns_once_and_nothing_else(secretariat, domain):
    header = ["Doc type", "number", "edition", "title", "title", "status", "colour", "level"]
    found = rejection(
        importers.import_catalogue, secretariat, csv_bytes(header=header, rows=[["stanag"] * 8])
    )
    assert where(found) == [(1, "title"), (1, "colour"), (1, "domain")]


def test_the_catalogue_imports_from_xlsx_with_dates_and_numbers_as_cells(secretariat, domain):
    rows = [edition_row(promulgated=dt.date(2020, 3, 31), review_cycle_months=48)]
    counts = importers.import_catalogue(
        actor=secretariat, data=xlsx_bytes(header=CATALOGUE_HEADER, rows=rows), file_name="catalogue.xlsx"
    )
    assert counts.created == 1
    standard = Standard.objects.get(number="4425")
    assert (standard.promulgated_on, standard.review_cycle_months) == (dt.date(2020, 3, 31), 48)


def test_formula_looking_text_is_kept_as_text_and_an_unsaved_formula_is_refused(secretariat, domain):
    hostile = '=HYPERLINK("http://evil.example","x")'
    catalogue(secretariat, [edition_row(title=hostile, notes="+cmd|' /C calc'!A0")])
    standard = Standard.objects.get(number="4425")
    assert (standard.title, standard.notes) == (hostile, "+cmd|' /C calc'!A0")
    # An XLSX formula is never calculated: without a saved value, the cell is refused.
    book = openpyxl.Workbook()
    book.active.append(CATALOGUE_HEADER)
    book.active.append(edition_row(number="4426"))
    book.active["D2"] = "=1+1"
    buffer = io.BytesIO()
    book.save(buffer)
    found = rejection(importers.import_catalogue, secretariat, buffer.getvalue(), "catalogue.xlsx")
    assert where(found) == [(2, "title")]
    assert not Standard.objects.filter(number="4426").exists()


def test_only_the_secretariat_imports_the_catalogue(owner, nspa, domain):
    from portal.exceptions import Forbidden

    for user in (owner, nspa):
        with pytest.raises(Forbidden):
            catalogue(user, [edition_row()])
    assert not Standard.objects.exists()


# --- National responses -----------------------------------------------------------------------


@pytest.fixture
def editions(secretariat, domain):
    return {
        "4425": make_standard(number="4425", edition="2", domain=domain, actor=secretariat),
        "4426": make_standard(number="4426", edition="1", domain=domain, actor=secretariat),
        "9999": make_standard(number="9999", edition="1", status="study", domain=domain, actor=secretariat),
    }


def answer(nation="POL", number="4425", edition="2", ratification="ratified", **cells):
    values = {
        "nation": nation, "doc_type": "STANAG", "number": number, "edition": edition,
        "ratification": ratification, "ratification_reference": "", "ratified_on": "", "reservations": "",
        "implementation": "", "implementation_date": "", **cells,
    }  # fmt: skip
    return [values[name] for name in RESPONSE_HEADER]


def responses(actor, rows, name="responses.csv", header=RESPONSE_HEADER):
    return importers.import_responses(
        actor=actor, data=csv_bytes(header=header, rows=rows, delimiter=";"), file_name=name
    )


def test_a_director_imports_their_nations_responses(owner, editions):
    rows = [
        answer(ratification="Ratified with reservations", reservations="Right to deviate on fuze wells",
               ratified_on="2021-05-04", implementation="implemented", implementation_date="2022-01-01"),
        answer(number="4426", edition="1", ratification="will_not_ratify"),
    ]  # fmt: skip
    counts = responses(owner, rows)
    assert (counts.created, counts.updated, counts.unchanged, counts.nations) == (2, 0, 0, ["POL"])
    first = NationalResponse.objects.get(standard=editions["4425"])
    assert (first.nation.code, first.ratification, first.ratified_on) == (
        "POL",
        Ratification.RESERVATIONS,
        dt.date(2021, 5, 4),
    )
    assert (first.implementation, first.updated_by) == (Implementation.IMPLEMENTED, owner)
    assert ObjectChange.objects.filter(action=AuditEvent.RESPONSE_RECORDED).count() == 2
    event = ObjectChange.objects.get(action=AuditEvent.RESPONSES_IMPORTED)
    assert (event.object_repr, event.after["created"]) == ("Poland", 2)


def test_the_secretariat_imports_for_several_nations_on_their_behalf(secretariat, editions):
    poland = Nation.objects.get(code="POL")
    services.response_save(
        actor=secretariat,
        nation=poland,
        row=ResponseInput(standard=editions["4425"], ratification="reservations", reservations="Old"),
    )
    header = ["nation", "doc_type", "number", "edition", "ratification"]
    rows = [["pol", "stanag", "4425", "2", "ratified"], ["FRA", "stanag", "4425", "2", "no_response"]]
    counts = responses(secretariat, rows, header=header)
    assert (counts.created, counts.updated, counts.nations) == (1, 1, ["FRA", "POL"])
    polish = NationalResponse.objects.get(nation=poland)
    # The reservations column was left out: the text recorded stays.
    assert (polish.ratification, polish.reservations, polish.version) == ("ratified", "Old", 2)
    assert ObjectChange.objects.filter(action=AuditEvent.RESPONSE_ON_BEHALF).count() == 3
    assert sorted(
        ObjectChange.objects.filter(action=AuditEvent.RESPONSES_IMPORTED).values_list(
            "object_repr", flat=True
        )
    ) == [
        "France",
        "Poland",
    ]


def test_a_director_is_refused_another_nations_rows_and_nothing_is_written(owner, editions):
    found = rejection(
        importers.import_responses,
        owner,
        csv_bytes(header=RESPONSE_HEADER, rows=[answer(), answer(nation="FRA", number="4426", edition="1")]),
    )
    assert found == [(3, "nation", "You may not record responses for France.")]
    assert not NationalResponse.objects.exists()
    assert not ObjectChange.objects.filter(action__startswith="response").exists()


def test_bad_response_rows_get_their_messages_and_nothing_is_written(owner, editions):
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    rows = [
        answer(),  # valid
        answer(number="4426", edition="1", ratification="reservations"),  # reservations missing
        answer(number="9999", edition="1"),  # a Study edition takes no response
        answer(number="1234", edition="1"),  # not in the catalogue
        answer(nation="XYZ"),
        answer(),  # the first row again
        answer(number="4426", edition="1", ratification="maybe"),
    ]
    found = rejection(importers.import_responses, owner, csv_bytes(header=RESPONSE_HEADER, rows=rows))
    # Row 8 names the edition of row 3 again, besides its unreadable ratification.
    assert where(found) == [(8, "ratification"), (5, "number"), (6, "nation"), (7, "edition"), (8, "edition")]
    assert "STANAG 1234 Ed. 1" in found[1][2]
    # The rows that pass the file's checks go to the service, whose rules name their columns.
    rows = [
        answer(),
        answer(number="4426", edition="1", ratification="reservations"),
        answer(number="9999", edition="1"),
    ]
    found = rejection(importers.import_responses, owner, csv_bytes(header=RESPONSE_HEADER, rows=rows))
    assert where(found) == [(3, "reservations"), (4, "edition")]
    assert "study" in found[1][2]
    found = rejection(
        importers.import_responses,
        owner,
        csv_bytes(
            header=RESPONSE_HEADER, rows=[answer(implementation="implemented", implementation_date=tomorrow)]
        ),
    )
    assert where(found) == [(2, "implementation_date")]
    assert not NationalResponse.objects.exists()


def test_responses_import_from_xlsx(owner, editions):
    rows = [
        answer(
            ratified_on=dt.date(2021, 5, 4), implementation="Planned", implementation_date=dt.date(2030, 1, 1)
        )
    ]
    counts = importers.import_responses(
        actor=owner, data=xlsx_bytes(header=RESPONSE_HEADER, rows=rows), file_name="r.xlsx"
    )
    assert counts.created == 1
    response = NationalResponse.objects.get()
    assert (response.ratified_on, response.implementation, response.implementation_date) == (
        dt.date(2021, 5, 4),
        "planned",
        dt.date(2030, 1, 1),
    )


def test_roles_that_record_no_responses_may_not_import_them(nspa, users_by_role, editions):
    from portal.exceptions import Forbidden

    for user in (nspa, users_by_role["partner"], users_by_role["board_member"]):
        with pytest.raises(Forbidden):
            responses(user, [answer()])


# --- The upload pages ---------------------------------------------------------------------------


def upload(data: bytes, name: str = "file.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_the_catalogue_page_shows_every_problem_and_keeps_nothing(client, secretariat, domain):
    url = reverse("standards:catalogue-import")
    client.force_login(secretariat)
    page = client.get(url)
    assert page.status_code == 200
    assert b'enctype="multipart/form-data"' in page.content
    assert b"<code>supersedes</code>" in page.content
    bad = csv_bytes(
        header=CATALOGUE_HEADER, rows=[edition_row(), edition_row(number="4426", status="in force")]
    )
    response = client.post(url, {"file": upload(bad)})
    assert response.status_code == 400
    assert [(e.row, e.column) for e in response.context["errors"]] == [(3, "status")]
    assert b"Nothing was saved." in response.content
    assert not Standard.objects.exists()

    good = csv_bytes(header=CATALOGUE_HEADER, rows=[edition_row(), edition_row(number="4426")])
    response = client.post(url, {"file": upload(good)}, follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert "Imported 2 rows: 2 new, 0 changed, 0 already recorded." in response.content.decode()
    assert Standard.objects.count() == 2


def test_the_responses_page_refuses_another_nations_rows(client, owner, editions):
    url = reverse("standards:responses-import")
    client.force_login(owner)
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"file": upload(csv_bytes(header=RESPONSE_HEADER, rows=[answer(nation="DEU")]))}
    )
    assert response.status_code == 400
    assert "You may not record responses for Germany." in response.content.decode()
    assert not NationalResponse.objects.exists()
    response = client.post(url, {})
    assert response.status_code == 400
    assert response.context["form"].errors["file"]


@pytest.mark.parametrize(("route", "role"), [("catalogue-import", "director"), ("responses-import", "nspa")])
def test_the_pages_refuse_who_may_not_import(client, users_by_role, route, role):
    client.force_login(users_by_role[role])
    assert client.get(reverse(f"standards:{route}")).status_code == 403


# --- The API ------------------------------------------------------------------------------------


@pytest.fixture
def api():
    return APIClient()


def test_the_api_imports_the_catalogue_and_reports_rejections(api, secretariat, domain):
    url = reverse("standards-api:catalogue-import")
    path = "/api/standards/import/catalogue/"
    api.force_authenticate(secretariat)
    response = api.post(
        url, {"file": upload(csv_bytes(header=CATALOGUE_HEADER, rows=[edition_row()]))}, format="multipart"
    )
    assert response.status_code == 201, response.content
    assert response.json() == {"rows": 1, "created": 1, "updated": 0, "unchanged": 0}
    assert_matches_schema(response, path, "post")
    again = api.post(
        url, {"file": upload(csv_bytes(header=CATALOGUE_HEADER, rows=[edition_row()]))}, format="multipart"
    )
    assert (again.status_code, again.json()["unchanged"]) == (200, 1)
    assert_matches_schema(again, path, "post")

    bad = csv_bytes(header=CATALOGUE_HEADER, rows=[edition_row(number="4426", level="total")])
    refused = api.post(url, {"file": upload(bad)}, format="multipart")
    assert refused.status_code == 400
    assert_matches_schema(refused, path, "post")
    [error] = refused.json()["errors"]
    assert (error["row"], error["column"]) == (2, "level")
    assert not Standard.objects.filter(number="4426").exists()
    missing = api.post(url, {}, format="multipart")
    assert (missing.status_code, missing.json()["errors"][0]["column"]) == (400, "file")


def test_the_api_imports_responses_for_a_director_only_their_own(api, owner, editions):
    url = reverse("standards-api:responses-import")
    path = "/api/standards/import/responses/"
    api.force_authenticate(owner)
    refused = api.post(
        url,
        {"file": upload(csv_bytes(header=RESPONSE_HEADER, rows=[answer(nation="FRA")]))},
        format="multipart",
    )
    assert refused.status_code == 400
    assert refused.json()["errors"] == [
        {"row": 2, "column": "nation", "message": "You may not record responses for France."}
    ]
    assert_matches_schema(refused, path, "post")
    done = api.post(
        url, {"file": upload(csv_bytes(header=RESPONSE_HEADER, rows=[answer()]))}, format="multipart"
    )
    assert (done.status_code, done.json()["created"]) == (201, 1)
    assert_matches_schema(done, path, "post")


def test_the_api_refuses_roles_without_the_grant(api, nspa, owner):
    api.force_authenticate(nspa)
    refused = api.post("/api/standards/import/responses/", {}, format="multipart")
    assert refused.status_code == 403
    assert_matches_schema(refused, "/api/standards/import/responses/", "post")
    api.force_authenticate(owner)
    assert api.post("/api/standards/import/catalogue/", {}, format="multipart").status_code == 403
