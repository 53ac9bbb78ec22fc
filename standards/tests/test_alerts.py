"""Interoperability alerts (issue 12): the selector's rows against a naive Python reference on
generated data, the kinds' precedence, what counts as open, who sees which alerts, and the query
count at two sizes."""

from __future__ import annotations

import datetime as dt
import importlib
import itertools
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.models import Nation
from procurement.choices import Firmness
from procurement.models import CallOff, CallOffLine, DemandSignal
from procurement.tests.factories import make_framework
from standards import selectors
from standards.choices import (
    RATIFIED,
    RESPONDABLE,
    AlertKind,
    AlertSource,
    Implementation,
    Ratification,
    StandardStatus,
)
from standards.models import Domain, ItemRequirement, NationalResponse, Standard
from standards.selectors.alerts import FIELDS, ORDERING, Alert, alert_url

pytestmark = pytest.mark.django_db

CODES = ("DEU", "FRA", "ITA", "POL")
YEAR = timezone.localdate().year
_refs = itertools.count(1)


# --- Building data directly (the services' rules are tested elsewhere; any stored row counts) ---


@pytest.fixture
def world(nspa):
    """Four Allies in one framework of three items (named so every backend sorts them alike), a
    call-off per nation, and two domains."""
    framework = make_framework(actor=nspa, nations=CODES, lines=((Decimal("10.00"), 10**9),) * 3)
    lines = list(framework.lines.order_by("pk").select_related("item"))
    for letter, line in zip("ABC", lines, strict=True):
        line.item.name = f"Item {letter}"
        line.item.save(update_fields=["name"])
    nations = [Nation.objects.get(code=code) for code in CODES]
    call_offs = [
        CallOff.objects.create(
            framework=framework,
            nation=n,
            reference=f"CO-{n.code}-{next(_refs)}",
            order_date=dt.date(2024, 6, 1),
        )
        for n in nations
    ]
    domains = [
        Domain.objects.create(code="lbdm", name="Land battle decisive munitions"),
        Domain.objects.create(code="iamd", name="Air and missile defence"),
    ]
    return {
        "nations": nations,
        "framework_lines": lines,
        "items": [line.item for line in lines],
        "call_offs": call_offs,
        "domains": domains,
    }


def standard(domain, number, *, status=StandardStatus.PROMULGATED, edition="1"):
    return Standard.objects.create(
        doc_type="stanag",
        number=number,
        edition=edition,
        title=f"Standard {number}",
        status=status,
        promulgated_on=dt.date(2020, 1, 1),
        domain=domain,
        level="interoperability",
    )


def respond(nation, edition, ratification, implementation=Implementation.NOT_IMPLEMENTED, reservations=""):
    return NationalResponse.objects.create(
        nation=nation,
        standard=edition,
        ratification=ratification,
        implementation=implementation,
        reservations=reservations,
    )


def order(call_off, framework_line, *, quantity=10, delivered=0):
    return CallOffLine.objects.create(
        call_off=call_off,
        framework_line=framework_line,
        quantity=quantity,
        delivered_quantity=delivered,
        unit_price=framework_line.unit_price,
        value=framework_line.unit_price * quantity,
    )


def demand(nation, item, *, year=YEAR, firmness=Firmness.FIRM):
    return DemandSignal.objects.create(nation=nation, item=item, year=year, quantity=5, firmness=firmness)


# --- The naive reference --------------------------------------------------------------------


def reference_kind(response) -> str | None:
    """The kind an alert takes, read straight from the issue's words, in precedence order."""
    if response is None or response.ratification not in RATIFIED:
        return AlertKind.NOT_RATIFIED
    if response.ratification == Ratification.RESERVATIONS:
        return AlertKind.RESERVATIONS
    if response.implementation != Implementation.IMPLEMENTED:
        return AlertKind.NOT_IMPLEMENTED
    return None


