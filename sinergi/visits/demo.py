"""Demo services: two service points with a week of slots behind and ahead, bookings (arrived,
no-shows, upcoming), walk-ins, reference questions in every state with FAQ entries, delivery
requests at several steps, and clearance requests. Idempotent: each part is made only when its
first row is missing.
"""

import io
from datetime import time, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from sinergi.accounts.models import User

from . import services
from .models import (
    ClearanceRequest,
    DeliveryRequest,
    MemberDomain,
    Question,
    QuestionMessage,
    Reservation,
    ServicePoint,
    VisitSlot,
)

READING_ROOM = "ruang-baca-lantai-2"
DISCUSSION_ROOM = "ruang-diskusi-1"

DOMAINS = [
    ("upi.edu", "Universitas Pendidikan Indonesia", False),
    ("student.upi.edu", "Universitas Pendidikan Indonesia (mahasiswa)", False),
    ("unj.ac.id", "Universitas Negeri Jakarta (mitra)", True),
    # The demo people live under .test addresses; they get the rights a partner would.
    ("sinergi.test", "Akun demo Sinergi", True),
]

QUESTIONS = [
    # (category, subject, question, answer or "", state, FAQ title)
    (
        "eresources",
        "Akses Scopus dari rumah",
        "Bagaimana cara membuka Scopus dan ScienceDirect dari rumah?",
        "Masuk melalui tautan e-resources di situs perpustakaan dengan akun SSO UPI; "
        "proxy kampus membuka langganan dari mana saja.",
        "closed",
        "Bagaimana mengakses Scopus dan ScienceDirect dari luar kampus?",
    ),
    (
        "citation",
        "Sitasi APA edisi 7 untuk undang-undang",
        "Bagaimana menulis undang-undang dalam daftar pustaka APA 7?",
        "Tulis judul undang-undang, nomor dan tahunnya, lalu lembaran negaranya; contoh ada "
        "di panduan sitasi perpustakaan. Mendeley dan Zotero memakai jenis 'Statute'.",
        "closed",
        "Bagaimana menulis undang-undang dalam daftar pustaka APA 7?",
    ),
    (
        "collection",
        "Skripsi tahun 2010",
        "Apakah skripsi tahun 2010 bisa dibaca daring?",
        "Skripsi sejak 2008 ada di repositori (repository.upi.edu); yang lebih lama dibaca di "
        "Ruang Baca Lantai 4.",
        "closed",
        "",
    ),
    (
        "research",
        "Data statistik pendidikan per provinsi",
        "Di mana saya mencari data angka partisipasi sekolah per provinsi?",
        "Coba tabel dinamis BPS (bps.go.id) dan Statistik Pendidikan Kemendikdasmen.",
        "answered",
        "",
    ),
    (
        "services",
        "Perpanjang kartu anggota",
        "Kartu anggota saya habis bulan ini; bisakah diperpanjang daring?",
        "",
        "open",
        "",
    ),
]


def _at(day, hour: int):
    return timezone.make_aware(timezone.datetime.combine(day, time(hour)))


