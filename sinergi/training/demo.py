"""Demo training: three programs, batches in different states, registrations, payments waiting
for verification and a waiting list. Idempotent: a batch that exists is left as it is.

The competency units follow the key functions of the librarians' SKKNI (Kepmenaker 236/2019);
their codes here are examples in the standard's format. The library loads the official list in
the admin site.
"""

import io
from datetime import datetime, time, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from sinergi.accounts.models import User
from sinergi.partners.demo import UNJ_PKS_NUMBER
from sinergi.partners.models import Agreement

from . import services
from .models import Batch, BatchStatus, CompetencyUnit, Payment, Program

UNITS = [
    ("R.91PER00.001.2", "Melakukan seleksi bahan perpustakaan"),
    ("R.91PER00.008.2", "Melakukan katalogisasi deskriptif"),
    ("R.91PER00.009.2", "Menentukan tajuk subjek dan nomor klasifikasi"),
    ("R.91PER00.015.2", "Melakukan layanan sirkulasi"),
    ("R.91PER00.018.2", "Melakukan layanan referensi"),
    ("R.91PER00.030.2", "Menyusun program kerja perpustakaan"),
    ("R.91PER00.036.2", "Mengoperasikan sistem otomasi perpustakaan"),
]
SOURCE = "Contoh (format SKKNI Kepmenaker 236/2019)"

PROGRAMS = [
    {
        "slug": "pengelolaan-perpustakaan-sekolah",
        "title": "Pengelolaan Perpustakaan Sekolah",
        "summary": "Mengelola perpustakaan sekolah/madrasah sesuai Standar Nasional Perpustakaan.",
        "description": (
            "Pelatihan bagi pengelola perpustakaan sekolah dan madrasah: perencanaan program, "
            "pengembangan koleksi, pengolahan sederhana, layanan, dan promosi gemar membaca."
        ),
        "learning_outcomes": (
            "Menyusun program kerja perpustakaan sekolah\n"
            "Memilih dan mengolah bahan perpustakaan\n"
            "Menyelenggarakan layanan sirkulasi dan literasi"
        ),
        "total_jp": 32,
        "level": "basic",
        "mode": "online",
        "organisers": "Perpustakaan UPI; Pusdiklat Perpustakaan Nasional RI",
        "units": ["R.91PER00.001.2", "R.91PER00.015.2", "R.91PER00.030.2"],
    },
    {
        "slug": "katalogisasi-rda-marc21",
        "title": "Katalogisasi dengan RDA dan MARC 21",
        "summary": "Deskripsi bibliografis RDA, penentuan tajuk, dan pengodean MARC 21.",
        "description": (
            "Praktik katalogisasi deskriptif menurut RDA, penentuan tajuk subjek dan nomor "
            "klasifikasi DDC, serta pengodean cantuman dalam format MARC 21."
        ),
        "learning_outcomes": (
            "Membuat deskripsi bibliografis menurut RDA\n"
            "Menentukan tajuk subjek dan nomor klasifikasi DDC\n"
            "Mengodekan cantuman dalam MARC 21"
        ),
        "total_jp": 40,
        "level": "intermediate",
        "mode": "blended",
        "organisers": "Perpustakaan UPI; UPT Perpustakaan Universitas Negeri Jakarta",
        "units": ["R.91PER00.008.2", "R.91PER00.009.2"],
    },
    {
        "slug": "otomasi-perpustakaan-slims",
        "title": "Otomasi Perpustakaan dengan SLiMS",
        "summary": "Memasang, mengisi, dan mengoperasikan SLiMS untuk perpustakaan Anda.",
        "description": (
            "Instalasi SLiMS, migrasi data katalog, modul sirkulasi dan keanggotaan, serta "
            "penerbitan katalog daring (OPAC)."
        ),
        "learning_outcomes": (
            "Memasang dan mengonfigurasi SLiMS\n"
            "Memindahkan data katalog ke SLiMS\n"
            "Menjalankan sirkulasi dengan SLiMS"
        ),
        "total_jp": 24,
        "level": "basic",
        "mode": "online",
        "organisers": "Perpustakaan UPI",
        "units": ["R.91PER00.036.2", "R.91PER00.015.2"],
    },
]


def _at(day_offset: int, hour: int = 8) -> datetime:
    day = timezone.localdate() + timedelta(days=day_offset)
    return timezone.make_aware(datetime.combine(day, time(hour)))


UPI_LIBRARY = "Gedung Perpustakaan UPI, Jl. Dr. Setiabudhi 229, Bandung"

