"""Working group 1's industrial capacity view: figures against hand-computed numbers, drafts that
never count, the aggregate disclosure rule per reader, who may read it, bad years, the chart's
data, and a constant number of queries (cold and warm) at two data sizes."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import json_script

from boards.selectors.capacity import capacity_view, may_read
from boards.tests.factories import make_world
from pledges import services as pledges
from pledges.models import CapacityLine, NationalPlan
from pledges.selectors.capacity import SMALL_OUTPUT, PlannedOutput, planned_output
from pledges.services import CommentInput
from portal.exceptions import Forbidden
from portal.models import Nation
from procurement import services as procurement
from procurement.analytics import common
from procurement.choices import Firmness
from procurement.tests.factories import ItemFactory, make_calloff, make_delivery, make_framework, nspa_user

pytestmark = pytest.mark.django_db

CYCLE = 2026
YEARS = [2026, 2027, 2028, 2029, 2030]


def line(item, *, current, target, target_year, surge=0, baseline_year=2024, site="Works"):
    """A capacity line's fields as the plan editor sends them."""
    return {
        "item": item, "commitment": 3, "site": site, "baseline_output": 1, "baseline_year": baseline_year,
        "current_output": current, "target_output": target, "target_year": target_year,
        "surge_capacity": surge, "lead_time_months": 12,
    }  # fmt: skip


def start_plan(director, cycle, *lines):
    plan = pledges.plan_start(actor=director, nation=director.nation, cycle=cycle)
    for fields in lines:
        pledges.entry_save(actor=director, plan=plan, kind="capacityline", fields=fields)
    return plan


def submitted_plan(director, cycle, *lines):
    plan = start_plan(director, cycle, *lines)
    return pledges.plan_submit(actor=director, plan=plan)


def return_and_edit(plan, *, secretariat, director, item, **changes):
    """The secretariat returns the plan; its director changes ``item``'s line in the new draft."""
    pledges.plan_start_review(actor=secretariat, plan=plan)
    plan = pledges.plan_return(actor=secretariat, plan=plan, comments=[CommentInput(text="Name the sites.")])
    draft_line = CapacityLine.objects.get(plan_version=plan.current_version, item=item)
    pledges.entry_save(actor=director, plan=plan, kind="capacityline", fields=changes, entry_id=draft_line.pk)
    return plan


def demand(nspa, code, item, year, quantity, firmness=Firmness.FIRM):
    procurement.demand_signal_set(
        actor=nspa, nation=Nation.objects.get(code=code), item=item, year=year, quantity=quantity,
        firmness=firmness,
    )  # fmt: skip


@pytest.fixture
def world(make_user):
    return make_world(make_user)


