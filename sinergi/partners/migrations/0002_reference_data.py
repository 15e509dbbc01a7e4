"""The lookups and the default ten-step cooperation process (Perpusnas's road to a training
cooperation). The library edits them in the admin site; these are the starting values."""

from django.db import migrations

SCOPE_ITEMS = [
    "Pendidikan dan pelatihan kepustakawanan",
    "Penyediaan narasumber dan bahan ajar",
    "Pertukaran dan berbagi sumber daya informasi",
    "Pengembangan koleksi dan layanan digital",
    "Penelitian dan publikasi bersama",
    "Kunjungan dan studi banding",
    "Pengabdian kepada masyarakat dan gerakan literasi",
]

# The partner criteria of IKU 6 (Kepmendikbud 3/M/2021).
IKU_CRITERIA = [
    ("A", "Perusahaan multinasional"),
    ("B", "Perusahaan nasional berstandar tinggi, BUMN, BUMD"),
    ("C", "Perusahaan teknologi global atau perusahaan rintisan (startup) teknologi"),
    ("D", "Organisasi nirlaba kelas dunia"),
    ("E", "Institusi/organisasi multilateral"),
    ("F", "Perguruan tinggi yang masuk daftar QS100 berdasarkan bidang ilmu"),
    ("G", "Perguruan tinggi, fakultas, atau program studi dalam bidang yang relevan"),
    ("H", "Instansi pemerintah, lembaga riset, atau lembaga kebudayaan berskala nasional"),
    ("I", "Rumah sakit, UMKM, atau organisasi lain yang relevan"),
]

PARTNERSHIP_FORMS = [
    "Penyelenggaraan pelatihan bersama",
    "Pengembangan kurikulum/program bersama",
    "Pertukaran staf atau narasumber",
    "Penyediaan fasilitas dan sumber daya bersama",
    "Penelitian bersama",
    "Pengabdian kepada masyarakat bersama",
    "Penerbitan bersama",
    "Kunjungan/benchmarking",
]

DEFAULT_TEMPLATE = "Proses kerja sama (10 tahap)"

# order, code, title, actor, working days, required documents, can send back to, signs
STEPS = [
    (1, "exploration", "Penjajakan", "cooperation_officer", 10, [], None, False),
    (2, "existing-mou", "Pemeriksaan MoU yang ada: baru atau perpanjangan",
     "cooperation_officer", 3, [], None, False),
    (3, "request-letter", "Surat permohonan dengan proposal/kerangka acuan (TOR)",
     "cooperation_officer", 5, ["request_letter"], None, False),
    (4, "substance-review", "Telaah substansi internal", "partner", 10, [], None, False),
    (5, "joint-drafting", "Penyusunan draf bersama", "cooperation_officer", 10, ["draft"],
     None, False),
    (6, "legal-review", "Telaah hukum", "partner", 10, ["legal_review"], 5, False),
    (7, "initials-approval", "Paraf berjenjang dan persetujuan pimpinan", "head", 5, [], None,
     False),
    (8, "signing", "Penandatanganan; setiap pihak memberi nomor pada naskahnya",
     "cooperation_officer", 5, ["signed_scan"], None, True),
    (9, "registration-archiving",
     "Registrasi dan pengarsipan, serta PKS pelaksana untuk skema pelatihan",
     "cooperation_officer", 5, [], None, False),
    (10, "implementation-report", "Pelaksanaan, pemantauan, dan laporan evaluasi",
     "cooperation_officer", 60, ["report"], None, False),
]  # fmt: skip

DESCRIPTIONS = {
    "exploration": "Menjajaki minat, ruang lingkup, dan manfaat kerja sama dengan mitra.",
    "existing-mou": "Memeriksa apakah sudah ada MoU yang berlaku atau perlu diperpanjang.",
    "request-letter": "Mengirim surat permohonan kerja sama dengan proposal atau TOR.",
    "substance-review": "Mitra menelaah substansi permohonan di unit kerjanya.",
    "joint-drafting": "Kedua pihak menyusun draf naskah kerja sama.",
    "legal-review": "Biro hukum menelaah draf; dapat dikembalikan ke penyusunan draf.",
    "initials-approval": "Paraf berjenjang pada naskah dan persetujuan pimpinan.",
    "signing": "Penandatanganan naskah; setiap pihak memberi nomor pada naskahnya sendiri.",
    "registration-archiving": "Mencatat dan mengarsipkan naskah; menyusun PKS pelaksana.",
    "implementation-report": "Melaksanakan, memantau, dan melaporkan evaluasi kerja sama.",
}


def load(apps, schema_editor):
    ScopeItem = apps.get_model("partners", "ScopeItem")
    IkuCriterion = apps.get_model("partners", "IkuCriterion")
    PartnershipForm = apps.get_model("partners", "PartnershipForm")
    ProcessTemplate = apps.get_model("partners", "ProcessTemplate")
    ProcessStepTemplate = apps.get_model("partners", "ProcessStepTemplate")
    for order, name in enumerate(SCOPE_ITEMS):
        ScopeItem.objects.get_or_create(name=name, defaults={"order": order})
    for order, (code, name) in enumerate(IKU_CRITERIA):
        IkuCriterion.objects.get_or_create(name=name, defaults={"order": order, "code": code})
    for order, name in enumerate(PARTNERSHIP_FORMS):
        PartnershipForm.objects.get_or_create(name=name, defaults={"order": order})
    template, created = ProcessTemplate.objects.get_or_create(
        name=DEFAULT_TEMPLATE, defaults={"is_default": True}
    )
    if not created:
        return
    for order, code, title, actor, days, documents, back_to, signs in STEPS:
        ProcessStepTemplate.objects.create(
            template=template,
            order=order,
            code=code,
            title=title,
            description=DESCRIPTIONS[code],
            actor=actor,
            duration_days=days,
            required_documents=documents,
            return_to_order=back_to,
            signs_agreement=signs,
        )


class Migration(migrations.Migration):
    dependencies = [("partners", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
