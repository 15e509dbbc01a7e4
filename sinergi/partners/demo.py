"""Demo partnerships: Perpusnas with a lapsed MoU and its renewal at step 6 (legal review),
UNJ with an active MoU and a PKS for a joint training batch, a school-library association
whose MoU ends within 90 days, and two visit requests. Idempotent: a partner that exists is
left as it is.

Documents are real files: PDFs drawn with reportlab and a minimal but valid DOCX.
"""

import io
import zipfile
from datetime import date, datetime, time, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from sinergi.accounts.models import User
from sinergi.core.calendar import add_working_days
from sinergi.core.models import Province
from sinergi.core.pdf import SANS, SANS_BOLD, draw_string, register_fonts

from . import services
from .models import (
    AgreementKind,
    AgreementStep,
    DocumentKind,
    IkuCriterion,
    InstitutionalVisit,
    Partner,
    PartnershipForm,
    PartnerType,
    ScopeItem,
    StepDecision,
)

UNJ_PKS_NUMBER = "PKS/UPI-UNJ/2026/014"
OFFICER = "kerjasama@sinergi.test"


def pdf_file(title: str, lines: list[str] = (), name: str = "dokumen.pdf") -> SimpleUploadedFile:
    """A one-page PDF with a title and some lines."""
    register_fonts()
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4, initialFontName=SANS)
    page.setTitle(title)
    draw_string(page, 60, 780, title, SANS_BOLD, 14)
    for index, line in enumerate(lines):
        draw_string(page, 60, 750 - 18 * index, line, SANS, 11)
    page.showPage()
    page.save()
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/pdf")


