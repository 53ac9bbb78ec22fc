"""Core reads. Each starts from ``restrict`` so a user only ever sees what the matrix grants."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import CharField, Model, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone
from knox.models import AuthToken
from knox.settings import CONSTANTS as KNOX

from portal.models import JobRun, Nation, Notification, NotificationPreference, ObjectChange
from portal.permissions import VIEW, restrict


def nation_list(*, user) -> QuerySet[Nation]:
    return restrict(Nation.objects.all(), user, VIEW).order_by("name", "pk")


def objectchange_list(*, user) -> QuerySet[ObjectChange]:
    return (
        restrict(ObjectChange.objects.all(), user, VIEW)
        .select_related("content_type")
        .order_by("-time", "-pk")
    )


def _as_text_ids(queryset: QuerySet) -> QuerySet:
    """A subquery of primary keys as text, to match ``ObjectChange.object_id``."""
    return queryset.order_by().annotate(text_pk=Cast("pk", CharField())).values("text_pk")


def objectchange_history(
    *, user, targets: Iterable[tuple[type[Model], QuerySet | Iterable[int]]], limit: int
) -> list[ObjectChange]:
    """The trail of some objects (an object's History panel), newest first, in one query.

    ``targets`` pairs a model with the rows whose history is shown: a queryset from a selector, or
    the pks of rows already read through one, so they are rows ``user`` may see. Even then, a row
    about another nation's unsubmitted draft stays hidden: the trail is as private as its object.
    """
    condition = Q()
    for model, rows in targets:
        if isinstance(rows, QuerySet):
            ids = _as_text_ids(rows)
        else:
            ids = [str(pk) for pk in rows]
            if not ids:
                continue
        meta = model._meta.concrete_model._meta
        condition |= Q(
            content_type__app_label=meta.app_label, content_type__model=meta.model_name, object_id__in=ids
        )
    if not condition or user is None or not user.is_authenticated or not user.is_active:
        return []
    queryset = ObjectChange.objects.filter(condition)
    if not user.is_superuser:
        private_ok = Q(draft_key="") | Q(actor=user.pk)
        if user.nation_id:
            private_ok |= Q(nation=user.nation_id)
        queryset = queryset.filter(private_ok)
    return list(queryset.select_related("content_type").order_by("-time", "-pk")[:limit])


def jobrun_list(*, user) -> QuerySet[JobRun]:
    return restrict(JobRun.objects.all(), user, VIEW).order_by("-created_at", "-pk")


def jobrun_latest() -> JobRun | None:
    """The most recent job run, for the unauthenticated health probe (name, state and times only)."""
    return (
        JobRun.objects.order_by("-created_at", "-pk")
        .only("job_name", "state", "created_at", "started_at", "finished_at")
        .first()
    )


# A token's public name: its first characters, which knox keeps beside the digest to find it.
TOKEN_PREFIX_PATTERN = f"[0-9a-f]{{{KNOX.TOKEN_KEY_LENGTH}}}"


def token_list(*, user) -> QuerySet[AuthToken]:
    """The user's own live API tokens. Tokens are private to their owner whatever the role, so
    this filters by owner rather than through ``restrict``."""
    if not user.is_authenticated:
        return AuthToken.objects.none()
    return (
        AuthToken.objects.filter(user=user)
        .filter(Q(expiry__isnull=True) | Q(expiry__gt=timezone.now()))
        .order_by("-created", "token_key")
    )


def notification_list(*, user, unread: bool = False) -> QuerySet[Notification]:
    """The user's own notifications, newest first (the centre pages them)."""
    # Their own even for a superuser, whom ``restrict`` lets read every row.
    rows = restrict(Notification.objects.filter(recipient=user.pk), user, VIEW).order_by("-created_at", "-pk")
    return rows.filter(read_at__isnull=True) if unread else rows


def notification_channels(*, user) -> dict[str, str]:
    """The email channel the user chose for each kind they changed; the others take the kind's
    default (``portal.notifications.Kind.default``)."""
    rows = restrict(NotificationPreference.objects.filter(user=user.pk), user, VIEW)
    return dict(rows.values_list("kind", "channel"))
