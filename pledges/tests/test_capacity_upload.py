"""Bulk upload of capacity lines: all rows or none, every problem reported, hostile files refused."""

import datetime as dt
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from pledges import capacity_upload, services
from pledges.models import CapacityLine, PlanCycle
from portal.spreadsheets import FORMULA_MESSAGE
from portal.uploads import ImportRejected, RowError
from procurement.tests.factories import ItemFactory

pytestmark = pytest.mark.django_db

HEADER = ["Item", "Site", "Baseline output", "Baseline year", "Current output", "Target output",
          "Target year", "Lead time months", "Surge capacity", "Commitment"]  # fmt: skip


@pytest.fixture
def plan(owner):
    cycle = PlanCycle.objects.create(year=2026, due_date=dt.date(2026, 6, 30))
    return services.plan_start(actor=owner, nation=owner.nation, cycle=cycle)


@pytest.fixture
def items():
    return [ItemFactory(code="155mm-round"), ItemFactory(code="patriot-gem-t")]


def xlsx(rows, header=HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


GOOD = [
    ["155mm-round", "Mesko, Skarżysko-Kamienna", 30000, 2023, 60000, 150000, 2027, 18, 20000, None],
    ["patriot-gem-t", "Schrobenhausen", "1 000", 2024, 1200, 2000, 2028, 30, None, 3],
]


def post(client, plan, content: bytes, name="lines.xlsx"):
    url = reverse("pledges:capacity-upload", kwargs={"pk": plan.pk})
    return client.post(url, {"file": SimpleUploadedFile(name, content)})


def test_a_clean_file_adds_every_line(client, owner, plan, items):
    client.force_login(owner)
    response = post(client, plan, xlsx(GOOD))
    assert response.status_code == 302
    lines = list(CapacityLine.objects.filter(plan_version=plan.current_version).order_by("item__code"))
    assert [
        (line.item.code, line.baseline_output, line.surge_capacity, line.commitment) for line in lines
    ] == [
        ("155mm-round", 30000, 20000, 3),
        ("patriot-gem-t", 1000, 0, 3),
    ]
    assert lines[0].site == "Mesko, Skarżysko-Kamienna"


def test_every_bad_row_is_reported_and_nothing_is_saved(client, owner, plan, items):
    rows = [
        GOOD[0],
        ["no-such-item", "Site", 1, 2023, 1, 1, 2024, 1, 0, 3],  # row 3
        ["155mm-round", "Site", "lots", 2023, -5, 1, 2024, 1, 0, 3],  # row 4
        ["155mm-round", "Site", 1, 2026, 1, 1, 2024, 1, 0, 3],  # row 5: target before baseline
        ["155mm-round", "", 1, 1800, 1, 1, 2024, 999, 0, 12],  # row 6
    ]
    client.force_login(owner)
    response = post(client, plan, xlsx(rows))
    assert response.status_code == 400
    errors = {(e.row, e.column) for e in response.context["errors"]}
    assert errors == {
        (3, "item"),
        (4, "baseline_output"),
        (4, "current_output"),
        (5, "target_year"),
        (6, "site"),
        (6, "commitment"),
    }
    page = response.content.decode()
    assert "Unknown item code" in page
    assert "Nothing was saved." in page
    assert not CapacityLine.objects.exists()


def test_model_rules_are_reported_per_column(client, owner, plan, items):
    client.force_login(owner)
    response = post(client, plan, xlsx([["155mm-round", "Site", 1, 1990, 1, 1, 2030, 999, 0, 3]]))
    assert response.status_code == 400
    assert {(e.row, e.column) for e in response.context["errors"]} == {
        (2, "baseline_year"),
        (2, "lead_time_months"),
    }
    assert not CapacityLine.objects.exists()


def test_past_the_error_cap_the_rest_are_counted(owner, plan, items, monkeypatch):
    monkeypatch.setattr(capacity_upload, "MAX_REPORTED_ERRORS", 5)
    rows = [["155mm-round", "", 1, 2023, 1, 1, 2024, 1, 0, 3]] * 8  # each: one error, the site
    with pytest.raises(ImportRejected) as excinfo:
        capacity_upload.parse_capacity_file(user=owner, data=xlsx(rows))
    errors = excinfo.value.errors
    assert [(e.row, e.column) for e in errors[:5]] == [(n, "site") for n in range(2, 7)]
    assert errors[5:] == [RowError(0, "", "… and 3 more errors not listed.")]


def test_a_failure_while_writing_rolls_back_the_rows_already_added(owner, plan, items, monkeypatch):
    real_save = services.entry_save
    calls = []

    def failing_on_second_row(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise ValidationError({"site": "Refused by the database."})
        return real_save(**kwargs)

    monkeypatch.setattr(services, "entry_save", failing_on_second_row)
    with pytest.raises(ImportRejected) as excinfo:
        capacity_upload.upload_capacity_lines(actor=owner, plan=plan, data=xlsx(GOOD))
    assert [(e.row, e.column) for e in excinfo.value.errors] == [(3, "site")]
    assert not CapacityLine.objects.exists()


def test_a_formula_is_never_calculated(client, owner, plan, items):
    row = [*GOOD[0]]
    row[4] = "=1+1"  # openpyxl saves it as a formula without a value
    row[1] = '=HYPERLINK("http://evil","x")'
    client.force_login(owner)
    response = post(client, plan, xlsx([row]))
    assert response.status_code == 400
    messages = {(e.column, e.message) for e in response.context["errors"]}
    assert ("current_output", FORMULA_MESSAGE) in messages
    assert ("site", FORMULA_MESSAGE) in messages
    assert not CapacityLine.objects.exists()


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old-format .xls"),
        (b"item,site\n155mm-round,Mesko\n", "not an Excel workbook"),
        (zip_bytes({"xl/worksheets/sheet1.xml": b"\0" * (30 * 1024 * 1024)}), "zip bomb"),
        (zip_bytes({f"xl/part{i}.xml": b"x" for i in range(600)}), "parts; at most 500"),
        (zip_bytes({"readme.txt": b"hello"}), "not an Excel workbook"),
        (b"PK\x03\x04" + b"garbage" * 10, "damaged"),
        (xlsx([], header=["item", "site"]), "lacks baseline_output"),
        (xlsx([]), "no rows"),
    ],
)
def test_hostile_or_wrong_files_are_refused_with_a_message(client, owner, plan, content, message):
    client.force_login(owner)
    response = post(client, plan, content)
    assert response.status_code == 400
    (error,) = response.context["errors"]
    assert error.row == 0
    assert message in error.message


