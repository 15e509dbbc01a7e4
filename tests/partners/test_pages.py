"""The partnership pages through HTTP: the timeline and its actions (plain POST and HTMX),
uploads with clear errors, the dashboard and list with pinned query counts, the XLSX report,
training batches as evidence, visit requests, and the batch form's agreement choice."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from sinergi.core.models import AuditLog
from sinergi.partners import services
from sinergi.partners.models import (
    Activity,
    AgreementStep,
    InstitutionalVisit,
    Partner,
    StepState,
    VisitStatus,
)
from sinergi.training.staff_forms import BatchForm

from ..factories import BatchFactory, UserFactory
from .factories import (
    AgreementFactory,
    PartnerFactory,
    PartnerOfficerFactory,
    docx_file,
    pdf_file,
    png_file,
    zip_file,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def officer():
    # English pages, so the messages below read the same before and after translation.
    return UserFactory(roles=["cooperation_officer"], language="en")


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


@pytest.fixture
def in_process(officer):
    partner_officer = PartnerOfficerFactory()
    agreement = services.agreement_create(
        actor=officer, kind="mou", partner=partner_officer.partner, title="MoU dalam proses"
    )
    services.agreement_process_start(agreement=agreement, actor=officer)
    agreement.partner_officer = partner_officer.user
    return agreement


def _current(agreement) -> AgreementStep:
    return agreement.steps.get(state=StepState.CURRENT)


def _close_steps(agreement, officer, upto: int) -> None:
    for order in range(1, upto):
        step = agreement.steps.get(order=order)
        actor = agreement.partner_officer if step.actor == "partner" else officer
        for kind in step.required_documents:
            services.document_upload(
                agreement=agreement, actor=actor, kind=kind, file=pdf_file(kind)
            )
        services.step_complete(step=step, actor=actor)


def test_the_timeline_shows_done_current_and_to_come(officer_client, officer, in_process):
    _close_steps(in_process, officer, 3)
    page = officer_client.get(reverse("partners:agreement_detail", args=[in_process.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('data-state="done"') == 2
    assert html.count('data-state="current"') == 1
    assert html.count('data-state="waiting"') == 7
    assert (
        "Upload before closing this step: Request letter with proposal / terms of reference" in html
    )
    assert reverse("partners:step_complete", args=[in_process.pk, _current(in_process).pk]) in html


def test_closing_a_step_without_its_document_shows_why_and_keeps_it(
    officer_client, officer, in_process
):
    _close_steps(in_process, officer, 3)
    step = _current(in_process)
    url = reverse("partners:step_complete", args=[in_process.pk, step.pk])
    response = officer_client.post(url, {"note": "Selesai"})
    assert response.status_code == 422
    assert "Upload the required documents first" in response.content.decode()
    assert _current(in_process).pk == step.pk

    # Upload the request letter through the page, then close the step with HTMX.
    response = officer_client.post(
        reverse("partners:document_upload", args=[in_process.pk]),
        {"kind": "request_letter", "title": "Surat permohonan", "file": pdf_file("Surat")},
    )
    assert response.status_code == 302
    response = officer_client.post(url, {"note": "Terkirim"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="process"')
    assert _current(in_process).order == 4
    assert AuditLog.objects.filter(verb="partners.step_completed").count() == 3


def test_an_upload_of_the_wrong_kind_is_refused_with_a_clear_message(officer_client, in_process):
    url = reverse("partners:document_upload", args=[in_process.pk])
    for upload, message in (
        (png_file(), "Only PDF or DOCX files are accepted."),
        (zip_file(), "not really a Word (DOCX) document"),
    ):
        response = officer_client.post(url, {"kind": "draft", "file": upload})
        assert response.status_code == 422
        assert message in response.content.decode()
        assert in_process.documents.count() == 0
    # A DOCX is fine for a draft.
    response = officer_client.post(url, {"kind": "draft", "file": docx_file("Draf")})
    assert response.status_code == 302
    assert in_process.documents.get().versions.get().file_kind == "docx"


def test_a_partner_officer_acts_on_the_partners_step_through_their_login(
    client, officer, in_process
):
    _close_steps(in_process, officer, 4)
    step = _current(in_process)
    assert step.actor == "partner"
    client.force_login(in_process.partner_officer)
    page = client.get(reverse("partners:agreement_detail", args=[in_process.pk])).content.decode()
    assert reverse("partners:step_complete", args=[in_process.pk, step.pk]) in page
    response = client.post(
        reverse("partners:step_complete", args=[in_process.pk, step.pk]), {"note": "Setuju"}
    )
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.state == StepState.DONE and step.completed_by == in_process.partner_officer
    # The next step is ours: the partner officer may not close it.
    following = _current(in_process)
    response = client.post(reverse("partners:step_complete", args=[in_process.pk, following.pk]))
    assert response.status_code == 403


def test_legal_review_sends_back_through_the_page(client, officer, in_process):
    _close_steps(in_process, officer, 6)
    step = _current(in_process)
    client.force_login(in_process.partner_officer)
    url = reverse("partners:step_return", args=[in_process.pk, step.pk])
    assert client.post(url, {"note": ""}).status_code == 422
    response = client.post(url, {"note": "Perbaiki pasal pendanaan."})
    assert response.status_code == 302
    assert _current(in_process).order == 5


def test_start_renewal_button_opens_the_renewal(officer_client, officer):
    old = AgreementFactory(
        ends_on=timezone.localdate() + timedelta(days=60), person_in_charge=officer
    )
    page = officer_client.get(reverse("partners:agreement_detail", args=[old.pk])).content.decode()
    assert 'id="start-renewal"' in page
    response = officer_client.post(reverse("partners:renewal_start", args=[old.pk]))
    renewal = old.renewals.get()
    assert response["Location"] == reverse("partners:agreement_detail", args=[renewal.pk])
    page = officer_client.get(response["Location"]).content.decode()
    assert "Renewal of" in page
    # The head reads but does not renew.
    head = UserFactory(roles=["head"])
    officer_client.force_login(head)
    assert officer_client.post(reverse("partners:renewal_start", args=[old.pk])).status_code == 403


def test_dashboard_counts_and_its_query_count(
    officer_client, officer, django_assert_max_num_queries
):
    today = timezone.localdate()
    for days in (400, 500):
        AgreementFactory(ends_on=today + timedelta(days=days))
    AgreementFactory(ends_on=today + timedelta(days=20))
    AgreementFactory(ends_on=today - timedelta(days=20))
    with django_assert_max_num_queries(20):
        response = officer_client.get(reverse("partners:dashboard"))
    html = response.content.decode()
    assert 'data-count="active">2<' in html
    assert 'data-count="expiring">1<' in html
    assert 'data-count="expired">1<' in html


def test_agreement_list_query_count_does_not_grow(officer_client, django_assert_num_queries):
    for _ in range(3):
        AgreementFactory()
    with django_assert_num_queries(6) as first:
        officer_client.get(reverse("partners:agreement_list"))
    for _ in range(10):
        AgreementFactory()
    with django_assert_num_queries(len(first.captured_queries)):
        response = officer_client.get(reverse("partners:agreement_list"))
    assert response.content.decode().count('class="list-group-item sn-agreement"') == 13
    hx = officer_client.get(
        reverse("partners:agreement_list"), {"status": "active"}, HTTP_HX_REQUEST="true"
    )
    assert hx.content.decode().lstrip().startswith('<div id="agreement-results">')
    assert "HX-Request" in hx["Vary"]


def test_training_batches_and_visits_count_as_evidence_in_the_xlsx_report(officer_client, officer):
    mou = AgreementFactory(title="MoU UPI UNJ")
    pks = services.agreement_create(
        actor=officer,
        kind="pks",
        partner=mou.partner,
        parent=mou,
        title="PKS Pelatihan Katalogisasi",
        signed_on=timezone.localdate() - timedelta(days=10),
        starts_on=timezone.localdate() - timedelta(days=10),
        ends_on=timezone.localdate() + timedelta(days=700),
    )
    year = timezone.localdate().year
    batch = BatchFactory(agreement=pks, starts_on=timezone.localdate().replace(month=12, day=1))
    services.activity_create(
        agreement=pks,
        actor=officer,
        kind="joint_event",
        title="Seminar bersama",
        held_on=timezone.localdate().replace(month=1, day=15),
        participants=120,
        files=[pdf_file("Daftar hadir")],
    )
    page = officer_client.get(reverse("partners:agreement_detail", args=[pks.pk])).content.decode()
    assert batch.code in page and "Seminar bersama" in page
    evidence = Activity.objects.get().evidence.get()
    assert (
        officer_client.get(reverse("partners:evidence_download", args=[evidence.pk])).status_code
        == 200
    )

    response = officer_client.get(
        reverse("partners:agreement_report", args=[pks.pk]), {"year": year}
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    agreements, activities = workbook.worksheets
    assert agreements["A5"].value == "PKS Pelatihan Katalogisasi"
    titles = [row[2] for row in activities.iter_rows(min_row=2, values_only=True)]
    assert titles == ["Seminar bersama", f"{batch.program.title} ({batch.code})"]
    partner_report = officer_client.get(
        reverse("partners:partner_report", args=[mou.partner_id]), {"year": year}
    )
    sheet = load_workbook(io.BytesIO(partner_report.content)).worksheets[0]
    assert {sheet.cell(row=r, column=1).value for r in (5, 6)} == {"MoU UPI UNJ", pks.title}
    assert AuditLog.objects.filter(verb="partners.report_exported").count() == 2


def test_the_batch_form_offers_only_active_pks_and_ia():
    mou = AgreementFactory()
    active_pks = AgreementFactory(kind="pks", parent=mou, partner=mou.partner, title="PKS aktif")
    AgreementFactory(
        kind="pks",
        parent=mou,
        partner=mou.partner,
        title="PKS berakhir",
        ends_on=timezone.localdate() - timedelta(days=1),
    )
    AgreementFactory(kind="ia", parent=mou, partner=mou.partner, signed_on=None, title="IA draf")
    choices = list(BatchForm().fields["agreement"].queryset)
    assert choices == [active_pks]
    assert mou.partner.agreements.count() == 4


def test_anyone_may_request_a_visit_and_staff_schedule_it(client, officer):
    day = timezone.localdate() + timedelta(days=20)
    response = client.post(
        reverse("partners:visit_request"),
        {
            "institution_name": "Perpustakaan Universitas Siliwangi",
            "contact_name": "Yudi Permana",
            "contact_email": "yudi@unsil.test",
            "proposed_on": day.isoformat(),
            "visitors": "12",
            "purpose": "Studi banding repositori.",
        },
    )
    assert response.status_code == 200
    visit = InstitutionalVisit.objects.get()
    assert visit.requested_by is None and visit.status == VisitStatus.REQUESTED
    assert mail.outbox[-1].to == ["yudi@unsil.test"]
    bad = client.post(reverse("partners:visit_request"), {"visitors": "0"})
    assert bad.status_code == 200 and InstitutionalVisit.objects.count() == 1

    mou = AgreementFactory()
    client.force_login(officer)
    url = reverse("partners:visit_manage", args=[visit.pk])
    response = client.post(
        url,
        {
            "action": "schedule",
            "schedule-scheduled_at": f"{day.isoformat()}T09:00",
            "schedule-hosts": [officer.pk],
            "schedule-agenda": "Sambutan; tur",
            "schedule-agreement": mou.pk,
        },
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.status, visit.partner, visit.agreement) == (
        VisitStatus.SCHEDULED,
        mou.partner,
        mou,
    )
    assert list(visit.hosts.all()) == [officer]
    assert len(mail.outbox) == 2
    response = client.post(
        url,
        {
            "action": "outcome",
            "outcome-outcome": "Sepakat berbagi repositori.",
            "outcome-follow_ups": "MoU",
        },
    )
    visit.refresh_from_db()
    assert visit.status == VisitStatus.DONE
    page = client.get(reverse("partners:agreement_detail", args=[mou.pk])).content.decode()
    assert "Perpustakaan Universitas Siliwangi" in page


def test_the_partner_page_links_an_officer_and_masks_nothing_for_staff(officer_client):
    partner = PartnerFactory()
    person = UserFactory(roles=["participant"], email="pustakawan@mitra.test")
    url = reverse("partners:partner_detail", args=[partner.pk])
    response = officer_client.post(url, {"officer-email": "pustakawan@mitra.test"})
    assert response.status_code == 302
    assert person.partner_officer.partner == partner
    assert person.groups.filter(name="partner").exists()
    response = officer_client.post(url, {"officer-email": "nobody@mitra.test"})
    assert response.status_code == 200
    response = officer_client.post(
        url, {"contact-name": "Ibu Kepala", "contact-phone": "081234567890"}
    )
    # Stored in the one form of every phone (core.text.phone_clean).
    assert partner.contacts.get().phone == "+6281234567890"


def test_an_agreement_is_created_and_edited_through_its_form(officer_client, officer):
    partner = PartnerFactory()
    mou = AgreementFactory(partner=partner)
    response = officer_client.post(
        reverse("partners:agreement_create"),
        {
            "kind": "pks",
            "partner": partner.pk,
            "title": "PKS Pelatihan",
            "starts_on": "2026-02-01",
            "ends_on": "2027-01-31",
            "value": "25000000",
            "person_in_charge": officer.pk,
        },
    )
    assert response.status_code == 200  # a PKS without its MoU is refused
    assert "A PKS or implementation arrangement needs its parent MoU." in response.content.decode()
    response = officer_client.post(
        reverse("partners:agreement_create"),
        {
            "kind": "pks",
            "partner": partner.pk,
            "parent": mou.pk,
            "title": "PKS Pelatihan",
            "starts_on": "2026-02-01",
            "ends_on": "2027-01-31",
            "value": "25000000",
            "person_in_charge": officer.pk,
        },
    )
    pks = mou.children.get()
    assert response["Location"] == reverse("partners:agreement_detail", args=[pks.pk])
    assert (pks.kind, pks.value, pks.created_by) == ("pks", 25_000_000, officer)
    response = officer_client.post(
        reverse("partners:agreement_edit", args=[pks.pk]),
        {
            "parent": mou.pk,
            "title": "PKS Pelatihan Katalogisasi",
            "ends_on": "2026-01-01",
            "starts_on": "2026-02-01",
        },
    )
    assert response.status_code == 200
    assert "The agreement cannot end before it starts." in response.content.decode()
    pks.refresh_from_db()
    assert pks.title == "PKS Pelatihan"
    officer_client.post(
        reverse("partners:agreement_edit", args=[pks.pk]),
        {
            "parent": mou.pk,
            "title": "PKS Pelatihan Katalogisasi",
            "starts_on": "2026-02-01",
            "ends_on": "2027-01-31",
        },
    )
    pks.refresh_from_db()
    assert (pks.title, pks.kind) == ("PKS Pelatihan Katalogisasi", "pks")
    assert AuditLog.objects.filter(verb="partners.agreement_updated").count() == 1


def test_a_partner_logo_is_checked_and_served_to_readers_only(officer_client):
    response = officer_client.post(
        reverse("partners:partner_create"),
        {
            "name": "Perpustakaan Daerah Jawa Barat",
            "type": "public_library",
            "country": "Indonesia",
            "logo": pdf_file("bukan logo"),
        },
    )
    assert response.status_code == 200
    assert "Only JPEG or PNG files are accepted." in response.content.decode()
    response = officer_client.post(
        reverse("partners:partner_create"),
        {
            "name": "Perpustakaan Daerah Jawa Barat",
            "type": "public_library",
            "country": "Indonesia",
            "logo": png_file("logo.png"),
        },
    )
    partner = Partner.objects.get(name="Perpustakaan Daerah Jawa Barat")
    assert response["Location"] == reverse("partners:partner_detail", args=[partner.pk])
    logo = officer_client.get(reverse("partners:partner_logo", args=[partner.pk]))
    assert logo["Content-Type"] == "image/png"
    assert b"".join(logo.streaming_content).startswith(b"\x89PNG")
    anonymous = Client()
    assert anonymous.get(reverse("partners:partner_logo", args=[partner.pk])).status_code == 302
