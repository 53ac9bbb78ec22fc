"""Procurement on the home workspace: late call-off lines, frameworks near their ceiling, deliveries
awaiting acceptance, recent imports and the schedule's deadlines, each in the reader's scope and in
a query count that does not grow with the data."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import itertools
from decimal import Decimal

import pytest
from django.urls import resolve

from portal import workspace
from portal.models import Nation
from procurement import selectors, services
from procurement.choices import AmendmentRationale, FrameworkStatus
from procurement.tests.factories import amend, make_delivery, make_framework
from procurement.workspace import PANELS

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 6, 1)
ORDERED = dt.date(2024, 6, 1)
_refs = itertools.count(1)


def order(framework, *, nation="POL", lines, order_date=ORDERED, actor):
    """A call-off of ``lines``: (quantity, schedule) on the framework's lines in turn."""
    framework_lines = list(framework.lines.order_by("pk"))
    return services.calloff_create(
        actor=actor,
        framework=framework,
        nation=Nation.objects.get(code=nation),
        reference=f"CO-W{next(_refs)}",
        order_date=order_date,
        lines=[
            services.CallOffLineInput(
                framework_line=framework_lines[index], quantity=quantity, schedule=schedule
            )
            for index, (quantity, schedule) in enumerate(lines)
        ],
    )


def deliver(line, quantity, *, actor, on=dt.date(2024, 10, 1), **kwargs):
    return make_delivery(line, delivered=quantity, on=on, actor=actor, **kwargs)


@pytest.fixture
def late(nspa):
    """Polish and French call-off lines in every state a schedule can be in on ``TODAY``."""
    framework = make_framework(
        actor=nspa, nations=("POL", "FRA"), lines=((Decimal("10.00"), 50_000), (Decimal("10.00"), 50_000))
    )

    def one(nation, quantity, schedule, delivered=0):
        call_off = order(framework, nation=nation, lines=[(quantity, schedule)], actor=nspa)
        line = call_off.lines.get()
        if delivered:
            deliver(line, delivered, actor=nspa)
        line.refresh_from_db()
        return line

    lines = {
        # 2,000 due by 2024-09-01 and 1,000 in 2026; 800 delivered: 1,200 behind since 2024-09-01.
        "partly": one("POL", 3000, [(dt.date(2024, 9, 1), 2000), (dt.date(2026, 1, 1), 1000)], 800),
        # The first tranche was met, the second (due 2024-12-01) is 40 short and the third (due
        # 2025-03-01) not begun: 140 behind, late since the second.
        "second": one(
            "POL",
            400,
            [
                (dt.date(2024, 8, 1), 100),
                (dt.date(2024, 12, 1), 100),
                (dt.date(2025, 3, 1), 100),
                (dt.date(2026, 1, 1), 100),
            ],
            160,
        ),
        "future": one("POL", 500, [(dt.date(2025, 9, 1), 500)]),
        "due_today": one("POL", 500, [(TODAY, 500)]),
        "on_time": one("POL", 400, [(dt.date(2024, 9, 1), 200), (dt.date(2026, 1, 1), 200)], 200),
        "complete": one("POL", 100, [(dt.date(2024, 9, 1), 100)], 100),
        "unscheduled": one("POL", 100, []),
        "french": one("FRA", 700, [(dt.date(2024, 12, 1), 700)]),
    }
    # A second line on a call-off: shown as "line 2".
    call_off = order(
        framework,
        lines=[(50, [(dt.date(2026, 1, 1), 50)]), (90, [(dt.date(2024, 11, 1), 90)])],
        actor=nspa,
    )
    lines["line_two"] = call_off.lines.order_by("pk")[1]
    return lines


# --- The schedule's running quantity --------------------------------------------------------


