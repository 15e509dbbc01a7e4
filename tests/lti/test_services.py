"""Deep linking, the roster (NRPS), scores (AGS) and Sinergi's keys, at the protocol level."""

import re
from datetime import timedelta
from decimal import Decimal
from html import unescape

import jwt
import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from sinergi.accounts.models import User
from sinergi.learning.models import CompletionRules
from sinergi.learning.services.quizzes import attempt_start, attempt_submit
from sinergi.lti import jobs
from sinergi.lti.models import Context, ScorePost, ScoreState, ToolKey
from sinergi.lti.services import tool_key_rotate
from tests.factories import UserFactory
from tests.learning.factories import ParticipantFactory
from tests.learning.quiz_data import answer_everything_right, bank_with_every_type, make_quiz

from .conftest import launch
from .fake_platform import CLIENT_ID, DEPLOYMENT_ID, ISSUER, LTI, MEMBERSHIP

pytestmark = pytest.mark.django_db

DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
RETURN_URL = ISSUER + "/mod/lti/contentitem_return.php?course=2&id=4"


def tool_jwks(client) -> jwt.PyJWKSet:
    return jwt.PyJWKSet.from_dict(client.get("/lti/jwks").json())


def verify_with_sinergi_jwks(client, token: str) -> dict:
    key = tool_jwks(client)[jwt.get_unverified_header(token)["kid"]].key
    return jwt.decode(token, key, algorithms=["RS256"], audience=ISSUER, issuer=CLIENT_ID)


def deep_linking_launch(client, fake, **claims):
    return launch(
        client,
        fake,
        email="dosen@unj.test",
        sub="moodle-teacher-3",
        **{
            LTI + "message_type": "LtiDeepLinkingRequest",
            LTI + "roles": [MEMBERSHIP + "Instructor"],
            LTI + "resource_link": None,
            DL + "deep_linking_settings": {
                "deep_link_return_url": RETURN_URL,
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "data": "moodle-opaque-77",
            },
            **claims,
        },
    )


