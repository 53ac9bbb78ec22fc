"""Pledges demo data: the 2025 and 2026 plan cycles and four nations' plans, one in each state the
secretariat meets: Germany accepted, France in review, Poland returned with comments, the Netherlands
a draft. Every plan is driven through the real services by the demo users, so the audit trail,
versions and review comments are what the workflow would produce.

The figures are illustrative (``PlanEntry.illustrative``): plausible orders of magnitude for 155 mm
rounds and air-defence missiles, not a nation's filed numbers. Sites are real plants where public
sources name them (Unterlüß, Schrobenhausen, Bourges, Skarżysko-Kamienna). Idempotent: a plan that
exists is left alone; each plan is created in one transaction, so a run never leaves half a plan.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from portal.demo import register

CYCLES = [(2025, dt.date(2025, 6, 30)), (2026, dt.date(2026, 6, 30))]

# Capacity line: (item code, site, baseline output, baseline year, current, target, target year, surge, lead months)
# Investment: (description, kind, value, currency, year, section)
# Measure: (title, status, due date, section)
PLANS = [
    {
        "nation": "DEU",
        "cycle": 2025,
        "outcome": "accepted",
        "narratives": {
            1: "Germany publishes its munitions demand for 2025-2029 to industry each year and signs multi-year framework contracts.",
            3: "Priority: 155 mm artillery ammunition and Patriot GEM-T. Output of 155 mm rounds to rise five-fold from 2023 to 2027.",
        },
        "capacity": [
            ("155mm-round", "Rheinmetall, Unterlüß", 70000, 2023, 120000, 350000, 2027, 50000, 24),
            ("patriot-gem-t", "COMLOG, Schrobenhausen", 0, 2024, 0, 200, 2027, 0, 36),
        ],
        "investments": [
            ("Unterlüß 155 mm shell and filling plant", "new", Decimal("300000000"), "EUR", 2024, 3)
        ],
        "measures": [("Multi-year 155 mm framework with industry", "in_progress", dt.date(2025, 12, 31), 1)],
    },
    {
        "nation": "FRA",
        "cycle": 2025,
        "outcome": "accepted",
        "narratives": {
            3: "France's 'war economy' approach: shorter production cycles and stock of long-lead components."
        },
        "capacity": [("155mm-round", "KNDS France, Bourges", 20000, 2022, 60000, 100000, 2026, 20000, 18)],
        "investments": [],
        "measures": [("Stock of long-lead energetic materials", "in_progress", dt.date(2025, 12, 31), 9)],
    },
    {
        "nation": "POL",
        "cycle": 2025,
        "outcome": "accepted",
        "narratives": {
            3: "Poland expands national production of 155 mm ammunition within the Polish Armaments Group."
        },
        "capacity": [
            ("155mm-round", "Mesko, Skarżysko-Kamienna", 30000, 2023, 40000, 150000, 2027, 10000, 24)
        ],
        "investments": [],
        "measures": [],
    },
    {
        "nation": "DEU",
        "cycle": 2026,
        "outcome": "accepted",
        "narratives": {
            1: "Demand to 2030 is shared with industry through the national framework for 155 mm ammunition.",
            3: "Unterlüß reached serial production in 2025. GEM-T output from the new Schrobenhausen line starts in 2026.",
            4: "Germany takes part in the NSPA GEM-T and Stinger contracts and the LBDM framework.",
            9: "Stock of propellant and TNT is held for 12 months of surge production.",
        },
        "capacity": [
            ("155mm-round", "Rheinmetall, Unterlüß", 70000, 2023, 200000, 350000, 2027, 60000, 24),
            ("155mm-fuze", "Junghans Defence, Dunningen", 100000, 2023, 150000, 250000, 2027, 30000, 12),
            ("patriot-gem-t", "COMLOG, Schrobenhausen", 0, 2024, 40, 200, 2027, 0, 36),
        ],
        "investments": [
            ("Unterlüß 155 mm shell and filling plant", "new", Decimal("300000000"), "EUR", 2024, 3),
            ("GEM-T production line, Schrobenhausen", "new", Decimal("150000000"), "EUR", 2025, 3),
        ],
        "measures": [
            ("Multi-year 155 mm framework with industry", "done", dt.date(2025, 6, 30), 1),
            ("Strategic stock of propellant", "in_progress", dt.date(2026, 12, 31), 9),
        ],
    },
    {
        "nation": "FRA",
        "cycle": 2026,
        "outcome": "in_review",
        "narratives": {
            3: "Output of 155 mm shells for CAESAR to reach 100,000 a year in 2026 after the Bourges ramp-up.",
            5: "A fund for SMEs in the munitions supply chain opens in 2026.",
        },
        "capacity": [
            ("155mm-round", "KNDS France, Bourges", 20000, 2022, 90000, 120000, 2027, 30000, 18),
            (
                "155mm-fuze",
                "KNDS Ammo France, La Chapelle-Saint-Ursin",
                30000,
                2023,
                60000,
                90000,
                2027,
                10000,
                12,
            ),
        ],
        "investments": [
            ("Second shell-forging line, Bourges", "expansion", Decimal("120000000"), "EUR", 2026, 3)
        ],
        "measures": [("SME supply-chain fund", "planned", dt.date(2026, 9, 30), 5)],
    },
    {
        "nation": "POL",
        "cycle": 2026,
        "outcome": "returned",
        "narratives": {
            3: "Poland will raise 155 mm output at Mesko and Dezamet; a new plant is planned.",
            6: "Joint production of ammunition with Ukrainian industry is being explored.",
        },
        "capacity": [
            ("155mm-round", "Mesko, Skarżysko-Kamienna", 30000, 2023, 60000, 150000, 2027, 20000, 18),
            ("155mm-round", "Dezamet, Nowa Dęba", 10000, 2023, 20000, 50000, 2028, 5000, 24),
        ],
        "investments": [("New 155 mm shell plant", "new", Decimal("2400000000"), "PLN", 2026, 3)],
        "measures": [("Contract for the new 155 mm plant", "planned", dt.date(2026, 12, 31), 3)],
        "comments": [
            (3, "Please give the year in which the new plant reaches full output, and its capacity."),
            (6, "Name the Ukrainian partners or programmes, if they can be shared."),
            (None, "Thank you for a clear plan; two points to complete before acceptance."),
        ],
        "revision": {
            3: "Poland will raise 155 mm output at Mesko and Dezamet; the new plant is to reach full output in 2028."
        },
    },
    {
        "nation": "NLD",
        "cycle": 2026,
        "outcome": "draft",
        "narratives": {4: "The Netherlands joins NSPA contracts for GEM-T, Stinger and 155 mm ammunition."},
        "capacity": [("155mm-round", "Illustrative national filling line", 0, 2025, 0, 20000, 2028, 0, 30)],
        "investments": [],
        "measures": [("Study of a national 155 mm filling line", "in_progress", dt.date(2026, 10, 31), 2)],
    },
]


def _build_plan(spec: dict, *, cycle, nation, director, secretariat, items: dict) -> None:
    from pledges import services
    from pledges.models import PlanSection

    plan = services.plan_start(actor=director, nation=nation, cycle=cycle)

    def write_narratives(texts: dict) -> None:
        sections = {
            s.commitment: s for s in PlanSection.objects.filter(plan_version_id=plan.current_version_id)
        }
        for commitment, text in texts.items():
            section = sections[commitment]
            services.section_save(
                actor=director, section=section, narrative=text, expected_version=section.version
            )

    write_narratives(spec["narratives"])
    for code, site, base, base_year, current, target, target_year, surge, lead in spec["capacity"]:
        if code not in items:
            continue  # the procurement demo did not load this item; leave the line out
        services.entry_save(
            actor=director,
            illustrative=True,
            plan=plan,
            kind="capacityline",
            fields={"item": items[code], "commitment": 3, "site": site, "baseline_output": base,
                    "baseline_year": base_year, "current_output": current, "target_output": target,
                    "target_year": target_year, "surge_capacity": surge, "lead_time_months": lead},
        )  # fmt: skip
    for description, kind, value, currency, year, commitment in spec["investments"]:
        services.entry_save(
            actor=director,
            illustrative=True,
            plan=plan,
            kind="investment",
            fields={"description": description, "kind": kind, "value": value, "currency": currency,
                    "year": year, "commitment": commitment},
        )  # fmt: skip
    for title, status, due, commitment in spec["measures"]:
        services.entry_save(
            actor=director,
            illustrative=True,
            plan=plan,
            kind="measure",
            fields={"title": title, "status": status, "due_date": due, "commitment": commitment},
        )

    outcome = spec["outcome"]
    if outcome == "draft":
        return
    services.plan_submit(actor=director, plan=plan, comment="Demo data")
    services.plan_start_review(actor=secretariat, plan=plan)
    if outcome == "accepted":
        services.plan_accept(actor=secretariat, plan=plan, comment="Complete and consistent.")
    elif outcome == "returned":
        services.plan_return(
            actor=secretariat,
            plan=plan,
            comments=[services.CommentInput(text, commitment) for commitment, text in spec["comments"]],
        )
        plan.refresh_from_db()
        write_narratives(spec.get("revision", {}))


@register("pledges", order=20)
def load_pledges() -> list[str]:
    from pledges import services
    from pledges.models import NationalPlan, PlanCycle
    from portal.models import Nation, User
    from procurement.models import Item

    secretariat = User.objects.get(username="secretariat")
    directors = {
        u.nation.code: u
        for u in User.objects.filter(username__startswith="director_").select_related("nation")
    }
    items = {item.code: item for item in Item.objects.all()}
    nations = {n.code: n for n in Nation.objects.filter(code__in={spec["nation"] for spec in PLANS})}

    cycles = {c.year: c for c in PlanCycle.objects.filter(year__in=[year for year, _ in CYCLES])}
    created_cycles = 0
    for year, due in CYCLES:
        if year not in cycles:
            cycles[year] = services.cycle_create(actor=secretariat, year=year, due_date=due)
            created_cycles += 1

    created_plans = 0
    for spec in PLANS:
        nation, cycle = nations[spec["nation"]], cycles[spec["cycle"]]
        if NationalPlan.objects.filter(nation=nation, cycle=cycle).exists():
            continue
        with transaction.atomic():
            _build_plan(
                spec,
                cycle=cycle,
                nation=nation,
                director=directors[spec["nation"]],
                secretariat=secretariat,
                items=items,
            )
        created_plans += 1
    return [f"cycles created: {created_cycles}, plans created: {created_plans}"]


@register("dip", order=30)
def load_dip() -> list[str]:
    """NATO's 2026 edition (the shipped CSVs) and its DIP metrics, computed by the recompute job."""
    from pledges.expenditure_import import SHIPPED_DATA, read_edition
    from pledges.services import dip_recompute, nato_edition_import
    from portal.models import User

    secretariat = User.objects.get(username="secretariat")
    edition = read_edition(SHIPPED_DATA, edition=2026, price_base=2021)
    outcome = nato_edition_import(
        actor=secretariat,
        edition_year=2026,
        price_base_year=2021,
        rows=edition.rows,
        aggregates=edition.aggregates,
        title="NATO defence expenditure 2014-2026 (2026 edition)",
        notes="NATO, Defence Expenditure of NATO Countries (2014-2026), Tables 1, 2, 3, 5 and 8a; 2025 and "
        "2026 are estimates.",
    )
    # The import queued the job; with a real broker and no worker yet, compute here so the demo
    # opens with figures (the queued run finds them already current and rewrites the same rows).
    with transaction.atomic():
        dip_recompute(dataset_id=outcome.dataset.pk)
    return [
        f"expenditure records: {outcome.created} created, {outcome.updated} updated, {outcome.unchanged} unchanged"
    ]


