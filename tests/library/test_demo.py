import io

import pytest
from django.core.management import call_command

from sinergi.library.models import BookFile, EResource, Hold, Title

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


def test_demo_data_is_realistic_and_idempotent():
    call_command("seed_demo", strict=True, stdout=io.StringIO())
    titles = Title.objects.count()
    assert titles >= 300
    assert set(Title.objects.values_list("language", flat=True)) == {"ind", "eng"}
    assert BookFile.objects.filter(kind="epub").exists()
    assert BookFile.objects.filter(kind="pdf").exists()
    assert Title.objects.filter(open_access=True).count() > 20
    assert Hold.objects.filter(state="waiting").count() >= 3
    assert EResource.objects.count() == 5
    call_command("seed_demo", strict=True, stdout=io.StringIO())
    assert Title.objects.count() == titles
