"""Procurement demo data: the real NSPA frameworks in shared/data/nato/procurement_facts.md, with
their nations, values, quantities and dates, plus illustrative call-offs and deliveries.

Where a source leaves a fact open (a participant list cut off, no exact date, unit prices), the
value used is marked as assumed in the framework's notes; every call-off and delivery here is
illustrative (``CallOff.illustrative``). Idempotent: objects are looked up by reference or code.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from portal.demo import register

ITEMS = [
    # code, name, capability area, unit; the standards each requires are set by standards/demo.py
    ("155mm-round", "155 mm artillery round", "lbdm", "round"),
    ("155mm-fuze", "155 mm artillery fuze", "lbdm", "fuze"),
    ("120mm-mortar", "120 mm mortar round", "lbdm", "round"),
    ("120mm-tank", "120 mm tank round", "armour", "round"),
    ("atgm", "Anti-tank guided missile", "anti_tank", "missile"),
    ("patriot-gem-t", "Patriot GEM-T missile", "iamd", "missile"),
    ("stinger-fim-92k", "Stinger FIM-92K missile", "iamd", "missile"),
]

PROGRAMMES = [
    (
        "asp",
        "Ammunition Support Partnership",
        "partnership",
        "NSPO partnership founded in 1993; 26 nations.",
        [],
    ),
    (
        "lbdm",
        "Land Battle Decisive Munitions",
        "programme",
        "MoU July 2018; first anti-tank deliveries six months later (NATO, 2019).",
        # Members as printed by NATO on 2020-02-12 (23 participants); partners AT and FI/SE (now Allies) omitted
        # where they are not in the portal's nation list.
        [
            (c, dt.date(2018, 7, 11))
            for c in [
                "BEL",
                "HRV",
                "DNK",
                "EST",
                "DEU",
                "FRA",
                "ITA",
                "LVA",
                "LTU",
                "MNE",
                "NLD",
                "NOR",
                "POL",
                "PRT",
                "SVK",
                "SVN",
                "ESP",
                "GBR",
            ]
        ]
        + [
            ("CZE", dt.date(2020, 2, 12)),
            ("SWE", dt.date(2020, 2, 12)),
            ("FIN", dt.date(2020, 2, 12)),
            ("MKD", dt.date(2020, 2, 12)),
        ],
    ),
    ("stinger-sp", "Stinger support partnership", "partnership", "Eight NATO nations and Switzerland.", []),
]

SUPPLIERS = [
    ("Nexter Munitions (KNDS)", "FRA"),
    ("Junghans Defence", "DEU"),
    ("COMLOG (MBDA Germany and RTX joint venture)", "DEU"),
    ("RTX (Raytheon)", "USA"),
]

FRAMEWORKS = [
    {
        "reference": "NSPA-LBDM-2023",
        "title": "Land Battle Decisive Munitions framework contracts (155 mm, ATGM, tank ammunition)",
        "programme": "lbdm",
        "currency": "EUR",
        "ceiling": Decimal("2400000000"),
        "firm": Decimal("1000000000"),
        "period": (dt.date(2023, 7, 1), dt.date(2028, 12, 31)),
        "suppliers": [],
        "nations": [
            "BEL",
            "HRV",
            "CZE",
            "DNK",
            "EST",
            "FIN",
            "FRA",
            "DEU",
            "ITA",
            "LVA",
            "LTU",
            "MNE",
            "NLD",
            "MKD",
            "NOR",
            "POL",
            "PRT",
            "ROU",
        ],
        "lines": [
            ("155mm-round", Decimal("4000.00"), 300000),
            ("atgm", Decimal("150000.00"), 3000),
            ("120mm-tank", Decimal("5000.00"), 60000),
        ],
        "notes": "NSPA: 'estimated at 2.4 billion euros – including 1 billion euros in firm orders'; 24 Allies and "
        "partners, list cut off in the copy read (18 shown). Assumed: period start (the source gives only 2023), "
        "unit prices and maximum quantities.",
    },
    {
        "reference": "NSPA-155-CAESAR-PZH-2024",
        "title": "155 mm ammunition and fuzes for CAESAR and PzH 2000",
        "programme": "asp",
        "currency": "EUR",
        "ceiling": Decimal("1100000000"),
        "firm": Decimal("0"),
        "period": (dt.date(2024, 1, 23), dt.date(2027, 1, 23)),
        "suppliers": ["Nexter Munitions (KNDS)", "Junghans Defence"],
        "nations": ["FRA", "DEU", "NLD"],
        "lines": [("155mm-round", Decimal("4500.00"), 220000), ("155mm-fuze", Decimal("500.00"), 220000)],
        "notes": "EUR 1.1 bn, about 220,000 rounds, delivery in 24–36 months (NSPA, 2024-01-23). Assumed: the three "
        "requesting Allies (the source does not name them) and the split of value between rounds and fuzes.",
    },
    {
        "reference": "NSPA-GEM-T-2024",
        "title": "Patriot GEM-T (PAC-2) missiles, production and delivery",
        "programme": None,
        "currency": "USD",
        "ceiling": Decimal("5500000000"),
        "firm": Decimal("0"),
        "period": (dt.date(2024, 1, 3), dt.date(2030, 12, 31)),
        "suppliers": ["COMLOG (MBDA Germany and RTX joint venture)"],
        "nations": ["DEU", "NLD", "ROU", "ESP"],
        "lines": [("patriot-gem-t", Decimal("5500000.00"), 1000)],
        "notes": "USD 5.5 bn for up to 1,000 GEM-T; new production line in Schrobenhausen (2024-01-03). Assumed: "
        "period end.",
    },
    {
        "reference": "NSPA-STINGER-2024",
        "title": "FIM-92K Stinger Block I missiles (FMS)",
        "programme": "stinger-sp",
        "currency": "USD",
        "ceiling": Decimal("700000000"),
        "firm": Decimal("0"),
        "period": (dt.date(2024, 7, 9), dt.date(2029, 12, 31)),
        "suppliers": ["RTX (Raytheon)"],
        "nations": ["DEU", "ITA", "NLD"],
        "lines": [("stinger-fim-92k", Decimal("744680.85"), 940)],
        "notes": "Almost USD 700 m for 940 missiles (Washington Summit, 2024-07-09); RTX says the line runs through "
        "2029. Unit price derived from the two figures.",
    },
]

# Illustrative call-offs: (reference, framework, nation, order date, [(item, quantity, [(due, qty), ...])])
CALL_OFFS = [
    (
        "DEMO-CO-LBDM-POL-1",
        "NSPA-LBDM-2023",
        "POL",
        dt.date(2023, 10, 2),
        [("155mm-round", 40000, [(dt.date(2024, 6, 30), 20000), (dt.date(2025, 3, 31), 20000)])],
    ),
    (
        "DEMO-CO-LBDM-NLD-1",
        "NSPA-LBDM-2023",
        "NLD",
        dt.date(2023, 11, 15),
        [("atgm", 300, [(dt.date(2025, 5, 31), 300)])],
    ),
    (
        "DEMO-CO-LBDM-DEU-1",
        "NSPA-LBDM-2023",
        "DEU",
        dt.date(2024, 2, 1),
        [("120mm-tank", 12000, [(dt.date(2025, 12, 31), 12000)])],
    ),
    (
        "DEMO-CO-155-FRA-1",
        "NSPA-155-CAESAR-PZH-2024",
        "FRA",
        dt.date(2024, 3, 1),
        [
            ("155mm-round", 30000, [(dt.date(2025, 9, 30), 15000), (dt.date(2026, 9, 30), 15000)]),
            ("155mm-fuze", 30000, [(dt.date(2025, 9, 30), 30000)]),
        ],
    ),
    (
        "DEMO-CO-GEMT-DEU-1",
        "NSPA-GEM-T-2024",
        "DEU",
        dt.date(2024, 2, 15),
        [("patriot-gem-t", 200, [(dt.date(2026, 12, 31), 200)])],
    ),
    (
        "DEMO-CO-GEMT-ROU-1",
        "NSPA-GEM-T-2024",
        "ROU",
        dt.date(2024, 4, 10),
        [("patriot-gem-t", 60, [(dt.date(2027, 6, 30), 60)])],
    ),
    (
        "DEMO-CO-STINGER-ITA-1",
        "NSPA-STINGER-2024",
        "ITA",
        dt.date(2024, 8, 1),
        [("stinger-fim-92k", 300, [(dt.date(2026, 6, 30), 300)])],
    ),
]

# Illustrative deliveries: (call-off, item, lot, delivered on, delivered, accepted, rejected, reason, location)
DELIVERIES = [
    (
        "DEMO-CO-LBDM-POL-1",
        "155mm-round",
        "LBDM-155-001",
        dt.date(2024, 5, 20),
        12000,
        12000,
        0,
        "",
        "Nowa Dęba",
    ),
    (
        "DEMO-CO-LBDM-POL-1",
        "155mm-round",
        "LBDM-155-002",
        dt.date(2024, 9, 12),
        10000,
        9800,
        200,
        "Damaged packaging",
        "Nowa Dęba",
    ),
    (
        "DEMO-CO-LBDM-POL-1",
        "155mm-round",
        "LBDM-155-003",
        dt.date(2025, 4, 30),
        8000,
        8000,
        0,
        "",
        "Nowa Dęba",
    ),
    ("DEMO-CO-LBDM-NLD-1", "atgm", "LBDM-ATGM-001", dt.date(2025, 7, 1), 150, 150, 0, "", "Soesterberg"),
    (
        "DEMO-CO-LBDM-DEU-1",
        "120mm-tank",
        "LBDM-120-001",
        dt.date(2025, 10, 15),
        6000,
        6000,
        0,
        "",
        "Unterlüß",
    ),
    (
        "DEMO-CO-155-FRA-1",
        "155mm-round",
        "ASP-155-001",
        dt.date(2025, 10, 20),
        15000,
        15000,
        0,
        "",
        "Bourges",
    ),
    (
        "DEMO-CO-155-FRA-1",
        "155mm-fuze",
        "ASP-FZ-001",
        dt.date(2025, 8, 29),
        30000,
        29950,
        50,
        "Failed lot test",
        "Bourges",
    ),
    ("DEMO-CO-GEMT-DEU-1", "patriot-gem-t", "GEMT-001", dt.date(2026, 3, 2), 40, 40, 0, "", "Schrobenhausen"),
]

# Demand (nation, item, {year: (quantity, firmness)}); filed by the director where the demo has one.
DEMAND = [
    ("POL", "155mm-round", {2026: (60000, "firm"), 2027: (80000, "planned"), 2028: (80000, "indicative")}),
    ("DEU", "155mm-round", {2026: (120000, "firm"), 2027: (150000, "planned")}),
    ("FRA", "155mm-round", {2026: (50000, "firm"), 2027: (60000, "planned")}),
    ("NLD", "155mm-round", {2026: (15000, "firm"), 2027: (20000, "indicative")}),
    ("DEU", "patriot-gem-t", {2026: (120, "firm"), 2027: (150, "planned")}),
    ("NLD", "patriot-gem-t", {2026: (40, "planned")}),
    ("POL", "atgm", {2026: (800, "firm")}),
    ("ITA", "stinger-fim-92k", {2026: (200, "planned")}),
    ("FRA", "155mm-fuze", {2026: (50000, "firm")}),
]


@register("procurement", order=10)
def load_procurement() -> list[str]:
    from portal.models import Nation, User
    from procurement import services
    from procurement.models import (
        CallOff,
        CallOffLine,
        Delivery,
        DemandSignal,
        FrameworkContract,
        Item,
        Programme,
        Supplier,
    )

    nspa = User.objects.get(username="nspa")
    nations = {n.code: n for n in Nation.objects.all()}
    counts = dict.fromkeys(["items", "programmes", "frameworks", "call-offs", "deliveries", "demand"], 0)

    items = {i.code: i for i in Item.objects.all()}
    for code, name, area, unit in ITEMS:
        if code not in items:
            items[code] = services.item_create(
                actor=nspa, code=code, name=name, capability_area=area, unit=unit
            )
            counts["items"] += 1

    programmes = {p.code: p for p in Programme.objects.all()}
    for code, name, kind, description, members in PROGRAMMES:
        if code not in programmes:
            programmes[code] = services.programme_create(
                actor=nspa, code=code, name=name, kind=kind, description=description
            )
            for nation_code, joined in members:
                services.programme_member_add(
                    actor=nspa, programme=programmes[code], nation=nations[nation_code], joined_on=joined
                )
            counts["programmes"] += 1

    suppliers = {s.name: s for s in Supplier.objects.all()}
    for name, country in SUPPLIERS:
        if name not in suppliers:
            suppliers[name] = services.supplier_create(actor=nspa, name=name, country=country)

    for spec in FRAMEWORKS:
        if FrameworkContract.objects.filter(reference=spec["reference"]).exists():
            continue
        framework = services.framework_create(
            actor=nspa,
            reference=spec["reference"],
            title=spec["title"],
            currency=spec["currency"],
            ceiling_value=spec["ceiling"],
            firm_order_value=spec["firm"],
            period_start=spec["period"][0],
            period_end=spec["period"][1],
            programme=programmes.get(spec["programme"]),
            suppliers=[suppliers[name] for name in spec["suppliers"]],
            status="active",
            notes=spec["notes"],
        )
        for code in spec["nations"]:
            services.framework_participant_add(
                actor=nspa, framework=framework, nation=nations[code], joined_on=spec["period"][0]
            )
        for item_code, price, max_quantity in spec["lines"]:
            services.framework_line_add(
                actor=nspa,
                framework=framework,
                item=items[item_code],
                unit_price=price,
                max_quantity=max_quantity,
            )
        counts["frameworks"] += 1

    for reference, framework_ref, nation_code, ordered, lines in CALL_OFFS:
        if CallOff.objects.filter(reference=reference).exists():
            continue
        framework = FrameworkContract.objects.get(reference=framework_ref)
        framework_lines = {fl.item.code: fl for fl in framework.lines.select_related("item")}
        services.calloff_create(
            actor=nspa,
            framework=framework,
            nation=nations[nation_code],
            reference=reference,
            order_date=ordered,
            illustrative=True,
            lines=[
                services.CallOffLineInput(
                    framework_line=framework_lines[item], quantity=quantity, schedule=schedule
                )
                for item, quantity, schedule in lines
            ],
        )
        counts["call-offs"] += 1

    for reference, item, lot, on, delivered, accepted, rejected, reason, location in DELIVERIES:
        line = CallOffLine.objects.get(call_off__reference=reference, framework_line__item__code=item)
        if Delivery.objects.filter(call_off_line=line, lot_number=lot).exists():
            continue
        services.delivery_record(
            actor=nspa,
            data=services.DeliveryInput(
                call_off_line_id=line.pk,
                delivered_on=on,
                quantity_delivered=delivered,
                quantity_accepted=accepted,
                quantity_rejected=rejected,
                rejection_reason=reason,
                lot_number=lot,
                location=location,
            ),
        )
        counts["deliveries"] += 1

    directors = {u.nation.code: u for u in User.objects.filter(role="director").select_related("nation")}
    for nation_code, item, years in DEMAND:
        for year, (quantity, firmness) in years.items():
            if DemandSignal.objects.filter(nation=nations[nation_code], item=items[item], year=year).exists():
                continue
            services.demand_signal_set(
                actor=directors.get(nation_code, nspa),
                nation=nations[nation_code],
                item=items[item],
                year=year,
                quantity=quantity,
                firmness=firmness,
            )
            counts["demand"] += 1
    return [", ".join(f"{name} created: {n}" for name, n in counts.items())]
