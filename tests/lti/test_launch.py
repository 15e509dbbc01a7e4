"""The tool launch at the protocol level: real RSA keys, JWTs signed by a fake platform and
verified by Sinergi against the platform's JWKS (fetched over HTTP through a MockTransport)."""

import time

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.urls import reverse

from sinergi.accounts.models import User
from sinergi.lti.models import GradeLink, LoginRequest, PlatformAccount
from tests.factories import UserFactory
from tests.learning.factories import ParticipantFactory, RunningBatchFactory

from .conftest import launch, login_step
from .fake_platform import CLIENT_ID, ISSUER, LTI, MEMBERSHIP

pytestmark = pytest.mark.django_db

CUSTOM = LTI + "custom"


def test_login_initiation_redirects_to_the_platform_with_state_nonce_and_cookie(
    client, platform, fake
):
    query = login_step(client, fake)
    assert query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == "http://127.0.0.1:8000/lti/launch/"
    assert query["response_type"] == "id_token" and query["response_mode"] == "form_post"
    assert query["scope"] == "openid" and query["prompt"] == "none"
    assert query["login_hint"] == "12" and query["lti_message_hint"] == "hint-1"
    cookie = client.cookies["lti1p3-state-" + query["state"]]
    assert cookie.value == query["state"]
    assert cookie["samesite"] == "None" and cookie["secure"] and cookie["httponly"]
    assert LoginRequest.objects.get(state=query["state"]).nonce == query["nonce"]


