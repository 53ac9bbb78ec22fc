"""The standards' notifications: a promulgated edition tells every Ally's directors, a review
falling due reminds the secretariat and the directors of the Allies that have not responded, and
an interoperability alert tells its nation's directors once; nobody else hears of any of them."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal import notifications
from portal.choices import NationKind
from portal.models import Nation, Notification
from procurement.choices import Firmness
from procurement.models import CallOff, CallOffLine, DemandSignal
from procurement.tests.factories import make_framework
from standards import services
from standards.choices import Implementation, Ratification, ReviewOutcome, StandardStatus
from standards.models import ItemRequirement
from standards.notifications import alert_reminders, review_reminders
from standards.services import ResponseInput
from standards.tests.factories import make_domain, make_standard

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
_refs = itertools.count(1)


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run the on-commit publish of the mail job, as a real commit would."""
    return django_capture_on_commit_callbacks


@pytest.fixture
def bystanders(make_user, nspa):
    """Who hears of nothing here: NSPA, a board member, a partner, a partner nation's director and
    an inactive Polish director."""
    return [
        nspa,
        make_user("board_member", None, username="board"),
        make_user("partner", "UKR", username="partner_ukr"),
        make_user("director", "UKR", username="director_ukr"),
        make_user("director", "POL", username="retired_pol", is_active=False),
    ]


@pytest.fixture
def colleague(make_user):
    """A second Polish director: every director of a nation hears of what it must do."""
    return make_user("director", "POL", username="colleague_pol")


def told(kind: str) -> list[str]:
    """The usernames told of ``kind``, sorted."""
    return sorted(
        Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True).order_by()
    )


def texts(user, kind: str) -> list[str]:
    return [str(row) for row in Notification.objects.filter(recipient=user, kind=kind).order_by("pk")]


def allies() -> int:
    return Nation.objects.filter(kind=NationKind.ALLY).count()


# --- A new edition in force -----------------------------------------------------------------


def test_a_promulgated_edition_tells_every_allys_directors_and_nobody_else(
    owner, other, colleague, secretariat, make_user, bystanders, on_commit
):
    clerk = make_user("secretariat", None, username="sec_colleague")
    owner.email = "owner@example.org"
    owner.save()
    mail.outbox.clear()
    with on_commit(execute=True):
        standard = make_standard(number="4425", edition="3", actor=secretariat)
    assert told("edition_promulgated") == ["colleague_pol", "other_fra", "owner_pol"]
    # Not the secretariat that recorded it (the actor), nor its colleague, nor any bystander.
    assert not Notification.objects.filter(recipient__in=[secretariat, clerk, *bystanders]).exists()
    row = Notification.objects.get(recipient=owner, kind="edition_promulgated")
    assert str(row) == "STANAG 4425 Ed. 3 was promulgated on 31 Mar 2020: record your nation's response"
    assert row.url == reverse("standards:standard-detail", args=[standard.pk])
    assert row.actor == secretariat
    # Mailed at once (the only director with an address).
    (message,) = mail.outbox
    assert message.to == ["owner@example.org"]
    assert "STANAG 4425 Ed. 3 was promulgated" in message.subject


def test_only_coming_into_force_tells_and_only_once(owner, other, secretariat):
    study = make_standard(number="4426", status=StandardStatus.STUDY, actor=secretariat)
    services.standard_update(actor=secretariat, standard=study, status=StandardStatus.RATIFICATION_DRAFT)
    services.standard_update(actor=secretariat, standard=study, title="Renamed draft")
    assert told("edition_promulgated") == []
    services.standard_update(
        actor=secretariat,
        standard=study,
        status=StandardStatus.PROMULGATED,
        promulgated_on=dt.date(2026, 6, 1),
    )
    assert told("edition_promulgated") == ["other_fra", "owner_pol"]
    # An edit of an edition in force tells nobody; out of force by mistake and back is not news.
    services.standard_update(actor=secretariat, standard=study, title="Renamed")
    services.standard_update(actor=secretariat, standard=study, status=StandardStatus.CANCELLED)
    services.standard_update(actor=secretariat, standard=study, status=StandardStatus.PROMULGATED)
    assert told("edition_promulgated") == ["other_fra", "owner_pol"]
    assert texts(owner, "edition_promulgated") == [
        "STANAG 4426 Ed. 1 was promulgated on 1 Jun 2026: record your nation's response"
    ]


