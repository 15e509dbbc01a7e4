"""Demo people: one per staff role, speakers, partner officers and participants.

The host is the library of Universitas Pendidikan Indonesia (UPI, Bandung); Perpusnas and the
library of Universitas Negeri Jakarta (UNJ) are its partners. Every e-mail address is under
the reserved `.test` domain, so no demo mail can reach a real person.
"""

from django.utils import timezone

from sinergi.accounts.models import User
from sinergi.accounts.services import user_grant_role
from sinergi.core.models import InstitutionType, Province

DEMO_PASSWORD = "sinergi-demo-2026"  # noqa: S105 - published demo password, printed on purpose

UPI = "Perpustakaan Universitas Pendidikan Indonesia"
PERPUSNAS = "Perpustakaan Nasional Republik Indonesia"
UNJ = "UPT Perpustakaan Universitas Negeri Jakarta"

# email, full name, role, institution, institution type, position, province code, phone
PEOPLE = [
    (
        "admin@sinergi.test",
        "Administrator Sinergi",
        "admin",
        UPI,
        "university",
        "Pranata Komputer",
        "32",
        "081220000001",
    ),
    (
        "kepala@sinergi.test",
        "Dr. Sri Wahyuningsih, M.Hum.",
        "head",
        UPI,
        "university",
        "Kepala Perpustakaan",
        "32",
        "081220000002",
    ),
    (
        "program@sinergi.test",
        "Rina Marlina, S.IP., M.Pd.",
        "program_manager",
        UPI,
        "university",
        "Koordinator Diklat",
        "32",
        "081220000003",
    ),
    (
        "keuangan@sinergi.test",
        "Asep Saepudin, S.E.",
        "finance",
        UPI,
        "university",
        "Bendahara",
        "32",
        "081220000004",
    ),
    (
        "kerjasama@sinergi.test",
        "Dewi Kartika Sari, S.H.",
        "cooperation_officer",
        UPI,
        "university",
        "Staf Kerja Sama",
        "32",
        "081220000005",
    ),
    (
        "pustakawan@sinergi.test",
        "Budi Santoso, S.Hum.",
        "librarian",
        UPI,
        "university",
        "Pustakawan Ahli Muda",
        "32",
        "081220000006",
    ),
    (
        "layanan@sinergi.test",
        "Nurul Hidayah, A.Md.",
        "services_desk",
        UPI,
        "university",
        "Petugas Layanan Sirkulasi",
        "32",
        "081220000007",
    ),
    (
        "narasumber@sinergi.test",
        "Drs. Hendra Gunawan, M.Si.",
        "speaker",
        PERPUSNAS,
        "national",
        "Widyaiswara Ahli Madya, Pusdiklat Perpusnas",
        "31",
        "081310000001",
    ),
    (
        "narasumber.unj@sinergi.test",
        "Dr. Lestari Handayani, M.Pd.",
        "speaker",
        UNJ,
        "university",
        "Dosen Ilmu Perpustakaan",
        "31",
        "081310000002",
    ),
    (
        "mitra.perpusnas@sinergi.test",
        "Agus Riyanto, S.Sos.",
        "partner",
        PERPUSNAS,
        "national",
        "Pranata Humas, Biro Hukum dan Perencanaan",
        "31",
        "081310000003",
    ),
    (
        "mitra.unj@sinergi.test",
        "Siti Rahmawati, S.IP.",
        "partner",
        UNJ,
        "university",
        "Kepala Subbagian Tata Usaha",
        "31",
        "081310000004",
    ),
    (
        "peserta1@sinergi.test",
        "Yuliani Pratiwi, S.Pd.",
        "participant",
        "Perpustakaan SMA Negeri 3 Bandung",
        "school",
        "Pengelola Perpustakaan",
        "32",
        "085721000001",
    ),
    (
        "peserta2@sinergi.test",
        "Teuku Fadli, S.IP.",
        "participant",
        "Dinas Perpustakaan dan Kearsipan Aceh",
        "public-provincial",
        "Pustakawan Ahli Pertama",
        "11",
        "085721000002",
    ),
    (
        "peserta3@sinergi.test",
        "Andi Nurfadillah, S.Hum.",
        "participant",
        "Perpustakaan Universitas Hasanuddin",
        "university",
        "Pustakawan Terampil",
        "73",
        "085721000003",
    ),
    (
        "peserta4@sinergi.test",
        "Rizky Ramadhan, A.Md.",
        "participant",
        "Dinas Perpustakaan Kota Balikpapan",
        "public-regency",
        "Pranata Perpustakaan",
        "64",
        "085721000004",
    ),
    (
        "peserta5@sinergi.test",
        "Maria Goreti Bria",
        "participant",
        "Perpustakaan Desa Sukamaju, Kabupaten Belu",
        "village",
        "Pengelola Perpustakaan Desa",
        "53",
        "085721000005",
    ),
    (
        "peserta6@sinergi.test",
        "Fitriani Lubis, S.Sos.",
        "participant",
        "Perpustakaan Kementerian Kesehatan",
        "special",
        "Pustakawan Ahli Muda",
        "31",
        "085721000006",
    ),
    (
        "peserta7@sinergi.test",
        "Yohanes Wenda, S.IP.",
        "participant",
        "Perpustakaan Universitas Cenderawasih",
        "university",
        "Pustakawan Ahli Pertama",
        "91",
        "085721000007",
    ),
    (
        "peserta8@sinergi.test",
        "Ahmad Zainuddin, S.Pd.I.",
        "participant",
        "Perpustakaan MAN 1 Yogyakarta",
        "school",
        "Kepala Perpustakaan",
        "34",
        "085721000008",
    ),
]


def seed(stdout) -> None:
    """Create the demo people that are missing and print the demo logins."""
    created = 0
    provinces = {p.code: p for p in Province.objects.all()}
    types = {t.slug: t for t in InstitutionType.objects.all()}
    for email, name, role, institution, kind, position, province, phone in PEOPLE:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email=email,
                password=DEMO_PASSWORD,
                full_name=name,
                institution_name=institution,
                institution_type=types[kind],
                position=position,
                province=provinces[province],
                phone="+62" + phone[1:],
                email_verified_at=timezone.now(),
            )
            created += 1
        if not user.groups.filter(name=role).exists():
            user_grant_role(user=user, role=role, actor=None)
    stdout.write(f"People: {created} created, {len(PEOPLE) - created} already there.")
    stdout.write("")
    stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for email, _name, role, *_rest in PEOPLE:
        stdout.write(f"  {role:<20} {email}")
