"""Procurement's notifications (issue 14, section 2): who is told of a call-off placed, of deliveries
recorded or rejected (one at a time and by file), of a scheduled delivery gone overdue and of a
framework near its ceiling; and who is not (another nation, partners, the Board, the actor)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from portal import notifications
from portal.models import Nation, Notification
from procurement import services
from procurement.choices import AmendmentRationale
from procurement.models import ScheduledDelivery
from procurement.tests.factories import amend, make_delivery, make_framework
from procurement.tests.import_helpers import csv_bytes, row, run

pytestmark = pytest.mark.django_db

_references = itertools.count(1)


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run the on-commit publish of the mail job, as a real commit would."""
    return django_capture_on_commit_callbacks


@pytest.fixture
def people(owner, other, nspa, secretariat, make_user):
    """Everyone who might be told: the Polish director (``owner``) and a colleague, the French
    director (``other``), NSPA (``nspa``, who acts, and a colleague), the secretariat, a Polish
    partner, a Board member and a Polish director whose account is disabled."""
    return {
        "owner": owner,
        "pol_colleague": make_user("director", "POL", username="pol_colleague"),
        "other": other,
        "nspa": nspa,
        "nspa_colleague": make_user("nspa", None, username="nspa_colleague"),
        "secretariat": secretariat,
        "partner": make_user("partner", "POL", username="partner_pol"),
        "board": make_user("board_member", None, username="board"),
        "pol_disabled": make_user("director", "POL", username="pol_disabled", is_active=False),
    }


def told(people, kind) -> dict[str, list[str]]:
    """Who holds a ``kind`` notification: {person: [its text, ...]}, only those who hold one."""
    texts: dict[str, list[str]] = {}
    for name, user in people.items():
        rows = Notification.objects.filter(recipient=user, kind=kind).order_by("pk")
        if rows:
            texts[name] = [notifications.render_text(n) for n in rows]
    return texts


def name(user) -> str:
    return user.get_full_name() or user.username


def order(framework, *, actor, nation="POL", quantity=100, schedule=(), reference=None):
    line = framework.lines.order_by("pk").first()
    return services.calloff_create(
        actor=actor,
        framework=framework,
        nation=Nation.objects.get(code=nation),
        reference=reference or f"CO-{nation}-{next(_references)}",
        order_date=dt.date(2024, 6, 1),
        lines=[services.CallOffLineInput(framework_line=line, quantity=quantity, schedule=list(schedule))],
    )


# --- A call-off placed ---------------------------------------------------------------------------


def test_a_call_off_tells_its_nations_directors_only(people, nspa, on_commit):
    people["owner"].email = "owner@example.org"
    people["owner"].save()
    framework = make_framework(actor=nspa)
    mail.outbox.clear()
    with on_commit(execute=True):  # the mail job it queues runs, as after a real commit
        call_off = order(framework, actor=nspa, reference="CO-POL-1")

    expected = f"{name(nspa)} placed call-off CO-POL-1 under {framework.reference}"
    assert told(people, "call_off_placed") == {"owner": [expected], "pol_colleague": [expected]}
    row = Notification.objects.get(recipient=people["owner"])
    assert row.url == reverse("procurement:call-off-detail", args=[call_off.pk])
    assert row.actor == nspa
    (message,) = mail.outbox
    assert message.to == ["owner@example.org"]
    assert expected in message.subject


def test_a_call_off_refused_tells_nobody(people, nspa):
    framework = make_framework(actor=nspa, ceiling=Decimal("1000"), lines=[(Decimal("100"), 100)])
    with pytest.raises(ValidationError):
        order(framework, actor=nspa, quantity=11)
    assert not Notification.objects.exists()


# --- Deliveries, one at a time -------------------------------------------------------------------


