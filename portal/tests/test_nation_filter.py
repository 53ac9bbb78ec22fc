"""A list's nation filter offers the nations its reader's rows can be about: a director who sees
only their own nation's call-offs is offered that nation, not 38."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

OPTION = re.compile(r'<option value="([A-Z]{3})"')


def offered(client, user, url) -> set[str]:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    select = body.split('name="nation"', 1)[1].split("</select>", 1)[0]
    return set(OPTION.findall(select))


@pytest.mark.parametrize("route", ["procurement:call-off-list", "procurement:demand-list"])
def test_a_director_is_offered_their_own_nation_only(client, owner, nspa, route):
    assert offered(client, owner, reverse(route)) == {"POL"}
    everyone = offered(client, nspa, reverse(route))
    assert {"POL", "FRA", "DEU"} <= everyone
    assert len(everyone) > 30


def test_where_a_director_reads_every_nations_rows_they_are_offered_every_nation(client, owner):
    # Change proposals are shared among Allies: a director may filter them by any nation.
    nations = offered(client, owner, reverse("standards:proposal-list"))
    assert {"POL", "FRA", "DEU"} <= nations
    assert len(nations) > 30
