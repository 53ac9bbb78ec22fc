"""restrict() applies the authorization matrix; every project model must have a rule."""

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured

from portal import permissions
from portal.exceptions import Forbidden, NotFound
from portal.models import JobRun, Nation, ObjectChange, User
from portal.permissions import ALL, VIEW, ensure_allowed, may, own_nation, permissions_for, restrict

PROJECT_APPS = {"portal", "procurement", "pledges", "standards", "boards"}


def test_every_project_model_has_a_rule():
    missing = [
        m._meta.label
        for m in apps.get_models()
        if m._meta.app_label in PROJECT_APPS and m not in permissions.registered_models()
    ]
    assert missing == []


def test_anonymous_user_sees_nothing(db):
    assert restrict(Nation.objects.all(), AnonymousUser(), VIEW).count() == 0
    assert restrict(Nation.objects.all(), None, VIEW).count() == 0
    assert permissions_for(AnonymousUser()) == {}
    assert not may(AnonymousUser(), Nation, VIEW)


def test_inactive_user_sees_nothing(owner):
    owner.is_active = False
    assert restrict(Nation.objects.all(), owner, VIEW).count() == 0


def test_director_sees_only_own_nations_users(owner, other, outsider):
    visible = set(restrict(User.objects.all(), owner, VIEW).values_list("username", flat=True))
    assert visible == {"owner_pol"}
    assert set(restrict(User.objects.all(), other, VIEW)) == {other}


def test_user_without_a_nation_gets_nothing_from_a_nation_scope(outsider, db):
    # A role-less user has no grant at all...
    assert restrict(User.objects.all(), outsider, VIEW).count() == 0
    # ...and a nation-scoped grant yields nothing for a user with no nation, never everything.
    outsider.role = "director"
    assert own_nation()(User.objects.all(), outsider).count() == 0


def test_secretariat_sees_all_users_and_the_whole_audit_trail(secretariat, owner, other):
    assert restrict(User.objects.all(), secretariat, VIEW).count() == User.objects.count()
    from portal.tests.test_audit import make_change

    make_change(owner)
    make_change(other)
    assert restrict(ObjectChange.objects.all(), secretariat, VIEW).count() == 2


def test_audit_trail_for_others_is_limited_to_their_own_actions(owner, other):
    from portal.tests.test_audit import make_change

    mine = make_change(owner)
    make_change(other)
    assert list(restrict(ObjectChange.objects.all(), owner, VIEW)) == [mine]


def test_superuser_sees_everything(make_user):
    admin = make_user(None, None, is_superuser=True)
    assert restrict(User.objects.all(), admin, VIEW).count() == User.objects.count()
    assert restrict(User.objects.all(), admin, "delete").count() == User.objects.count()


def test_ungranted_action_is_denied(owner):
    assert restrict(Nation.objects.all(), owner, "delete").count() == 0
    assert not may(owner, Nation, "delete")


def test_ensure_allowed_hides_invisible_objects_as_not_found(owner, other):
    with pytest.raises(NotFound):
        ensure_allowed(owner, "change", other)
    ensure_allowed(owner, VIEW, owner)
    with pytest.raises(Forbidden):
        ensure_allowed(owner, "change", owner)


def test_model_without_rule_fails_closed_loudly(owner):
    from django.contrib.contenttypes.models import ContentType

    with pytest.raises(ImproperlyConfigured, match="No permission rule"):
        restrict(ContentType.objects.all(), owner, VIEW)


def test_register_rejects_unknown_roles():
    with pytest.raises(ImproperlyConfigured, match="unknown roles"):
        permissions.register(JobRun, {VIEW: {"general": ALL}})


def test_permissions_for_reports_scopes(owner, secretariat):
    assert permissions_for(owner)["portal.user"] == {"view": "own_nation"}
    # The trail is as private as what it describes (tests/test_audit_privacy.py).
    assert permissions_for(owner)["portal.objectchange"] == {"view": "own_or_own_nation"}
    assert permissions_for(secretariat)["portal.objectchange"] == {"view": "released"}
    assert permissions_for(secretariat)["portal.jobrun"] == {"view": "all"}
