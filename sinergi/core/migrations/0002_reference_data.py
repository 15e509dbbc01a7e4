from django.db import migrations

# Kemendagri province codes, after the 2022 creation of the four new Papuan provinces.
PROVINCES = [
    ("11", "Aceh"), ("12", "Sumatera Utara"), ("13", "Sumatera Barat"), ("14", "Riau"),
    ("15", "Jambi"), ("16", "Sumatera Selatan"), ("17", "Bengkulu"), ("18", "Lampung"),
    ("19", "Kepulauan Bangka Belitung"), ("21", "Kepulauan Riau"), ("31", "DKI Jakarta"),
    ("32", "Jawa Barat"), ("33", "Jawa Tengah"), ("34", "DI Yogyakarta"), ("35", "Jawa Timur"),
    ("36", "Banten"), ("51", "Bali"), ("52", "Nusa Tenggara Barat"),
    ("53", "Nusa Tenggara Timur"), ("61", "Kalimantan Barat"), ("62", "Kalimantan Tengah"),
    ("63", "Kalimantan Selatan"), ("64", "Kalimantan Timur"), ("65", "Kalimantan Utara"),
    ("71", "Sulawesi Utara"), ("72", "Sulawesi Tengah"), ("73", "Sulawesi Selatan"),
    ("74", "Sulawesi Tenggara"), ("75", "Gorontalo"), ("76", "Sulawesi Barat"), ("81", "Maluku"),
    ("82", "Maluku Utara"), ("91", "Papua"), ("92", "Papua Barat"), ("93", "Papua Selatan"),
    ("94", "Papua Tengah"), ("95", "Papua Pegunungan"), ("96", "Papua Barat Daya"),
]

INSTITUTION_TYPES = [
    ("university", "Perpustakaan perguruan tinggi", "University or college library"),
    ("school", "Perpustakaan sekolah/madrasah", "School library"),
    ("public-provincial", "Perpustakaan umum provinsi", "Provincial public library"),
    ("public-regency", "Perpustakaan umum kabupaten/kota", "Regency or city public library"),
    ("village", "Perpustakaan desa/kelurahan", "Village library"),
    ("special", "Perpustakaan khusus (kementerian, lembaga, perusahaan)", "Special library"),
    ("national", "Perpustakaan Nasional", "National library"),
    ("other", "Lainnya", "Other"),
]


def load(apps, schema_editor):
    Province = apps.get_model("core", "Province")
    InstitutionType = apps.get_model("core", "InstitutionType")
    for code, name in PROVINCES:
        Province.objects.update_or_create(code=code, defaults={"name": name})
    for order, (slug, name_id, name_en) in enumerate(INSTITUTION_TYPES):
        InstitutionType.objects.update_or_create(
            slug=slug, defaults={"name_id": name_id, "name_en": name_en, "order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
