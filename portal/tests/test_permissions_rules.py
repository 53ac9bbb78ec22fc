"""The authorization mechanism's edges (portal.permissions): who holds no grant at all, what a
superuser holds, what a refused service call says, proxy models, and the order /api/me/ reports
grants in. Expectations come from DESIGN.md ("Roles and scope"), not from reading the rules back."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.test.utils import isolate_apps

from portal import permissions
from portal.choices import Role
from portal.exceptions import Forbidden, NotFound
from portal.models import JobRun, Nation, ObjectChange, User
from portal.permissions import (
    ALL,
    CHANGE,
    VIEW,
    ensure_allowed,
    may,
    permissions_for,
    reads_all,
    restrict,
    scope_label,
)
from procurement.models import CallOff

pytestmark = pytest.mark.django_db


def test_no_user_an_anonymous_one_and_a_deactivated_one_hold_no_grant(owner):
    owner.is_active = False
    for user in (None, AnonymousUser(), owner):
        assert may(user, Nation, VIEW) is False
        assert permissions_for(user) == {}
        assert not restrict(Nation.objects.all(), user, VIEW).exists()


def test_a_superuser_holds_every_grant_and_it_reads_all(make_user):
    admin = make_user(None, None, is_superuser=True)
    granted = permissions_for(admin)
    # pledges adds its nation page to the core's rule (permissions.extend).
    assert granted["portal.nation"] == {"view": "all", "open_dip_nation": "all"}
    assert granted["procurement.calloff"] == {"view": "all", "add": "all", "change": "all"}
    assert set(granted["pledges.nationalplan"]) == {"view", "add", "change", "submit", "review", "read_draft"}
    assert {label for actions in granted.values() for label in actions.values()} == {"all"}
    # A model with no grant for anyone is not listed, not even for a superuser.
    assert "portal.idempotencyrecord" not in granted
    assert may(admin, Nation, "delete")


def test_grants_are_reported_in_model_label_order(secretariat):
    labels = list(permissions_for(secretariat))
    assert labels == sorted(labels)
    assert {"portal.nation", "procurement.calloff", "pledges.nationalplan"} <= set(labels)


def test_a_refused_service_call_says_what_was_not_found_or_not_allowed(owner, other):
    with pytest.raises(NotFound) as not_found:
        ensure_allowed(owner, CHANGE, other)  # a user of another nation: invisible
    assert not_found.value.message == "user not found."
    with pytest.raises(Forbidden) as forbidden:
        ensure_allowed(owner, CHANGE, owner)  # visible, but nobody edits users here
    assert forbidden.value.message == "You may not change this user."


@isolate_apps("portal")
def test_a_proxy_model_is_governed_by_its_concrete_models_rule(owner, other, monkeypatch):
    class Colleague(User):
        class Meta:
            proxy = True
            app_label = "portal"

    # A director reads their own nation's users, through the proxy too.
    assert list(restrict(Colleague.objects.all(), owner, VIEW).values_list("username", flat=True)) == [
        "owner_pol"
    ]
    # And a rule registered for the proxy is the concrete model's rule.
    monkeypatch.setattr(permissions, "_rules", dict(permissions._rules))
    permissions.register(Colleague, {VIEW: {Role.DIRECTOR: ALL}})
    assert set(restrict(User.objects.all(), owner, VIEW)) == {owner, other}


def test_every_grant_applies_to_its_models_rows(users_by_role):
    """Each scope is a filter on its model: every grant the matrix holds runs on its model's rows,
    so a misspelt path fails here for every role that holds it, not only on the page that uses it."""
    from django.apps import apps

    for user in users_by_role.values():
        for label, actions in permissions_for(user).items():
            model = apps.get_model(label)
            for action in actions:
                restrict(model._default_manager.all(), user, action).exists()


@pytest.mark.parametrize("role", ["nspa", "board_member", "partner"])
def test_roles_without_a_nation_see_only_themselves_among_users(users_by_role, role):
    user = users_by_role[role]
    assert list(restrict(User.objects.all(), user, VIEW)) == [user]
    assert permissions_for(user)["portal.user"] == {"view": "own"}


def test_reads_all_and_scope_label_tell_an_unfiltered_grant_from_a_narrowed_one(users_by_role):
    director, nspa, secretariat = (users_by_role[r] for r in ("director", "nspa", "secretariat"))
    admin, partner = users_by_role["superuser"], users_by_role["partner"]
    assert [reads_all(user, CallOff) for user in (secretariat, nspa, admin, director, partner)] == [
        True,
        True,
        True,
        False,  # their own nation's call-offs only
        False,  # no grant at all
    ]
    assert [scope_label(user, CallOff) for user in (secretariat, admin, director, partner)] == [
        "all",
        "all",
        "own_nation",
        None,
    ]
    # The action counts: NSPA places call-offs, the secretariat only reads them.
    assert (reads_all(nspa, CallOff, CHANGE), reads_all(secretariat, CallOff, CHANGE)) == (True, False)
    assert (scope_label(nspa, CallOff, CHANGE), scope_label(secretariat, CallOff, CHANGE)) == ("all", None)
    assert not reads_all(AnonymousUser(), Nation)
    assert scope_label(None, Nation) is None


def _audit_row(actor, *, nation=None, draft_key="") -> ObjectChange:
    return ObjectChange.objects.create(
        actor=actor,
        actor_username=actor.username,
        action="update",
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(actor.pk),
        object_repr=str(actor),
        nation=nation,
        draft_key=draft_key,
    )


def test_who_reads_which_audit_rows(owner, other, secretariat, nspa, make_user):
    """DESIGN, convention 12: a row about a draft stays with its nation until the draft is
    submitted; a director reads their nation's rows and what they did; the secretariat every
    released row; everybody else what they did themselves."""
    poland, france = owner.nation, other.nation
    on_a_polish_order = _audit_row(nspa, nation=poland)
    in_the_polish_draft = _audit_row(owner, nation=poland, draft_key="plan-version:1")
    by_owner_on_a_french_row = _audit_row(owner, nation=france)
    on_a_french_order = _audit_row(other, nation=france)
    by_the_secretariat = _audit_row(secretariat)

    def readable(user) -> set[ObjectChange]:
        return set(restrict(ObjectChange.objects.all(), user, VIEW))

    assert readable(owner) == {on_a_polish_order, in_the_polish_draft, by_owner_on_a_french_row}
    assert readable(other) == {on_a_french_order, by_owner_on_a_french_row}
    assert readable(secretariat) == {
        on_a_polish_order,
        by_owner_on_a_french_row,
        on_a_french_order,
        by_the_secretariat,
    }
    assert readable(nspa) == {on_a_polish_order}
    # A director without a nation (only in memory: the database refuses one) reads what they did.
    stateless = make_user(None, None, username="stateless")
    stateless.role = "director"
    by_stateless = _audit_row(stateless)
    assert readable(stateless) == {by_stateless}


def test_jobs_are_read_by_who_asked_for_them_and_by_nspa_and_the_secretariat(users_by_role):
    director, nspa, secretariat = (users_by_role[r] for r in ("director", "nspa", "secretariat"))
    asked_by_director = JobRun.objects.create(job_name="export", requested_by=director)
    scheduled = JobRun.objects.create(job_name="nightly")
    assert set(restrict(JobRun.objects.all(), director, VIEW)) == {asked_by_director}
    for reader in (nspa, secretariat):
        assert set(restrict(JobRun.objects.all(), reader, VIEW)) == {asked_by_director, scheduled}
    assert not restrict(JobRun.objects.all(), users_by_role["board_member"], VIEW).exists()


def test_allows_answers_like_a_query_without_one(owner, other, secretariat, django_assert_num_queries):
    """``allows`` reads an own-nation or own-row scope off the loaded object; the answer is the
    one ``is_allowed`` gets from the database."""
    from pledges.rules import OPEN_DIP_NATION

    poland, france = owner.nation, other.nation
    cases = [
        (owner, OPEN_DIP_NATION, poland, True),
        (owner, OPEN_DIP_NATION, france, False),
        (secretariat, OPEN_DIP_NATION, france, True),
        (owner, VIEW, other, False),  # User VIEW for a director: own nation (other is French)
        (owner, VIEW, owner, True),
    ]
    for user, action, obj, expected in cases:
        with django_assert_num_queries(0):
            assert permissions.allows(user, action, obj) is expected, (user, action, obj)
        assert permissions.is_allowed(user, action, obj) is expected, (user, action, obj)


def test_allows_falls_back_to_a_query_for_other_scopes(secretariat, owner, django_assert_num_queries):
    nation_type = ContentType.objects.get_for_model(Nation)
    released, draft = (
        ObjectChange.objects.create(
            actor=owner, action="x", object_repr="x", content_type=nation_type, object_id="1", draft_key=key
        )
        for key in ("", "plan-version:1")
    )
    # The secretariat's "released" scope has no in-memory test: one query each.
    with django_assert_num_queries(1):
        assert permissions.allows(secretariat, VIEW, released) is True
    with django_assert_num_queries(1):
        assert permissions.allows(secretariat, VIEW, draft) is False


def test_extend_adds_actions_once(monkeypatch):
    monkeypatch.setattr(permissions, "_rules", dict(permissions._rules))
    permissions.extend(Nation, {"inspect": {Role.SECRETARIAT: ALL}})
    assert permissions._rules[Nation]["inspect"][Role.SECRETARIAT] is ALL
    assert permissions._rules[Nation][VIEW]  # what was there stays
    with pytest.raises(ImproperlyConfigured):
        permissions.extend(Nation, {VIEW: {}})
    with pytest.raises(ImproperlyConfigured):
        permissions.extend(ContentType, {"inspect": {}})  # no rule to extend


def test_the_system_actor_reads_everything_and_is_nobody_in_the_trail(owner):
    """Jobs act as ``SYSTEM``: every grant, as a superuser, and no user row behind it."""
    from django.db import transaction

    from portal.audit import record_change

    assert permissions.may(permissions.SYSTEM, CallOff, VIEW)
    assert permissions.reads_all(permissions.SYSTEM, ObjectChange)
    assert restrict(User.objects.all(), permissions.SYSTEM, VIEW).count() == User.objects.count()
    with transaction.atomic():
        row = record_change(actor=permissions.SYSTEM, obj=owner.nation, action="test.system")
    assert (row.actor, row.actor_username) == (None, "")


def test_a_restricted_prefetch_reads_only_the_children_the_user_may_see(owner, other):
    """Children come through ``restrict`` too: the related rows another nation owns are not
    prefetched under a row the reader may see (here: users under their nation)."""
    nations = Nation.objects.filter(code__in=["POL", "FRA"]).order_by("code")
    users = User.objects.order_by("pk")
    loaded = {
        n.code: n for n in nations.prefetch_related(permissions.restricted_prefetch("users", users, owner))
    }
    assert [u.username for u in loaded["POL"].users.all()] == ["owner_pol"]
    assert list(loaded["FRA"].users.all()) == []  # a director reads their own nation's users only


def test_allows_follows_a_scope_path_across_relations(owner, other, nspa, django_assert_num_queries):
    """An own-nation scope several relations away (a capacity line's plan's nation) is read off the
    loaded rows; a missing link on the way allows nothing; own rows compare the user's key."""
    import datetime as dt

    from pledges import services
    from pledges.models import CapacityLine, PlanCycle
    from pledges.tests.test_services import capacity_fields

    cycle = PlanCycle.objects.create(year=2026, due_date=dt.date(2026, 6, 30))
    plan = services.plan_start(actor=owner, nation=owner.nation, cycle=cycle)
    line = services.entry_save(actor=owner, plan=plan, kind="capacityline", fields=capacity_fields())
    line = CapacityLine.objects.select_related("plan_version__plan").get(pk=line.pk)
    with django_assert_num_queries(0):
        assert permissions.allows(owner, VIEW, line) is True
        assert permissions.allows(other, VIEW, line) is False
    # An empty nullable link on the way: nothing to compare with the user's nation.
    from types import SimpleNamespace

    assert permissions._value_at(SimpleNamespace(plan=None), "plan__nation") is None
    change = ObjectChange(actor=nspa, action="x", object_repr="x")
    with django_assert_num_queries(0):
        assert permissions.allows(nspa, VIEW, change) is True  # NSPA's own_rows("actor"): actor_id


def test_a_restricted_prefetch_keeps_its_attribute_name(owner):
    prefetch = permissions.restricted_prefetch("users", User.objects.all(), owner, to_attr="members")
    nation = Nation.objects.prefetch_related(prefetch).get(pk=owner.nation_id)
    assert [u.username for u in nation.members] == ["owner_pol"]


def test_a_user_without_a_role_lands_on_the_no_role_home(make_user, owner):
    from portal.rules import home_template

    assert home_template(make_user(None, None, username="nobody")) == "portal/home/no_role.html"
    assert home_template(owner) == "portal/home/director.html"
