"""Notifications: what happened, told in the portal and by email (issue 14, section 2).

Each app defines its kinds (``define``) in its own ``notifications.py`` and says, in its rules.py,
who hears of each one (``audience``): only rules.py knows about roles. A service calls ``notify``
inside its transaction, next to its audit row, so a rolled-back write tells nobody. ``notify``
keeps only the recipients who may see the object (``portal.permissions.allows``): a notification
never reveals what its reader may not open.

Email goes through two outboxes: each notification row carries its own mail state, and the job
that sends them is queued with ``portal.jobs`` in the same transaction. If Redis is down the job
waits in the job outbox, and the beat sweep (``send_notification_emails``) picks up any row still
``pending``: nothing is lost. Reminders come from the apps' deadline sources (``reminders``), and
a reminder's threshold is its ``dedupe_key``: the table's unique constraint makes a second run,
or a run after a worker died, add nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import models, transaction
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy

from portal.models import Notification, NotificationPreference, User

log = logging.getLogger(__name__)

Channel = NotificationPreference.Channel
Email = Notification.Email

# Params holding an ISO date, shown in the reader's date style.
DATE_PARAMS = frozenset({"due", "date", "starts"})

# The thresholds of a "due in N days" reminder, largest first; "overdue" is its own kind.
DUE_THRESHOLDS = (14, 7, 1)


@dataclass(frozen=True)
class Kind:
    """One kind of notification. ``text`` is the sentence shown and mailed, with ``%(object)s``,
    ``%(actor)s`` and the notifying service's own ``params``; ``label`` names the kind on the
    preferences page. A ``compulsory`` kind is mailed whatever the preference says (it cannot be
    turned off, only moved to the digest). ``attachments`` gives a mail's files for an object.
    ``choices`` names the params stored as a choice's value (``{"decision": SomeChoices}``): the
    text shows the choice's label, in the reader's language, not the value."""

    key: str
    group: str
    label: object
    text: object
    compulsory: bool = False
    default: str = Channel.IMMEDIATE
    attachments: Callable[[models.Model], list[tuple[str, bytes, str]]] | None = None
    choices: dict[str, type[models.Choices]] = field(default_factory=dict)


KINDS: dict[str, Kind] = {}
_audiences: dict[str, Callable[[models.Model], Iterable]] = {}
_reminder_sources: list[Callable[[dt.date], Iterable[Reminder]]] = []

# The preferences page's groups, in order.
GROUPS = {
    "pledges": gettext_lazy("National plans"),
    "procurement": gettext_lazy("Procurement"),
    "standards": gettext_lazy("Standards"),
    "boards": gettext_lazy("Board"),
}


def define(key: str, group: str, label, text, **options) -> Kind:
    if key in KINDS:
        raise ValueError(f"notification kind {key!r} defined twice")
    KINDS[key] = kind = Kind(key, group, label, text, **options)
    return kind


def audience(kind: str, function: Callable[[models.Model], Iterable]) -> None:
    """Who hears of ``kind`` about an object: ``function(obj)`` gives candidate users (a queryset
    or a list); ``notify`` still drops those who may not see the object. Called from rules.py."""
    _audiences[kind] = function


def reminders(function: Callable[[dt.date], Iterable[Reminder]]) -> None:
    """Register a source of reminders: ``function(today)`` yields what is due or overdue today."""
    _reminder_sources.append(function)


@dataclass(frozen=True)
class Reminder:
    """A dated reminder about ``object``: sent once per recipient, kind and ``threshold``."""

    kind: str
    object: models.Model
    threshold: str
    params: dict = field(default_factory=dict)
    url: str = ""
    # Who is told, when not the kind's audience (from a rules.py helper: rules alone know roles).
    recipients: Iterable | None = None


def due_threshold(date: dt.date, today: dt.date) -> str | None:
    """The reminder a due date calls for today: "overdue" once it has passed (for
    ``NOTIFICATION_OVERDUE_DAYS``), else the smallest of 14, 7 and 1 days it is within, else None.
    A job that missed days sends the current one."""
    days = (date - today).days
    if days < 0:
        # Long past due when the job first sees it (a new deployment, a restored backup): the
        # workspaces show it; a mail about it now would be noise.
        return "overdue" if -days <= settings.NOTIFICATION_OVERDUE_DAYS else None
    within = [t for t in DUE_THRESHOLDS if days <= t]
    return f"due-{min(within)}" if within else None


def display_name(user) -> str:
    if user is None or getattr(user, "pk", None) is None:
        return ""
    return user.get_full_name() or user.get_username()


def _url_of(obj: models.Model) -> str:
    get = getattr(obj, "get_absolute_url", None)
    if get is None:
        raise ValueError(f"{type(obj).__name__} has no get_absolute_url(); pass notify(url=...)")
    return get()


def channel_for(kind: Kind, chosen: str | None) -> str:
    channel = chosen or kind.default
    if kind.compulsory and channel == Channel.OFF:
        return Channel.IMMEDIATE
    return channel


def notify(
    kind: str,
    obj: models.Model,
    *,
    actor=None,
    params: dict | None = None,
    url: str = "",
    recipients: Iterable | None = None,
    dedupe_key: str = "",
) -> int:
    """Tell the audience of ``kind`` (or ``recipients``) that it happened to ``obj``. Runs in the
    caller's transaction. The actor is not told of their own act, and a recipient who may not see
    ``obj`` is not told at all. Returns how many notifications were written."""
    from portal.permissions import VIEW, allows

    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("notify() must be called inside the service's transaction.atomic()")
    spec = KINDS[kind]
    content_type = ContentType.objects.get_for_model(obj, for_concrete_model=True)
    told = set()
    if dedupe_key:
        # A reminder runs every hour: who has it already costs one query, and ends most runs here.
        told = set(
            Notification.objects.filter(
                kind=kind, content_type=content_type, object_id=str(obj.pk), dedupe_key=dedupe_key
            ).values_list("recipient_id", flat=True)
        )
    candidates = recipients if recipients is not None else _audiences[kind](obj)
    actor_pk = getattr(actor, "pk", None)
    users = {
        user.pk: user
        for user in candidates
        if user.is_active and user.pk != actor_pk and user.pk not in told and allows(user, VIEW, obj)
    }
    if not users:
        return 0
    chosen = dict(
        NotificationPreference.objects.filter(user__in=users, kind=kind).values_list("user", "channel")
    )
    shared = {
        "object": str(obj)[:200],
        **({"actor": display_name(actor)} if actor_pk else {}),
        **(params or {}),
    }
    link = url or _url_of(obj)
    rows = []
    for pk in users:
        channel = channel_for(spec, chosen.get(pk))
        rows.append(
            Notification(
                recipient_id=pk,
                kind=kind,
                actor_id=actor_pk,
                actor_name=display_name(actor),
                content_type=content_type,
                object_id=str(obj.pk),
                params=shared,
                url=link,
                dedupe_key=dedupe_key,
                email_state={Channel.IMMEDIATE: Email.PENDING, Channel.DIGEST: Email.DIGEST}.get(
                    channel, Email.NONE
                ),
            )
        )
    # A run at the same moment may have told some of them since: the partial unique index drops
    # those rows (the mail job finds the new rows by their state, not by id).
    Notification.objects.bulk_create(rows, ignore_conflicts=bool(dedupe_key))
    written = len(rows)
    if written:
        recount_unread(users)
    if written and any(row.email_state == Email.PENDING for row in rows):
        from portal import jobs

        jobs.enqueue_once("portal.tasks.send_notification_emails")
    return written


def recount_unread(user_ids: Iterable[int]) -> None:
    """Set the header's unread count of these users from their rows: a recount, not an
    increment, so it cannot drift. It runs in the writer's transaction (the count is right at
    once), and again after the commit: two writers at once (a notification and a mark-read) each
    count without the other's uncommitted rows, and the recount after the later commit sees both.
    No row lock, so no lock order for concurrent writers to deadlock on."""
    ids = sorted(set(user_ids))
    _recount(ids)
    transaction.on_commit(lambda: _recount(ids))


def _recount(ids: list[int]) -> None:
    unread = (
        Notification.objects.filter(recipient=models.OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values("recipient")
        .annotate(n=models.Count("pk"))
        .values("n")
    )
    User.objects.filter(pk__in=ids).update(unread_notifications=Coalesce(models.Subquery(unread), 0))


def render_text(notification: Notification) -> str:
    """The notification's sentence in the active language."""
    spec = KINDS.get(notification.kind)
    if spec is None:
        return notification.params.get("object", notification.kind)
    params = defaultdict(str, notification.params)
    for name in DATE_PARAMS & params.keys():
        with contextlib.suppress(TypeError, ValueError):  # not a date after all: shown as given
            params[name] = date_format(dt.date.fromisoformat(params[name]), "DATE_FORMAT")
    for name, choices in spec.choices.items():
        with contextlib.suppress(ValueError):  # a value the choices no longer hold: shown as stored
            params[name] = str(choices(params[name]).label)
    params.setdefault("actor", gettext("The portal"))
    try:
        return str(spec.text) % params
    except (KeyError, TypeError, ValueError):
        log.warning("notification %s: text of %s does not fit its params", notification.pk, spec.key)
        return notification.params.get("object", "")


