"""Demo certificates: a template for every program and certificates for every completion.

The logos and signatures are drawn here with Pillow (simple shapes and a pen stroke), so the
demo needs no image files. The people who sign are fictional. Idempotent: a program with a
template keeps it, and only completions without a certificate get one.
"""

import io
import math

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw, ImageFont

from sinergi.training.models import Batch, Program

from .models import CertificateTemplate
from .services import certificates_issue_for_batch

SIGNATORIES = [
    ("Dr. Hana Permatasari, M.Hum.", "Kepala Perpustakaan Universitas Pendidikan Indonesia"),
    (
        "Drs. Bambang Wicaksono, M.Si.",
        "Kepala Pusat Pendidikan dan Pelatihan Perpustakaan Nasional RI",
    ),
]


def _png(image: Image.Image, name: str) -> ContentFile:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return ContentFile(buffer.getvalue(), name)


def logo_png(letters: str, color: tuple[int, int, int], name: str) -> ContentFile:
    """A round seal with initials: a stand-in for an institution's logo."""
    size = 360
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, size - 8, size - 8), fill=(*color, 255))
    draw.ellipse((30, 30, size - 30, size - 30), outline=(255, 255, 255, 255), width=6)
    font = ImageFont.load_default(size=96)
    draw.text((size / 2, size / 2), letters, fill=(255, 255, 255, 255), font=font, anchor="mm")
    return _png(image, name)


def signature_png(seed: int, name: str) -> ContentFile:
    """A pen stroke that looks enough like a signature for a demo."""
    width, height = 480, 200
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    points = []
    for step in range(0, 181):
        x = 30 + step * 2.3
        y = height / 2 + 45 * math.sin(step / (9 + seed)) * math.cos(step / (23 + seed * 3))
        points.append((x, y))
    draw = ImageDraw.Draw(image)
    draw.line(points, fill=(16, 32, 110, 255), width=5, joint="curve")
    draw.line((60, 160, 400, 150), fill=(16, 32, 110, 255), width=3)
    return _png(image, name)


def _template_for(program: Program) -> bool:
    if CertificateTemplate.objects.filter(program=program, batch__isnull=True).exists():
        return False
    template = CertificateTemplate.objects.create(
        program=program,
        logo_ours=logo_png("UPI", (11, 46, 89), "logo-upi.png"),
        logo_partner=logo_png("PNRI", (140, 20, 30), "logo-perpusnas.png"),
        use_predicate=True,
    )
    for order, (name, position) in enumerate(SIGNATORIES):
        template.signatures.create(
            name=name,
            position=position,
            order=order,
            image=signature_png(order + 1, f"ttd-{order + 1}.png"),
        )
    return True


def seed(stdout) -> None:
    templates = sum(_template_for(program) for program in Program.objects.all())
    issued = 0
    batches = (
        Batch.objects.filter(registrations__completion__isnull=False)
        .distinct()
        .select_related("program")
    )
    for batch in batches:
        issued += certificates_issue_for_batch(batch=batch, notify=False).issued
    stdout.write(f"Certificates: {templates} templates created, {issued} certificates issued.")