def test_an_empty_file_is_refused(client, owner, plan):
    client.force_login(owner)
    response = post(client, plan, b"")
    assert response.status_code == 400
    assert "The submitted file is empty." in response.content.decode()
    with pytest.raises(ImportRejected, match="The file is empty"):
        capacity_upload.parse_capacity_file(user=owner, data=b"")


def test_files_over_5_mb_are_refused_before_reading(client, owner, plan):
    client.force_login(owner)
    response = post(client, plan, b"PK\x03\x04" + b"\0" * (5 * 1024 * 1024))
    assert response.status_code == 400
    assert "larger than 5 MB" in response.content.decode()


def test_too_many_rows_are_refused(client, owner, plan, items):
    client.force_login(owner)
    response = post(client, plan, xlsx([GOOD[0]] * (capacity_upload.MAX_ROWS + 1)))
    assert response.status_code == 400
    assert "more than 1,000 rows" in response.context["errors"][0].message
    assert not CapacityLine.objects.exists()


def test_only_the_plans_director_while_editable(client, owner, other, secretariat, plan, items):
    url = reverse("pledges:capacity-upload", kwargs={"pk": plan.pk})
    client.force_login(other)
    assert post(client, plan, xlsx(GOOD)).status_code == 404
    client.force_login(secretariat)
    assert client.get(url).status_code == 404  # a draft does not exist for the secretariat
    services.plan_submit(actor=owner, plan=plan)
    assert post(client, plan, xlsx(GOOD)).status_code == 403
    client.force_login(owner)
    response = post(client, plan, xlsx(GOOD))
    assert response.status_code == 409
    assert "only to a draft or a returned plan" in response.content.decode()
    assert not CapacityLine.objects.exists()


def test_the_upload_page_explains_the_format(client, owner, plan):
    client.force_login(owner)
    response = client.get(reverse("pledges:capacity-upload", kwargs={"pk": plan.pk}))
    assert response.status_code == 200
    page = response.content.decode()
    assert "lead_time_months" in page
    assert 'type="file"' in page
