"""iCalendar: one session's .ics, the participant's subscribed feed, escaping and folding checked
by parsing the output back with the `icalendar` package, and the Google Calendar link."""

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.urls import reverse

from sinergi.learning import ical

from ..factories import UserFactory
from .factories import ParticipantFactory, SessionFactory

pytestmark = pytest.mark.django_db
START = datetime(2026, 12, 1, 8, 0, tzinfo=ZoneInfo("Asia/Jakarta"))


@pytest.fixture
def session(participant):
    speaker = UserFactory(roles=["speaker"], full_name="Dra. Sri Rahayu, M.Hum.")
    return SessionFactory(
        batch=participant.batch,
        title="Katalogisasi; RDA, dan MARC 21 \\ praktik",
        starts_at=START,
        ends_at=START.replace(hour=9, minute=30),
        place="Ruang Seminar Perpustakaan UPI, Lantai 4 — Jl. Dr. Setiabudhi No. 229, Bandung",
        speakers=[speaker],
    )


def parse(content: bytes) -> icalendar.Calendar:
    assert content.endswith(b"\r\n")
    for line in content.split(b"\r\n"):
        assert len(line) <= 75, line
        assert b"\n" not in line
    return icalendar.Calendar.from_ical(content)


def test_session_ics_parses_back_with_utc_times_and_escaped_text(client, participant, session):
    client.force_login(participant.user)
    response = client.get(reverse("learning:session_ics", args=[session.batch_id, session.pk]))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = parse(response.content)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    (event,) = calendar.walk("VEVENT")
    assert event["SUMMARY"] == session.title
    assert event["LOCATION"] == session.place
    assert event.decoded("DTSTART") == START.astimezone(UTC)
    assert event.decoded("DTEND") == datetime(2026, 12, 1, 2, 30, tzinfo=UTC)
    assert event["UID"] == f"session-{session.pk}@127.0.0.1"
    assert event.decoded("DTSTAMP").tzinfo is not None
    assert "Dra. Sri Rahayu, M.Hum." in str(event["DESCRIPTION"])
    assert b"DTSTART:20261201T010000Z" in response.content
    assert b"SUMMARY:Katalogisasi\\; RDA\\, dan MARC 21 \\\\ praktik" in response.content


def test_long_lines_fold_without_splitting_a_character(client, participant, session):
    session.title = "Katalogisasi " + "é" * 100
    session.save()
    client.force_login(participant.user)
    response = client.get(reverse("learning:session_ics", args=[session.batch_id, session.pk]))
    lines = response.content.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)
    for line in lines:
        line.decode("utf-8")  # raises if a character was cut in two
    assert str(parse(response.content).walk("VEVENT")[0]["SUMMARY"]) == session.title


def test_feed_holds_the_participants_sessions_without_login(client, participant, session):
    SessionFactory(batch=participant.batch, starts_at=None, ends_at=None, title="Belum dijadwal")
    other_batch = SessionFactory(title="Sesi angkatan lain")
    token = ical.feed_token(participant.user)
    response = client.get(reverse("learning:calendar_feed", args=[token]))
    assert response.status_code == 200
    calendar = parse(response.content)
    summaries = [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")]
    assert summaries == [session.title]
    assert other_batch.title not in summaries


def test_feed_token_is_secret_and_changes_with_the_password(client, participant, session):
    user = participant.user
    token = ical.feed_token(user)
    assert (
        client.get(reverse("learning:calendar_feed", args=[f"{user.pk}-bogus"])).status_code == 404
    )
    other = ParticipantFactory().user
    forged = f"{other.pk}-{token.split('-', 1)[1]}"
    assert client.get(reverse("learning:calendar_feed", args=[forged])).status_code == 404
    user.set_password("kata-sandi-baru-2026")
    user.save()
    assert client.get(reverse("learning:calendar_feed", args=[token])).status_code == 404


def test_feed_includes_sessions_a_speaker_teaches(client, session):
    speaker = session.speakers.get()
    response = client.get(reverse("learning:calendar_feed", args=[ical.feed_token(speaker)]))
    assert len(parse(response.content).walk("VEVENT")) == 1


def test_calendar_page_shows_the_feed_address(client, participant, session):
    client.force_login(participant.user)
    page = client.get(reverse("learning:calendar")).content.decode()
    assert ical.feed_token(participant.user) in page and "webcal://" in page


def test_google_calendar_link(session):
    query = parse_qs(urlsplit(ical.google_calendar_url(session)).query)
    assert query["action"] == ["TEMPLATE"]
    assert query["dates"] == ["20261201T010000Z/20261201T023000Z"]
    assert query["text"] == [session.title]


def test_session_ics_is_for_the_batch_only(client, session):
    client.force_login(ParticipantFactory().user)
    url = reverse("learning:session_ics", args=[session.batch_id, session.pk])
    assert client.get(url).status_code == 404
