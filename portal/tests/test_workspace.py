"""The home page as a workspace, on the demo data every newcomer sees: each role's panels, every
link in them opens for that user, and the page's query count does not grow with the data."""

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal import workspace
from portal.models import User
from portal.rules import HOME_PANELS

pytestmark = pytest.mark.django_db

PANEL = re.compile(r'data-panel="([^"]+)"')
HREF = re.compile(r'href="([^"]+)"')

# What each demo user must find on their home (more may be there).
EXPECTED = {
    "director_pol": {
        "pledges.plan": ["Returned", "Comment: "],
        "standards.alerts": ["Poland, STANAG"],
        "standards.responses": [],
        "procurement.late_lines": [],
        "pledges.dip": ["% of GDP"],
        "boards.nation_actions": [],
    },
    "director_fra": {"pledges.plan": ["In review"]},
    "secretariat": {
        "pledges.review": ["France, 2026 plan: In review"],
        "pledges.filing": ["Not started / not submitted"],
        "portal.overdue": [],
        "boards.recommendations": [],
        "standards.alerts": [],
    },
    "nspa": {
        "procurement.near_ceiling": [],
        "procurement.late_lines": [],
        "procurement.awaiting_acceptance": [],
        "procurement.recent_imports": [],
    },
    "board_member": {"boards.upcoming": [], "boards.minutes": [], "boards.my_actions": []},
    "partner_ukr": {"portal.released": ["Released to you"]},
}


def panels_of(body: str) -> dict[str, str]:
    """Each panel's HTML by key."""
    parts = body.split('<section class="card panel"')[1:]
    return {PANEL.search(part).group(1): part.split("</section>")[0] for part in parts}


def home(client, user):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def grow(today: dt.date) -> None:
    """More of everything the panels read, through the services, as another year of use would."""
    from boards import services as boards
    from boards.models import Body
    from pledges import services as pledges
    from pledges.models import PlanCycle
    from standards.tests.factories import make_standard

    secretariat = User.objects.get(username="secretariat")
    board_member = User.objects.get(username="board_member")
    poland = User.objects.get(username="director_pol")
    body = Body.objects.filter(memberships__user=board_member).first()
    for n in range(12):
        boards.action_create(
            actor=secretariat,
            body=body,
            text=f"Grown action {n}",
            due_on=today - dt.timedelta(days=n),
            owner_user=board_member,
        )
        boards.action_create(
            actor=secretariat,
            body=body,
            text=f"Grown national action {n}",
            due_on=today,
            owner_nation=poland.nation,
        )
        make_standard(
            number=str(8800 + n), actor=secretariat, promulgated_on=dt.date(2015, 1, 1) + dt.timedelta(days=n)
        )
    cycle = PlanCycle.objects.order_by("-year").first()
    for username in ("director_nld", "director_deu"):
        director = User.objects.get(username=username)
        plan = director.nation.plans.filter(cycle=cycle).first() or pledges.plan_start(
            actor=director, nation=director.nation, cycle=cycle
        )
        if plan.is_editable:
            pledges.plan_submit(actor=director, plan=plan)


def test_each_roles_home_is_its_workspace_and_every_link_opens(client, settings):
    call_command("load_demo", stdout=io.StringIO())
    today = timezone.localdate()
    counts = {}
    for username, expected in EXPECTED.items():
        user = User.objects.get(username=username)
        body, counts[username] = home(client, user)
        found = panels_of(body)
        assert set(expected) <= set(found), username
        assert set(found) <= set(HOME_PANELS[user.role]), username
        for key, phrases in expected.items():
            for phrase in phrases:
                assert phrase in found[key].replace("&#x27;", "'"), (username, key, phrase)
        # The permission table is gone from home; it is the profile page's, in words.
        assert "Your access" not in body
        for html in found.values():
            for url in sorted(set(HREF.findall(html))):
                url = url.replace("&amp;", "&")
                response = client.get(url)
                assert response.status_code == 200, (username, url, response.status_code)

    grow(today)
    for username in EXPECTED:
        _body, grown = home(client, User.objects.get(username=username))
        assert grown == counts[username], username


def test_an_unknown_panel_key_fails_loudly():
    with pytest.raises(KeyError):
        workspace.panels(None, timezone.localdate(), ["no.such_panel"])


def test_every_roles_panel_keys_are_registered():
    registered = workspace.registered()
    for role, keys in HOME_PANELS.items():
        assert set(keys) <= registered, role