@pytest.fixture
def data(world, owner, other, make_user):
    """Three items and four nations' plans for the 2026 cycle (worked out in ``test_figures``):

    - Poland submitted lines for all three items; Germany submitted, was returned and is revising
      a draft that must not count; the Netherlands were returned and resubmitted (only the newer
      submission counts); France never submitted (its draft must not count). Poland's 2025 plan
      belongs to another cycle.
    - Demand for the artillery round from four nations in 2026 and three in 2027, for the missile
      from Poland alone; one framework for the round, 2026-2028, with call-offs from three nations
      and deliveries to two.
    """
    secretariat = world.secretariat
    cycle = pledges.cycle_create(actor=secretariat, year=CYCLE, due_date=dt.date(CYCLE, 6, 30))
    last_year = pledges.cycle_create(actor=secretariat, year=CYCLE - 1, due_date=dt.date(CYCLE - 1, 6, 30))
    deu, nld = make_user("director", "DEU"), make_user("director", "NLD")
    shell = ItemFactory(name="155 mm artillery round")
    missile = ItemFactory(name="Patriot GEM-T missile")
    stinger = ItemFactory(name="Stinger missile")

    submitted_plan(
        owner,
        cycle,
        line(shell, current=1000, target=2000, target_year=2028, surge=100),
        line(missile, current=50, target=50, target_year=2026, surge=5),
        line(stinger, current=70, target=70, target_year=2026),
    )
    submitted_plan(owner, last_year, line(shell, current=777, target=777, target_year=2025))
    start_plan(
        other,
        cycle,
        line(shell, current=5000, target=5000, target_year=2026, surge=999),
        line(stinger, current=5000, target=5000, target_year=2026),
    )
    german = submitted_plan(
        deu,
        cycle,
        line(shell, current=300, target=300, target_year=2026, surge=30),
        line(stinger, current=30, target=30, target_year=2026),
    )
    return_and_edit(
        german, secretariat=secretariat, director=deu, item=shell, current_output=9999, target_output=9999
    )
    dutch = submitted_plan(nld, cycle, line(shell, current=10, target=10, target_year=2026))
    dutch = return_and_edit(
        dutch, secretariat=secretariat, director=nld, item=shell, current_output=20, target_output=20
    )
    pledges.plan_submit(actor=nld, plan=dutch)

    nspa = nspa_user()
    for code, year, quantity, firmness in [
        ("POL", 2026, 4000, Firmness.FIRM),
        ("FRA", 2026, 2000, Firmness.PLANNED),
        ("DEU", 2026, 1000, Firmness.FIRM),
        ("NLD", 2026, 500, Firmness.INDICATIVE),
        ("POL", 2027, 3000, Firmness.FIRM),
        ("FRA", 2027, 1000, Firmness.FIRM),
        ("DEU", 2027, 1000, Firmness.FIRM),
    ]:
        demand(nspa, code, shell, year, quantity, firmness)
    demand(nspa, "POL", missile, 2026, 400)

    framework = make_framework(
        actor=nspa,
        nations=("POL", "FRA", "DEU"),
        lines=(),
        period=(dt.date(2026, 1, 1), dt.date(2028, 12, 31)),
    )
    framework_line = procurement.framework_line_add(
        actor=nspa, framework=framework, item=shell, unit_price=Decimal("100.00"), max_quantity=10000
    )
    orders = {}
    for code, quantity, day in [("POL", 600, dt.date(2026, 3, 1)), ("FRA", 400, dt.date(2026, 5, 1))]:
        orders[code] = make_calloff(
            framework, nation=code, quantity=quantity, order_date=day, actor=nspa, line=framework_line
        )
    make_calloff(
        framework, nation="DEU", quantity=500, order_date=dt.date(2026, 6, 1), actor=nspa, line=framework_line
    )
    make_delivery(orders["POL"].lines.get(), delivered=200, on=dt.date(2026, 9, 1), actor=nspa)
    make_delivery(orders["FRA"].lines.get(), delivered=100, on=dt.date(2026, 10, 1), actor=nspa)
    return {"cycle": cycle, "last_year": last_year, "shell": shell, "missile": missile, "stinger": stinger}


def figures(row):
    return (
        row.demanded, row.firm, row.contracted_max, row.ordered, row.delivered, row.capacity, row.surge,
        row.gap,
    )  # fmt: skip


def by_item(view):
    rows: dict[str, list] = {}
    for row in view.rows:
        rows.setdefault(row.item.name, []).append(row)
    return rows


# --- The figures ---------------------------------------------------------------------------------