def test_a_delivery_tells_the_ordering_nations_directors(people, nspa):
    framework = make_framework(actor=nspa)
    line = order(framework, actor=nspa, nation="FRA").lines.get()
    Notification.objects.all().delete()
    delivery = make_delivery(line, delivered=30, actor=nspa)

    expected = f"{name(nspa)} recorded the delivery of 30 under {line.call_off.reference}: 30 accepted"
    assert told(people, "delivery_recorded") == {"other": [expected]}
    assert not Notification.objects.exclude(kind="delivery_recorded").exists()
    assert Notification.objects.get().url == reverse("procurement:delivery-detail", args=[delivery.pk])


def test_a_rejection_tells_the_directors_and_nspa_but_not_the_one_who_recorded_it(people, nspa):
    framework = make_framework(actor=nspa)
    line = order(framework, actor=nspa).lines.get()
    Notification.objects.all().delete()
    make_delivery(line, delivered=30, rejected=5, actor=nspa)

    expected = f"{name(nspa)} recorded the delivery of 30 under {line.call_off.reference}: 5 rejected"
    assert told(people, "delivery_rejected") == {
        "owner": [expected],
        "pol_colleague": [expected],
        "nspa_colleague": [expected],
    }
    # A rejection is told as such, not as a delivery recorded as well.
    assert not Notification.objects.filter(kind="delivery_recorded").exists()


def test_a_delivery_refused_tells_nobody(people, nspa):
    framework = make_framework(actor=nspa)
    line = order(framework, actor=nspa, quantity=10).lines.get()
    Notification.objects.all().delete()
    with pytest.raises(ValidationError):
        make_delivery(line, delivered=11, actor=nspa)
    assert not Notification.objects.exists()


# --- Deliveries by file --------------------------------------------------------------------------


def test_a_file_tells_each_nation_once_per_call_off_not_once_per_row(people, nspa):
    framework = make_framework(actor=nspa, lines=[(Decimal("1"), 10_000)])
    polish, french = order(framework, actor=nspa), order(framework, actor=nspa, nation="FRA")
    polish_line, french_line = polish.lines.get(), french.lines.get()
    Notification.objects.all().delete()
    rows = [row(polish_line, f"P{n}", "10", "10") for n in range(4)]
    rows += [row(french_line, "F1", "10", "10"), row(french_line, "F2", "10", "7", "3", "Damaged")]
    run(nspa, csv_bytes(rows))

    assert told(people, "delivery_recorded") == {
        who: [f"{name(nspa)} recorded the delivery of 40 under {polish.reference}: 40 accepted"]
        for who in ("owner", "pol_colleague")
    }
    assert told(people, "delivery_rejected") == {
        who: [f"{name(nspa)} recorded the delivery of 20 under {french.reference}: 3 rejected"]
        for who in ("other", "nspa_colleague")
    }
    assert Notification.objects.count() == 4
    assert {n.url for n in Notification.objects.all()} == {
        reverse("procurement:call-off-detail", args=[polish.pk]),
        reverse("procurement:call-off-detail", args=[french.pk]),
    }


# --- Scheduled deliveries overdue ----------------------------------------------------------------


def test_an_overdue_tranche_is_reminded_once_to_nspa_and_the_nations_directors(people, nspa, settings):
    settings.NOTIFICATION_OVERDUE_DAYS = 3650  # the tranches are from 2024: remind of them still
    framework = make_framework(actor=nspa)
    call_off = order(framework, actor=nspa, schedule=[(dt.date(2024, 7, 1), 40), (dt.date(2024, 8, 1), 60)])
    first, second = ScheduledDelivery.objects.order_by("due_date")
    Notification.objects.all().delete()
    today = dt.date(2024, 8, 1)  # the second tranche is due today: not late yet

    notifications.send_reminders(today)
    notifications.send_reminders(today)  # the beat ran twice

    item, reference = first.call_off_line.framework_line.item.name, call_off.reference
    expected = f"40 of {item} under {reference} were due on 1 Jul 2024 and are not delivered"
    audience = ("owner", "pol_colleague", "nspa", "nspa_colleague")  # the system reminds: no actor
    assert told(people, "delivery_late") == {who: [expected] for who in audience}
    rows = Notification.objects.filter(kind="delivery_late")
    assert set(rows.values_list("object_id", "dedupe_key")) == {(str(first.pk), "overdue")}
    assert {n.url for n in rows} == {reverse("procurement:call-off-detail", args=[call_off.pk])}

    # A tranche partly delivered is reminded for what is still to come, on its own row once.
    make_delivery(call_off.lines.get(), delivered=50, on=dt.date(2024, 8, 1), actor=nspa)
    Notification.objects.exclude(kind="delivery_late").delete()
    later = dt.date(2024, 8, 2)
    notifications.send_reminders(later)
    notifications.send_reminders(later)
    late = told(people, "delivery_late")
    assert set(late) == set(audience)
    assert late["owner"] == [
        expected,
        f"50 of {item} under {reference} were due on 1 Aug 2024 and are not delivered",
    ]
    assert Notification.objects.filter(kind="delivery_late", object_id=str(second.pk)).count() == 4


