"""The profile page: who the user is, and "Your access" in words, from the rules' grants."""

import html
import re

import pytest
from django.urls import reverse

from portal import permissions
from portal.choices import Role
from portal.models import Nation
from portal.permissions import ALL, VIEW, Scope, access_in_words, permissions_for
from portal.tests.factories import JobRunFactory
from portal.tests.test_audit import make_change

ROW = re.compile(r"<tr><td>(.*?)</td><td>(.*?)</td></tr>", re.S)


def access_rows(body: str) -> list[tuple[str, str]]:
    """The "Your access" table as the reader sees it: (records, what they may do) per row."""
    table = body.split('data-testid="access"', 1)[1].split("</table>", 1)[0]
    return [(html.unescape(records), html.unescape(actions)) for records, actions in ROW.findall(table)]


def profile(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("profile"))
    assert response.status_code == 200
    return response.content.decode()


def test_a_director_reads_their_nations_access_in_words(client, owner):
    rows = access_rows(profile(client, owner))
    # One line per kind of record and scope: every action on Poland's plans together...
    assert ("Poland's national plans", "view, add, edit, submit, read drafts") in rows
    assert ("Poland's demand signals", "view, add, edit, delete") in rows
    # ...and a line of its own for each other scope on the same records.
    assert ("All national responses", "view") in rows
    assert ("Poland's national responses", "add, edit") in rows
    assert ("Framework contracts of frameworks Poland takes part in", "view") in rows
    assert ("Poland", "open the nation's dashboard page") in rows
    assert [records for records, _ in rows].count("Poland's national plans") == 1


def test_the_page_shows_no_raw_label(client, owner):
    body = profile(client, owner)
    granted = permissions_for(owner)
    assert granted, "the director holds grants, so the check below means something"
    for model_label, actions in granted.items():
        assert model_label not in body
        for action, scope_label in actions.items():
            assert f"{action}: {scope_label}" not in body
            if "_" in scope_label:
                assert scope_label not in body
    assert "read_draft" not in body


def test_the_page_says_who_the_user_is(client, owner):
    owner.first_name, owner.last_name = "Anna", "Nowak"
    owner.save()
    body = html.unescape(profile(client, owner))
    facts = body.split('data-testid="profile-facts"', 1)[1].split("</table>", 1)[0]
    for fact in ("Anna Nowak", "owner_pol", "National armaments director", "Poland (POL)"):
        assert fact in facts


def test_a_partner_sees_only_their_few_grants(client, users_by_role):
    rows = access_rows(profile(client, users_by_role["partner"]))
    assert sorted(rows) == sorted(
        [
            ("All nations", "view"),
            ("Your own account", "view"),
            ("Your own job runs", "view"),
            ("Your own audit records", "view"),
            ("Your own notifications", "view, edit"),
            ("Your own notification preferences", "view, edit"),
            ("All items", "view"),
            ("All item requirements", "view"),
            ("All domains", "view"),
            ("All standards", "view"),
        ]
    )


def test_a_user_without_a_role_is_told_nothing_is_granted(client, outsider):
    body = profile(client, outsider)
    assert 'data-testid="access"' not in body
    assert "No access has been granted to you yet." in body
    assert "No role" in body


def test_a_superuser_holds_every_action(client, users_by_role):
    assert access_rows(profile(client, users_by_role["superuser"])) == [("All records", "every action")]


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(reverse("profile"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/profile/")


def test_the_user_menu_links_to_the_profile_and_home_has_no_raw_table(client, owner):
    client.force_login(owner)
    body = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("profile")}"' in body
    assert "pledges.nationalplan" not in body


@pytest.mark.parametrize("size", [1, 25])
def test_the_query_count_does_not_depend_on_data_size(client, owner, size, django_assert_num_queries):
    for _ in range(size):
        make_change(owner)
        JobRunFactory(requested_by=owner)
    client.force_login(owner)
    # The session, the user and the user's nation; the lines come from the rules alone.
    with django_assert_num_queries(3):
        response = client.get(reverse("profile"))
    assert response.status_code == 200


def test_unknown_scopes_and_actions_still_read_as_words(monkeypatch, owner):
    mystery = Scope("mystery", lambda qs, user: qs)
    monkeypatch.setattr(
        permissions,
        "_rules",
        {Nation: {VIEW: {Role.DIRECTOR: mystery}, "stamp_passport": {Role.DIRECTOR: mystery}}},
    )
    [line] = access_in_words(owner)
    assert (line.records, line.actions, line.scope) == ("Some nations", ["view", "stamp passport"], "mystery")


def test_every_registered_scope_and_action_has_words():
    """A new scope label or named action needs its phrase in portal.permissions (and its French)."""
    scopes = {
        scope.label
        for grants in permissions._rules.values()
        for by in grants.values()
        for scope in by.values()
    }
    actions = {action for grants in permissions._rules.values() for action in grants}
    assert sorted(scopes - set(permissions.SCOPE_PHRASES)) == []
    assert sorted(actions - set(permissions.ACTION_WORDS)) == []
    assert ALL.label in permissions.SCOPE_PHRASES


# --- Preferences: the time zone times are shown in ----------------------------------------------


def test_a_user_picks_a_time_zone_and_every_time_shows_in_it_with_its_name(client, owner):
    import datetime as dt

    from portal.models import ObjectChange

    change = make_change(owner)
    ObjectChange.objects.filter(pk=change.pk).update(time=dt.datetime(2026, 12, 1, 19, 28, tzinfo=dt.UTC))
    client.force_login(owner)
    assert "1 Dec 2026, 19:28 UTC" in client.get(reverse("activity")).content.decode()

    response = client.post(reverse("profile"), {"time_zone": "Europe/Warsaw"})
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.time_zone == "Europe/Warsaw"
    saved = ObjectChange.objects.filter(object_id=str(owner.pk)).order_by("-pk").first()
    assert saved.after["time_zone"] == "Europe/Warsaw"
    assert saved.actor == owner
    assert "1 Dec 2026, 20:28 CET" in client.get(reverse("activity")).content.decode()

    # French: the same instant, the French date style, the zone still named.
    client.cookies.load({"django_language": "fr"})
    assert "1 déc. 2026, 20:28 CET" in client.get(reverse("activity")).content.decode()


def test_an_unknown_time_zone_is_a_field_error_and_saves_nothing(client, owner):
    client.force_login(owner)
    response = client.post(reverse("profile"), {"time_zone": "Mars/Olympus_Mons"})
    assert response.status_code == 400
    assert 'id="id_time_zone_error"' in response.content.decode()
    owner.refresh_from_db()
    assert owner.time_zone == ""


def test_a_user_picks_the_language_of_their_mail(client, owner):
    client.force_login(owner)
    page = client.get(reverse("profile")).content.decode()
    assert "Language of your emails" in page
    response = client.post(reverse("profile"), {"time_zone": "", "language": "fr"})
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.language == "fr"
    assert client.post(reverse("profile"), {"time_zone": "", "language": "xx"}).status_code == 400
    owner.refresh_from_db()
    assert owner.language == "fr"
    # A form that does not send the field (an older page) leaves the language alone.
    assert client.post(reverse("profile"), {"time_zone": "Europe/Paris"}).status_code == 302
    owner.refresh_from_db()
    assert (owner.language, owner.time_zone) == ("fr", "Europe/Paris")