def reference_alerts(*, nation_id=None) -> set[tuple]:
    """Every alert, from plain model objects and Python loops (what the selector must never do)."""
    responses = {(r.nation_id, r.standard_id): r for r in NationalResponse.objects.all()}
    required: dict[int, list[Standard]] = {}
    for requirement in ItemRequirement.objects.select_related("standard"):
        if requirement.standard.status in RESPONDABLE:
            required.setdefault(requirement.item_id, []).append(requirement.standard)
    sources = []
    for line in CallOffLine.objects.select_related("call_off", "framework_line"):
        if line.quantity > line.delivered_quantity:
            sources.append(
                (
                    AlertSource.CALL_OFF,
                    line.call_off_id,
                    line.pk,
                    line.call_off.nation_id,
                    line.framework_line.item_id,
                )
            )
    for signal in DemandSignal.objects.all():
        if signal.firmness == Firmness.FIRM and signal.year >= YEAR:
            sources.append((AlertSource.DEMAND, signal.pk, None, signal.nation_id, signal.item_id))
    found = set()
    for source, source_id, line_id, nation, item in sources:
        if nation_id is not None and nation != nation_id:
            continue
        for edition in required.get(item, []):
            response = responses.get((nation, edition.pk))
            kind = reference_kind(response)
            if kind is not None:
                found.add(
                    (
                        str(kind),
                        str(source),
                        source_id,
                        line_id,
                        nation,
                        item,
                        edition.pk,
                        edition.domain_id,
                        response.ratification if response else None,
                        response.implementation if response else None,
                        response.reservations if response else "",
                    )
                )
    return found


KEY = (
    "kind",
    "source",
    "source_id",
    "line_id",
    "nation_id",
    "item_id",
    "standard_id",
    "domain_id",
    "ratification",
    "implementation",
    "reservations",
)


def as_keys(rows) -> list[tuple]:
    return [tuple(row[k] for k in KEY) for row in rows]


# --- Generated data against the reference ----------------------------------------------------

statuses = st.sampled_from(list(StandardStatus))
responses_st = st.one_of(
    st.none(),
    st.tuples(
        st.sampled_from(list(Ratification)),
        st.sampled_from(list(Implementation)),
        st.sampled_from(["", "Right to deviate on charge zones."]),
    ),
)


@st.composite
def scenarios(draw):
    editions = draw(st.lists(st.tuples(statuses, st.integers(0, 1)), min_size=1, max_size=5))
    n = len(editions)
    requirements = draw(st.sets(st.tuples(st.integers(0, 2), st.integers(0, n - 1)), max_size=8))
    answers = draw(
        st.dictionaries(
            st.tuples(st.integers(0, len(CODES) - 1), st.integers(0, n - 1)), responses_st, max_size=12
        )
    )
    lines = draw(
        st.lists(
            st.tuples(
                st.integers(0, len(CODES) - 1),
                st.integers(0, 2),
                st.integers(1, 4),
                st.integers(0, 4),
            ),
            max_size=8,
        )
    )
    signals = draw(
        st.dictionaries(
            st.tuples(st.integers(0, len(CODES) - 1), st.integers(0, 2), st.integers(YEAR - 2, YEAR + 2)),
            st.sampled_from(list(Firmness)),
            max_size=8,
        )
    )
    reader = draw(st.sampled_from(["secretariat", "nspa", "director"]))
    narrowing = draw(
        st.one_of(
            st.none(),
            st.tuples(st.just("kind"), st.sampled_from(list(AlertKind))),
            st.tuples(st.just("source"), st.sampled_from(list(AlertSource))),
            st.tuples(st.just("nation"), st.integers(0, len(CODES) - 1)),
            st.tuples(st.just("item"), st.integers(0, 2)),
            st.tuples(st.just("standard"), st.integers(0, n - 1)),
            st.tuples(st.just("domain"), st.integers(0, 1)),
            st.tuples(st.just("call_off"), st.integers(0, len(CODES) - 1)),
        )
    )
    return editions, requirements, answers, lines, signals, reader, narrowing