def docx_file(text: str, name: str = "draf.docx") -> SimpleUploadedFile:
    """A minimal Word document (Office Open XML) holding one paragraph."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
        )
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>",
        )
    return SimpleUploadedFile(
        name,
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


def _years_ago(today: date, years: int, days: int = 0) -> date:
    return today.replace(year=today.year - years, day=min(today.day, 28)) - timedelta(days=days)


def _lookups(*names: str, model) -> list:
    return list(model.objects.filter(name__in=names))


def seed(stdout) -> None:
    if Partner.objects.filter(short_name="Perpusnas").exists():
        stdout.write("Partners: already there.")
        return
    today = timezone.localdate()
    officer = User.objects.filter(email=OFFICER).first()
    head = User.objects.filter(email="kepala@sinergi.test").first()
    training_scope = _lookups(
        "Pendidikan dan pelatihan kepustakawanan",
        "Penyediaan narasumber dan bahan ajar",
        model=ScopeItem,
    )
    resources = _lookups("Pertukaran dan berbagi sumber daya informasi", model=ScopeItem)
    joint_training = _lookups("Penyelenggaraan pelatihan bersama", model=PartnershipForm)

    # Perpusnas: the MoU of five years ago lapsed; its renewal waits at the legal review.
    perpusnas = services.partner_save(
        partner=Partner(
            name="Perpustakaan Nasional Republik Indonesia",
            short_name="Perpusnas",
            type=PartnerType.NATIONAL_LIBRARY,
            address="Jl. Medan Merdeka Selatan No. 11, Jakarta Pusat 10110",
            province=Province.objects.filter(code="31").first(),
            website="https://www.perpusnas.go.id",
        ),
        actor=None,
    )
    services.partner_contact_add(
        partner=perpusnas,
        actor=None,
        name="Drs. Hendra Gunawan, M.Si.",
        position="Kepala Biro Hukum, Organisasi, Kerja Sama, dan Hubungan Masyarakat",
        email="kerjasama@perpusnas.test",
        phone="0213522345",
    )
    lapsed_start = _years_ago(today, 5, days=120)
    lapsed = services.agreement_create(
        actor=officer,
        kind=AgreementKind.MOU,
        partner=perpusnas,
        title="Nota Kesepahaman tentang Pengembangan Perpustakaan dan Kepustakawanan",
        our_number="B-1024/UN40.A7/HK.07.00/2021",
        partner_number="12/PKS/PERPUSNAS/2021",
        our_signatory="Rektor Universitas Pendidikan Indonesia",
        partner_signatory="Kepala Perpustakaan Nasional RI",
        signed_on=lapsed_start,
        starts_on=lapsed_start,
        unit="Perpustakaan UPI",
        person_in_charge=officer,
        scope_items=training_scope + resources,
        iku_criteria=_lookups(
            "Instansi pemerintah, lembaga riset, atau lembaga kebudayaan berskala nasional",
            model=IkuCriterion,
        ),
        partnership_forms=joint_training,
    )
    pusnas_officer = User.objects.filter(email="mitra.perpusnas@sinergi.test").first()
    if pusnas_officer is not None:
        services.partner_officer_link(partner=perpusnas, user=pusnas_officer, actor=None)
    # Steps 1-5 take about 28 working days: started some six weeks ago, the renewal reached
    # the legal review a few days ago, which is not overdue yet.
    start = today - timedelta(days=45)
    renewal = services.agreement_renewal_start(agreement=lapsed, actor=officer, today=start)
    steps = {step.order: step for step in renewal.steps.all()}
    documents = {
        3: (DocumentKind.REQUEST_LETTER, pdf_file("Surat Permohonan Perpanjangan MoU")),
        5: (DocumentKind.DRAFT, docx_file("Draf Nota Kesepahaman UPI - Perpusnas 2026")),
    }
    day = start
    for order in range(1, 6):
        if order in documents:
            kind, file = documents[order]
            services.document_upload(agreement=renewal, actor=officer, kind=kind, file=file)
        actor = pusnas_officer if steps[order].actor == "partner" else officer
        if actor is None:
            break
        day = add_working_days(day, max(steps[order].duration_days - 2, 1))
        step = renewal.steps.get(order=order)
        services.step_complete(step=step, actor=actor, note="", today=day)
        # Date the history back to the day the step was closed.
        closed_at = timezone.make_aware(datetime.combine(day, time(10)))
        AgreementStep.objects.filter(pk=step.pk).update(completed_at=closed_at)
        StepDecision.objects.filter(step=step).update(decided_at=closed_at)

    # UNJ: an active MoU and the PKS for the joint cataloguing training.
    unj = services.partner_save(
        partner=Partner(
            name="UPT Perpustakaan Universitas Negeri Jakarta",
            short_name="UNJ",
            type=PartnerType.UNIVERSITY_PUBLIC,
            address="Jl. R.Mangun Muka Raya No. 11, Rawamangun, Jakarta Timur 13220",
            province=Province.objects.filter(code="31").first(),
            website="https://lib.unj.ac.id",
        ),
        actor=None,
    )
    services.partner_contact_add(
        partner=unj,
        actor=None,
        name="Dr. Ratna Sari Dewi, M.Hum.",
        position="Kepala UPT Perpustakaan",
        email="perpustakaan@unj.test",
        phone="0214890046",
    )
    unj_officer = User.objects.filter(email="mitra.unj@sinergi.test").first()
    if unj_officer is not None:
        services.partner_officer_link(partner=unj, user=unj_officer, actor=None)
    mou_start = today - timedelta(days=400)
    unj_mou = services.agreement_create(
        actor=officer,
        kind=AgreementKind.MOU,
        partner=unj,
        title="Nota Kesepahaman Kerja Sama Bidang Perpustakaan UPI - UNJ",
        our_number="B-0345/UN40.A7/HK.07.00/2025",
        partner_number="0112/UN39/HK.07/2025",
        our_signatory="Rektor Universitas Pendidikan Indonesia",
        partner_signatory="Rektor Universitas Negeri Jakarta",
        signed_on=mou_start,
        starts_on=mou_start,
        unit="Perpustakaan UPI",
        person_in_charge=officer,
        scope_items=training_scope + resources,
        iku_criteria=_lookups(
            "Perguruan tinggi, fakultas, atau program studi dalam bidang yang relevan",
            model=IkuCriterion,
        ),
        partnership_forms=joint_training,
    )
    pks_start = today - timedelta(days=60)
    unj_pks = services.agreement_create(
        actor=officer,
        kind=AgreementKind.PKS,
        partner=unj,
        parent=unj_mou,
        title="Perjanjian Kerja Sama Pelatihan Katalogisasi RDA dan MARC 21",
        our_number=UNJ_PKS_NUMBER,
        partner_number="0789/UN39.18/KS/2026",
        our_signatory="Kepala Perpustakaan UPI",
        partner_signatory="Kepala UPT Perpustakaan UNJ",
        signed_on=pks_start,
        starts_on=pks_start,
        ends_on=pks_start + timedelta(days=730),
        unit="Perpustakaan UPI",
        person_in_charge=officer,
        value=25_000_000,
        scope_items=training_scope,
        partnership_forms=joint_training,
    )
    services.document_upload(
        agreement=unj_pks,
        actor=officer,
        kind=DocumentKind.SIGNED_SCAN,
        file=pdf_file("PKS UPI - UNJ (naskah ditandatangani)", [UNJ_PKS_NUMBER]),
    )
    services.activity_create(
        agreement=unj_mou,
        actor=officer,
        kind="shared_resource",
        title="Akses bersama basis data tesis dan disertasi",
        held_on=today - timedelta(days=30),
        participants=None,
        files=[pdf_file("Berita acara akses bersama", ["UPI - UNJ"])],
    )

    # A school-library association whose MoU ends within 90 days.
    atpusi = services.partner_save(
        partner=Partner(
            name="Asosiasi Tenaga Perpustakaan Sekolah Indonesia",
            short_name="ATPUSI",
            type=PartnerType.ASSOCIATION,
            address="Jl. Salemba Raya No. 28A, Jakarta Pusat",
            province=Province.objects.filter(code="32").first(),
        ),
        actor=None,
    )
    ending = today + timedelta(days=75)
    services.agreement_create(
        actor=officer,
        kind=AgreementKind.MOU,
        partner=atpusi,
        title="Nota Kesepahaman Pengembangan Kompetensi Tenaga Perpustakaan Sekolah",
        our_number="B-0788/UN40.A7/HK.07.00/2023",
        partner_number="017/ATPUSI/MoU/2023",
        signed_on=ending - timedelta(days=3 * 365),
        starts_on=ending - timedelta(days=3 * 365),
        ends_on=ending,
        unit="Perpustakaan UPI",
        person_in_charge=officer,
        scope_items=training_scope,
    )

    # Two visit requests: one waiting, one scheduled and linked to the UNJ MoU.
    services.visit_request_create(
        requested_by=None,
        institution_name="Perpustakaan Universitas Siliwangi",
        contact_name="Yudi Permana, S.IP.",
        contact_email="perpustakaan@unsil.test",
        contact_phone="085223456789",
        proposed_on=today + timedelta(days=21),
        alternative_on=today + timedelta(days=28),
        purpose="Studi banding layanan perpustakaan digital dan repositori.",
        topics="Repositori institusi\nLayanan e-book berlisensi",
        visitors=15,
    )
    scheduled = services.visit_request_create(
        requested_by=None,
        institution_name="UPT Perpustakaan Universitas Negeri Jakarta",
        contact_name="Dr. Ratna Sari Dewi, M.Hum.",
        contact_email="perpustakaan@unj.test",
        contact_phone="0214890046",
        proposed_on=today + timedelta(days=14),
        purpose="Kunjungan kerja: persiapan angkatan kedua pelatihan katalogisasi.",
        topics="Evaluasi angkatan pertama",
        visitors=6,
    )
    services.visit_schedule(
        visit=scheduled,
        actor=officer,
        scheduled_at=timezone.make_aware(datetime.combine(today + timedelta(days=14), time(9))),
        hosts=[u for u in (officer, head) if u is not None],
        agenda="09.00 Sambutan\n09.30 Evaluasi angkatan pertama\n11.00 Tur perpustakaan",
        partner=unj,
        agreement=unj_mou,
    )
    # The ATPUSI MoU ends within 90 days: its reminder is on the officer's dashboard at once.
    services.reminders_send_due()
    stdout.write(
        f"Partners: 3 partners, {InstitutionalVisit.objects.count()} visit requests, "
        "Perpusnas renewal at step 6."
    )
