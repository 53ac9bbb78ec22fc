"""Meetings as iCalendar (RFC 5545): the feeds calendar clients subscribe to, and a single
meeting's invitation file.

Written by hand rather than with a library: the format is small, and the tests parse every feed
with ``icalendar``, which nobody here wrote. Times are UTC (``...Z``), so no VTIMEZONE is needed
and every client shows them in its own zone; the meeting's own zone is named in the description.
A cancelled meeting stays in the feed with ``STATUS:CANCELLED``, so clients that hold it remove
it; ``SEQUENCE`` is the meeting's version, so an edit replaces the copy a client holds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from boards.choices import MeetingStatus
from boards.models import Meeting

PRODID = "-//NATO defence production portal//Boards//EN"
# Calendar clients poll a subscribed feed; asking for hourly keeps them current without hammering.
REFRESH = "PT1H"
MAX_LINE_OCTETS = 75


def escape(text: str) -> str:
    """A TEXT value (RFC 5545, 3.3.11): backslash, semicolon and comma escaped, newlines as \\n,
    other control characters dropped (they are not allowed in a content line)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if ch == "\n" or ch == "\t" or (ord(ch) >= 0x20 and ch != "\x7f"))
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """``line`` folded into lines of at most 75 octets (RFC 5545, 3.1), never splitting a UTF-8
    character; continuation lines start with a space."""
    parts, current, size = [], [], 0
    for ch in line:
        width = len(ch.encode())
        limit = MAX_LINE_OCTETS if not parts else MAX_LINE_OCTETS - 1  # the leading space counts
        if size + width > limit:
            parts.append("".join(current))
            current, size = [], 0
        current.append(ch)
        size += width
    parts.append("".join(current))
    return "\r\n ".join(parts)


def uid_host() -> str:
    """The domain of the events' UIDs: the portal's configured address, not the host a request
    named, so a meeting stays one event (RFC 5545: a UID is persistent) whether a client got it
    from a feed, a download or a notification mail."""
    return urlsplit(settings.PORTAL_BASE_URL).hostname or "localhost"


def utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def summary(meeting: Meeting) -> str:
    """A meeting as its event is titled, the same in every language: ``WG1: Capacity returns``."""
    return f"{meeting.body.code.upper()}: {meeting.title}"


def _event(meeting: Meeting, *, url: str, host: str, stamp: str) -> list[str]:
    where = meeting.location.strip() or _("Virtual meeting")
    description = "\n".join(
        line
        for line in (
            meeting.body.name,
            _("Time zone of the meeting: %(zone)s") % {"zone": meeting.time_zone},
            _("Virtual meeting") if meeting.virtual and meeting.location.strip() else "",
            meeting.classification,
            url,
        )
        if line
    )
    return [
        "BEGIN:VEVENT",
        f"UID:boards-meeting-{meeting.pk}@{host}",
        f"DTSTAMP:{stamp}",
        f"SEQUENCE:{meeting.version}",
        f"DTSTART:{utc(meeting.starts_at)}",
        f"DTEND:{utc(meeting.ends_at)}",
        f"SUMMARY:{escape(summary(meeting))}",
        f"LOCATION:{escape(where)}",
        f"DESCRIPTION:{escape(description)}",
        f"URL:{url}",
        "STATUS:" + ("CANCELLED" if meeting.status == MeetingStatus.CANCELLED else "CONFIRMED"),
        "TRANSP:OPAQUE",
        "END:VEVENT",
    ]


def calendar(
    meetings: Iterable[Meeting],
    *,
    name: str,
    url_of: Callable[[Meeting], str],
    method: str = "PUBLISH",
) -> bytes:
    """The VCALENDAR of ``meetings`` (with their bodies loaded), named ``name``; ``url_of(meeting)``
    is the absolute address of a meeting's page."""
    stamp, host = utc(timezone.now()), uid_host()
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
        f"NAME:{escape(name)}",
        f"X-WR-CALNAME:{escape(name)}",
        f"REFRESH-INTERVAL;VALUE=DURATION:{REFRESH}",
        f"X-PUBLISHED-TTL:{REFRESH}",
    ]
    for meeting in meetings:
        lines += _event(meeting, url=url_of(meeting), host=host, stamp=stamp)
    lines.append("END:VCALENDAR")
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode()
