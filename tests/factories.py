import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from sinergi.accounts.models import User

PASSWORD = "kata-sandi-yang-kuat-2026"


class UserFactory(factory.django.DjangoModelFactory):
    """A verified, active user who can log in with PASSWORD."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"orang{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Orang Nomor {n}, S.IP.")
    email_verified_at = factory.LazyFunction(timezone.now)
    language = "id"
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*Group.objects.filter(name__in=extracted))
            assert self.groups.count() == len(set(extracted)), "unknown role"


class UnverifiedUserFactory(UserFactory):
    email_verified_at = None


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "training.Program"

    title = factory.Sequence(lambda n: f"Pengelolaan Perpustakaan Sekolah {n}")
    slug = factory.Sequence(lambda n: f"program-{n}")
    summary = "Pelatihan dasar pengelolaan perpustakaan sekolah."
    total_jp = 32
    organisers = "Perpustakaan UPI; Pusdiklat Perpusnas"


class BatchFactory(factory.django.DjangoModelFactory):
    """An open batch whose registration window is running now."""

    class Meta:
        model = "training.Batch"

    program = factory.SubFactory(ProgramFactory)
    code = factory.Sequence(lambda n: f"PPS-{n:03d}")
    starts_on = factory.LazyFunction(lambda: timezone.localdate() + timezone.timedelta(days=30))
    ends_on = factory.LazyAttribute(lambda o: o.starts_on + timezone.timedelta(days=4))
    registration_opens = factory.LazyFunction(lambda: timezone.now() - timezone.timedelta(days=1))
    registration_closes = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=20))
    capacity = 2
    fee = 750_000
    status = "open"