def test_each_tranche_keeps_the_quantity_scheduled_through_it_in_due_order(nspa):
    framework = make_framework(actor=nspa)
    schedule = [(dt.date(2025, 3, 1), 30), (dt.date(2024, 9, 1), 50), (dt.date(2025, 3, 1), 20)]
    line = order(framework, lines=[(100, schedule)], actor=nspa).lines.get()
    tranches = [
        (s.due_date, s.quantity, s.quantity_through) for s in line.schedule.order_by("due_date", "pk")
    ]
    assert tranches == [
        (dt.date(2024, 9, 1), 50, 50),
        (dt.date(2025, 3, 1), 30, 80),
        (dt.date(2025, 3, 1), 20, 100),
    ]


def test_the_migration_fills_the_running_quantity_as_calloff_create_writes_it(nspa, late):
    from django.apps import apps

    from procurement.models import ScheduledDelivery

    fill = importlib.import_module("procurement.migrations.0006_schedule_through_awaiting_index").fill
    written = dict(ScheduledDelivery.objects.values_list("pk", "quantity_through"))
    ScheduledDelivery.objects.update(quantity_through=0)
    fill(apps, None)
    assert dict(ScheduledDelivery.objects.values_list("pk", "quantity_through")) == written
    assert len(written) > 10


# --- Late call-off lines --------------------------------------------------------------------


def test_late_lines_are_those_behind_the_schedule_due_before_today(nspa, late):
    rows = list(selectors.late_calloff_lines(user=nspa, today=TODAY))
    found = {row.pk: row for row in rows}
    expected = {"partly", "second", "french", "line_two"}
    assert set(found) == {late[name].pk for name in expected}
    partly = found[late["partly"].pk]
    assert (partly.behind, partly.first_unmet, partly.line_number) == (1200, dt.date(2024, 9, 1), 1)
    second = found[late["second"].pk]
    assert (second.behind, second.first_unmet) == (140, dt.date(2024, 12, 1))
    assert found[late["line_two"].pk].line_number == 2
    # Most overdue first: the tranche missed earliest leads.
    assert [row.first_unmet for row in rows] == sorted(row.first_unmet for row in rows)
    assert rows[0].pk == late["partly"].pk


def test_a_director_sees_only_their_nations_late_lines(owner, other, late):
    polish = {row.pk for row in selectors.late_calloff_lines(user=owner, today=TODAY)}
    assert polish == {late[name].pk for name in ("partly", "second", "line_two")}
    french = {row.pk for row in selectors.late_calloff_lines(user=other, today=TODAY)}
    assert french == {late["french"].pk}


def test_the_late_lines_panel_names_the_line_its_shortfall_and_its_call_off(nspa, late, client):
    panel = PANELS["procurement.late_lines"](nspa, TODAY)
    first = panel.entries[0]
    reference = late["partly"].call_off.reference
    item = late["partly"].framework_line.item.name
    assert first.text == f"{reference} line 1: 1,200 × {item} behind schedule"  # noqa: RUF001
    assert (first.date, first.tone) == (dt.date(2024, 9, 1), workspace.LATE)
    assert first.note == "273 days overdue"
    assert resolve(first.url).url_name == "call-off-detail"
    assert resolve(first.url).kwargs == {"pk": late["partly"].call_off_id}
    client.force_login(nspa)
    assert client.get(first.url).status_code == 200
    assert client.get(panel.more_url).status_code == 200
    assert not panel.more


def test_quantities_are_grouped_in_the_readers_language(nspa, late):
    from django.utils import translation

    with translation.override("fr"):
        panel = PANELS["procurement.late_lines"](nspa, TODAY)
    assert "1\xa0200" in panel.entries[0].text


def test_the_directors_late_lines_panel_never_names_another_nations_call_off(owner, late, client):
    panel = PANELS["procurement.late_lines"](owner, TODAY)
    texts = " ".join(entry.text for entry in panel.entries)
    assert late["partly"].call_off.reference in texts
    assert late["french"].call_off.reference not in texts
    assert all("Poland" in entry.detail for entry in panel.entries)
    client.force_login(owner)
    assert {client.get(entry.url).status_code for entry in panel.entries} == {200}


def test_the_late_lines_panel_says_so_when_nothing_is_late(nspa):
    panel = PANELS["procurement.late_lines"](nspa, TODAY)
    assert panel.is_empty
    assert panel.empty == "No call-off line is behind its schedule."


