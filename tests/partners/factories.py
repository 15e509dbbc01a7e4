"""Factories of the partnerships domain. Agreements are made through the services where a
rule matters (process, signing); these make the plain rows the tests start from."""

import io
import zipfile
from datetime import timedelta

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from sinergi.partners.demo import docx_file, pdf_file

from ..factories import UserFactory

__all__ = [
    "AgreementFactory",
    "PartnerFactory",
    "PartnerOfficerFactory",
    "docx_file",
    "pdf_file",
    "png_file",
    "zip_file",
]


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "partners.Partner"

    name = factory.Sequence(lambda n: f"Perpustakaan Universitas Mitra {n}")
    short_name = factory.Sequence(lambda n: f"MITRA{n}")
    type = "university_public"


class PartnerOfficerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "partners.PartnerOfficer"

    user = factory.SubFactory(UserFactory, roles=["partner"])
    partner = factory.SubFactory(PartnerFactory)


class AgreementFactory(factory.django.DjangoModelFactory):
    """A signed MoU, active now and for years to come."""

    class Meta:
        model = "partners.Agreement"

    kind = "mou"
    partner = factory.SubFactory(PartnerFactory)
    title = factory.Sequence(lambda n: f"Nota Kesepahaman Bidang Perpustakaan {n}")
    our_number = factory.Sequence(lambda n: f"B-{n:04d}/UN40.A7/HK.07.00/2026")
    partner_number = factory.Sequence(lambda n: f"{n:03d}/MITRA/2026")
    signed_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=100))
    starts_on = factory.LazyAttribute(lambda o: o.signed_on)
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=1000))
    unit = "Perpustakaan UPI"


def png_file(name: str = "scan.png") -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def zip_file(name: str = "draf.docx") -> SimpleUploadedFile:
    """A ZIP named like a Word document but holding none of its parts."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a document")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/zip")
