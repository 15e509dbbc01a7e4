import factory
from django.utils import timezone

from sinergi.library.models import LicensePool, Title

from ..factories import PASSWORD as PASSWORD_FOR_TESTS
from ..factories import UserFactory

__all__ = ["PASSWORD_FOR_TESTS", "LicensePoolFactory", "TitleFactory", "UserFactory"]


class TitleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Title

    title = factory.Sequence(lambda n: f"Literasi Informasi Jilid {n}")
    language = "ind"
    year = 2020
    ddc = "025.5"
    updated_at = factory.LazyFunction(timezone.now)


class LicensePoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LicensePool

    title = factory.SubFactory(TitleFactory)
    copies = 1