def build(world, editions, requirements, answers, lines, signals) -> list[Standard]:
    made = [
        standard(world["domains"][domain], f"{4000 + index}", status=status)
        for index, (status, domain) in enumerate(editions)
    ]
    ItemRequirement.objects.bulk_create(
        ItemRequirement(item=world["items"][item], standard=made[index]) for item, index in requirements
    )
    NationalResponse.objects.bulk_create(
        NationalResponse(
            nation=world["nations"][nation],
            standard=made[index],
            ratification=answer[0],
            implementation=answer[1],
            reservations=answer[2],
        )
        for (nation, index), answer in answers.items()
        if answer is not None
    )
    for nation, item, quantity, delivered in lines:
        order(
            world["call_offs"][nation],
            world["framework_lines"][item],
            quantity=quantity,
            delivered=min(delivered, quantity),
        )
    for (nation, item, year), firmness in signals.items():
        demand(world["nations"][nation], world["items"][item], year=year, firmness=firmness)
    return made


def narrowed(reference: set[tuple], narrowing, world, made) -> tuple[dict, set[tuple]]:
    """The selector's keyword for ``narrowing`` and the reference rows it keeps."""
    if narrowing is None:
        return {}, reference
    key, value = narrowing
    position = {k: i for i, k in enumerate(KEY)}
    if key in ("kind", "source"):
        return {key: value}, {r for r in reference if r[position[key]] == value}
    if key == "call_off":
        call_off = world["call_offs"][value]
        return {"call_off": call_off}, {
            r
            for r in reference
            if r[position["source"]] == AlertSource.CALL_OFF and r[position["source_id"]] == call_off.pk
        }
    target = {
        "nation": world["nations"],
        "item": world["items"],
        "standard": made,
        "domain": world["domains"],
    }[key][value]
    return {key: target}, {r for r in reference if r[position[f"{key}_id"]] == target.pk}


class Rollback(Exception):
    """Leaves an example's savepoint so the next example starts from the same world."""


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios())
def test_alerts_match_a_naive_reference(world, make_user, scenario):
    editions, requirements, answers, lines, signals, reader, narrowing = scenario
    try:
        with transaction.atomic():
            made = build(world, editions, requirements, answers, lines, signals)
            user = make_user(reader, "POL" if reader == "director" else None, username=f"u{next(_refs)}")
            reference = reference_alerts(nation_id=user.nation_id if reader == "director" else None)
            kwargs, expected = narrowed(reference, narrowing, world, made)
            alerts = selectors.alert_list(user=user, **kwargs)
            rows = list(alerts)
            assert set(as_keys(rows)) == expected
            assert len(rows) == len(expected)  # one alert per (source row, standard)
            assert alerts.count() == len(expected)
            assert rows == sorted(rows, key=lambda r: tuple((r[k] is not None, r[k]) for k in ORDERING))
            assert list(alerts[1:3]) == rows[1:3]
            # The page-at-a-time read (a LATERAL per nation on PostgreSQL) gives the same slices.
            pages = selectors.alert_pages(user=user, **kwargs)
            assert pages[1:3] == rows[1:3]
            assert pages[0 : len(rows) + 5] == rows
            for row in rows:
                assert set(row) == set(FIELDS)
            raise Rollback
    except Rollback:
        pass


# --- Kinds, precedence, and what is open ------------------------------------------------------


