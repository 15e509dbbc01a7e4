"""Every kind of PDF embeds its fonts and prints names in any script (pdffonts, pdftotext);
certificates are PDF/A-2b (XMP identification, output intent; qpdf --check)."""

import io
import subprocess
import unicodedata
from datetime import date

import pikepdf
import pytest

from sinergi.certificates.pdf import CertificateData, CertificateRenderer, SignatureData
from sinergi.core.pdf import markup, runs, visual_order
from sinergi.learning.demo import _handout
from sinergi.library.generated_books import pdf_bytes
from sinergi.partners.demo import pdf_file

from ..pdfcheck import assert_fonts_embedded, text

LATIN = "Ni Luh Putu Ayu Wéndy Şahin Łukasz Nguyễn"
CYRILLIC_GREEK = "Ильина Татьяна · Ελένη Παπαδοπούλου"
ARABIC = "محمد عبد الله"
CHINESE = "王小明"
JAVANESE = "ꦱꦸꦫꦗ"  # "Suraja" in aksara Jawa
NAMES = [LATIN, CYRILLIC_GREEK, ARABIC, CHINESE, JAVANESE]


def normal(value: str) -> str:
    """pdftotext gives Arabic as the shaped presentation forms; NFKC gives the letters back.
    Bidi marks around the right-to-left run are dropped."""
    value = unicodedata.normalize("NFKC", value)
    return "".join(c for c in value if unicodedata.category(c) != "Cf")


def certificate(name: str, signer: str = "Dr. Hj. Siti Ḥasanah, M.Hum.") -> bytes:
    renderer = CertificateRenderer(
        title_id="SERTIFIKAT",
        title_en="Certificate",
        body_id="telah mengikuti {program} ({jp} JP) sebagai {name}.",
        body_en="",
        place="Bandung",
        host_name="Perpustakaan UPI",
        organisers=["Perpustakaan UPI", "Perpustakaan Nasional RI"],
        signatures=[SignatureData(name=signer, position="Kepala Perpustakaan", image=None)],
    )
    return renderer.render(
        CertificateData(
            name=name,
            program="Pelatihan Katalogisasi",
            batch="KAT-01",
            starts_on=date(2026, 3, 2),
            ends_on=date(2026, 3, 6),
            jp=32,
            number="001/SERT/2026",
            code="ABCD-1234",
            verify_url="https://sinergi.example.ac.id/c/ABCD-1234",
            issued_on=date(2026, 3, 6),
        )
    )


@pytest.mark.parametrize("name", NAMES)
def test_a_certificate_prints_the_name_in_its_script(name):
    content = certificate(name)
    assert_fonts_embedded(content)
    extracted = normal(text(content))
    for word in name.split():
        assert normal(word) in extracted, (word, extracted)


def test_the_fallback_fonts_are_embedded_where_a_script_needs_them():
    names = {row["name"].split("+")[-1] for row in assert_fonts_embedded(certificate(CHINESE))}
    assert "DroidSansFallback" in names or any("Droid" in n for n in names)
    names = {row["name"].split("+")[-1] for row in assert_fonts_embedded(certificate(JAVANESE))}
    assert any("Javanese" in n for n in names)


def test_certificates_are_pdf_a_2b(tmp_path):
    content = certificate(LATIN)
    (tmp_path / "c.pdf").write_bytes(content)
    check = subprocess.run(["qpdf", "--check", str(tmp_path / "c.pdf")], capture_output=True)
    assert check.returncode == 0, check.stdout + check.stderr
    with pikepdf.open(io.BytesIO(content)) as pdf:
        meta = pdf.open_metadata()
        assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "B"
        assert meta["dc:title"] == "SERTIFIKAT 001/SERT/2026"
        assert str(pdf.docinfo["/Title"]) == "SERTIFIKAT 001/SERT/2026"
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == pikepdf.Name.GTS_PDFA1
        profile = intent.DestOutputProfile.read_bytes()
        assert profile[36:40] == b"acsp"  # an ICC profile
        assert "/Encrypt" not in pdf.trailer and "/ID" in pdf.trailer


def test_the_demo_and_generated_pdfs_embed_their_fonts():
    for content in (
        pdf_bytes(title="Arsip Ḥadīṯ", author=ARABIC, chapters=[("Bab 1", "Isi bab satu.")]),
        pdf_file("Nota Kesepahaman", ["Pihak pertama: Perpustakaan UPI"]).read(),
        _handout().read(),
    ):
        assert_fonts_embedded(content)


def test_runs_choose_a_font_per_script_and_markup_escapes():
    assert [font for _s, font in runs("Ani 王 ꦱ", "SinergiSans")] == [
        "SinergiSans",
        "SinergiCJK",
        "SinergiSans",
        "SinergiJavanese",
    ]
    assert markup("A & <b>") == "A &amp; &lt;b&gt;"
    assert visual_order("Muhammad محمد عبد الله Ali") == "Muhammad الله عبد محمد Ali"