# --- Frameworks near their ceiling ----------------------------------------------------------


def committed_to(share: str, *, nations=("POL",), actor, status=FrameworkStatus.ACTIVE):
    """A framework with a ceiling of 1,000,000.00 of which ``share`` is committed, split evenly
    between call-offs of ``nations``."""
    framework = make_framework(
        actor=actor,
        nations=("POL", "FRA", "DEU", "ITA", "ESP"),
        ceiling=Decimal("1000000.00"),
        lines=((Decimal("1.00"), 1_000_000),),
    )
    units = int(Decimal(share) * 1_000_000)
    for index, nation in enumerate(nations):
        part = units // len(nations) + (units % len(nations) if index == 0 else 0)
        order(framework, nation=nation, lines=[(part, [])], actor=actor)
    if status != FrameworkStatus.ACTIVE:
        amend(
            framework,
            actor=actor,
            rationale=AmendmentRationale.STATUS_CHANGE,
            description="Ended",
            status=status,
        )
    framework.refresh_from_db()
    return framework


def test_frameworks_from_ninety_percent_committed_are_near_their_ceiling_fullest_first(nspa):
    ninety = committed_to("0.9", actor=nspa)
    full = committed_to("1", actor=nspa)
    committed_to("0.8999", actor=nspa)
    committed_to("0.95", actor=nspa, status=FrameworkStatus.EXPIRED)
    ninety_five = committed_to("0.95", actor=nspa)
    assert list(selectors.frameworks_near_ceiling(user=nspa)) == [full, ninety_five, ninety]
    assert list(selectors.frameworks_near_ceiling(user=nspa, share=Decimal("0.96"))) == [full]


def test_the_near_ceiling_panel_shows_the_share_and_links_to_the_framework(nspa, client):
    framework = committed_to("0.9999", actor=nspa)
    full = committed_to("1", actor=nspa)
    panel = PANELS["procurement.near_ceiling"](nspa, TODAY)
    assert [entry.text for entry in panel.entries] == [
        f"{full.reference}: 100% of the ceiling committed",
        f"{framework.reference}: 99% of the ceiling committed",
    ]
    assert [entry.tone for entry in panel.entries] == [workspace.LATE, workspace.DUE]
    assert resolve(panel.entries[1].url).kwargs == {"pk": framework.pk}
    client.force_login(nspa)
    assert client.get(panel.entries[1].url).status_code == 200


def test_a_framework_whose_committed_value_is_withheld_is_not_listed(owner, nspa, settings):
    """POL's director knows Poland's orders; a committed value made of one other nation's orders
    would give France's away, so that framework stays off their list (NSPA sees it)."""
    settings.AGGREGATE_MIN_NATIONS = 3
    two_nations = committed_to("0.95", nations=("POL", "FRA"), actor=nspa)
    four_nations = committed_to("0.92", nations=("POL", "FRA", "DEU", "ITA"), actor=nspa)
    assert list(selectors.frameworks_near_ceiling(user=nspa)) == [two_nations, four_nations]
    assert list(selectors.frameworks_near_ceiling(user=owner)) == [four_nations]
    panel = PANELS["procurement.near_ceiling"](owner, TODAY)
    assert two_nations.reference not in " ".join(entry.text for entry in panel.entries)


# --- Deliveries awaiting acceptance ---------------------------------------------------------


@pytest.fixture
def deliveries(nspa):
    framework = make_framework(actor=nspa, nations=("POL", "FRA"), lines=((Decimal("1.00"), 100_000),))
    polish = order(framework, lines=[(1000, [])], actor=nspa).lines.get()
    french = order(framework, nation="FRA", lines=[(1000, [])], actor=nspa).lines.get()

    def awaiting(line, on, quantity=10, rejected=0):
        """A delivery whose acceptance date was cleared, to be recorded once inspected."""
        delivery = deliver(line, quantity, actor=nspa, on=on, rejected=rejected)
        return services.delivery_correct(actor=nspa, delivery=delivery, accepted_on=None)

    return {
        "accepted": deliver(polish, 10, actor=nspa, on=dt.date(2024, 7, 1)),
        "rejected": deliver(polish, 10, actor=nspa, on=dt.date(2024, 7, 2), rejected=10),
        "partly_rejected": awaiting(polish, dt.date(2025, 5, 1), rejected=4),
        "older": awaiting(polish, dt.date(2025, 4, 1), quantity=750),
        "french": awaiting(french, dt.date(2025, 3, 1)),
    }