def test_figures(data, world):
    """By hand. The round's capacity: Poland 1000 rising to 2000 in 2028 (1500 in 2027), Germany's
    submitted 300 (its draft's 9999 never), the Netherlands' resubmitted 20 (not their first 10),
    France's draft never: 1320, 1820, then 2320. Demand 7500 (5000 firm) in 2026 and 5000 (all firm)
    in 2027; framework maximum 10000 in 2026-2028; 600 + 400 + 500 ordered and 200 + 100 delivered
    in 2026. The missile: Poland's 50 against its 400. The Stinger: Poland 70 and Germany 30."""
    view = capacity_view(user=world.secretariat)
    assert view.cycle == data["cycle"]
    assert list(view.years) == YEARS
    rows = by_item(view)
    assert list(rows) == ["155 mm artillery round", "Patriot GEM-T missile", "Stinger missile"]
    assert [row.year for row in rows["155 mm artillery round"]] == YEARS
    assert [figures(row) for row in rows["155 mm artillery round"]] == [
        (7500, 5000, 10000, 1500, 300, 1320, 130, 6180),
        (5000, 5000, 10000, 0, 0, 1820, 130, 3180),
        (0, 0, 10000, 0, 0, 2320, 130, -2320),
        (0, 0, 0, 0, 0, 2320, 130, -2320),
        (0, 0, 0, 0, 0, 2320, 130, -2320),
    ]
    assert [figures(row) for row in rows["Patriot GEM-T missile"]][:2] == [
        (400, 400, 0, 0, 0, 50, 5, 350),
        (0, 0, 0, 0, 0, 50, 5, -50),
    ]
    assert {row.capacity for row in rows["Stinger missile"]} == {100}
    assert [(row.nations, row.capacity_nations) for row in rows["155 mm artillery round"][:2]] == [
        (4, 3),
        (3, 3),
    ]
    assert view.withheld == 0


def test_drafts_never_count_whoever_reads(data, world, nspa):
    """France's never-submitted plan and Germany's draft after its submission add nothing, for a
    reader of the capacity lines (NSPA) as for a board member."""
    for reader in (nspa, world.wg1_member):
        round_rows = by_item(capacity_view(user=reader))["155 mm artillery round"]
        assert [row.capacity for row in round_rows] == [1320, 1820, 2320, 2320, 2320]
        assert round_rows[0].surge == 130


def test_a_draft_alone_is_no_capacity(data, world, make_user):
    """An item only in a draft plan has no capacity row at all."""
    only_drafted = ItemFactory(name="Anti-tank mine")
    director = make_user("director", "ITA")
    start_plan(director, data["cycle"], line(only_drafted, current=1, target=1, target_year=2026))
    assert "Anti-tank mine" not in by_item(capacity_view(user=world.secretariat))


def test_latest_cycle_by_default_and_another_on_request(data, world):
    view = capacity_view(user=world.secretariat, cycle=data["last_year"])
    assert list(view.years) == [2025, 2026, 2027, 2028, 2029]
    assert by_item(view)["155 mm artillery round"][0].capacity == 777


def test_item_and_years(data, world):
    view = capacity_view(user=world.secretariat, item=data["missile"], year_from=2025, year_to=2027)
    assert [(row.item.name, row.year, row.demanded, row.capacity) for row in view.rows] == [
        ("Patriot GEM-T missile", 2025, 0, 50),
        ("Patriot GEM-T missile", 2026, 400, 50),
        ("Patriot GEM-T missile", 2027, 0, 50),
    ]


def test_planned_output_in_sql_is_the_rule(data):
    """``PlannedOutput`` gives what ``planned_output`` gives, line by line and year by year,
    including halves (31.5 rounds to 32, 30.5 to 30) and lines that fall."""
    cycle, item = data["cycle"], data["shell"]
    version = NationalPlan.objects.get(nation__code="FRA", cycle=cycle).current_version
    # Both sides of SMALL_OUTPUT, where PostgreSQL leaves bigint arithmetic for exact decimals.
    outputs = [0, 1, 3, 45, 61, 1000, 999_999_937, SMALL_OUTPUT, SMALL_OUTPUT + 1, 10**15 + 3]
    if connection.vendor == "postgresql":
        outputs.append(2**63 - 1)  # the field's range: SQLite's integers would overflow
    CapacityLine.objects.bulk_create(
        CapacityLine(
            plan_version=version,
            commitment=3,
            item=item,
            site="Grid",
            baseline_output=0,
            baseline_year=baseline,
            current_output=current,
            target_output=target,
            target_year=baseline + span,
            lead_time_months=1,
        )
        for current, target in itertools.product(outputs, repeat=2)
        for baseline in (2020, 2026, 2028)
        for span in (0, 3, 10)
    )
    lines = list(CapacityLine.objects.filter(site="Grid"))
    for year in range(2024, 2040):
        in_sql = dict(
            CapacityLine.objects.filter(site="Grid")
            .annotate(output=PlannedOutput(year, cycle.year))
            .values_list("pk", "output")
        )
        assert {ln.pk: int(in_sql[ln.pk]) for ln in lines} == {
            ln.pk: planned_output(ln, year, cycle.year) for ln in lines
        }, year
    halves = CapacityLine(baseline_year=2024, current_output=0, target_output=45, target_year=2036)
    assert planned_output(halves, 2033, 2026) == 32  # 31.5
    halves.target_output = 61  # half of it (2031, 5 of the 10 years): 30.5
    assert planned_output(halves, 2031, 2026) == 30


