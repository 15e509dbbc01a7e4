import factory

from ..factories import BatchFactory, ProgramFactory

__all__ = ["BatchFactory", "CompetencyUnitFactory", "ProgramFactory"]


class CompetencyUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "training.CompetencyUnit"
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"PER.00.{n:03d}.01")
    title = factory.Sequence(lambda n: f"Melakukan Kegiatan Perpustakaan {n}")
    source = "Kepmenaker 236/2019"