def test_a_reviews_new_edition_is_told_when_promulgated_not_when_drafted(owner, secretariat):
    old = make_standard(number="4427", edition="2", actor=secretariat)
    Notification.objects.all().delete()
    review = services.review_open(actor=secretariat, standard=old, due_on=TODAY)
    review = services.review_complete(
        actor=secretariat, review=review, outcome=ReviewOutcome.NEW_EDITION, new_edition="3"
    )
    assert told("edition_promulgated") == []  # the new edition starts in study
    services.standard_update(
        actor=secretariat,
        standard=review.new_edition,
        status=StandardStatus.PROMULGATED,
        promulgated_on=TODAY,
    )
    # The new edition is told; the one it superseded is not told of again.
    assert [row.object_id for row in Notification.objects.filter(kind="edition_promulgated")] == [
        str(review.new_edition.pk)
    ]


def test_the_catalogue_import_tells_once_of_what_it_left_in_force(owner, other, secretariat):
    from standards.tests.test_imports import catalogue, edition_row

    make_domain(code="lbdm", actor=secretariat)
    rows = [
        # Ed. 2 is saved as promulgated only so that Ed. 3 can supersede it: not news.
        edition_row(edition="3", promulgated="2023-05-22", supersedes="4425 Ed. 2"),
        edition_row(edition="2", status="Superseded", promulgated="2010-01-15"),
        edition_row(
            number="AOP-29", edition="D v1", doc_type="ap", status="Ratification draft", promulgated=""
        ),
    ]
    catalogue(secretariat, rows)
    assert texts(owner, "edition_promulgated") == [
        "STANAG 4425 Ed. 3 was promulgated on 22 May 2023: record your nation's response"
    ]
    assert told("edition_promulgated") == ["other_fra", "owner_pol"]
    # The same file again brings nothing into force; a file that promulgates the draft does.
    catalogue(secretariat, rows)
    assert len(texts(owner, "edition_promulgated")) == 1
    rows[2] = edition_row(number="AOP-29", edition="D v1", doc_type="ap", promulgated="2026-01-10")
    catalogue(secretariat, rows)
    assert texts(owner, "edition_promulgated")[1:] == [
        "AOP-29 Ed. D v1 was promulgated on 10 Jan 2026: record your nation's response"
    ]


# --- Reviews falling due --------------------------------------------------------------------


def _ratify(actor, standard):
    services.response_save(
        actor=actor,
        nation=actor.nation,
        row=ResponseInput(standard=standard, ratification=Ratification.RATIFIED, expected_version=0),
    )


def test_a_review_due_reminds_the_secretariat_and_the_allies_that_have_not_responded(
    owner, other, colleague, secretariat, bystanders
):
    standard = make_standard(number="4428", actor=secretariat, promulgated_on=TODAY)  # next due in 5 years
    _ratify(owner, standard)  # Poland has responded; France has not
    review = services.review_open(actor=secretariat, standard=standard, due_on=TODAY + dt.timedelta(days=10))
    notifications.send_reminders(TODAY)
    notifications.send_reminders(TODAY)  # the beat ran twice
    assert told("standard_review_due") == ["other_fra", "sec"]
    assert not Notification.objects.filter(kind="standard_review_due", recipient__in=bystanders).exists()
    row = Notification.objects.get(recipient=other, kind="standard_review_due")
    due = review.due_on
    assert (row.object_id, row.dedupe_key) == (str(review.pk), f"due-14:{due.isoformat()}")
    assert row.url == reverse("standards:standard-detail", args=[standard.pk])
    assert str(row) == (
        f"The review of STANAG 4428 Ed. 1 is due on {due.day} {due:%b %Y}; "
        f"1 of {allies()} Allies have responded to it"
    )
    # Each threshold once, however often the beat runs: 7 days, then overdue.
    notifications.send_reminders(TODAY + dt.timedelta(days=4))
    for _ in range(2):
        notifications.send_reminders(TODAY + dt.timedelta(days=11))
    keys = list(
        Notification.objects.filter(recipient=secretariat, kind="standard_review_due")
        .order_by("pk")
        .values_list("dedupe_key", flat=True)
    )
    assert keys == [f"{threshold}:{due.isoformat()}" for threshold in ("due-14", "due-7", "overdue")]
    services.review_complete(actor=secretariat, review=review, outcome=ReviewOutcome.NO_CHANGE)
    assert list(review_reminders(TODAY + dt.timedelta(days=12))) == []  # a completed review is no deadline