# --- Who reads what ------------------------------------------------------------------------------


def test_board_member_gets_only_what_the_disclosure_rule_allows(data, world, settings):
    """A board member may not read the capacity lines, demand, orders or deliveries: every figure
    built from fewer than 3 nations is withheld, and the view says how many."""
    settings.AGGREGATE_MIN_NATIONS = 3
    view = capacity_view(user=world.wg1_member)
    rows = by_item(view)
    # The round in 2026: demand from 4 nations shown, its firm part (Poland, Germany) withheld;
    # orders from 3 shown, deliveries to 2 withheld; capacity from 3 shown, and so the gap.
    assert figures(rows["155 mm artillery round"][0]) == (7500, None, 10000, 1500, None, 1320, 130, 6180)
    # 2027: firm from 3 nations, none non-firm: shown.
    assert figures(rows["155 mm artillery round"][1]) == (5000, 5000, 10000, 0, 0, 1820, 130, 3180)
    # The missile: demand and capacity from Poland alone; no gap without them.
    assert figures(rows["Patriot GEM-T missile"][0]) == (None, None, 0, 0, 0, None, None, None)
    assert figures(rows["Patriot GEM-T missile"][1]) == (0, 0, 0, 0, 0, None, None, None)
    # The Stinger: capacity from two nations (Poland, Germany): withheld every year.
    assert {row.capacity for row in rows["Stinger missile"]} == {None}
    # round 2026: 2; missile: 4 + 4 x 2; Stinger: 5 x 2
    assert view.withheld == 24
    assert view.minimum == 3


def test_secretariat_and_nspa_see_every_cell(data, world, nspa):
    for reader in (world.secretariat, nspa):
        view = capacity_view(user=reader)
        assert view.withheld == 0
        assert by_item(view)["Stinger missile"][0].capacity == 100
        assert by_item(view)["Patriot GEM-T missile"][0].gap == 350


def test_a_lower_minimum_shows_more(data, world, settings):
    settings.AGGREGATE_MIN_NATIONS = 2
    rows = by_item(capacity_view(user=world.wg1_member))
    assert rows["Stinger missile"][0].capacity == 100  # two nations now suffice
    assert rows["Patriot GEM-T missile"][0].capacity is None  # one still does not


@pytest.mark.parametrize("role", ["director", "partner", "no_role"])
def test_directors_partners_and_others_are_forbidden(data, users_by_role, role):
    reader = users_by_role[role]
    assert not may_read(reader)
    with pytest.raises(Forbidden):
        capacity_view(user=reader)


@pytest.mark.parametrize("role", ["nspa", "secretariat", "board_member", "superuser"])
def test_the_readers(users_by_role, role):
    assert may_read(users_by_role[role])
    assert capacity_view(user=users_by_role[role]).rows == []  # no data yet, and no error


# --- Bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bounds", "field"),
    [
        ({"year_from": 2030, "year_to": 2026}, "year_to"),
        ({"year_from": 2026, "year_to": 2070}, "year_to"),
        ({"year_from": 1999}, "year_from"),
        ({"year_from": 2026, "year_to": 2101}, "year_to"),
    ],
)
def test_bad_years_are_a_field_error(world, bounds, field):
    with pytest.raises(ValidationError) as raised:
        capacity_view(user=world.secretariat, **bounds)
    assert field in raised.value.message_dict


