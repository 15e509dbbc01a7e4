"""A draft batch with everything its readiness checklist asks for (or all but one thing)."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from sinergi.certificates.models import CertificateTemplate
from sinergi.learning.services import attendance

from ..factories import BatchFactory, UserFactory
from ..learning.quiz_data import bank_with_every_type, make_quiz


def ready_batch(*, posttest: bool = True, **fields):
    """A draft batch starting in 30 days: two sessions with a speaker and a link inside its
    dates, a pre-test and (unless told not to) a post-test with questions and a time limit, and
    the program's certificate template."""
    batch = BatchFactory(status="draft", **fields)
    speaker = UserFactory(roles=["speaker"])
    for offset in range(2):
        attendance.session_create(
            batch=batch,
            actor=None,
            title=f"Sesi {offset + 1}",
            starts_at=timezone.make_aware(
                datetime.combine(batch.starts_on + timedelta(days=offset), time(9))
            ),
            jp=2,
            speakers=[speaker],
            meeting_url="https://meet.example.org/sesi",
        )
    bank = bank_with_every_type(f"Bank {batch.code}")
    make_quiz(batch, bank, role="pretest", time_limit_minutes=20, pass_mark=0)
    if posttest:
        make_quiz(batch, bank, role="posttest", time_limit_minutes=30, pass_mark=70)
    CertificateTemplate.objects.create(program=batch.program)
    return batch
