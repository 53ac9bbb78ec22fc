"""Framework burn-down: committed value per nation against the ceiling, what a director is shown, and
the partial's chart data."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from portal.models import Nation
from procurement import analytics, services
from procurement.tests.factories import make_calloff

pytestmark = pytest.mark.django_db


# --- Framework burn-down ------------------------------------------------------------------------


def test_framework_burndown(data, django_assert_num_queries):
    framework = data["framework"]
    with django_assert_num_queries(1):
        burndown = analytics.framework_burndown(framework=framework)
    # POL: (100 + 40) x 100 EUR; FRA: 50 x 100 EUR; ceiling 1,000,000.
    assert burndown["currency"] == "EUR"
    assert burndown["ceiling"] == Decimal("1000000.00")
    assert burndown["committed"] == Decimal("19000.00")
    assert burndown["remaining"] == Decimal("981000.00")
    assert burndown["nations"] == [
        {"code": "POL", "name": "Poland", "committed": Decimal("14000.00"), "share_pct": 1.4},
        {"code": "FRA", "name": "France", "committed": Decimal("5000.00"), "share_pct": 0.5},
    ]


def test_framework_burndown_for_a_director_withholds_a_single_other_nation(data, owner):
    """France alone is the other nations: its slice, and the totals it could be read back from, go."""
    burndown = analytics.framework_burndown(framework=data["framework"], user=owner)
    assert [(n["code"], n["committed"]) for n in burndown["nations"]] == [("POL", Decimal("14000.00"))]
    assert burndown["committed"] is None
    assert burndown["remaining"] is None
    assert burndown["others_withheld"]
    assert burndown["ordered_withheld"]
    assert burndown["ceiling"] == Decimal("1000000.00")


def test_framework_burndown_for_a_director_lumps_three_other_nations(data, owner):
    framework = data["framework"]
    for code in ("DEU", "ITA"):
        services.framework_participant_add(
            actor=data["actor"],
            framework=framework,
            nation=Nation.objects.get(code=code),
            joined_on=dt.date(2024, 1, 1),
        )
        make_calloff(framework, nation=code, quantity=10, actor=data["actor"])
    framework.refresh_from_db()
    burndown = analytics.framework_burndown(framework=framework, user=owner)
    # FRA 5000 + DEU 1000 + ITA 1000 in one slice; the totals may then be shown.
    assert [(n["code"], n["name"], n["committed"]) for n in burndown["nations"]] == [
        ("POL", "Poland", Decimal("14000.00")),
        ("", "Other nations", Decimal("7000.00")),
    ]
    assert burndown["committed"] == Decimal("21000.00")
    assert burndown["remaining"] == Decimal("979000.00")
    assert not burndown["others_withheld"]
    assert not burndown["ordered_withheld"]


def test_burndown_partial_renders_chart_data_and_table(data):
    from django.template.loader import render_to_string

    burndown = analytics.framework_burndown(framework=data["framework"])
    html = render_to_string("procurement/analytics/_burndown.html", {"burndown": burndown})
    chart_id = f"burndown-{data['framework'].pk}"
    assert f'data-source="{chart_id}"' in html
    payload = re.search(rf'<script id="{chart_id}" type="application/json">(.*?)</script>', html, re.S).group(
        1
    )
    # Decimals travel as strings, never as localised numbers.
    assert '"ceiling": "1000000.00"' in payload
    assert '"committed": "14000.00"' in payload
    assert "Poland" in html
    assert "981000.00" in html