def test_deliveries_awaiting_acceptance_exclude_accepted_and_wholly_rejected_ones(nspa, owner, deliveries):
    assert deliveries["rejected"].accepted_on is None
    assert list(selectors.deliveries_awaiting_acceptance(user=nspa)) == [
        deliveries["french"],
        deliveries["older"],
        deliveries["partly_rejected"],
    ]
    assert list(selectors.deliveries_awaiting_acceptance(user=owner)) == [
        deliveries["older"],
        deliveries["partly_rejected"],
    ]


def test_the_awaiting_panel_links_nspa_to_where_acceptance_is_recorded(nspa, owner, deliveries, client):
    panel = PANELS["procurement.awaiting_acceptance"](nspa, TODAY)
    first = panel.entries[0]
    french = deliveries["french"]
    item = french.call_off_line.framework_line.item.name
    assert (
        first.text == f"Lot {french.lot_number} under {french.call_off_line.call_off.reference}: 10 × {item}"  # noqa: RUF001
    )
    assert (first.date, first.note) == (dt.date(2025, 3, 1), "waiting 92 days")
    assert resolve(first.url).url_name == "delivery-correct"
    client.force_login(nspa)
    assert client.get(first.url).status_code == 200

    panel = PANELS["procurement.awaiting_acceptance"](owner, TODAY)
    assert [resolve(entry.url).url_name for entry in panel.entries] == ["delivery-detail"] * 2
    assert french.lot_number not in " ".join(entry.text for entry in panel.entries)
    client.force_login(owner)
    assert {client.get(entry.url).status_code for entry in panel.entries} == {200}


# --- Recent imports -------------------------------------------------------------------------


def import_file(line, *, actor, name, rows=1, file_rows=None):
    data = [
        services.DeliveryInput(line.pk, dt.date(2024, 9, 1), 1, 1, lot_number=f"{name}-{index}")
        for index in range(rows)
    ]
    return services.deliveries_import(
        actor=actor,
        rows=data,
        file_name=name,
        sha256=hashlib.sha256(name.encode()).hexdigest(),
        file_rows=file_rows or rows,
    )


def test_the_recent_imports_panel_lists_the_latest_files_with_who_imported_them(
    nspa, secretariat, line, client
):
    import_file(line, actor=nspa, name="first.csv")
    import_file(line, actor=nspa, name="second.xlsx", rows=20, file_rows=1200)
    panel = PANELS["procurement.recent_imports"](nspa, TODAY)
    assert [entry.text for entry in panel.entries] == ["second.xlsx", "first.csv"]
    who = nspa.get_full_name()
    assert panel.entries[0].detail == f"20 of 1,200 rows created, by {who}"
    assert resolve(panel.entries[0].url).url_name == "delivery-import"
    client.force_login(nspa)
    assert client.get(panel.entries[0].url).status_code == 200
    # The secretariat reads imports but may not import: its link is to the deliveries.
    panel = PANELS["procurement.recent_imports"](secretariat, TODAY)
    assert resolve(panel.entries[0].url).url_name == "delivery-list"
    client.force_login(secretariat)
    assert client.get(panel.entries[0].url).status_code == 200


# --- Who gets a panel at all ------------------------------------------------------------------


@pytest.mark.parametrize("role", ["partner", "board_member", "no_role"])
def test_a_user_who_may_not_read_procurement_gets_no_panel(users_by_role, role):
    for function in PANELS.values():
        assert function(users_by_role[role], TODAY) is None


