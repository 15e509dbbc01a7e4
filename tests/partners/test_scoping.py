"""Who may see what: a partner officer reads only their institution's agreements and
documents, by page, download and API; other roles read nothing; anonymous people log in."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sinergi.accounts.services import api_token_create
from sinergi.partners import services
from sinergi.partners.models import DocumentKind

from ..factories import UserFactory
from .factories import AgreementFactory, PartnerOfficerFactory, pdf_file

pytestmark = pytest.mark.django_db


def bearer(user) -> dict:
    _token, raw = api_token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    officer = UserFactory(roles=["cooperation_officer"])
    ours = PartnerOfficerFactory()
    theirs = PartnerOfficerFactory()
    mine = AgreementFactory(partner=ours.partner, title="MoU kami")
    other = AgreementFactory(partner=theirs.partner, title="MoU mitra lain")
    versions = {
        agreement.pk: services.document_upload(
            agreement=agreement,
            actor=officer,
            kind=DocumentKind.SIGNED_SCAN,
            file=pdf_file(f"Naskah {agreement.title}"),
        )
        for agreement in (mine, other)
    }
    return {
        "officer": officer,
        "partner_officer": ours.user,
        "mine": mine,
        "other": other,
        "versions": versions,
    }


def test_a_partner_officer_reads_only_their_own_agreements_by_page(client, world):
    client.force_login(world["partner_officer"])
    listing = client.get(reverse("partners:agreement_list")).content.decode()
    assert "MoU kami" in listing and "MoU mitra lain" not in listing
    mine = client.get(reverse("partners:agreement_detail", args=[world["mine"].pk]))
    assert mine.status_code == 200
    assert "MoU kami" in mine.content.decode()
    assert (
        client.get(reverse("partners:agreement_detail", args=[world["other"].pk])).status_code
        == 404
    )
    assert (
        client.get(reverse("partners:partner_detail", args=[world["other"].partner_id])).status_code
        == 404
    )
    # Staff pages are not theirs at all.
    for name in ("partners:dashboard", "partners:visit_list", "partners:agreement_create"):
        assert client.get(reverse(name)).status_code == 403
    assert (
        client.get(reverse("partners:agreement_report", args=[world["mine"].pk])).status_code == 403
    )


def test_a_partner_officer_downloads_only_their_own_documents(client, world):
    client.force_login(world["partner_officer"])
    own = world["versions"][world["mine"].pk]
    response = client.get(reverse("partners:document_download", args=[own.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    foreign = world["versions"][world["other"].pk]
    assert client.get(reverse("partners:document_download", args=[foreign.pk])).status_code == 404
    # Nor may they upload to another partner's agreement.
    response = client.post(
        reverse("partners:document_upload", args=[world["other"].pk]),
        {"kind": "other", "file": pdf_file("x")},
    )
    assert response.status_code == 404


def test_the_files_are_not_under_a_public_url(world):
    version = world["versions"][world["mine"].pk]
    assert version.file.name.startswith("agreements/")
    assert "Naskah" not in version.file.name  # stored under a name of our making


@pytest.mark.parametrize("role", ["participant", "program_manager", "finance", "speaker"])
def test_other_roles_read_no_agreement(client, world, role):
    client.force_login(UserFactory(roles=[role]))
    assert client.get(reverse("partners:agreement_list")).status_code == 403
    assert (
        client.get(reverse("partners:agreement_detail", args=[world["mine"].pk])).status_code == 403
    )
    version = world["versions"][world["mine"].pk]
    assert client.get(reverse("partners:document_download", args=[version.pk])).status_code == 403
    response = client.get("/api/v1/agreements", **bearer(UserFactory(roles=[role])))
    assert response.status_code == 200 and response.json()["items"] == []


def test_a_partner_role_without_an_institution_sees_nothing(client, world):
    lone = UserFactory(roles=["partner"])
    client.force_login(lone)
    assert "MoU kami" not in client.get(reverse("partners:agreement_list")).content.decode()
    assert (
        client.get(reverse("partners:agreement_detail", args=[world["mine"].pk])).status_code == 404
    )


def test_anonymous_people_are_sent_to_log_in(client, world):
    response = client.get(reverse("partners:agreement_detail", args=[world["mine"].pk]))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    version = world["versions"][world["mine"].pk]
    assert client.get(reverse("partners:document_download", args=[version.pk])).status_code == 302
    assert client.get("/api/v1/agreements").status_code == 401


def test_the_api_is_scoped_to_the_partner_officers_institution(client, world):
    headers = bearer(world["partner_officer"])
    listing = client.get("/api/v1/agreements", **headers).json()
    assert [item["id"] for item in listing["items"]] == [world["mine"].pk]
    assert client.get(f"/api/v1/agreements/{world['mine'].pk}", **headers).status_code == 200
    assert client.get(f"/api/v1/agreements/{world['other'].pk}", **headers).status_code == 404
    # Asking for the other partner by id gives nothing either.
    other_partner = client.get(
        "/api/v1/agreements", {"partner": world["other"].partner_id}, **headers
    ).json()
    assert other_partner["items"] == []


def test_the_api_filters_and_shows_the_steps(client, world):
    officer = world["officer"]
    headers = bearer(officer)
    today = timezone.localdate()
    soon = AgreementFactory(ends_on=today + timedelta(days=45), title="Segera berakhir")
    AgreementFactory(ends_on=today - timedelta(days=3), title="Sudah berakhir")
    draft = services.agreement_create(
        actor=officer, kind="mou", partner=soon.partner, title="Draf baru"
    )
    services.agreement_process_start(agreement=draft, actor=officer)

    everything = client.get("/api/v1/agreements", **headers).json()
    assert everything["count"] == 5
    expiring = client.get("/api/v1/agreements", {"expiring_within_days": 60}, **headers).json()
    assert [item["title"] for item in expiring["items"]] == ["Segera berakhir"]
    expired = client.get("/api/v1/agreements", {"status": "expired"}, **headers).json()
    assert [item["title"] for item in expired["items"]] == ["Sudah berakhir"]
    by_partner = client.get("/api/v1/agreements", {"partner": soon.partner_id}, **headers).json()
    assert {item["title"] for item in by_partner["items"]} == {"Segera berakhir", "Draf baru"}
    assert client.get("/api/v1/agreements", {"status": "bogus"}, **headers).status_code == 422

    detail = client.get(f"/api/v1/agreements/{draft.pk}", **headers).json()
    assert detail["status"] == "in_process"
    assert [step["order"] for step in detail["steps"]] == list(range(1, 11))
    assert detail["steps"][0]["state"] == "current"
    assert detail["steps"][0]["due_on"]
    assert detail["steps"][2]["required_documents"] == ["request_letter"]
    assert {step["state"] for step in detail["steps"][1:]} == {"waiting"}
