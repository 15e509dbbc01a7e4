"""Demo speakers and budgets. Idempotent: a profile or a budget that exists is left as it is.

PPS-2026-01 (finished, six participants paid Rp750.000) pays for itself; PPS-2026-02 (open,
nobody confirmed yet) is under water and shows how many paying participants it still needs.
"""

from decimal import Decimal

from sinergi.accounts.models import User
from sinergi.training.models import Batch, HonorariumClass, SpeakerProfile

from . import services
from .models import BatchBudget, PartnerShareKind

# email, name with titles, institution, class code, expertise, NPWP, bank, account
SPEAKERS = [
    (
        "narasumber@sinergi.test",
        "Drs. Hendra Gunawan, M.Si.",
        "Pusdiklat Perpustakaan Nasional RI",
        "echelon-3",
        "Pengembangan koleksi; kebijakan perpustakaan sekolah",
        "012345674901000",
        "BNI",
        "0123456789",
    ),
    (
        "narasumber.unj@sinergi.test",
        "Dr. Lestari Handayani, M.Pd.",
        "UPT Perpustakaan Universitas Negeri Jakarta",
        "professional",
        "Layanan referensi; literasi informasi",
        "",  # no NPWP on file: the higher tax rate applies
        "Bank Mandiri",
        "1230004567890",
    ),
]

# code: planned participants, partner share, {category: (planned, actual)}
BUDGETS = {
    "PPS-2026-01": (
        8,
        (PartnerShareKind.NONE, 0, Decimal(0)),
        {
            "platform": (250_000, 250_000),
            "certificates": (120_000, 90_000),
            "administration": (150_000, 150_000),
        },
    ),
    "PPS-2026-02": (
        20,
        (PartnerShareKind.NONE, 0, Decimal(0)),
        {
            "platform": (250_000, None),
            "certificates": (300_000, None),
            "administration": (200_000, None),
            "consumption": (500_000, 500_000),
        },
    ),
    "RDA-2026-01": (
        4,
        (PartnerShareKind.PERCENT, 0, Decimal(20)),
        {"consumption": (800_000, None), "certificates": (100_000, None)},
    ),
}


def seed(stdout) -> None:
    finance = User.objects.filter(email="keuangan@sinergi.test").first()
    profiles = 0
    for email, name, institution, code, expertise, npwp, bank, account in SPEAKERS:
        user = User.objects.filter(email=email).first()
        if user is None or SpeakerProfile.objects.filter(user=user).exists():
            continue
        services.speaker_profile_save(
            user=user,
            actor=finance,
            name_with_title=name,
            institution=institution,
            expertise=expertise,
            honorarium_class=HonorariumClass.objects.filter(code=code).first(),
            set_class=True,
            npwp=npwp or None,
            bank_name=bank,
            bank_account_number=account,
            bank_account_holder=name.split(",")[0].removeprefix("Drs. ").removeprefix("Dr. "),
        )
        profiles += 1
    budgets = 0
    for code, (participants, share, lines) in BUDGETS.items():
        batch = Batch.objects.filter(code=code).first()
        if batch is None or finance is None or BatchBudget.objects.filter(batch=batch).exists():
            continue
        kind, amount, percent = share
        services.budget_save(
            batch=batch,
            actor=finance,
            planned_participants=participants,
            partner_share_kind=kind,
            partner_share_amount=amount,
            partner_share_percent=percent,
            lines={
                category: {"planned": planned, "actual": actual}
                for category, (planned, actual) in lines.items()
            },
        )
        budgets += 1
    stdout.write(f"Insights: {profiles} speaker profiles, {budgets} budgets.")