def test_a_director_gets_no_imports_panel_but_the_others(owner):
    assert PANELS["procurement.recent_imports"](owner, TODAY) is None
    for key in ("procurement.late_lines", "procurement.near_ceiling", "procurement.awaiting_acceptance"):
        assert PANELS[key](owner, TODAY).key == key


def test_the_panels_are_registered_under_their_keys():
    assert set(PANELS) <= workspace.registered()


# --- Deadlines ------------------------------------------------------------------------------


def test_deadlines_are_the_tranches_not_yet_delivered_overdue_ones_included(nspa, owner, late):
    rows = selectors.deadlines(user=nspa, until=dt.date(2025, 12, 31))
    found = [(row.object.call_off_line_id, row.date, row.object.outstanding) for row in rows]
    assert found == [
        (late["partly"].pk, dt.date(2024, 9, 1), 1200),
        (late["line_two"].pk, dt.date(2024, 11, 1), 90),
        (late["second"].pk, dt.date(2024, 12, 1), 40),
        (late["french"].pk, dt.date(2024, 12, 1), 700),
        (late["second"].pk, dt.date(2025, 3, 1), 100),
        (late["due_today"].pk, TODAY, 500),
        (late["future"].pk, dt.date(2025, 9, 1), 500),
    ]
    assert rows[0].label == "Scheduled delivery due"
    assert resolve(rows[0].url).kwargs == {"pk": late["partly"].call_off_id}
    earliest = selectors.deadlines(user=nspa, until=dt.date(2025, 12, 31), limit=2)
    assert [row.object.call_off_line_id for row in earliest] == [late["partly"].pk, late["line_two"].pk]
    # A director's are their own nation's.
    polish = selectors.deadlines(user=owner, until=dt.date(2025, 12, 31))
    assert late["french"].pk not in {row.object.call_off_line_id for row in polish}
    assert len(polish) == 6


# --- Query counts ---------------------------------------------------------------------------


def world(size: int, nspa, line):
    """``size`` rows for every panel: late lines, frameworks near the ceiling, deliveries awaiting
    acceptance and imports, with Polish and French orders under each framework."""
    for _ in range(size):
        framework = make_framework(
            actor=nspa, nations=("POL", "FRA", "DEU", "ITA"), lines=((Decimal("1.00"), 1_000_000),)
        )
        for nation in ("POL", "FRA", "DEU", "ITA"):
            call_off = order(
                framework, nation=nation, lines=[(240_000, [(dt.date(2024, 9, 1), 240_000)])], actor=nspa
            )
            if nation in ("POL", "FRA"):
                delivery = deliver(call_off.lines.get(), 5, actor=nspa)
                services.delivery_correct(actor=nspa, delivery=delivery, accepted_on=None)
        import_file(line, actor=nspa, name=f"file-{next(_refs)}.csv")


@pytest.mark.parametrize("who", ["nspa", "owner"])
@pytest.mark.parametrize("key", sorted(PANELS))
def test_each_panel_reads_in_one_query_whatever_the_size(
    request, nspa, line, key, who, django_assert_num_queries
):
    user = request.getfixturevalue(who)
    queries = 0 if key == "procurement.recent_imports" and who == "owner" else 1
    shown = []
    for size in (2, 20):
        world(size, nspa, line)
        with django_assert_num_queries(queries):
            panel = PANELS[key](user, TODAY)
        if panel is not None:
            shown.append((len(panel.entries), panel.more))
    if queries:
        assert shown[0][0] >= 2
        assert shown[1] == (workspace.LIMIT, True)


@pytest.mark.parametrize("who", ["nspa", "owner"])
def test_deadlines_read_in_one_query_whatever_the_size(request, nspa, line, who, django_assert_num_queries):
    user = request.getfixturevalue(who)
    counts = []
    for size in (2, 20):
        world(size, nspa, line)
        with django_assert_num_queries(1):
            counts.append(len(selectors.deadlines(user=user, until=TODAY)))
    assert counts[0] >= 2
    assert counts[1] > counts[0]
