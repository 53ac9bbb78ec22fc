"""Core writes. Every write is atomic, validated and audited in the same transaction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from knox.models import AuthToken

from portal.audit import record_change, snapshot
from portal.choices import AuditAction, AuditEvent, Role
from portal.exceptions import Forbidden, NotFound
from portal.models import Nation, User
from portal.permissions import ADD, CHANGE, ensure_allowed, may, restrict
from portal.selectors import token_list

# --- Generic writes: every app's create and update services build on these -------------------


def ensure_may(actor, model: type[models.Model], action: str = ADD) -> None:
    """Raise ``Forbidden`` unless ``actor`` holds some grant for ``action`` on ``model`` (a create
    service's first check; ``ensure_added`` then checks the saved row against the scope)."""
    if not may(actor, model, action):
        name = model._meta.verbose_name
        if action == ADD:
            raise Forbidden(_("You may not create a %(model)s.") % {"model": name})
        raise Forbidden(_("You may not do this to a %(model)s.") % {"model": name})


def only_fields(values: Mapping[str, Any], allowed, *, creating: bool = False) -> None:
    """Refuse the keyword fields a create or update service does not take, each with a message
    on its own field (a form or an API body naming one is told which)."""
    unknown = set(values) - set(allowed)
    if unknown:
        message = _("This field cannot be set here.") if creating else _("This field cannot be changed here.")
        raise ValidationError(dict.fromkeys(sorted(unknown), message))


def locked_for(obj: models.Model, *, actor, action: str = CHANGE) -> models.Model:
    """``obj``'s row, locked for this transaction, after checking the actor may ``action`` it
    (NotFound if they may not even see it, Forbidden if they may only read it)."""
    locked = type(obj).objects.select_for_update().get(pk=obj.pk)
    ensure_allowed(actor, action, locked)
    return locked


def model_create(
    obj: models.Model,
    *,
    actor,
    message: str = "",
    action: str = AuditAction.CREATE,
    validate_constraints: bool = True,
) -> models.Model:
    """Validate, save and audit a new row, in the caller's transaction. ``validate_constraints``
    is off where the database's constraint decides a race (the caller catches IntegrityError)."""
    obj.full_clean(validate_constraints=validate_constraints)
    obj.save()
    record_change(actor=actor, obj=obj, action=action, after=snapshot(obj), message=message)
    return obj


def _differs(obj: models.Model, name: str, value: Any) -> bool:
    field = obj._meta.get_field(name)
    if field.many_to_one or field.one_to_one:
        # Compare ids: reading the related object would cost a query per foreign key.
        new_id = value.pk if isinstance(value, models.Model) else value
        return getattr(obj, field.attname) != new_id
    return getattr(obj, name) != value


def model_update(
    obj: models.Model,
    *,
    actor,
    changes: Mapping[str, Any],
    message: str = "",
    action: str = AuditAction.UPDATE,
    touched: bool = False,
) -> models.Model:
    """Apply ``changes`` to a row the caller has locked, bump its ``version`` (when it has one),
    validate, save and audit it with before and after, in the caller's transaction.

    A plain update that changes nothing writes nothing: no version bump, no audit row, so a
    repeated or empty PATCH leaves no trace. A named business event (``action`` other than
    update) is always recorded: the event itself is the change. So is an update whose caller
    says the row was ``touched`` otherwise (its many-to-many set changed), so that the version
    still moves and the trail still shows who did it.
    """
    unchanged = not any(_differs(obj, field, value) for field, value in changes.items())
    if unchanged and action == AuditAction.UPDATE and not touched:
        return obj
    before = snapshot(obj)
    for field, value in changes.items():
        setattr(obj, field, value)
    if hasattr(obj, "version"):
        obj.version += 1
    obj.full_clean()
    obj.save()
    record_change(actor=actor, obj=obj, action=action, before=before, after=snapshot(obj), message=message)
    return obj


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    role: str,
    nation: Nation | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    message: str = "",
) -> User:
    """Create a user with a role (and a nation for directors and partners)."""
    user = User(
        username=username,
        role=Role(role),
        nation=nation,
        first_name=first_name,
        last_name=last_name,
        email=email,
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    record_change(actor=actor, obj=user, action=AuditAction.CREATE, after=snapshot(user), message=message)
    return user


@transaction.atomic
def preferences_update(*, actor: User, time_zone: str, language: str | None = None) -> User:
    """The signed-in user's own preferences (their time zone, their mails' language); audited like
    any change."""
    user = User.objects.select_for_update().get(pk=actor.pk)
    changes = {"time_zone": time_zone} if language is None else {"time_zone": time_zone, "language": language}
    return model_update(user, actor=actor, changes=changes, message="preferences updated")


# --- Notifications -----------------------------------------------------------------------------


@transaction.atomic
def notifications_mark_read(*, actor: User, ids: list[int] | None = None) -> int:
    """Mark the actor's own unread notifications read: those in ``ids``, or all of them. Ids that
    are not the actor's, or already read, are passed over. The row's ``read_at`` is the record of
    a read, and the trail says which were marked, on the actor's own record."""
    from portal.models import Notification
    from portal.notifications import recount_unread

    rows = restrict(Notification.objects.filter(recipient=actor.pk, read_at__isnull=True), actor, CHANGE)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    # Locked, so the ids written to the trail are exactly the rows this call marks.
    marked_ids = sorted(rows.select_for_update(of=("self",)).values_list("pk", flat=True))
    marked = Notification.objects.filter(pk__in=marked_ids).update(read_at=timezone.now())
    if marked:
        recount_unread([actor.pk])
        record_change(
            actor=actor,
            obj=actor,
            action=AuditAction.UPDATE,
            after={"notifications_marked_read": marked_ids},
            message="all notifications marked read" if ids is None else "notifications marked read",
        )
    return marked


def _preference_rows(user: User) -> dict[str, str]:
    from portal.models import NotificationPreference

    return dict(NotificationPreference.objects.filter(user=user).values_list("kind", "channel"))


@transaction.atomic
def notification_preferences_update(*, actor: User, channels: Mapping[str, str]) -> dict[str, str]:
    """Set how the actor gets each kind by email. A compulsory kind may be moved to the digest but
    not turned off; an unknown kind or channel is a field error. Audited with before and after."""
    from portal.models import NotificationPreference
    from portal.notifications import KINDS

    Channel = NotificationPreference.Channel
    errors = {}
    for kind, channel in channels.items():
        spec = KINDS.get(kind)
        if spec is None:
            errors[kind] = _("Unknown kind of notification.")
        elif channel not in Channel.values:
            errors[kind] = _("Choose at once, daily digest or no email.")
        elif spec.compulsory and channel == Channel.OFF:
            errors[kind] = _("This notification is compulsory: it cannot be turned off.")
    if errors:
        raise ValidationError(errors)
    User.objects.select_for_update().filter(pk=actor.pk).first()
    before = _preference_rows(actor)
    for kind, channel in channels.items():
        if channel == KINDS[kind].default:
            NotificationPreference.objects.filter(user=actor, kind=kind).delete()
        else:
            NotificationPreference.objects.update_or_create(
                user=actor, kind=kind, defaults={"channel": channel}
            )
    after = _preference_rows(actor)
    if before != after:
        record_change(
            actor=actor,
            obj=actor,
            action=AuditAction.UPDATE,
            before={"notification_preferences": before},
            after={"notification_preferences": after},
            message="notification preferences updated",
        )
    return after


@transaction.atomic
def notification_unsubscribe(*, user: User, kind: str) -> bool:
    """Turn one optional kind's mails off for ``user``, from the signed link in a mail (the link
    is the user's authority here, so the user is the actor). False for a compulsory kind."""
    from portal.models import NotificationPreference
    from portal.notifications import KINDS

    spec = KINDS[kind]
    if spec.compulsory:
        return False
    notification_preferences_update(actor=user, channels={kind: NotificationPreference.Channel.OFF})
    return True


def _token_facts(token: AuthToken) -> dict:
    # The prefix is the token's public name; the key and its digest never enter the trail.
    return {"prefix": token.token_key, "expiry": token.expiry.isoformat() if token.expiry else None}


@transaction.atomic
def token_create(*, actor: User) -> tuple[AuthToken, str]:
    """Issue an API token to the actor, valid for ``API_TOKEN_TTL_DAYS``. Returns the row and the
    key: the key exists only in this return value (knox stores its digest), so show it once."""
    token, key = AuthToken.objects.create(user=actor, expiry=timedelta(days=settings.API_TOKEN_TTL_DAYS))
    record_change(
        actor=actor,
        obj=actor,
        action=AuditEvent.API_TOKEN_CREATED,
        after=_token_facts(token),
        message="API token created",
    )
    return token, key


@transaction.atomic
def token_revoke(*, actor: User, prefix: str) -> None:
    """Revoke one of the actor's own live tokens; anyone else's is the same NotFound as none."""
    token = token_list(user=actor).filter(token_key=prefix).select_for_update().first()
    # The delete's count, not the read, decides: of two concurrent revokes, one finds nothing.
    if token is None or not AuthToken.objects.filter(pk=token.pk).delete()[0]:
        raise NotFound(_("There is no such API token."))
    record_change(
        actor=actor,
        obj=actor,
        action=AuditEvent.API_TOKEN_REVOKED,
        before=_token_facts(token),
        message="API token revoked",
    )


@transaction.atomic
def token_revoke_all(*, actor: User, user: User | None = None) -> int:
    """Revoke every token of ``user`` (the actor's own by default, expired ones included) and
    return how many. Another user's need the admin's permission to delete tokens."""
    owner = user or actor
    if owner.pk != actor.pk and not actor.has_perm("knox.delete_authtoken"):
        raise Forbidden(_("You may not revoke another user's API tokens."))
    tokens = list(AuthToken.objects.filter(user=owner).select_for_update().order_by("pk"))
    revoked = AuthToken.objects.filter(pk__in=[t.pk for t in tokens]).delete()[0]
    if revoked:
        record_change(
            actor=actor,
            obj=owner,
            action=AuditEvent.API_TOKEN_REVOKED,
            before={"prefixes": sorted(t.token_key for t in tokens)},
            message=f"{revoked} API token(s) revoked",
        )
    return revoked
