import pytest


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Store e-book files and covers under the test's own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