@pytest.fixture
def one_requirement(world):
    """Item A requires STANAG 4425 Ed. 2; Poland has an open call-off line for it."""
    edition = standard(world["domains"][0], "4425", edition="2")
    ItemRequirement.objects.create(item=world["items"][0], standard=edition)
    line = order(world["call_offs"][3], world["framework_lines"][0])
    return edition, line


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        (None, AlertKind.NOT_RATIFIED),
        ((Ratification.NO_RESPONSE, Implementation.NOT_IMPLEMENTED), AlertKind.NOT_RATIFIED),
        ((Ratification.WILL_NOT_RATIFY, Implementation.IMPLEMENTED), AlertKind.NOT_RATIFIED),
        ((Ratification.NO_RESPONSE, Implementation.IMPLEMENTED), AlertKind.NOT_RATIFIED),
        ((Ratification.RESERVATIONS, Implementation.IMPLEMENTED), AlertKind.RESERVATIONS),
        ((Ratification.RESERVATIONS, Implementation.NOT_IMPLEMENTED), AlertKind.RESERVATIONS),
        ((Ratification.RATIFIED, Implementation.PLANNED), AlertKind.NOT_IMPLEMENTED),
        ((Ratification.RATIFIED, Implementation.NOT_IMPLEMENTED), AlertKind.NOT_IMPLEMENTED),
        ((Ratification.RATIFIED, Implementation.IMPLEMENTED), None),
    ],
)
def test_the_kind_follows_the_precedence(world, one_requirement, secretariat, answer, kind):
    edition, line = one_requirement
    if answer is not None:
        respond(
            world["nations"][3],
            edition,
            *answer,
            reservations="Charge zones" if answer[0] == "reservations" else "",
        )
    rows = list(selectors.alert_list(user=secretariat))
    assert [row["kind"] for row in rows] == ([kind] if kind else [])
    if kind:
        row = rows[0]
        assert (row["source"], row["source_id"], row["line_id"]) == ("call_off", line.call_off_id, line.pk)
        assert row["ratification"] == (answer[0] if answer else None)
        assert row["implementation"] == (answer[1] if answer else None)


def test_another_nations_response_does_not_answer_for_the_orderer(world, one_requirement, secretariat):
    edition, _ = one_requirement
    respond(world["nations"][1], edition, Ratification.RATIFIED, Implementation.IMPLEMENTED)  # France
    rows = list(selectors.alert_list(user=secretariat))
    assert [(r["nation_code"], r["kind"], r["ratification"]) for r in rows] == [("POL", "not_ratified", None)]


def test_a_row_carries_what_the_pages_show(world, one_requirement, secretariat):
    edition, line = one_requirement
    respond(world["nations"][3], edition, Ratification.RESERVATIONS, reservations="Right to deviate")
    [row] = selectors.alert_list(user=secretariat)
    assert row == {
        "kind": "reservations",
        "source": "call_off",
        "source_id": line.call_off_id,
        "line_id": line.pk,
        "source_label": line.call_off.reference,
        "nation_id": world["nations"][3].pk,
        "nation_code": "POL",
        "nation_name": "Poland",
        "item_id": world["items"][0].pk,
        "item_name": "Item A",
        "standard_id": edition.pk,
        "standard_doc_type": "stanag",
        "standard_number": "4425",
        "standard_edition": "2",
        "domain_id": world["domains"][0].pk,
        "domain_name": "Land battle decisive munitions",
        "ratification": "reservations",
        "implementation": "not_implemented",
        "reservations": "Right to deviate",
    }
    alert = Alert(row)
    assert alert.designation == "STANAG 4425 Ed. 2"
    assert alert.url == reverse("procurement:call-off-detail", args=[line.call_off_id])
    assert alert.kind_label == "Ratified with reservations"
    assert alert.nation_name == "Poland"
    assert alert.standard_url == reverse("standards:standard-detail", args=[edition.pk])


def test_a_demand_alert_links_to_the_item_and_says_its_year(world, secretariat):
    edition = standard(world["domains"][0], "4425")
    ItemRequirement.objects.create(item=world["items"][1], standard=edition)
    signal = demand(world["nations"][0], world["items"][1], year=YEAR + 1)
    [row] = selectors.alert_list(user=secretariat)
    assert (row["source"], row["source_id"], row["line_id"]) == ("demand", signal.pk, None)
    assert row["source_label"] == f"{YEAR + 1} demand"
    assert alert_url(row) == reverse("procurement:item-detail", args=[world["items"][1].pk])
    assert selectors.alerts([row])[0].source_kind_label == "Firm demand"


