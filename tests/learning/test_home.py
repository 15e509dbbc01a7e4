import pytest
from django.urls import reverse

from ..factories import UserFactory
from .factories import ParticipantFactory, SessionFactory

pytestmark = pytest.mark.django_db


def test_participant_sees_their_batches_and_coming_sessions(participant_client, participant):
    SessionFactory(batch=participant.batch, title="Katalogisasi RDA")
    ParticipantFactory()  # someone else's batch
    page = participant_client.get(reverse("learning:home")).content.decode()
    assert participant.batch.code in page
    assert "Katalogisasi RDA" in page
    assert page.count("sn-class-card") == 1


def test_speaker_sees_the_batches_they_speak_in(client):
    speaker = UserFactory(roles=["speaker"])
    session = SessionFactory(speakers=[speaker])
    client.force_login(speaker)
    page = client.get(reverse("learning:home")).content.decode()
    assert session.batch.code in page


def test_anonymous_is_sent_to_login(client):
    assert client.get(reverse("learning:home")).status_code == 302


def test_reports_hub_links_every_report(client, participant):
    client.force_login(UserFactory(roles=["program_manager"]))
    page = client.get(reverse("learning:reports", args=[participant.batch_id])).content.decode()
    for name in (
        "completion",
        "learning_gain",
        "item_analysis",
        "attendance_matrix",
        "grading_queue",
        "essay_queue",
    ):
        assert reverse(f"learning:{name}", args=[participant.batch_id]) in page


def test_reports_hub_shows_the_head_only_the_reports_they_may_open(client, participant):
    """The head reads reports but grades nothing: no link to a grading queue that would 403."""
    client.force_login(UserFactory(roles=["head"]))
    page = client.get(reverse("learning:reports", args=[participant.batch_id])).content.decode()
    for name in ("completion", "learning_gain", "item_analysis", "attendance_matrix"):
        url = reverse(f"learning:{name}", args=[participant.batch_id])
        assert url in page
        assert client.get(url).status_code == 200
    for name in ("grading_queue", "essay_queue"):
        url = reverse(f"learning:{name}", args=[participant.batch_id])
        assert url not in page
        assert client.get(url).status_code == 403


def test_reports_hub_is_closed_to_participants(participant_client, participant):
    url = reverse("learning:reports", args=[participant.batch_id])
    assert participant_client.get(url).status_code == 403


def test_the_training_dashboard_links_each_program_to_its_curriculum(client, participant):
    client.force_login(UserFactory(roles=["program_manager"]))
    page = client.get(reverse("training:staff_dashboard")).content.decode()
    program = participant.batch.program
    assert reverse("learning:program_curriculum", args=[program.pk]) in page
