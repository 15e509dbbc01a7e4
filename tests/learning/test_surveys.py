import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from sinergi.learning.models import SurveyAnswer, SurveyResponse
from sinergi.learning.services import surveys as services

from ..factories import UserFactory
from .factories import ModuleFactory, ParticipantFactory, SessionFactory, SurveyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(participant):
    batch = participant.batch
    speaker = UserFactory(roles=["speaker"], full_name="Dr. Rina Pustaka")
    other_speaker = UserFactory(roles=["speaker"], full_name="Budi Arsip, M.Hum.")
    session = SessionFactory(batch=batch, speakers=[speaker])
    other_session = SessionFactory(batch=batch, speakers=[other_speaker])
    survey = SurveyFactory(item__module=ModuleFactory(batch=batch))
    services.survey_add_default_questions(survey=survey)
    return {
        "participant": participant,
        "survey": survey,
        "speaker": speaker,
        "other_speaker": other_speaker,
        "session": session,
        "other_session": other_session,
    }


def answers_for(survey, rating: int = 4, comment: str = "") -> dict:
    data = {}
    for subject in services.survey_subjects(survey=survey):
        scope = "organisation" if subject.session is None else "speaker"
        for question in survey.questions.filter(scope=scope):
            name = services.field_name(question, subject)
            data[name] = str(rating) if question.kind == "likert" else comment
    return data


def test_default_questions_cover_speakers_and_organisation(setup):
    survey = setup["survey"]
    scopes = set(survey.questions.values_list("scope", flat=True))
    assert scopes == {"speaker", "organisation"}
    # Two speakers (one per session) and the organisation.
    assert len(services.survey_subjects(survey=survey)) == 3


def test_submit_stores_answers_without_who_said_what(setup):
    survey, participant = setup["survey"], setup["participant"]
    services.survey_submit(
        survey=survey, registration=participant, data=answers_for(survey, 5, "Sangat jelas")
    )
    assert SurveyResponse.objects.filter(survey=survey, registration=participant).count() == 1
    field_names = {field.name for field in SurveyAnswer._meta.get_fields()}
    assert not field_names & {"registration", "response", "user"}
    likert = SurveyAnswer.objects.filter(survey=survey, rating__isnull=False)
    assert likert.count() == 2 * 4 + 4  # four Likert items per speaker, four for the organisation
    assert set(likert.values_list("rating", flat=True)) == {5}


def test_submit_twice_is_refused(setup):
    survey, participant = setup["survey"], setup["participant"]
    services.survey_submit(survey=survey, registration=participant, data=answers_for(survey))
    with pytest.raises(ValidationError):
        services.survey_submit(survey=survey, registration=participant, data=answers_for(survey))
    assert SurveyResponse.objects.count() == 1


def test_missing_or_bad_rating_is_an_error_and_saves_nothing(setup):
    survey, participant = setup["survey"], setup["participant"]
    data = answers_for(survey)
    name = next(key for key, value in data.items() if value == "4")
    data[name] = "9"
    with pytest.raises(ValidationError) as raised:
        services.survey_submit(survey=survey, registration=participant, data=data)
    assert name in raised.value.message_dict
    assert not SurveyResponse.objects.exists() and not SurveyAnswer.objects.exists()


def test_fill_page_round_trip(client, setup):
    survey, participant = setup["survey"], setup["participant"]
    client.force_login(participant.user)
    url = reverse("learning:survey_fill", args=[participant.batch_id, survey.item_id])
    page = client.get(url)
    assert page.status_code == 200
    assert "Dr. Rina Pustaka" in page.content.decode()
    bad = client.post(url, {})
    assert bad.status_code == 200 and not SurveyResponse.objects.exists()
    assert client.post(url, answers_for(survey)).status_code == 302
    assert SurveyResponse.objects.filter(registration=participant).exists()
    assert "sn-survey-done" in client.get(url).content.decode()


def test_another_batch_participant_cannot_open_the_survey(client, setup):
    survey = setup["survey"]
    stranger = ParticipantFactory()
    client.force_login(stranger.user)
    url = reverse("learning:survey_fill", args=[survey.item.module.batch_id, survey.item_id])
    assert client.get(url).status_code == 404


def fill_by_many(survey, batch, count: int, rating: int = 4):
    for index in range(count):
        registration = ParticipantFactory(batch=batch)
        services.survey_submit(
            survey=survey,
            registration=registration,
            data=answers_for(survey, rating=1 + (index % 5), comment=f"Komentar {index}"),
        )


def test_speaker_sees_only_aggregates_about_themselves(client, setup):
    survey, speaker = setup["survey"], setup["speaker"]
    batch = survey.item.module.batch
    url = reverse("learning:survey_results", args=[batch.pk, survey.item_id])
    client.force_login(speaker)
    fill_by_many(survey, batch, 2)
    hidden = client.get(url)
    assert hidden.status_code == 200 and "sn-results-hidden" in hidden.content.decode()
    fill_by_many(survey, batch, 3)
    page = client.get(url).content.decode()
    assert "Dr. Rina Pustaka" in page
    assert "Budi Arsip" not in page  # the other speaker's results are not theirs to see
    assert "Organisasi" not in page and "Organisation" not in page
    for registration in SurveyResponse.objects.values_list(
        "registration__user__full_name", flat=True
    ):
        assert registration not in page


def test_staff_results_and_xlsx(client, setup):
    survey = setup["survey"]
    batch = survey.item.module.batch
    fill_by_many(survey, batch, 5)
    client.force_login(UserFactory(roles=["program_manager"]))
    url = reverse("learning:survey_results", args=[batch.pk, survey.item_id])
    page = client.get(url).content.decode()
    assert "Dr. Rina Pustaka" in page and "Budi Arsip" in page
    assert "Komentar 3" in page
    xlsx = client.get(url, {"format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_participant_cannot_read_results(client, setup):
    survey, participant = setup["survey"], setup["participant"]
    client.force_login(participant.user)
    url = reverse("learning:survey_results", args=[participant.batch_id, survey.item_id])
    assert client.get(url).status_code == 403


def test_questions_frozen_once_answered(client, setup):
    survey, participant = setup["survey"], setup["participant"]
    manager = UserFactory(roles=["program_manager"])
    client.force_login(manager)
    url = reverse("learning:survey_edit", args=[participant.batch_id, survey.item_id])
    client.post(url, {"scope": "organisation", "kind": "likert", "text": "Konsumsi memadai"})
    assert survey.questions.filter(text="Konsumsi memadai").exists()
    services.survey_submit(survey=survey, registration=participant, data=answers_for(survey))
    client.post(url, {"scope": "organisation", "kind": "likert", "text": "Terlambat"})
    assert not survey.questions.filter(text="Terlambat").exists()


def test_a_locked_survey_cannot_be_opened_by_url(client, setup):
    survey, participant = setup["survey"], setup["participant"]
    survey.item.available_from = timezone.now() + timezone.timedelta(days=2)
    survey.item.save(update_fields=["available_from"])
    client.force_login(participant.user)
    url = reverse("learning:survey_fill", args=[participant.batch_id, survey.item_id])
    assert client.get(url).status_code == 403
    assert client.post(url, answers_for(survey)).status_code == 403
    assert not SurveyResponse.objects.exists()
