"""iCalendar (RFC 5545) for sessions: one event to download, or a participant's whole feed.

Written with the `icalendar` package (escaping, folding at 75 octets, CRLF line ends), with
times in UTC ("Z") and a stable UID per session, so a calendar app updates an event when the
session moves instead of adding a second one.

A participant's feed lives at a secret address (`feed_token`) so a calendar app can subscribe
without logging in. The token is an HMAC of the user's id and password hash: changing the
password gives a new address and the old one stops working.
"""

from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import urlencode

import icalendar
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from sinergi.core.params import id_param

from .models import Session

PRODID = "-//Perpustakaan UPI//Sinergi//ID"
FEED_SALT = "sinergi.learning.ical.feed"
GOOGLE_CALENDAR = "https://calendar.google.com/calendar/render"


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _uid(session: Session) -> str:
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return f"session-{session.pk}@{host or 'sinergi'}"


def _description(session: Session, speakers: list[str]) -> str:
    lines = [f"{session.batch.program.title} ({session.batch.code})"]
    if speakers:
        lines.append(", ".join(speakers))
    if session.meeting_url:
        lines.append(session.meeting_url)
    return "\n".join(lines)


def _event(session: Session, stamp: datetime) -> icalendar.Event:
    speakers = [speaker.full_name for speaker in session.speakers.all()]
    event = icalendar.Event()
    event.add("uid", _uid(session))
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("dtstart", session.starts_at.astimezone(UTC))
    event.add("dtend", (session.ends_at or session.starts_at).astimezone(UTC))
    event.add("summary", session.title)
    event.add("description", _description(session, speakers))
    location = session.place or session.meeting_url
    if location:
        event.add("location", location)
    if session.meeting_url:
        event.add("url", session.meeting_url)
    return event


def calendar(sessions: Iterable[Session], *, name: str = "") -> bytes:
    """Return a VCALENDAR with one VEVENT per scheduled session."""
    stamp = timezone.now()
    feed = icalendar.Calendar()
    feed.add("version", "2.0")
    feed.add("prodid", PRODID)
    feed.add("calscale", "GREGORIAN")
    feed.add("method", "PUBLISH")
    if name:
        feed.add("x-wr-calname", name)
    for session in sessions:
        if session.starts_at is not None:
            feed.add_component(_event(session, stamp))
    return feed.to_ical()


def google_calendar_url(session: Session) -> str:
    """Return a link that opens Google Calendar with the session filled in."""
    speakers = [speaker.full_name for speaker in session.speakers.all()]
    query = {
        "action": "TEMPLATE",
        "text": session.title,
        "dates": f"{_utc(session.starts_at)}/{_utc(session.ends_at or session.starts_at)}",
        "details": _description(session, speakers),
        "location": session.place or session.meeting_url,
        "ctz": "Asia/Jakarta",
    }
    return f"{GOOGLE_CALENDAR}?{urlencode(query)}"


def feed_token(user) -> str:
    """Return the secret part of `user`'s feed address."""
    mac = salted_hmac(FEED_SALT, f"{user.pk}:{user.password}", algorithm="sha256").hexdigest()
    return f"{user.pk}-{mac[:32]}"


def feed_user(token: str):
    """Return the user whose feed address holds `token`, or None."""
    user_id, _dash, _mac = (token or "").partition("-")
    if id_param(user_id) is None:
        return None
    user = get_user_model().objects.filter(pk=id_param(user_id), is_active=True).first()
    if user is None or not constant_time_compare(feed_token(user), token):
        return None
    return user
