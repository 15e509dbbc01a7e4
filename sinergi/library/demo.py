"""Demo library: a few hundred records in Indonesian and English over ten subjects, open-access
EPUB and PDF files the project makes itself, licensed titles (some with every copy out and a
queue), and an e-resources directory. Idempotent: made only when the catalogue is empty.
"""

import random
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from sinergi.accounts.models import User

from . import services
from .files import book_file_store
from .generated_books import epub_bytes, pdf_bytes
from .models import EResource, Title

# (DDC, subject in Indonesian, subject in English, topics)
SUBJECTS = [
    (
        "020",
        "Ilmu perpustakaan",
        "Library science",
        [
            "Katalogisasi",
            "Klasifikasi",
            "Layanan Referensi",
            "Manajemen Perpustakaan",
            "Perpustakaan Digital",
            "Literasi Informasi",
        ],
    ),
    (
        "004",
        "Ilmu komputer",
        "Computer science",
        [
            "Pemrograman Python",
            "Basis Data",
            "Jaringan Komputer",
            "Kecerdasan Buatan",
            "Keamanan Siber",
            "Rekayasa Perangkat Lunak",
        ],
    ),
    (
        "150",
        "Psikologi",
        "Psychology",
        [
            "Psikologi Pendidikan",
            "Psikologi Perkembangan",
            "Psikologi Sosial",
            "Kesehatan Mental",
            "Motivasi Belajar",
            "Psikologi Kognitif",
        ],
    ),
    (
        "297",
        "Agama Islam",
        "Islam",
        [
            "Sejarah Peradaban Islam",
            "Pendidikan Agama Islam",
            "Ekonomi Syariah",
            "Tafsir Tematik",
            "Akhlak dan Etika",
            "Pemikiran Islam",
        ],
    ),
    (
        "370",
        "Pendidikan",
        "Education",
        [
            "Kurikulum Merdeka",
            "Evaluasi Pembelajaran",
            "Pendidikan Inklusif",
            "Media Pembelajaran",
            "Manajemen Sekolah",
            "Pendidikan Karakter",
        ],
    ),
    (
        "499",
        "Bahasa Indonesia",
        "Indonesian language",
        [
            "Tata Bahasa Indonesia",
            "Menulis Akademik",
            "Sosiolinguistik",
            "Bahasa Sunda",
            "Morfologi",
            "Semantik",
        ],
    ),
    (
        "510",
        "Matematika",
        "Mathematics",
        [
            "Kalkulus",
            "Aljabar Linear",
            "Statistika",
            "Matematika Diskrit",
            "Persamaan Diferensial",
            "Teori Bilangan",
        ],
    ),
    (
        "630",
        "Pertanian",
        "Agriculture",
        [
            "Agronomi",
            "Hortikultura",
            "Pertanian Berkelanjutan",
            "Ilmu Tanah",
            "Teknologi Pangan",
            "Perikanan",
        ],
    ),
    (
        "780",
        "Musik",
        "Music",
        [
            "Gamelan Sunda",
            "Teori Musik",
            "Angklung",
            "Pendidikan Musik",
            "Sejarah Musik Indonesia",
            "Komposisi",
        ],
    ),
    (
        "959.8",
        "Sejarah Indonesia",
        "History of Indonesia",
        [
            "Sejarah Jawa Barat",
            "Pergerakan Nasional",
            "Kerajaan Sunda",
            "Revolusi Kemerdekaan",
            "Orde Baru",
            "Reformasi",
        ],
    ),
]
FORMS_ID = [
    "Pengantar {t}",
    "{t}: Teori dan Praktik",
    "Dasar-Dasar {t}",
    "{t} untuk Mahasiswa",
    "Bunga Rampai {t}",
]
FORMS_EN = ["Introduction to {t}", "{t}: A Practical Guide", "Essays on {t}"]
AUTHORS = [
    "Ida Fajar Priyanto",
    "Sulistyo-Basuki",
    "Dewi Kartika Sari",
    "Agus Rusmana",
    "Rina Marlina",
    "Budi Santoso",
    "Nurul Hidayah",
    "Yusuf Maulana",
    "Siti Rahmawati",
    "Hendra Gunawan",
    "Ani Suryani",
    "Dedi Mulyadi",
    "Margaret Chen",
    "John Harris",
    "Laura Bennett",
]
PUBLISHERS = [
    ("Bandung", "UPI Press"),
    ("Jakarta", "Perpustakaan Nasional RI"),
    ("Yogyakarta", "Gadjah Mada University Press"),
    ("Jakarta", "Gramedia Pustaka Utama"),
    ("Bandung", "Remaja Rosdakarya"),
    ("London", "Facet Publishing"),
]
TEXT_ID = (
    "Buku ini membahas {t} secara runtut, dari konsep dasar hingga penerapannya di perguruan "
    "tinggi dan perpustakaan di Indonesia."
)
TEXT_EN = (
    "This book covers {t} from first principles to practice, with examples from Indonesian "
    "universities and libraries."
)
ERESOURCES = [
    (
        "e-Resources Perpusnas",
        "Perpustakaan Nasional RI",
        "Multidisiplin",
        "perpusnas",
        "https://e-resources.perpusnas.go.id/",
        "Daftar menjadi anggota Perpusnas secara daring, lalu masuk dengan nomor anggota.",
    ),
    (
        "Garuda (Garba Rujukan Digital)",
        "Kemendikbudristek",
        "Jurnal Indonesia",
        "open",
        "https://garuda.kemdikbud.go.id/",
        "Terbuka untuk umum.",
    ),
    (
        "ScienceDirect",
        "Elsevier",
        "Sains, teknologi, kedokteran",
        "campus",
        "https://www.sciencedirect.com/",
        "Akses dari jaringan kampus UPI atau lewat VPN.",
    ),
    (
        "ProQuest Education",
        "ProQuest",
        "Pendidikan",
        "vpn",
        "https://www.proquest.com/",
        "Sambungkan VPN UPI terlebih dahulu, lalu buka tautan.",
    ),
    (
        "DOAJ",
        "Directory of Open Access Journals",
        "Multidisiplin",
        "open",
        "https://doaj.org/",
        "Jurnal akses terbuka dari seluruh dunia.",
    ),
]