def test_once_every_ally_with_a_director_has_responded_only_the_secretariat_is_reminded(
    owner, other, secretariat
):
    standard = make_standard(number="4431", actor=secretariat, promulgated_on=TODAY)
    _ratify(owner, standard)
    _ratify(other, standard)
    services.review_open(actor=secretariat, standard=standard, due_on=TODAY)
    notifications.send_reminders(TODAY)
    assert told("standard_review_due") == ["sec"]
    assert texts(secretariat, "standard_review_due") == [
        f"The review of STANAG 4431 Ed. 1 is due on {TODAY.day} {TODAY:%b %Y}; "
        f"2 of {allies()} Allies have responded to it"
    ]


def test_a_cycle_that_ends_with_no_review_reminds_again_a_cycle_later(owner, secretariat):
    standard = make_standard(
        number="4429",
        actor=secretariat,
        promulgated_on=TODAY - dt.timedelta(days=360),
        review_cycle_months=12,
    )
    ends = standard.next_review_due
    notifications.send_reminders(ends - dt.timedelta(days=1))
    assert told("standard_review_due") == ["owner_pol", "sec"]
    assert Notification.objects.get(recipient=secretariat, kind="standard_review_due").object_id == str(
        standard.pk
    )
    review = services.review_open(actor=secretariat, standard=standard, due_on=ends)
    services.review_complete(actor=secretariat, review=review, outcome=ReviewOutcome.NO_CHANGE)
    standard.refresh_from_db()
    assert standard.next_review_due > ends
    # A year on, the same edition falls due again: that due date's reminders are new ones.
    notifications.send_reminders(standard.next_review_due - dt.timedelta(days=3))
    keys = list(
        Notification.objects.filter(
            recipient=secretariat, kind="standard_review_due", object_id=str(standard.pk)
        )
        .order_by("pk")
        .values_list("dedupe_key", flat=True)
    )
    assert keys == [f"due-1:{ends.isoformat()}", f"due-7:{standard.next_review_due.isoformat()}"]


# --- Interoperability alerts ----------------------------------------------------------------


@pytest.fixture
def ordering(owner, other, secretariat, nspa):
    """Poland and France in a framework for an item that requires STANAG 4430; France has
    ratified and implemented it, Poland has not responded."""
    framework = make_framework(actor=nspa, nations=("POL", "FRA"), lines=((Decimal("10.00"), 10**6),))
    line = framework.lines.select_related("item").get()
    standard = make_standard(number="4430", actor=secretariat, promulgated_on=TODAY)  # no review due
    ItemRequirement.objects.create(item=line.item, standard=standard)
    services.response_save(
        actor=other,
        nation=other.nation,
        row=ResponseInput(
            standard=standard,
            ratification=Ratification.RATIFIED,
            implementation=Implementation.IMPLEMENTED,
            implementation_date=dt.date(2022, 1, 1),
            expected_version=0,
        ),
    )
    return {"framework": framework, "line": line, "item": line.item, "standard": standard}