# --- Email ---------------------------------------------------------------------------------


def absolute(path: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def unsubscribe_token(user_id: int, kind: str) -> str:
    return signing.dumps({"u": user_id, "k": kind}, salt="portal.notifications.unsubscribe")


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """The (user id, kind) a link names, or None for a forged or mangled one. The links do not
    expire: a mail read a year later must still be able to stop the next one."""
    try:
        data = signing.loads(token, salt="portal.notifications.unsubscribe")
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("k") not in KINDS or not isinstance(data.get("u"), int):
        return None
    return data["u"], data["k"]


def _language_of(user: User) -> str:
    return user.language or settings.LANGUAGE_CODE


def _when(notification: Notification, user: User) -> str:
    import zoneinfo

    zone = zoneinfo.ZoneInfo(user.time_zone) if user.time_zone else dt.UTC
    local = timezone.localtime(notification.created_at, zone)
    return f"{date_format(local, 'DATETIME_FORMAT')}"


def _mail_entry(notification: Notification, user: User) -> dict:
    when = _when(notification, user)
    actor = notification.actor_name
    return {
        "text": render_text(notification),
        "byline": gettext("By %(who)s, %(when)s") % {"who": actor, "when": when} if actor else when,
        "url": absolute(notification.url),
        "label": str(KINDS[notification.kind].label) if notification.kind in KINDS else "",
    }


def build_message(notification: Notification) -> EmailMultiAlternatives:
    """One notification as a mail in its recipient's language: text and HTML, and for a kind the
    recipient may turn off, an unsubscribe link (RFC 8058 one-click headers included)."""
    user = notification.recipient
    spec = KINDS[notification.kind]
    with translation.override(_language_of(user)):
        entry = _mail_entry(notification, user)
        context = {
            "entry": entry,
            "user": user,
            "preferences_url": absolute(reverse("notification-preferences")),
            "unsubscribe_url": ""
            if spec.compulsory
            else absolute(reverse("notification-unsubscribe", args=[unsubscribe_token(user.pk, spec.key)])),
            "compulsory": spec.compulsory,
        }
        subject = f"[{gettext('NATO Production Portal')}] {entry['text']}"
        message = EmailMultiAlternatives(
            subject=" ".join(subject.split())[:200],
            body=render_to_string("portal/email/notification.txt", context),
            to=[user.email],
            headers=_headers(context, user),
        )
        message.attach_alternative(render_to_string("portal/email/notification.html", context), "text/html")
        if spec.attachments is not None:
            target = notification.content_type.get_object_for_this_type(pk=notification.object_id)
            for name, content, mimetype in spec.attachments(target):
                message.attach(name, content, mimetype)
    return message


def _headers(context: dict, user: User) -> dict:
    headers = {"Content-Language": _language_of(user), "Auto-Submitted": "auto-generated"}
    if context["unsubscribe_url"]:
        headers["List-Unsubscribe"] = f"<{context['unsubscribe_url']}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return headers


def _digest_links() -> dict:
    return {
        "preferences_url": absolute(reverse("notification-preferences")),
        "centre_url": absolute(reverse("notification-list")),
    }


def build_digest(
    user: User, notifications: list[Notification], links: dict | None = None
) -> EmailMultiAlternatives:
    """A day's ``digest`` notifications for one user, as one mail in their language."""
    with translation.override(_language_of(user)):
        entries = [_mail_entry(n, user) for n in notifications]
        context = {"entries": entries, "user": user, "unsubscribe_url": "", **(links or _digest_links())}
        count = len(entries)
        subject = gettext("[NATO Production Portal] Your daily digest: %(count)s notification(s)") % {
            "count": count
        }
        message = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string("portal/email/digest.txt", context),
            to=[user.email],
            headers=_headers(context, user),
        )
        message.attach_alternative(render_to_string("portal/email/digest.html", context), "text/html")
    return message


