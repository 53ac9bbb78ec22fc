"""Making and revoking a user's calendar feed key."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils.translation import gettext as _

from boards.models import CalendarFeed
from boards.models.feeds import key_hash
from portal.audit import record_change
from portal.choices import AuditAction
from portal.permissions import ADD, DELETE, ensure_added
from portal.services import ensure_may

# The trail records that a key was made or revoked, never any part of it.


@transaction.atomic
def calendar_feed_reset(*, actor) -> tuple[CalendarFeed, str]:
    """A new feed key for ``actor``, replacing any earlier one (calendars holding the old address
    stop updating). Returns the feed and the key, which is shown once and never stored."""
    ensure_may(actor, CalendarFeed, ADD)
    _revoke(actor)
    key = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(user=actor, key_hash=key_hash(key), prefix=key[:8])
    ensure_added(actor, feed, _("You may not keep a calendar feed."))
    record_change(actor=actor, obj=feed, action=AuditAction.CREATE)
    return feed, key


@transaction.atomic
def calendar_feed_revoke(*, actor) -> bool:
    """Revoke ``actor``'s feed key; False when there was none."""
    ensure_may(actor, CalendarFeed, DELETE)
    return _revoke(actor)


def _revoke(actor) -> bool:
    feed = CalendarFeed.objects.select_for_update().filter(user=actor.pk).first()
    if feed is None:
        return False
    record_change(actor=actor, obj=feed, action=AuditAction.DELETE)
    feed.delete()
    return True
