import pytest

from .factories import CertificateTemplateFactory, CompletionFactory


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://sinergi.example.ac.id"


@pytest.fixture
def completion(db):
    """A completed participant of a batch whose program has a certificate template."""
    completion = CompletionFactory()
    CertificateTemplateFactory(program=completion.registration.batch.program)
    return completion