def test_the_demand_label_is_built_in_sql_around_the_year(world, secretariat, monkeypatch):
    # French puts the year last ("Demande 2027"): the label's text on both sides of the year.
    # (The package's ``alerts`` is the wrapping function, so the module is taken by its name.)
    module = importlib.import_module("standards.selectors.alerts")
    monkeypatch.setattr(module, "DEMAND_LABEL", "Demande %(year)s ferme")
    edition = standard(world["domains"][0], "4425")
    ItemRequirement.objects.create(item=world["items"][1], standard=edition)
    demand(world["nations"][0], world["items"][1], year=YEAR)
    [row] = selectors.alert_list(user=secretariat)
    assert row["source_label"] == f"Demande {YEAR} ferme"


def test_only_open_sources_and_respondable_editions_raise_alerts(world, secretariat):
    lbdm = world["domains"][0]
    item_a, item_b = world["items"][:2]
    required = standard(lbdm, "4425")
    for status in (StandardStatus.STUDY, StandardStatus.CANCELLED):
        ItemRequirement.objects.create(item=item_a, standard=standard(lbdm, f"9{len(status)}", status=status))
    ItemRequirement.objects.create(item=item_a, standard=required)
    poland, france = world["nations"][3], world["nations"][1]
    delivered = order(world["call_offs"][3], world["framework_lines"][0], quantity=5, delivered=5)
    open_line = order(world["call_offs"][3], world["framework_lines"][0], quantity=5, delivered=4)
    order(world["call_offs"][1], world["framework_lines"][1])  # item B requires nothing
    demand(poland, item_a, year=YEAR - 1)
    demand(poland, item_a, year=YEAR, firmness=Firmness.PLANNED)
    demand(france, item_a, year=YEAR + 2, firmness=Firmness.INDICATIVE)
    this_year = demand(france, item_a, year=YEAR)
    demand(france, item_b, year=YEAR + 1)
    rows = list(selectors.alert_list(user=secretariat))
    assert {(r["source"], r["source_id"], r["line_id"], r["standard_id"]) for r in rows} == {
        ("call_off", open_line.call_off_id, open_line.pk, required.pk),
        ("demand", this_year.pk, None, required.pk),
    }
    assert delivered.pk not in {r["line_id"] for r in rows}


def test_alerts_go_when_the_nation_implements(world, one_requirement, secretariat):
    edition, _ = one_requirement
    response = respond(world["nations"][3], edition, Ratification.RATIFIED, Implementation.PLANNED)
    assert selectors.alert_count(user=secretariat) == 1
    response.implementation = Implementation.IMPLEMENTED
    response.save()
    assert selectors.alert_count(user=secretariat) == 0  # nothing stored, nothing to recompute


def test_filters_narrow_the_list(world, secretariat):
    lbdm, iamd = world["domains"]
    land, air = standard(lbdm, "4425"), standard(iamd, "4700")
    ItemRequirement.objects.create(item=world["items"][0], standard=land)
    ItemRequirement.objects.create(item=world["items"][0], standard=air)
    poland, france = world["nations"][3], world["nations"][1]
    respond(poland, air, Ratification.RATIFIED, Implementation.PLANNED)
    pol_line = order(world["call_offs"][3], world["framework_lines"][0])
    order(world["call_offs"][1], world["framework_lines"][0])
    demand(france, world["items"][0])

    def keys(**kwargs):
        return {
            (r["nation_code"], r["source"], r["standard_number"], r["kind"])
            for r in selectors.alert_list(user=secretariat, **kwargs)
        }

    assert keys(domain=iamd) == {
        ("POL", "call_off", "4700", "not_implemented"),
        ("FRA", "call_off", "4700", "not_ratified"),
        ("FRA", "demand", "4700", "not_ratified"),
    }
    assert keys(nation=poland.pk, kind=AlertKind.NOT_RATIFIED) == {
        ("POL", "call_off", "4425", "not_ratified")
    }
    assert keys(source=AlertSource.DEMAND, standard=land) == {("FRA", "demand", "4425", "not_ratified")}
    assert keys(call_off=pol_line.call_off) == {
        ("POL", "call_off", "4425", "not_ratified"),
        ("POL", "call_off", "4700", "not_implemented"),
    }
    assert keys(item=world["items"][1]) == set()
    assert keys(source="nonsense") == set()
    assert selectors.alert_list(user=secretariat, source="nonsense").count() == 0