def _mailable(queryset):
    return queryset.filter(recipient__is_active=True).exclude(recipient__email="")


def send_pending(batch: int = 200) -> dict:
    """Send the ``pending`` mails, a batch at a time. Each batch is locked (``skip_locked``), so
    two jobs running at once never send the same mail; a mail the server refused stays pending for
    the next run, up to ``NOTIFICATION_EMAIL_ATTEMPTS`` tries."""
    sent = failed = 0
    # Rows whose recipient cannot get mail are settled first, so they do not fill every batch.
    Notification.objects.filter(email_state=Email.PENDING).filter(
        models.Q(recipient__is_active=False) | models.Q(recipient__email="")
    ).update(email_state=Email.NONE)
    while True:
        with transaction.atomic():
            rows = list(
                _mailable(Notification.objects.filter(email_state=Email.PENDING))
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("recipient", "content_type")
                .order_by("pk")[:batch]
            )
            if not rows:
                break
            connection = get_connection()
            for row in rows:
                try:
                    connection.send_messages([build_message(row)])
                except Exception as exc:  # SMTP and socket errors are many types
                    row.email_attempts += 1
                    row.email_error = str(exc)[:2000]
                    if row.email_attempts >= settings.NOTIFICATION_EMAIL_ATTEMPTS:
                        row.email_state = Email.FAILED
                    failed += 1
                    log.warning("notification %s: mail not sent: %s", row.pk, exc)
                else:
                    row.email_state, row.emailed_at, row.email_error = Email.SENT, timezone.now(), ""
                    sent += 1
                Notification.objects.filter(pk=row.pk).update(
                    email_state=row.email_state,
                    email_attempts=row.email_attempts,
                    email_error=row.email_error,
                    emailed_at=row.emailed_at,
                )
            if failed:
                break  # the server is refusing; the next run tries again
    return {"sent": sent, "failed": failed}


