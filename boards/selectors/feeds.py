"""Whose calendar a feed key opens."""

from __future__ import annotations

from boards.models import CalendarFeed
from boards.models.feeds import key_hash

# secrets.token_urlsafe(32): 43 characters. Anything else is no key, without a query.
KEY_LENGTH = 43


def feed_user(key: str):
    """The active user whose feed ``key`` is, or None. The feed then reads as that user."""
    if len(key) != KEY_LENGTH:
        return None
    feed = CalendarFeed.objects.select_related("user").filter(key_hash=key_hash(key)).first()
    if feed is None or not feed.user.is_active:
        return None
    return feed.user
