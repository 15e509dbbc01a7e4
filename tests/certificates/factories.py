"""Factories for certificates: a template with a signature, and completed participants."""

import io

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw

from ..learning.factories import ParticipantFactory


def png_bytes(width: int = 240, height: int = 100, color=(20, 40, 120, 255)) -> bytes:
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    ImageDraw.Draw(image).line(
        (10, height - 20, width // 2, 15, width - 10, height - 30), fill=color, width=5
    )
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


class CertificateTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "certificates.CertificateTemplate"
        skip_postgeneration_save = True

    program = factory.SubFactory("tests.factories.ProgramFactory")
    logo_ours = factory.LazyFunction(lambda: ContentFile(png_bytes(200, 200), "logo.png"))

    @factory.post_generation
    def signatures(self, create, extracted, **kwargs):
        if not create:
            return
        for order, (name, position) in enumerate(
            extracted or [("Dr. Budi Santoso, M.Hum.", "Kepala Perpustakaan UPI")]
        ):
            self.signatures.create(
                name=name,
                position=position,
                order=order,
                image=ContentFile(png_bytes(), f"ttd-{order}.png"),
            )


class CompletionFactory(factory.django.DjangoModelFactory):
    """A participant who completed the batch (the learning app's record)."""

    class Meta:
        model = "learning.Completion"

    registration = factory.SubFactory(ParticipantFactory)
    completed_at = factory.LazyFunction(timezone.now)
    posttest_score = 92
    attendance_percent = 100