# --- Scope --------------------------------------------------------------------------------------


@pytest.fixture
def both_nations(world):
    """An open Polish and an open French call-off line and a firm Polish demand, all for an item
    whose requirement neither nation ratified."""
    edition = standard(world["domains"][0], "4425")
    ItemRequirement.objects.create(item=world["items"][0], standard=edition)
    order(world["call_offs"][3], world["framework_lines"][0])
    order(world["call_offs"][1], world["framework_lines"][0])
    demand(world["nations"][3], world["items"][0])
    return edition


def seen(user) -> set[tuple[str, str]]:
    rows = list(selectors.alert_list(user=user))
    assert selectors.alert_pages(user=user)[0:100] == rows  # the paged read has the same scope
    return {(r["nation_code"], r["source"]) for r in rows}


EVERYTHING = {("POL", "call_off"), ("FRA", "call_off"), ("POL", "demand")}


def test_readers_of_every_order_see_every_alert(both_nations, users_by_role):
    for role in ("secretariat", "nspa", "superuser"):
        assert seen(users_by_role[role]) == EVERYTHING, role


def test_a_director_sees_only_their_own_nations_alerts(both_nations, users_by_role, other):
    assert seen(users_by_role["director"]) == {("POL", "call_off"), ("POL", "demand")}
    assert seen(other) == {("FRA", "call_off")}  # France's director: never Poland's orders


def test_partners_and_roleless_users_see_no_alert(both_nations, users_by_role):
    # An alert would tell a partner what an Ally ratified.
    for role in ("partner", "no_role"):
        alerts = selectors.alert_list(user=users_by_role[role])
        assert list(alerts) == [], role
        assert alerts.count() == 0, role


def test_board_members_see_no_alert_since_they_read_no_orders(both_nations, users_by_role):
    # They read every response, but alerts name call-offs and demand, which they may not read.
    assert seen(users_by_role["board_member"]) == set()


# --- Query count --------------------------------------------------------------------------------


def grow(world, count: int) -> None:
    """``count`` open lines per nation and item, each item requiring three editions."""
    editions = [standard(world["domains"][i % 2], f"{5000 + i}") for i in range(3)]
    ItemRequirement.objects.bulk_create(
        ItemRequirement(item=item, standard=edition) for item in world["items"] for edition in editions
    )
    for call_off, line in itertools.product(world["call_offs"], world["framework_lines"]):
        for _ in range(count):
            order(call_off, line)
        demand(call_off.nation, line.item, year=YEAR + count)


@pytest.mark.parametrize("size", [1, 6])
def test_a_page_and_its_count_take_two_queries_at_any_size(world, secretariat, owner, size):
    grow(world, size)
    for user in (secretariat, owner):
        alerts = selectors.alert_list(user=user, domain=world["domains"][0])
        with CaptureQueriesContext(connection) as queries:
            total = alerts.count()
            page = [Alert(row) for row in alerts[:25]]
            urls = [alert.url for alert in page] + [alert.designation for alert in page]
        assert len(queries) == 2
        assert total >= len(page) > 0
        assert len(urls) == 2 * len(page)