def _chapters(topic: str, english: bool) -> list[tuple[str, str]]:
    if english:
        return [
            (f"Chapter {n}: {topic}", (TEXT_EN.format(t=topic) + "\n\n") * 4) for n in (1, 2, 3)
        ]
    return [(f"Bab {n}: {topic}", (TEXT_ID.format(t=topic) + "\n\n") * 4) for n in (1, 2, 3)]


def seed(stdout) -> None:
    """Create the demo catalogue when it is empty."""
    if Title.objects.exists():
        stdout.write("Library: nothing created.")
        return
    rng = random.Random(7)  # noqa: S311 (demo data, not security)
    titles = []
    for ddc, subject_id, subject_en, topics in SUBJECTS:
        for topic in topics:
            for form in FORMS_ID + FORMS_EN:
                english = form in FORMS_EN
                place, publisher = rng.choice(PUBLISHERS)
                title = services.title_create(
                    actor=None,
                    data=services.TitleData(
                        title=form.format(t=topic),
                        contributors=[
                            services.ContributorData(name=name)
                            for name in rng.sample(AUTHORS, rng.choice([1, 1, 2]))
                        ],
                        publisher=publisher,
                        place=place,
                        year=rng.randint(2005, 2025),
                        language="eng" if english else "ind",
                        subjects=[subject_en if english else subject_id, topic],
                        ddc=f"{ddc}{rng.randint(1, 9)}" if len(ddc) == 3 else ddc,
                        description=(TEXT_EN if english else TEXT_ID).format(t=topic.lower()),
                    ),
                )
                titles.append((title, topic, english))
    files = 0
    for index, (title, topic, english) in enumerate(titles):
        author = title.contributors.first().name
        if index % 9 == 0:  # open access, with a file it can be read from
            title.open_access = True
            title.save(update_fields=["open_access"])
            chapters = _chapters(topic, english)
            if index % 2 == 0:
                data = epub_bytes(
                    title=title.title,
                    author=author,
                    language="en" if english else "id",
                    chapters=chapters,
                )
                upload = SimpleUploadedFile("buku.epub", data)
            else:
                upload = SimpleUploadedFile(
                    "buku.pdf", pdf_bytes(title=title.title, author=author, chapters=chapters)
                )
            book_file_store(actor=None, title=title, upload=upload)
            files += 1
        elif index % 3 == 0:  # licensed
            # Publishers license for a term or a number of loans, counted from today.
            term = rng.choice([None, 365, 730])
            services.pool_set(
                actor=None,
                title=title,
                copies=rng.choice([1, 2, 3, 5]),
                expires_on=timezone.localdate() + timedelta(days=term) if term else None,
                checkouts_limit=rng.choice([None, None, 26]),
            )
            data = epub_bytes(
                title=title.title,
                author=author,
                language="en" if english else "id",
                chapters=_chapters(topic, english),
            )
            book_file_store(actor=None, title=title, upload=SimpleUploadedFile("b.epub", data))
            files += 1
    _queues(titles)
    for name, provider, subjects, route, url, instructions in ERESOURCES:
        EResource.objects.get_or_create(
            name=name,
            defaults={
                "provider": provider,
                "subjects": subjects,
                "access_route": route,
                "url": url,
                "instructions": instructions,
            },
        )
    stdout.write(f"Library: {len(titles)} records, {files} e-book files, e-resources created.")


def _queues(titles) -> None:
    """Lend every copy of a few licensed titles to demo members and queue others behind them."""
    people = list(User.objects.filter(email__endswith="@sinergi.test").order_by("email"))
    if len(people) < 4:
        return
    licensed = [t for t, _topic, _en in titles if hasattr(t, "pool") and not t.open_access][:3]
    now = timezone.now()
    for title in licensed:
        services.pool_set(actor=None, title=title, copies=1)
        services.loan_create(title=title, user=people[0], now=now - timedelta(days=1))
        for person in people[1:3]:
            services.hold_create(title=title, user=person)