def test_deep_linking_round_trip_places_a_quiz_that_then_launches(client, platform, fake):
    registration = ParticipantFactory(user__email="pustakawan@unj.test")
    quiz = make_quiz(registration.batch, bank_with_every_type())
    response = deep_linking_launch(client, fake)
    assert response.status_code == 200
    page = response.content.decode()
    assert f'value="quiz:{quiz.item_id}"' in page
    assert f'value="batch:{registration.batch_id}"' in page
    # Moodle shows the picker in its own frame.
    assert f"frame-ancestors {ISSUER}" in response["Content-Security-Policy"]
    assert "X-Frame-Options" not in response
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)

    # The picker's form works inside the platform's frame: no session or CSRF cookie needed.
    client.logout()
    client.cookies.clear()
    response = client.post(
        reverse("lti:deep_link_return"),
        {"token": unescape(token), "choice": f"quiz:{quiz.item_id}"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert f'action="{unescape(RETURN_URL)}"' in unescape(page)
    assert "data-auto-submit" in page
    assert f"form-action 'self' {ISSUER}" in response["Content-Security-Policy"]
    jwt_value = re.search(r'name="JWT" value="([^"]+)"', page).group(1)

    claims = verify_with_sinergi_jwks(client, jwt_value)
    assert claims[LTI + "message_type"] == "LtiDeepLinkingResponse"
    assert claims[LTI + "version"] == "1.3.0"
    assert claims[LTI + "deployment_id"] == DEPLOYMENT_ID
    assert claims[DL + "data"] == "moodle-opaque-77"
    (item,) = claims[DL + "content_items"]
    assert item["type"] == "ltiResourceLink"
    assert item["url"] == "http://127.0.0.1:8000/lti/launch/"
    assert item["custom"] == {"sinergi_target": f"quiz:{quiz.item_id}"}
    assert item["lineItem"]["scoreMaximum"] == 100

    # The platform launches the placed link with the custom parameter it was given.
    response = launch(
        client,
        fake,
        **{LTI + "custom": item["custom"], LTI + "resource_link": {"id": "rl-quiz"}},
    )
    assert response["Location"] == reverse(
        "learning:quiz_detail", args=[registration.batch_id, quiz.item_id]
    )


def test_deep_linking_needs_a_teacher(client, platform, fake):
    response = deep_linking_launch(client, fake, **{LTI + "roles": [MEMBERSHIP + "Learner"]})
    assert response.status_code == 403
    assert b"Only a teacher" in response.content


def test_a_forged_deep_linking_token_is_refused(client, platform, fake):
    response = client.post(
        reverse("lti:deep_link_return"), {"token": "x:y", "choice": "certificate:"}
    )
    assert response.status_code == 400


def test_deep_linking_an_ebook_or_the_certificate_check(client, platform, fake):
    response = deep_linking_launch(client, fake)
    token = unescape(re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1))
    response = client.post(
        reverse("lti:deep_link_return"), {"token": token, "choice": "certificate:"}
    )
    jwt_value = re.search(r'name="JWT" value="([^"]+)"', response.content.decode()).group(1)
    (item,) = verify_with_sinergi_jwks(client, jwt_value)[DL + "content_items"]
    assert item["custom"] == {"sinergi_target": "certificate:"} and "lineItem" not in item
    response = launch(client, fake, **{LTI + "custom": item["custom"]})
    assert response["Location"] == reverse("certificates:verify")


# --- Names and Role Provisioning -------------------------------------------------------------


def member(n, role="Learner", **extra):
    return {
        "user_id": f"u{n}",
        "email": f"peserta{n}@unj.test",
        "name": f"Peserta {n}",
        "roles": [MEMBERSHIP + role],
        "status": "Active",
        **extra,
    }


def test_the_roster_is_read_page_by_page_and_accounts_matched_or_created(client, platform, fake):
    existing = UserFactory(email="peserta1@unj.test")
    ParticipantFactory(user__email="pustakawan@unj.test")
    launch(client, fake)  # records the course and its roster URL
    fake.roster = [
        [member(1), member(2)],
        [member(3, role="Instructor"), member(4, status="Inactive")],
        [member(5, email=None)],
    ]
    staff = UserFactory(roles=["program_manager"], language="en")
    client.force_login(staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the launch above set Indonesian
    context = Context.objects.get(context_id="course-2")
    response = client.post(reverse("lti:roster_read", args=[context.pk]), follow=True)
    assert response.status_code == 200
    assert "5 members, 1 matched, 2 new accounts, 2 skipped" in response.content.decode()
    pages = [r for r in fake.requests if "memberships" in r.url.path]
    assert [r.url.params.get("page") for r in pages] == [None, "1", "2"]
    assert User.objects.get(email="peserta3@unj.test").groups.filter(name="speaker").exists()
    assert existing.lti_accounts.get().subject == "u1"
    assert not User.objects.filter(email="peserta4@unj.test").exists()
    context.refresh_from_db()
    assert context.roster_read_at is not None


def test_a_roster_the_platform_refuses_is_a_message(client, platform, fake):
    ParticipantFactory(user__email="pustakawan@unj.test")
    launch(client, fake)
    fake.tokens_issued.append("never")  # keep the list non-empty; the token is refused below
    client.force_login(UserFactory(roles=["admin"], language="en"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    context = Context.objects.get()
    context.memberships_url = ISSUER + "/elsewhere"
    context.save()
    response = client.post(reverse("lti:roster_read", args=[context.pk]), follow=True)
    assert "roster could not be read" in response.content.decode()


# --- Assignment and Grade Services -----------------------------------------------------------


@pytest.fixture
def launched_posttest(client, platform, fake):
    """A participant launched from the partner's course into a batch with a post-test."""
    registration = ParticipantFactory(user__email="pustakawan@unj.test")
    CompletionRules.objects.create(
        batch=registration.batch,
        min_attendance_percent=0,
        require_assignments=False,
        require_survey=False,
    )
    quiz = make_quiz(registration.batch, bank_with_every_type())
    launch(client, fake, **{LTI + "custom": {"sinergi_target": f"batch:{registration.batch_id}"}})
    return registration, quiz


def take_posttest(registration, quiz):
    attempt = attempt_start(quiz=quiz, registration=registration)
    answer_everything_right(attempt, registration.user)
    return attempt_submit(attempt=attempt, actor=registration.user)


def test_a_graded_posttest_and_the_completion_reach_the_gradebook_once(
    launched_posttest, fake, django_capture_on_commit_callbacks
):
    registration, quiz = launched_posttest
    with django_capture_on_commit_callbacks(execute=True):
        attempt = take_posttest(registration, quiz)
    assert attempt.score == Decimal(100)
    submitted, completed = fake.scores
    assert submitted["userId"] == "moodle-user-12"
    assert submitted["scoreGiven"] == 100 and submitted["scoreMaximum"] == 100
    assert submitted["activityProgress"] == "Submitted"
    assert submitted["gradingProgress"] == "FullyGraded"
    assert submitted["timestamp"].startswith(attempt.submitted_at.isoformat()[:19])
    assert completed["activityProgress"] == "Completed"
    assert ScorePost.objects.filter(state=ScoreState.SENT).count() == 2
    token_calls = [r for r in fake.requests if r.url.path.endswith("token.php")]
    assert len(token_calls) == 1  # the access token is reused

    # The same event again, a retry job, a second worker: nothing is sent twice.
    from sinergi.learning.signals import attempt_finished

    attempt_finished.send(sender=type(attempt), attempt=attempt)
    jobs.send_due_scores()
    from sinergi.lti.services import score_send

    for score in ScorePost.objects.all():
        score_send(score_id=score.pk)
    assert len(fake.scores) == 2


def test_a_refused_score_is_retried_later(
    launched_posttest, fake, django_capture_on_commit_callbacks
):
    registration, quiz = launched_posttest
    fake.fail_scores = 2
    with django_capture_on_commit_callbacks(execute=True):
        take_posttest(registration, quiz)
    assert fake.scores == []
    failed = list(ScorePost.objects.order_by("timestamp"))
    assert {s.state for s in failed} == {ScoreState.FAILED}
    # Kept in the site's language for the staff page.
    assert "Platform tidak menerima nilai" in failed[0].last_error
    assert jobs.send_due_scores() == "queued 0"  # not yet due
    with time_machine.travel(timezone.now() + timedelta(minutes=3), tick=False):
        jobs.send_due_scores()
    assert len(fake.scores) == 2
    assert {s.state for s in ScorePost.objects.all()} == {ScoreState.SENT}
    assert [s.tries for s in ScorePost.objects.order_by("timestamp")] == [2, 2]


def test_scores_are_not_recorded_for_people_not_launched(
    platform, fake, django_capture_on_commit_callbacks
):
    registration = ParticipantFactory()
    quiz = make_quiz(registration.batch, bank_with_every_type())
    with django_capture_on_commit_callbacks(execute=True):
        take_posttest(registration, quiz)
    assert not ScorePost.objects.exists() and fake.scores == []


# --- Sinergi's keys --------------------------------------------------------------------------


def test_key_rotation_keeps_the_old_key_published_for_the_grace_period(client, db, settings):
    settings.SINERGI_LTI_KEY_GRACE_DAYS = 14
    first = tool_key_rotate(actor=None)
    call_command("lti_rotate_key", stdout=open("/dev/null", "w"))  # noqa: SIM115
    second = ToolKey.objects.get(retired_at__isnull=True)
    kids = {k["kid"] for k in client.get("/lti/jwks").json()["keys"]}
    assert kids == {first.kid, second.kid}
    for key in client.get("/lti/jwks").json()["keys"]:
        assert set(key) == {"kty", "n", "e", "kid", "alg", "use"}  # no private part
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        kids = {k["kid"] for k in client.get("/lti/jwks").json()["keys"]}
    assert kids == {second.kid}


def test_private_keys_are_stored_encrypted(db):
    key = tool_key_rotate(actor=None)
    assert "PRIVATE KEY" not in key.private_encrypted
    from sinergi.lti.keys import private_key

    assert private_key(key).key_size == 2048


def test_signing_uses_the_newest_key(client, db):
    from sinergi.lti import keys

    tool_key_rotate(actor=None)
    newest = tool_key_rotate(actor=None)
    token = keys.sign({"iss": CLIENT_ID, "aud": ISSUER})
    assert jwt.get_unverified_header(token)["kid"] == newest.kid
    assert verify_with_sinergi_jwks(client, token)["iss"] == CLIENT_ID