def digest_messages(now: dt.datetime | None = None) -> list[tuple[EmailMultiAlternatives, list[int]]]:
    """Every user's digest of what waits for it, built in one query (the rows with their
    recipients and content types): each mail with the ids of the notifications it carries."""
    now = now or timezone.now()
    rows = (
        _mailable(Notification.objects.filter(email_state=Email.DIGEST, created_at__lte=now))
        .select_related("recipient", "content_type")
        .order_by("recipient_id", "created_at", "pk")
    )
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for row in rows:
        by_user[row.recipient_id].append(row)
    links = _digest_links()
    return [
        (build_digest(items[0].recipient, items, links), [n.pk for n in items]) for items in by_user.values()
    ]


def send_digests() -> dict:
    """Send each user's digest and mark its notifications sent, user by user: one refused
    address does not hold back the others, and its rows wait for the next digest."""
    connection = get_connection()
    sent = failed = 0
    for message, ids in digest_messages():
        try:
            connection.send_messages([message])
        except Exception as exc:  # SMTP and socket errors are many types
            failed += 1
            log.warning("digest for notifications %s..%s not sent: %s", ids[0], ids[-1], exc)
            continue
        Notification.objects.filter(pk__in=ids, email_state=Email.DIGEST).update(
            email_state=Email.SENT, emailed_at=timezone.now()
        )
        sent += 1
    return {"sent": sent, "failed": failed}


def send_reminders(today: dt.date | None = None) -> dict:
    """Every registered source's reminders for ``today``, each sent once per recipient, kind and
    threshold (``dedupe_key``); safe to run as often as the beat likes."""
    today = today or timezone.localdate()
    written = checked = 0
    for source in _reminder_sources:
        for reminder in source(today):
            checked += 1
            written += notify(
                reminder.kind,
                reminder.object,
                params={**reminder.params},
                url=reminder.url,
                recipients=reminder.recipients,
                dedupe_key=reminder.threshold,
            )
    return {"checked": checked, "written": written}
