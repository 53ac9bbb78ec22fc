"""The call-off form: each line's delivery schedule is a list of due date and quantity entries (not
free text), errors sit beside the field they are about and keep what was typed, and every control
on the page has a label."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from html.parser import HTMLParser

import pytest

from procurement.forms import SCHEDULE_ROWS
from procurement.models import CallOff, ScheduledDelivery
from procurement.tests.factories import make_framework
from procurement.tests.views_helpers import body, calloff_post, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def framework():
    """Two lines: 500 at 100.00 and 100 at 7.50; 2024 to 2027."""
    return make_framework(lines=((Decimal("100.00"), 500), (Decimal("7.50"), 100)))


def place(client, framework, rows, **overrides):
    """POST the call-off form with ``rows`` (see ``calloff_post``) under ``framework``."""
    return client.post(url("call-off-create", pk=framework.pk), calloff_post(framework, rows, **overrides))


def row_html(response, index: int) -> str:
    return body(response).split(f'data-testid="line-row-{index}"')[1].split("</tr>")[0]


def field_html(page: str, name: str) -> str:
    """The rendered input named ``name`` and what follows it up to the next entry or cell."""
    return page.split(f'name="{name}"', 1)[1].split("</li>")[0].split("</td>")[0]


def test_a_schedule_of_more_entries_than_the_form_shows_is_placed(client, nspa, framework):
    first, second = framework.lines.order_by("pk")
    client.force_login(nspa)
    schedule = [("2025-03-31", "25"), ("2024-12-31", "25"), ("2025-06-30", "25"), ("2025-09-30", "25")]
    assert len(schedule) > SCHEDULE_ROWS  # as if the page's "Add a delivery" had been pressed
    data = calloff_post(
        framework,
        [
            {"framework_line": first.pk, "quantity": "100", "schedule": schedule},
            {},
            # Blank entries between and after filled ones are ignored.
            {"framework_line": second.pk, "quantity": "10", "schedule": [("", ""), ("2025-01-31", "10")]},
        ],
    )

    response = client.post(url("call-off-create", pk=framework.pk), data)

    call_off = CallOff.objects.get(reference=data["reference"])
    assert response["Location"] == url("call-off-detail", pk=call_off.pk)
    tranches = ScheduledDelivery.objects.filter(call_off_line__call_off=call_off).order_by(
        "call_off_line", "due_date"
    )
    assert [(t.call_off_line.framework_line_id, t.due_date, t.quantity) for t in tranches] == [
        (first.pk, dt.date(2024, 12, 31), 25),
        (first.pk, dt.date(2025, 3, 31), 25),
        (first.pk, dt.date(2025, 6, 30), 25),
        (first.pk, dt.date(2025, 9, 30), 25),
        (second.pk, dt.date(2025, 1, 31), 10),
    ]


def test_an_invalid_date_is_an_error_on_that_entry_and_the_input_stays(client, nspa, framework):
    first = framework.lines.order_by("pk").first()
    client.force_login(nspa)
    schedule = [("2024-12-31", "10"), ("2024-02-30", "20")]
    rows = [{"framework_line": first.pk, "quantity": "30", "schedule": schedule}]

    response = place(client, framework, rows, reference="CO-KEEP")

    assert response.status_code == 400
    row = row_html(response, 0)
    bad = field_html(row, "lines-0-schedule-1-due_date")
    assert 'value="2024-02-30"' in bad
    assert 'aria-invalid="true"' in bad
    assert 'aria-describedby="id_lines-0-schedule-1-due_date_error"' in bad
    assert (
        '<div class="field-error" id="id_lines-0-schedule-1-due_date_error"><p>Enter a valid date.</p>' in bad
    )
    # Everything else typed is still there, and only the bad field is marked.
    assert 'value="2024-12-31"' in field_html(row, "lines-0-schedule-0-due_date")
    assert 'value="20"' in field_html(row, "lines-0-schedule-1-quantity")
    assert row.count("field-error") == 1
    assert 'value="30"' in field_html(row, "lines-0-quantity")
    assert 'value="CO-KEEP"' in body(response)
    assert not CallOff.objects.exists()


@pytest.mark.parametrize(
    ("entry", "field", "message"),
    [
        (("2024-12-31", "0"), "quantity", "Ensure this value is greater than or equal to 1."),
        (("2024-12-31", "-5"), "quantity", "Ensure this value is greater than or equal to 1."),
        (("2024-12-31", "ten"), "quantity", "Enter a whole number."),
        (("2024-12-31", "2.5"), "quantity", "Enter a whole number."),
        (("2024-12-31", ""), "quantity", "How many are due on this date?"),
        (("", "10"), "due_date", "When are they due?"),
    ],
)
def test_an_invalid_or_half_entry_is_an_error_on_its_field(client, nspa, framework, entry, field, message):
    first = framework.lines.order_by("pk").first()
    client.force_login(nspa)
    response = place(client, framework, [{"framework_line": first.pk, "quantity": "10", "schedule": [entry]}])

    assert response.status_code == 400
    entry_html = field_html(row_html(response, 0), f"lines-0-schedule-0-{field}")
    assert f"<p>{message}</p>" in entry_html
    if entry[1]:
        assert f'value="{entry[1]}"' in field_html(row_html(response, 0), "lines-0-schedule-0-quantity")
    assert not CallOff.objects.exists()


def test_schedule_entries_without_an_item_ask_for_the_item(client, nspa, framework):
    client.force_login(nspa)
    response = place(client, framework, [{"schedule": [("2024-12-31", "10")]}])

    assert response.status_code == 400
    assert "Choose the item." in field_html(row_html(response, 0), "lines-0-framework_line")


def test_a_schedule_that_does_not_add_up_is_said_beside_that_lines_schedule(client, nspa, framework):
    first = framework.lines.order_by("pk").first()
    client.force_login(nspa)
    schedule = [("2024-12-31", "5"), ("2023-01-01", "15")]
    rows = [{}, {"framework_line": first.pk, "quantity": "30", "schedule": schedule}]

    response = place(client, framework, rows)

    assert response.status_code == 400
    row = row_html(response, 1)
    schedule = row.split("<fieldset", 1)[1]
    assert 'aria-describedby="schedule-help lines-1-schedule_error"' in schedule
    errors = schedule.split('id="lines-1-schedule_error">')[1].split("</div>")[0]
    # The service's checks, not the form's: the dates and the sum.
    assert "Each scheduled delivery needs a positive quantity, due after the order." in errors
    assert "The schedule adds up to 20, not the 30 ordered." in errors
    assert 'value="2023-01-01"' in row
    assert "schedule_error" not in row_html(response, 0)


def test_a_missing_schedule_management_form_is_a_400_said_on_the_row(client, nspa, framework):
    first = framework.lines.order_by("pk").first()
    client.force_login(nspa)
    data = calloff_post(framework, [{"framework_line": first.pk, "quantity": "20"}])
    for key in [key for key in data if key.startswith("lines-0-schedule-")]:
        del data[key]

    response = client.post(url("call-off-create", pk=framework.pk), data)

    assert response.status_code == 400
    assert "ManagementForm data is missing or has been tampered with" in row_html(response, 0)
    assert not CallOff.objects.exists()


# --- Every control has a label ------------------------------------------------------------------


class Controls(HTMLParser):
    """The form controls of a page outside <template> elements (inert until a script copies them),
    and the ``for`` of its labels."""

    def __init__(self):
        super().__init__()
        self.controls: list[dict] = []
        self.label_for: list[str] = []
        self.ids: list[str] = []
        self.template_depth = 0
        self.open_labels = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "template":
            self.template_depth += 1
        if self.template_depth:
            return
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "label":
            self.open_labels += 1
            if attrs.get("for"):
                self.label_for.append(attrs["for"])
        if tag in ("input", "select", "textarea") and attrs.get("type") != "hidden":
            self.controls.append({"tag": tag, "wrapped": self.open_labels > 0, **attrs})

    def handle_endtag(self, tag):
        if tag == "template":
            self.template_depth -= 1
        elif tag == "label" and not self.template_depth:
            self.open_labels -= 1


def unlabelled(page: str) -> list[str]:
    parser = Controls()
    parser.feed(page)
    assert len(parser.ids) == len(set(parser.ids)), "ids repeat"
    labelled = set(parser.label_for)
    return [
        control.get("name") or control.get("id") or control["tag"]
        for control in parser.controls
        if not (
            control.get("id") in labelled
            or control["wrapped"]
            or control.get("aria-label", "").strip()
            or control.get("aria-labelledby", "").strip()
        )
    ]


def test_every_control_on_the_call_off_form_has_a_label(client, nspa, framework):
    client.force_login(nspa)
    page = body(client.get(url("call-off-create", pk=framework.pk)))
    parser = Controls()
    parser.feed(page)
    schedule_inputs = [c for c in parser.controls if "-schedule-" in c.get("name", "")]
    assert len(schedule_inputs) == 5 * SCHEDULE_ROWS * 2  # five lines, a date and a quantity each
    assert unlabelled(page) == []
    last = '<label class="visually-hidden" for="id_lines-4-schedule-2-quantity">Line 5, delivery 3: quantity'
    assert last in page
    assert '<label class="visually-hidden" for="id_lines-0-framework_line">Line 1: item</label>' in page
    # The blank entry the script copies is labelled too, with its numbers to fill in.
    assert "Line 1, delivery __number__: due date" in page

    # And on the page that comes back with errors.
    first = framework.lines.order_by("pk").first()
    rows = [{"framework_line": first.pk, "quantity": "x", "schedule": [("soon", "y")]}]
    response = place(client, framework, rows)
    assert response.status_code == 400
    assert unlabelled(body(response)) == []


def test_the_label_check_finds_an_unlabelled_control():
    page = (
        '<label for="a">A</label><input id="a"><label>B <input name="b"></label>'
        '<input name="c"><select id="d"></select><input aria-label="E" name="e">'
    )
    assert unlabelled(page) == ["c", "d"]
