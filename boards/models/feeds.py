"""A user's secret calendar address: calendar clients poll it without a session."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class CalendarFeed(models.Model):
    """The key of one user's iCalendar feeds (all their meetings, and one body's). The key itself
    is shown once, when it is made, and never stored: only its SHA-256, as API tokens are kept.
    A feed reads as its user would, today: a user who loses a seat loses its meetings from the
    feed, and a deactivated user's feed answers nothing. ``prefix`` lets the user tell which key
    a calendar holds."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("key starts with"), max_length=8)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name_plural = _("calendar feeds")
        verbose_name = _("calendar feed")

    def __str__(self) -> str:
        return f"calendar feed of user {self.user_id}"