def test_login_initiation_by_get_works_too(client, platform, fake):
    response = client.get(
        "/lti/login/", {"iss": ISSUER, "login_hint": "12", "client_id": CLIENT_ID}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(ISSUER + "/mod/lti/auth.php?")


def test_a_learner_launch_signs_in_and_lands_in_the_batch_classroom(client, platform, fake):
    registration = ParticipantFactory(user__email="pustakawan@unj.test")
    response = launch(
        client, fake, **{CUSTOM: {"sinergi_target": f"batch:{registration.batch_id}"}}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("learning:classroom", args=[registration.batch_id])
    assert int(client.session["_auth_user_id"]) == registration.user_id
    assert PlatformAccount.objects.get(platform=platform, subject="moodle-user-12").user == (
        registration.user
    )
    grade_link = GradeLink.objects.get(user=registration.user)
    assert grade_link.link.lineitem_url.endswith("/lineitem?type_id=4")
    # The classroom opens without a second login.
    assert client.get(response["Location"]).status_code == 200


def test_the_next_launch_finds_the_account_by_the_platform_user_id(client, platform, fake):
    registration = ParticipantFactory(user__email="pustakawan@unj.test")
    launch(client, fake)
    client.logout()
    response = launch(client, fake, email="changed@elsewhere.test")
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == registration.user_id


def test_an_unknown_verified_email_gets_a_new_participant_account(client, platform, fake):
    platform.trust_emails = False
    platform.save()
    batch = RunningBatchFactory()
    response = launch(
        client,
        fake,
        email="baru@unj.test",
        email_verified=True,
        **{CUSTOM: {"sinergi_target": f"batch:{batch.pk}"}},
    )
    user = User.objects.get(email="baru@unj.test")
    assert user.email_verified and not user.has_usable_password()
    assert user.groups.filter(name="participant").exists()
    # Not a confirmed participant yet: told so, with the way to register.
    assert response.status_code == 200
    assert b"data-lti-not-registered" in response.content
    assert reverse("training:batch_detail", args=[batch.pk]).encode() in response.content


def test_an_email_the_platform_does_not_vouch_for_is_refused(client, platform, fake):
    UserFactory(email="pustakawan@unj.test")
    platform.trust_emails = False
    platform.save()
    response = launch(client, fake)
    assert response.status_code == 403
    assert b"did not confirm your e-mail address" in response.content
    assert "_auth_user_id" not in client.session
    assert not PlatformAccount.objects.exists()


def test_an_instructor_becomes_a_speaker(client, platform, fake):
    launch(client, fake, email="dosen@unj.test", **{LTI + "roles": [MEMBERSHIP + "Instructor"]})
    user = User.objects.get(email="dosen@unj.test")
    assert set(user.groups.values_list("name", flat=True)) == {"speaker"}


def test_institution_roles_give_nothing_in_sinergi(client, platform, fake):
    roles = [
        "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Instructor",
        "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator",
        MEMBERSHIP + "Learner",
    ]
    launch(client, fake, email="campur@unj.test", **{LTI + "roles": roles})
    user = User.objects.get(email="campur@unj.test")
    assert set(user.groups.values_list("name", flat=True)) == {"participant"}


# --- Refusals --------------------------------------------------------------------------------


def refused(response, status, text):
    assert response.status_code == status, response.content
    assert text.encode() in response.content
    return True


def test_a_bad_signature_is_refused(client, platform, fake):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert refused(launch(client, fake, key=other), 400, "signature does not match")
    assert "_auth_user_id" not in client.session


def test_an_expired_token_is_refused(client, platform, fake):
    now = int(time.time())
    response = launch(client, fake, iat=now - 3600, exp=now - 600)
    assert refused(response, 400, "The launch has expired")


def test_a_token_issued_in_the_future_is_refused(client, platform, fake):
    now = int(time.time())
    response = launch(client, fake, iat=now + 600, exp=now + 900)
    assert refused(response, 400, "The launch was refused")


def test_a_token_without_a_nonce_is_refused(client, platform, fake):
    assert refused(launch(client, fake, nonce=None), 400, "The launch was refused")


def test_a_token_of_another_lti_version_is_refused(client, platform, fake):
    response = launch(client, fake, **{LTI + "version": "1.1"})
    assert refused(response, 400, "Only LTI 1.3.0")


def test_a_replayed_launch_is_refused(client, platform, fake):
    ParticipantFactory(user__email="pustakawan@unj.test")
    query = login_step(client, fake)
    data = {"id_token": fake.id_token(nonce=query["nonce"]), "state": query["state"]}
    assert client.post("/lti/launch/", data).status_code == 302
    client.logout()
    client.cookies["lti1p3-state-" + query["state"]] = query["state"]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert refused(client.post("/lti/launch/", data), 403, "already used (replayed nonce)")


def test_a_token_with_another_logins_nonce_is_refused(client, platform, fake):
    first = login_step(client, fake)
    second = login_step(client, fake)
    data = {"id_token": fake.id_token(nonce=first["nonce"]), "state": second["state"]}
    assert refused(client.post("/lti/launch/", data), 400, "nonce does not match")


def test_an_unknown_deployment_is_refused(client, platform, fake):
    response = launch(client, fake, **{LTI + "deployment_id": "99"})
    assert refused(response, 403, "Deployment 99 is not registered")


def test_an_unknown_deployment_is_refused_at_login_already(client, platform, fake):
    response = client.post(
        "/lti/login/",
        {"iss": ISSUER, "login_hint": "1", "client_id": CLIENT_ID, "lti_deployment_id": "99"},
    )
    assert refused(response, 403, "Deployment 99 is not registered")


def test_a_wrong_audience_is_refused(client, platform, fake):
    assert refused(launch(client, fake, aud="another-tool"), 400, "wrong audience")


def test_several_audiences_need_the_right_authorised_party(client, platform, fake):
    response = launch(client, fake, aud=[CLIENT_ID, "another-tool"])
    assert refused(response, 400, "no authorised party")
    response = launch(client, fake, aud=[CLIENT_ID, "x"], azp="x")
    assert refused(response, 400, "wrong authorised party")


def test_a_wrong_issuer_is_refused(client, platform, fake):
    assert refused(launch(client, fake, iss="https://evil.test"), 400, "wrong issuer")


def test_a_launch_without_the_state_cookie_is_refused(client, platform, fake):
    query = login_step(client, fake)
    del client.cookies["lti1p3-state-" + query["state"]]
    data = {"id_token": fake.id_token(nonce=query["nonce"]), "state": query["state"]}
    assert refused(client.post("/lti/launch/", data), 400, "state does not match this browser")


def test_a_platform_switched_off_after_the_login_is_refused(client, platform, fake):
    query = login_step(client, fake)
    platform.is_active = False
    platform.save()
    data = {"id_token": fake.id_token(nonce=query["nonce"]), "state": query["state"]}
    assert refused(client.post("/lti/launch/", data), 403, "not registered in Sinergi")


def test_an_unknown_platform_is_refused_at_login(client, db, fake):
    response = client.post("/lti/login/", {"iss": "https://unknown.test", "login_hint": "1"})
    assert refused(response, 403, "not registered in Sinergi")


def test_an_unreadable_platform_jwks_is_a_clear_error_not_a_500(client, platform, fake):
    fake.fail_jwks = True
    assert refused(launch(client, fake), 502, "JWKS could not be read")


def test_the_platform_jwks_is_fetched_once_and_cached(client, platform, fake):
    ParticipantFactory(user__email="pustakawan@unj.test")
    launch(client, fake)
    launch(client, fake)
    certs = [r for r in fake.requests if r.url.path.endswith("certs.php")]
    assert len(certs) == 1


def test_errors_are_in_indonesian_for_an_indonesian_visitor(client, db, fake):
    client.cookies.clear()
    response = client.post("/lti/login/", {"iss": "https://unknown.test", "login_hint": "1"})
    assert b"belum terdaftar" in response.content


def test_a_garbage_token_is_refused(client, platform, fake):
    query = login_step(client, fake)
    response = client.post("/lti/launch/", {"id_token": "not-a-jwt", "state": query["state"]})
    assert response.status_code == 400