def _proof() -> SimpleUploadedFile:
    image = Image.new("RGB", (480, 300), "white")
    ImageDraw.Draw(image).text((20, 20), "Bukti transfer Rp23.500", fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile("bukti.png", buffer.getvalue(), content_type="image/png")


def seed(stdout) -> None:
    """Create the demo services that are missing."""
    for domain, institution, partner in DOMAINS:
        if not MemberDomain.objects.filter(domain=domain).exists():
            services.member_domain_add(
                domain=domain, institution=institution, is_partner=partner, actor=None
            )
    people = list(User.objects.filter(email__startswith="peserta", email__endswith="@sinergi.test"))
    desk = User.objects.filter(email="layanan@sinergi.test").first()
    librarian = User.objects.filter(email="pustakawan@sinergi.test").first()
    made = []
    if not ServicePoint.objects.filter(slug=READING_ROOM).exists():
        _visits(people, desk)
        made.append("visits")
    if librarian and people and not Question.objects.exists():
        _questions(people, librarian)
        made.append("questions")
    if desk and people and not DeliveryRequest.objects.exists():
        _deliveries(people, desk)
        made.append("deliveries")
    if librarian and len(people) >= 3 and not ClearanceRequest.objects.exists():
        _clearances(people, librarian)
        made.append("clearances")
    stdout.write(f"Services: {', '.join(made) or 'nothing'} created.")


def _visits(people, desk) -> None:
    reading = services.service_point_create(
        actor=None,
        name="Ruang Baca Lantai 2",
        slug=READING_ROOM,
        location="Gedung Perpustakaan UPI, lantai 2",
        description="Koleksi umum dan referensi, meja baca, stopkontak di setiap meja.",
        capacity=40,
        walk_in_percent=25,
        slot_minutes=120,
        max_per_day=1,
        max_per_week=3,
        book_days_ahead=7,
    )
    discussion = services.service_point_create(
        actor=None,
        name="Ruang Diskusi 1",
        slug=DISCUSSION_ROOM,
        location="Gedung Perpustakaan UPI, lantai 3",
        description="Untuk kerja kelompok sampai delapan orang, dengan layar dan papan tulis.",
        capacity=8,
        walk_in_percent=0,
        slot_minutes=60,
        max_per_day=1,
        max_per_week=2,
        book_days_ahead=7,
    )
    for weekday in range(5):
        services.opening_hours_add(
            service_point=reading, weekday=weekday, opens_at=time(8), closes_at=time(12), actor=None
        )
        services.opening_hours_add(
            service_point=reading,
            weekday=weekday,
            opens_at=time(13),
            closes_at=time(17),
            actor=None,
        )
        services.opening_hours_add(
            service_point=discussion,
            weekday=weekday,
            opens_at=time(9),
            closes_at=time(15),
            actor=None,
        )
    services.opening_hours_add(
        service_point=reading, weekday=5, opens_at=time(8), closes_at=time(12), actor=None
    )
    today = timezone.localdate()
    closed_day = today + timedelta(days=3)
    services.closure_create(
        service_point=discussion,
        starts_on=closed_day,
        ends_on=closed_day,
        reason="Ruang dipakai untuk rapat koordinasi perpustakaan",
        actor=None,
    )
    for point in (reading, discussion):
        services.slots_generate(
            service_point=point,
            start=today - timedelta(days=7),
            end=today + timedelta(days=7),
            actor=None,
        )
    _bookings(reading, people, desk, today)


def _book(slot, person, now=None):
    """Book as the member would; None where the product's rules refuse (a limit, a full slot)."""
    try:
        return services.reservation_create(slot=slot, user=person, now=now)
    except services.VisitError as error:
        if error.code not in {"limit_reached", "full"}:
            raise
        return None


def _bookings(point, people, desk, today) -> None:
    now = timezone.now()
    slots = list(VisitSlot.objects.filter(service_point=point).order_by("starts_at"))
    past = [slot for slot in slots if slot.ends_at <= now]
    ahead = [slot for slot in slots if slot.starts_at > now]
    # The past week: most came, some did not, and the desk counted walk-ins. The daily and
    # weekly limits decide who could book: on some days of the week the past days and the
    # days ahead fall in one week, so the service, not this list, has the last word.
    for index, slot in enumerate(past[::2]):
        for n, person in enumerate(people[index % 3 :: 3]):
            reservation = _book(slot, person, now=slot.starts_at - timedelta(days=1))
            if reservation and (index + n) % 4 != 3:
                services.reservation_check_in(
                    code=reservation.code, actor=desk, now=slot.starts_at + timedelta(minutes=7)
                )
        services.walk_in_record(slot=slot, people=3 + index % 5, actor=desk)
    services.reservations_mark_no_shows(now=now)
    # A ticket ahead for each demo participant, so everyone has something to show: the first
    # slot from their own place in the list that their limits still allow.
    for index, person in enumerate(people):
        if Reservation.objects.filter(user=person, slot__in=ahead).exists():
            continue
        for step in range(len(ahead)):
            if _book(ahead[(index * 3 + step) % len(ahead)], person):
                break


def _questions(people, librarian) -> None:
    now = timezone.now()
    for index, (category, subject, body, answer, state, faq_title) in enumerate(QUESTIONS):
        asker = people[index % len(people)]
        question = services.question_ask(asker=asker, category=category, subject=subject, body=body)
        asked = now - timedelta(days=10 - index, hours=index * 3)
        Question.objects.filter(pk=question.pk).update(created_at=asked)
        QuestionMessage.objects.filter(question=question).update(created_at=asked)
        if answer:
            message = services.question_reply(
                question=question, author=librarian, body=answer, from_staff=True
            )
            answered = asked + timedelta(hours=2 + 7 * index)
            Question.objects.filter(pk=question.pk).update(first_answered_at=answered)
            QuestionMessage.objects.filter(pk=message.pk).update(created_at=answered)
        if state == "closed":
            question.refresh_from_db()
            services.question_close(question=question, actor=asker)
            if faq_title:
                services.faq_publish(
                    question=question, title=faq_title, answer=answer, actor=librarian
                )


def _deliveries(people, desk) -> None:
    address = "Jl. Dr. Setiabudhi No. 229, Isola, Sukasari, Kota Bandung 40154"
    specs = [
        ("print", "Kurikulum dan Pembelajaran", "375.001 KUR", "45-78", "requested"),
        ("delivery", "Pengantar Ilmu Perpustakaan", "020 SUL p", "", "quoted"),
        ("print", "Jurnal Edulib vol. 12 no. 1", "", "1-14", "paid"),
        ("delivery", "Metode Penelitian Kualitatif", "001.42 MOL m", "", "shipped"),
    ]
    for index, (kind, title, call_number, pages, state) in enumerate(specs):
        person = people[(index + 1) % len(people)]
        request = services.delivery_request_create(
            requester=person,
            kind=kind,
            title=title,
            call_number=call_number,
            pages=pages,
            address=address,
            phone=person.phone or "+6285721000000",
        )
        if state == "requested":
            continue
        services.delivery_quote(
            request=request,
            cost=23_500 + 10_000 * index,
            cost_note="Cetak dan ongkos kirim JNE REG",
            actor=desk,
        )
        if state == "quoted":
            continue
        services.delivery_proof_upload(request=request, proof=_proof(), actor=person)
        if state == "paid":
            continue
        services.delivery_payment_accept(request=request, actor=desk)
        services.delivery_ship(
            request=request, tracking_number="JNE0123456789", courier="JNE", actor=desk
        )


def _clearances(people, librarian) -> None:
    # Waiting, blocked by an open delivery request and the missing thesis.
    services.clearance_request(
        student=people[1],
        student_number="2101234",
        study_program="Perpustakaan dan Sains Informasi",
    )
    # Waiting, nothing in the way.
    ready = services.clearance_request(
        student=people[0], student_number="2105678", study_program="Pendidikan Bahasa Indonesia"
    )
    services.clearance_set_thesis(clearance=ready, deposited=True, actor=librarian)
    # Approved: the letter can be downloaded and verified.
    done = services.clearance_request(
        student=people[-1], student_number="2009876", study_program="Pendidikan Guru Sekolah Dasar"
    )
    services.clearance_set_thesis(clearance=done, deposited=True, actor=librarian)
    if (
        not DeliveryRequest.objects.filter(requester=people[-1])
        .exclude(state__in=["received", "cancelled"])
        .exists()
    ):
        services.clearance_approve(clearance=done, actor=librarian)