# --- The chart -----------------------------------------------------------------------------------


def test_chart_data(data, world):
    chart = capacity_view(user=world.wg1_member).chart()
    assert set(chart["series"]) == {"demand", "capacity", "gap"}
    shell, missile = chart["items"][0], chart["items"][1]
    assert shell["name"] == "155 mm artillery round"
    assert shell["item"] == data["shell"].pk
    assert shell["years"] == YEARS
    assert shell["demand"] == [7500, 5000, 0, 0, 0]
    assert shell["capacity"] == [1320, 1820, 2320, 2320, 2320]
    assert shell["gap"] == [6180, 3180, -2320, -2320, -2320]
    assert missile["capacity"] == [None] * 5  # withheld: drawn as no point
    # What the page sends: plain JSON numbers whatever the locale (no "1 320" or "1,5").
    script = json_script(chart, "capacity-chart")
    payload = json.loads(script.split(">", 1)[1].rsplit("<", 1)[0])
    assert payload["items"][0]["capacity"][0] == 1320


# --- Queries ------------------------------------------------------------------------------------


@pytest.fixture
def cold(monkeypatch):
    """Every call finds procurement's figures cache empty (a new data stamp each time): what the
    first reader after a write pays."""
    counter = itertools.count()
    stamp = common.data_stamp
    monkeypatch.setattr(common, "data_stamp", lambda: (*stamp(), "cold", next(counter)))


def grow(data, make_user):
    """Three more nations with submitted plans for two more items and the old ones, their demand,
    orders and deliveries."""
    nspa = nspa_user()
    more = [ItemFactory(name=f"Grown item {n}") for n in range(2)]
    framework = make_framework(
        actor=nspa,
        nations=("ITA", "ESP", "BEL"),
        lines=(),
        period=(dt.date(2026, 1, 1), dt.date(2030, 12, 31)),
    )
    for item in more:
        procurement.framework_line_add(
            actor=nspa, framework=framework, item=item, unit_price=Decimal("10.00"), max_quantity=900
        )
    for code in ("ITA", "ESP", "BEL"):
        director = make_user("director", code)
        items = [*more, data["shell"], data["stinger"]]
        submitted_plan(
            director,
            data["cycle"],
            *(line(item, current=5, target=50, target_year=2030, site=code) for item in items),
        )
        for item in more:
            demand(nspa, code, item, 2027, 40)
            demand(nspa, code, item, 2028, 60, Firmness.PLANNED)
        for framework_line in framework.lines.all():
            call_off = make_calloff(
                framework,
                nation=code,
                quantity=30,
                order_date=dt.date(2026, 2, 1),
                actor=nspa,
                line=framework_line,
            )
            make_delivery(call_off.lines.get(), delivered=10, on=dt.date(2026, 8, 1), actor=nspa)


def count_queries(reader) -> int:
    with CaptureQueriesContext(connection) as queries:
        view = capacity_view(user=reader)
        view.chart()
    return len(queries)


def test_query_count_is_constant_cold_and_warm(data, world, make_user, cold, monkeypatch):
    """Cold: the cycle, the data stamp, demand, orders, deliveries and contracted maxima
    (aggregated_demand), capacity, items: 8. Warm: the cycle, the stamp, capacity and items: 4.
    The same at both sizes, for every reader."""
    readers = (world.secretariat, world.wg1_member)
    small_cold = [count_queries(reader) for reader in readers]
    grow(data, make_user)
    large_cold = [count_queries(reader) for reader in readers]
    assert small_cold == large_cold == [8, 8]
    assert len(capacity_view(user=world.secretariat).rows) == 25  # five items now

    monkeypatch.undo()  # the cache works again
    capacity_view(user=world.secretariat)  # fills it
    assert [count_queries(reader) for reader in readers] == [4, 4]