# Nation, years, and whether the director has submitted it: one return the secretariat reads, one draft.
NATIONAL_RETURNS = [("POL", range(2024, 2027), True), ("NLD", range(2025, 2027), False)]


@register("dip-returns", order=31)
def load_dip_returns() -> list[str]:
    """National expenditure returns for 2026, filed by the demo directors through the services: Poland
    submitted, the Netherlands a draft. Their figures are the nation's rows of NATO's 2026 edition
    (so the return agrees with the published tables). A return that exists is left alone."""
    from pledges.models import INPUT_FIELDS, ExpenditureDataset, ExpenditureRecord
    from pledges.services import dip_recompute, record_save, return_create, return_submit
    from portal.models import User

    created = []
    for code, years, submit in NATIONAL_RETURNS:
        director = User.objects.select_related("nation").get(username=f"director_{code.lower()}")
        if ExpenditureDataset.objects.filter(nation=director.nation, edition_year=2026).exists():
            continue
        published = ExpenditureRecord.objects.filter(
            dataset__source="nato_edition", dataset__edition_year=2026, nation=director.nation, year__in=years
        ).order_by("year")
        with transaction.atomic():
            dataset = return_create(
                actor=director, edition_year=2026, price_base_year=2021, notes="Filed for the demo."
            )
            for record in published:
                values = {name: getattr(record, name) for name in INPUT_FIELDS}
                record_save(actor=director, dataset=dataset, year=record.year, values=values)
            if submit and published:
                return_submit(actor=director, dataset=dataset)
        # As in load_dip: compute now, so the demo opens with figures even before a worker runs.
        with transaction.atomic():
            dip_recompute(dataset_id=dataset.pk)
        created.append(code)
    return [f"national returns created: {', '.join(created) or 'none'}"]