# code, program slug, start offset (days), length (days), capacity, fee, status, place
BATCHES = [
    ("PPS-2026-01", "pengelolaan-perpustakaan-sekolah", -60, 5, 40, 750_000, "finished", ""),
    ("PPS-2026-02", "pengelolaan-perpustakaan-sekolah", 21, 5, 30, 750_000, "open", ""),
    ("RDA-2026-01", "katalogisasi-rda-marc21", 28, 5, 4, 1_250_000, "open", UPI_LIBRARY),
    ("SLIMS-2026-01", "otomasi-perpustakaan-slims", 35, 3, 50, 0, "open", ""),
    ("SLIMS-2027-01", "otomasi-perpustakaan-slims", 120, 3, 50, 500_000, "draft", ""),
]  # fmt: skip


def _proof_image(text: str) -> SimpleUploadedFile:
    image = Image.new("RGB", (480, 300), "white")
    ImageDraw.Draw(image).text((20, 20), text, fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile("bukti-transfer.png", buffer.getvalue(), content_type="image/png")


def seed(stdout) -> None:
    """Create the demo programs and batches that are missing, with registrations."""
    for code, title in UNITS:
        CompetencyUnit.objects.get_or_create(code=code, defaults={"title": title, "source": SOURCE})
    for spec in PROGRAMS:
        fields = {k: v for k, v in spec.items() if k not in ("slug", "units")}
        program, created = Program.objects.get_or_create(slug=spec["slug"], defaults=fields)
        if created:
            program.competency_units.set(CompetencyUnit.objects.filter(code__in=spec["units"]))
    created_batches = []
    for code, slug, start, length, capacity, fee, status, place in BATCHES:
        if Batch.objects.filter(code=code).exists():
            continue
        starts_on = timezone.localdate() + timedelta(days=start)
        batch = Batch.objects.create(
            program=Program.objects.get(slug=slug),
            code=code,
            starts_on=starts_on,
            ends_on=starts_on + timedelta(days=length - 1),
            registration_opens=_at(start - 45) if start > 0 else _at(start - 40),
            registration_closes=_at(start - 3, 23) if start > 0 else _at(start - 3),
            capacity=capacity,
            fee=fee,
            place=place,
            status="open" if status == "finished" else status,
        )
        created_batches.append(batch)
    if created_batches:
        _register_demo_participants({b.code: b for b in created_batches})
    # The cataloguing batch is run with UNJ under their PKS (from the partners demo).
    pks = Agreement.objects.filter(our_number=UNJ_PKS_NUMBER).first()
    if pks is not None:
        Batch.objects.filter(code="RDA-2026-01", agreement__isnull=True).update(
            agreement=pks, agreement_number=pks.our_number
        )
    stdout.write(f"Training: {len(created_batches)} batches created.")


def _register_demo_participants(batches: dict[str, Batch]) -> None:
    participants = list(
        User.objects.filter(email__startswith="peserta", email__endswith="@sinergi.test")
    )
    finance = User.objects.filter(email="keuangan@sinergi.test").first()
    past = batches.get("PPS-2026-01")
    if past is not None:
        # The finished batch: registered and paid while it was open, then run and closed.
        # Registration (and its payment deadline) happens before a batch starts, so for the
        # moment of registering the batch is dated ahead, then put back on its real days.
        real_days = {"starts_on": past.starts_on, "ends_on": past.ends_on}
        Batch.objects.filter(pk=past.pk).update(
            registration_opens=_at(-200),
            registration_closes=_at(100),
            starts_on=timezone.localdate() + timedelta(days=101),
            ends_on=timezone.localdate() + timedelta(days=105),
        )
        past.refresh_from_db()
        for person in participants[:6]:
            registration = services.registration_create(batch=past, user=person, consent=True)
            payment = services.payment_submit_transfer(
                invoice=registration.invoice,
                user=person,
                proof=_proof_image(registration.invoice.number),
            )
            if finance is not None:
                services.payment_approve(payment=payment, actor=finance)
        Batch.objects.filter(pk=past.pk).update(
            registration_opens=_at(-100),
            registration_closes=_at(-63),
            status=BatchStatus.FINISHED,
            **real_days,
        )
        # Date the history back to when that batch was open.
        past.registrations.update(created_at=_at(-80), confirmed_at=_at(-78))
        past.invoices.update(issued_at=_at(-80), due_at=_at(-78), paid_at=_at(-78))
        Payment.objects.filter(invoice__batch=past).update(reviewed_at=_at(-78))
    open_paid = batches.get("PPS-2026-02")
    if open_paid is not None:
        for index, person in enumerate(participants[:4]):
            registration = services.registration_create(batch=open_paid, user=person, consent=True)
            if index < 2:
                # Two transfers waiting in finance's verification queue.
                services.payment_submit_transfer(
                    invoice=registration.invoice,
                    user=person,
                    proof=_proof_image(registration.invoice.number),
                )
    small = batches.get("RDA-2026-01")
    if small is not None:
        # Four seats and six people: two wait for a seat to come free.
        for person in participants[:6]:
            services.registration_create(batch=small, user=person, consent=True)
    free = batches.get("SLIMS-2026-01")
    if free is not None:
        for person in participants[2:7]:
            services.registration_create(batch=free, user=person, consent=True)