def call_off(ordering, code: str, quantity: int = 10) -> CallOff:
    order = CallOff.objects.create(
        framework=ordering["framework"],
        nation=Nation.objects.get(code=code),
        reference=f"CO-{code}-{next(_refs)}",
        order_date=dt.date(2026, 6, 1),
    )
    line = ordering["line"]
    CallOffLine.objects.create(
        call_off=order,
        framework_line=line,
        quantity=quantity,
        unit_price=line.unit_price,
        value=line.unit_price * quantity,
    )
    return order


def test_an_alert_tells_its_nations_directors_once(
    owner, other, colleague, secretariat, bystanders, ordering, on_commit
):
    polish = call_off(ordering, "POL")
    call_off(ordering, "FRA")  # France ratified and implemented: no alert
    DemandSignal.objects.create(
        nation=owner.nation, item=ordering["item"], year=TODAY.year, quantity=5, firmness=Firmness.FIRM
    )
    owner.email = "owner@example.org"
    owner.save()
    mail.outbox.clear()
    with on_commit(execute=True):
        notifications.send_reminders(TODAY)
        notifications.send_reminders(TODAY)  # the beat ran twice
    # Poland's order and its demand; France, which ratified and implemented, has no alert.
    assert told("alert_raised") == ["colleague_pol", "colleague_pol", "owner_pol", "owner_pol"]
    assert (
        not Notification.objects.filter(kind="alert_raised")
        .exclude(recipient__in=[owner, colleague])
        .exists()
    )
    item = ordering["item"].name
    assert texts(owner, "alert_raised") == [
        f"Interoperability alert: {item} ({polish.reference}) requires STANAG 4430 Ed. 1, "
        "which Poland has not fully ratified and implemented",
        f"Interoperability alert: {item} ({TODAY.year}) requires STANAG 4430 Ed. 1, "
        "which Poland has not fully ratified and implemented",
    ]
    first = Notification.objects.filter(recipient=owner, kind="alert_raised").order_by("pk").first()
    assert first.url == reverse("procurement:call-off-detail", args=[polish.pk])
    # A day's alerts wait for the digest rather than a mail each.
    assert mail.outbox == []
    assert set(Notification.objects.filter(kind="alert_raised").values_list("email_state", flat=True)) == {
        "digest"
    }

    # Poland ratifies but has not implemented: the same alert, not told again. A new order is.
    _ratify(owner, ordering["standard"])
    newer = call_off(ordering, "POL")
    notifications.send_reminders(TODAY)
    assert len(texts(owner, "alert_raised")) == 3
    assert f"({newer.reference})" in texts(owner, "alert_raised")[-1]


def test_an_alert_of_a_nation_with_no_director_waits_for_its_first(make_user, ordering):
    call_off(ordering, "DEU")
    notifications.send_reminders(TODAY)
    assert told("alert_raised") == []  # Germany has no director yet
    make_user("director", "DEU", username="first_deu")
    notifications.send_reminders(TODAY)
    assert told("alert_raised") == ["first_deu"]


def test_an_alert_is_never_told_to_who_may_not_see_its_order(owner, other, ordering):
    polish = call_off(ordering, "POL")
    with transaction.atomic():
        written = notifications.notify("alert_raised", polish, recipients=[other], url="/")
    assert written == 0


@pytest.mark.parametrize("orders", [1, 4])
def test_a_sweep_with_nothing_new_reads_a_constant_number_of_queries(orders, owner, secretariat, ordering):
    for _ in range(orders):
        call_off(ordering, "POL")
    review = services.review_open(
        actor=secretariat, standard=ordering["standard"], due_on=TODAY + dt.timedelta(days=3)
    )
    notifications.send_reminders(TODAY)
    assert Notification.objects.filter(kind="alert_raised", recipient=owner).count() == orders
    assert Notification.objects.filter(kind="standard_review_due", object_id=str(review.pk)).exists()
    with CaptureQueriesContext(connection) as queries:
        assert list(alert_reminders(TODAY)) == []
        assert list(review_reminders(TODAY)) == []
    # Already told: read what was told, then the alerts (one query) and the deadlines (two).
    assert len(queries) == 5
