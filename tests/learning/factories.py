"""Factories for the online classroom: a batch's curriculum, sessions, banks and participants."""

from datetime import timedelta

import factory
from django.utils import timezone

from ..factories import BatchFactory, UserFactory

__all__ = [
    "AssignmentFactory",
    "BatchFactory",
    "ItemFactory",
    "ModuleFactory",
    "ParticipantFactory",
    "QuestionBankFactory",
    "QuestionCategoryFactory",
    "QuestionFactory",
    "RunningBatchFactory",
    "SessionFactory",
    "SurveyFactory",
]


class RunningBatchFactory(BatchFactory):
    """A batch that is running: it started two days ago (WIB) and ends in two days."""

    status = "running"
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=2))
    ends_on = factory.LazyAttribute(lambda o: o.starts_on + timedelta(days=4))
    registration_opens = factory.LazyFunction(lambda: timezone.now() - timedelta(days=40))
    registration_closes = factory.LazyFunction(lambda: timezone.now() - timedelta(days=4))


class ParticipantFactory(factory.django.DjangoModelFactory):
    """A confirmed registration: a participant of the batch's classroom."""

    class Meta:
        model = "training.Registration"

    batch = factory.SubFactory(RunningBatchFactory)
    user = factory.SubFactory(UserFactory, roles=["participant"])
    state = "confirmed"
    institution_name = "Perpustakaan Universitas Negeri Jakarta"
    position = "Pustakawan Ahli Pertama"
    phone = "081234567890"
    consent_at = factory.LazyFunction(timezone.now)
    confirmed_at = factory.LazyFunction(timezone.now)


class ModuleFactory(factory.django.DjangoModelFactory):
    """A module of a batch's own curriculum (pass program=..., batch=None for a template)."""

    class Meta:
        model = "learning.Module"

    batch = factory.SubFactory(RunningBatchFactory)
    title = factory.Sequence(lambda n: f"Modul {n + 1}")
    position = factory.Sequence(lambda n: n)


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "learning.Item"

    module = factory.SubFactory(ModuleFactory)
    kind = "page"
    title = factory.Sequence(lambda n: f"Materi {n + 1}")
    body = "<p>Isi materi.</p>"
    position = factory.Sequence(lambda n: n)


class SessionFactory(factory.django.DjangoModelFactory):
    """A one-JP session of a batch, starting in an hour."""

    class Meta:
        model = "learning.Session"
        skip_postgeneration_save = True

    batch = factory.SubFactory(RunningBatchFactory)
    title = factory.Sequence(lambda n: f"Sesi {n + 1}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(hours=1))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timezone.timedelta(minutes=45))
    jp = 1
    meeting_url = "https://meet.example.org/sesi"
    checkin_code = factory.Sequence(lambda n: f"K{n:05d}"[-6:])

    @factory.post_generation
    def speakers(self, create, extracted, **kwargs):
        if create and extracted:
            self.speakers.add(*extracted)


class QuestionBankFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "learning.QuestionBank"

    name = factory.Sequence(lambda n: f"Bank Soal {n + 1}")


class QuestionCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "learning.QuestionCategory"

    bank = factory.SubFactory(QuestionBankFactory)
    name = factory.Sequence(lambda n: f"Kategori {n + 1}")
    path = factory.LazyAttribute(lambda o: o.name)


class QuestionFactory(factory.django.DjangoModelFactory):
    """A true/false question (the answers are created with it)."""

    class Meta:
        model = "learning.Question"
        skip_postgeneration_save = True

    category = factory.SubFactory(QuestionCategoryFactory)
    bank = factory.SelfAttribute("category.bank")
    qtype = "truefalse"
    name = factory.Sequence(lambda n: f"Soal {n + 1}")
    text = "MARC 21 adalah format metadata bibliografis."
    text_format = "plain"

    @factory.post_generation
    def answers(self, create, extracted, **kwargs):
        if not create or self.qtype != "truefalse":
            return
        self.answers.create(text="true", fraction=1, position=0)
        self.answers.create(text="false", fraction=0, position=1)


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "learning.Assignment"

    item = factory.SubFactory(ItemFactory, kind="assignment", title="Rencana tindak lanjut")
    instructions = "Tulis rencana tindak lanjut di perpustakaan Anda."


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "learning.Survey"

    item = factory.SubFactory(ItemFactory, kind="survey", title="Evaluasi penyelenggaraan")
