"""Default honorarium classes, rates and tax, which the library overrides in the admin site.

The rates follow the Standar Biaya Masukan (SBM), the Minister of Finance's regulation on the
ceiling of input costs for government bodies: the SBM for budget year 2025 (PMK Nomor 39 Tahun
2024), "Honorarium Narasumber/Pembahas", per person per hour (orang/jam):

    Menteri / pejabat setingkat menteri / pejabat negara lainnya   Rp1.700.000
    Pejabat Eselon I / yang disetarakan                             Rp1.400.000
    Pejabat Eselon II / yang disetarakan                            Rp1.000.000
    Pejabat Eselon III ke bawah / yang disetarakan                    Rp900.000

The same figures are seeded for 2026 until the library enters that year's SBM. "Professional"
(an expert who holds no echelon) is the library's own default at the Eselon III figure, and
internal staff teaching in working hours are an unpaid class. All of these are ceilings a
government library may pay, not obligations: the library changes them per year in the admin.

PPh 21 on honoraria: 5% with a tax number (NPWP) and 6% without (the 5% bracket of Pasal 17
UU PPh, 20% higher without an NPWP). The correct rate depends on the speaker's status (a civil
servant of golongan III pays 5%, golongan IV 15%; a non-employee 50% of the gross times the
Pasal 17 bracket under PMK 168/2023), so the rates are configurable per year too.
"""

from decimal import Decimal

from django.db import migrations

SOURCE = "SBM TA 2025 (PMK 39/2024), honorarium narasumber per orang/jam"
# code, name, unit, paid, per-unit rate in Rupiah
CLASSES = [
    ("minister", "Menteri / pejabat setingkat menteri", "jp", True, 1_700_000),
    ("echelon-1", "Pejabat Eselon I / setara", "jp", True, 1_400_000),
    ("echelon-2", "Pejabat Eselon II / setara", "jp", True, 1_000_000),
    ("echelon-3", "Pejabat Eselon III ke bawah / setara", "jp", True, 900_000),
    ("professional", "Profesional / praktisi", "jp", True, 900_000),
    ("talk", "Narasumber ceramah (per jam)", "hour", True, 900_000),
    ("internal", "Staf internal (tidak dibayar)", "jp", False, 0),
]
YEARS = (2025, 2026)


def load(apps, schema_editor):
    HonorariumClass = apps.get_model("training", "HonorariumClass")
    HonorariumRate = apps.get_model("training", "HonorariumRate")
    HonorariumTax = apps.get_model("training", "HonorariumTax")
    for position, (code, name, unit, paid, amount) in enumerate(CLASSES):
        cls, _ = HonorariumClass.objects.get_or_create(
            code=code,
            defaults={"name": name, "unit": unit, "is_paid": paid, "position": position},
        )
        for year in YEARS:
            source = SOURCE if code not in ("professional", "internal") else "Sinergi default"
            HonorariumRate.objects.get_or_create(
                honorarium_class=cls, year=year, defaults={"amount": amount, "source": source}
            )
    for year in YEARS:
        HonorariumTax.objects.get_or_create(
            year=year,
            defaults={"percent_with_npwp": Decimal("5"), "percent_without_npwp": Decimal("6")},
        )


class Migration(migrations.Migration):
    dependencies = [("training", "0003_speakers_honoraria")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
