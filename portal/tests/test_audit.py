"""record_change writes the trail in the caller's transaction, with the request id."""

import pytest
from django.db import transaction
from django.utils import timezone

from portal.audit import record_change, snapshot
from portal.models import ObjectChange, User
from portal.request_context import request_id_var
from portal.services import user_create


def make_change(actor, action="update"):
    with transaction.atomic():
        return record_change(actor=actor, obj=actor, action=action, before={"a": 1}, after={"a": 2})


def test_record_change_captures_actor_target_and_request_id(owner):
    token = request_id_var.set("req-12345678")
    try:
        change = make_change(owner)
    finally:
        request_id_var.reset(token)
    change.refresh_from_db()
    assert change.actor == owner
    assert change.actor_username == "owner_pol"
    assert change.request_id == "req-12345678"
    assert change.content_type.model == "user"
    assert change.object_id == str(owner.pk)
    assert change.changed_fields == ["a"]


@pytest.mark.django_db(transaction=True)
def test_record_change_outside_a_transaction_is_refused(make_user):
    user = make_user("nspa")
    with pytest.raises(RuntimeError, match="inside the service's transaction"):
        record_change(actor=user, obj=user, action="update")
    assert ObjectChange.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_leaves_no_audit_row(nation):
    def create_then_fail():
        with transaction.atomic():
            user_create(actor=None, username="ghost", password="x" * 20, role="nspa")
            raise RuntimeError("the caller failed after the service")

    with pytest.raises(RuntimeError):
        create_then_fail()
    assert not User.objects.filter(username="ghost").exists()
    assert ObjectChange.objects.count() == 0


def test_user_create_is_validated_and_audited(secretariat, nation):
    user = user_create(
        actor=secretariat,
        username="dir_nld",
        password="long enough password",
        role="director",
        nation=nation("NLD"),
    )
    change = ObjectChange.objects.get(object_id=str(user.pk), action="create")
    assert change.actor == secretariat
    assert change.after["nation_id"] == nation("NLD").pk
    assert "password" not in change.after


@pytest.mark.parametrize(
    ("role", "code", "field"),
    [
        ("director", None, "nation"),
        ("partner", None, "nation"),
        ("director", "UKR", "nation"),
        ("partner", "POL", "nation"),
    ],
)
def test_user_create_rejects_inconsistent_role_and_nation(role, code, field, nation, db):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as excinfo:
        user_create(
            actor=None, username="bad", password="x" * 20, role=role, nation=nation(code) if code else None
        )
    assert field in excinfo.value.message_dict
    assert ObjectChange.objects.count() == 0


def test_snapshot_is_json_safe_and_never_holds_the_password(owner):
    data = snapshot(owner)
    assert "password" not in data
    assert data["nation_id"] == owner.nation_id
    assert isinstance(data["date_joined"], str)


def test_the_trail_shows_labels_values_before_and_after_and_no_raw_field_names(client, owner):
    from django.urls import reverse

    from portal import services

    services.preferences_update(actor=owner, time_zone="Europe/Warsaw")
    services.preferences_update(actor=owner, time_zone="Europe/Brussels")
    client.force_login(owner)
    page = client.get(reverse("activity")).content.decode()
    assert "<dt>Time zone</dt>" in page
    assert "<del>Europe/Warsaw</del> → " in page
    assert "<ins>Europe/Brussels</ins>" in page
    assert "time_zone" not in page
    assert "unread_notifications" not in page
    assert ">Updated</span>" in page
    # Filter by record type (in words), user and a date range.
    form = client.get(reverse("activity")).content.decode()
    assert ">User</option>" in form
    assert "contenttypes" not in form
    today = timezone.localdate().isoformat()
    narrowed = client.get(reverse("activity"), {"actor": owner.username, "since": today, "until": today})
    assert narrowed.content.decode().count("<del>Europe/Warsaw</del>") == 1
    before = client.get(reverse("activity"), {"until": "2000-01-01"}).content.decode()
    assert "Europe/Warsaw" not in before


def test_a_reference_to_another_record_shows_that_it_changed_not_its_id(owner):
    from portal.audit import describe

    with transaction.atomic():
        change = record_change(
            actor=owner, obj=owner, action="update", before={"nation_id": 3}, after={"nation_id": 4}
        )
    (field,) = describe(change).fields
    assert (field.label, field.before, field.after) == ("Nation", "a record", "a record")


def test_the_trail_names_records_by_their_names_when_their_service_holds_them(nspa):
    from portal.models import Nation
    from procurement.models import FrameworkParticipant
    from procurement.tests.factories import make_framework

    framework = make_framework()
    participant = FrameworkParticipant(framework=framework, nation=Nation.objects.get(code="NOR"))
    assert participant.audit_name() == f"Norway in {framework}"
    # Nothing loaded: the ids, not a query.
    bare = FrameworkParticipant(framework_id=framework.pk, nation_id=participant.nation_id)
    assert bare.audit_name() == f"#{participant.nation_id} in #{framework.pk}"


def test_what_a_service_records_beside_the_fields_has_a_label_in_each_language(owner):
    from django.utils import translation

    from portal.audit import describe

    with transaction.atomic():
        change = record_change(
            actor=owner, obj=owner, action="update", after={"notifications_marked_read": [7, 9]}
        )
    (field,) = describe(change).fields
    assert (field.label, field.after) == ("Notifications marked read", "7, 9")
    with translation.override("fr"):
        assert describe(change).fields[0].label == "Notifications marquées comme lues"


def test_business_events_read_as_words_in_the_readers_language(owner):
    from django.utils import translation

    from portal.audit import describe

    with transaction.atomic():
        change = record_change(actor=owner, obj=owner, action="plan.submitted")
    assert describe(change).action == "Plan submitted"
    with translation.override("fr"):
        assert describe(change).action == "Plan soumis"
    with transaction.atomic():
        gone = record_change(actor=owner, obj=owner, action="legacy.thing_done")
    assert describe(gone).action == "Legacy thing done"
