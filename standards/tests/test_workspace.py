"""The standards' home panels: the editions a nation has not answered, reviews due, and alerts."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from standards import services, workspace
from standards.choices import Ratification
from standards.services import ResponseInput
from standards.tests.factories import make_standard, secretariat_user

pytestmark = pytest.mark.django_db


def test_a_director_sees_the_editions_their_nation_has_not_answered(owner, other):
    today = timezone.localdate()
    answered = make_standard(number="4425")
    unanswered = make_standard(number="2459")
    said_nothing = make_standard(number="4569")
    make_standard(number="9999", status="study")  # takes no response
    services.response_save(
        actor=owner, nation=owner.nation, row=ResponseInput(answered, ratification=Ratification.RATIFIED)
    )
    services.response_save(actor=owner, nation=owner.nation, row=ResponseInput(said_nothing))
    panel = workspace.responses_panel(owner, today)
    [figure] = panel.figures
    assert figure.value == "2"
    assert figure.label == "promulgated editions without your nation's response"
    texts = [entry.text for entry in panel.entries]
    assert f"{unanswered}: no response yet" in texts
    assert f"{said_nothing}: no response yet" in texts
    assert f"{answered}: no response yet" not in texts
    assert panel.entries[0].url == reverse("standards:response-form")
    # France answered nothing: all three count for it.
    assert workspace.responses_panel(other, today).figures[0].value == "3"


def test_reviews_due_soon_are_listed_with_their_date(owner):
    today = timezone.localdate()
    standard = make_standard(number="4187")
    review = services.review_open(
        actor=secretariat_user(), standard=standard, due_on=today + dt.timedelta(days=5)
    )
    panel = workspace.responses_panel(owner, today)
    entry = next(entry for entry in panel.entries if entry.date == review.due_on)
    assert entry.text == f"Review due: {standard}"
    assert entry.note == "in 5 days"
    assert entry.url == reverse("standards:standard-detail", args=[standard.pk])


def test_panels_are_for_those_who_hold_the_grants(owner, secretariat, nspa, make_user):
    today = timezone.localdate()
    partner = make_user("partner", "UKR", username="p_ukr")
    assert workspace.responses_panel(secretariat, today) is None  # no nation of their own
    assert workspace.responses_panel(nspa, today) is None
    assert workspace.alerts_panel(partner, today) is None
    assert workspace.alerts_panel(owner, today).entries == []
    assert workspace.alerts_panel(owner, today).empty.startswith("No open alert")


@pytest.mark.parametrize("size", [1, 8])
def test_the_responses_panel_keeps_its_query_count(size, owner, django_assert_num_queries):
    for n in range(size):
        make_standard(number=str(5100 + n))
    # The count, the newest unanswered editions, open reviews, editions due for review.
    with django_assert_num_queries(4):
        workspace.responses_panel(owner, timezone.localdate())