def test_a_tranche_delivered_in_time_is_not_reminded(people, nspa):
    framework = make_framework(actor=nspa)
    call_off = order(framework, actor=nspa, schedule=[(dt.date(2024, 7, 1), 100)])
    make_delivery(call_off.lines.get(), delivered=100, on=dt.date(2024, 6, 30), actor=nspa)
    assert notifications.send_reminders(dt.date(2024, 9, 1))["written"] == 0
    assert not Notification.objects.filter(kind="delivery_late").exists()


# --- A framework near its ceiling ----------------------------------------------------------------


def test_nspa_is_told_once_when_a_call_off_brings_a_framework_to_90_percent(people, nspa):
    framework = make_framework(actor=nspa, ceiling=Decimal("10000"), lines=[(Decimal("100"), 100)])
    order(framework, actor=nspa, quantity=89)
    assert not Notification.objects.filter(kind="framework_near_ceiling").exists()

    order(framework, actor=nspa, quantity=3, nation="FRA")  # 92%
    order(framework, actor=nspa, quantity=4)  # 96%: still near, told already

    expected = f"{framework} has 92% of its ceiling committed"
    assert told(people, "framework_near_ceiling") == {"nspa_colleague": [expected]}  # not the actor
    notice = Notification.objects.get(kind="framework_near_ceiling")
    assert notice.url == reverse("procurement:framework-detail", args=[framework.pk])
    assert notice.dedupe_key == "90"


def set_ceiling(framework, value: str, *, actor) -> None:
    amend(
        framework,
        actor=actor,
        rationale=AmendmentRationale.CEILING_CHANGE,
        description=f"Ceiling {value}",
        ceiling_value=Decimal(value),
    )


def test_a_lower_ceiling_can_bring_a_framework_near_it_and_it_is_told_once(people, nspa):
    framework = make_framework(actor=nspa, ceiling=Decimal("10000"), lines=[(Decimal("100"), 100)])
    order(framework, actor=nspa, quantity=80)
    set_ceiling(framework, "8500", actor=nspa)
    assert told(people, "framework_near_ceiling") == {
        "nspa_colleague": [f"{framework} has 94% of its ceiling committed"]
    }
    # Raised, then reached again by a call-off: the same framework is not told of twice.
    set_ceiling(framework, "10000", actor=nspa)
    order(framework, actor=nspa, quantity=15)
    assert Notification.objects.filter(kind="framework_near_ceiling").count() == 1


def test_each_framework_is_told_of_on_its_own(people, nspa):
    frameworks = [
        make_framework(actor=nspa, ceiling=Decimal("1000"), lines=[(Decimal("100"), 100)]) for _ in range(2)
    ]
    for framework in frameworks:
        order(framework, actor=nspa, quantity=10)
    rows = Notification.objects.filter(kind="framework_near_ceiling", recipient=people["nspa_colleague"])
    assert sorted(rows.values_list("object_id", flat=True)) == sorted(str(f.pk) for f in frameworks)
