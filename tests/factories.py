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
