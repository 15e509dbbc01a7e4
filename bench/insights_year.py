"""Data for the "head-dashboard" scenario: a whole year of training for the head's dashboard.

    python -m bench.insights_year setup --year 2031 --batches 100 --registrations 10000 \
        --session-file FILE

`setup` creates, in bulk, `batches` batches starting through `year` (under five programs), and
`registrations` confirmed participants spread over them, each with a paid invoice and an
approved payment (one in fifty refunded), a province and an institution type; per batch a
budget with cost lines (some actual, some planned, every fourth with a partner share), two
sessions with speakers who have profiles and honorarium classes, a pre- and a post-test with a
finished attempt per participant, completions for most, and an evaluation with organisation and
speaker ratings from half of them. Then a signed-in session for a head of library (the
database session store, as bench/posttest_burst.py does); FILE gets "session-key csrf-secret".
It prints {"year": ..., "batches": ..., "registrations": ...} as JSON.

`measure --year 2031 --requests 200` times the dashboard in-process (the test client, the latest
bench head signed in) and prints p50/p95/p99 in ms.

The year is far ahead on purpose, so the demo's own batches never mix into it.
Run by bench/run.py with the server's environment (bench.settings).
"""

import argparse
import json
import random
import secrets
import sys
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from bench.posttest_burst import setup_django

PLAIN_STATIC = "django.contrib.staticfiles.storage.StaticFilesStorage"
PROGRAMS = 5
SPEAKERS = 12


def setup(*, year: int, batches: int, registrations: int, session_path: str) -> dict:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session as HttpSession
    from django.db import transaction
    from django.utils import timezone

    from sinergi.accounts.models import Role, User
    from sinergi.core.models import InstitutionType, Province
    from sinergi.insights.models import BatchBudget, CostLine, PartnerShareKind
    from sinergi.learning.models import (
        Attempt,
        AttemptState,
        Completion,
        Item,
        ItemKind,
        Module,
        QuestionBank,
        Quiz,
        QuizRole,
        Session,
        Survey,
        SurveyAnswer,
        SurveyQuestion,
        SurveyResponse,
    )
    from sinergi.training.models import (
        Batch,
        BatchStatus,
        HonorariumClass,
        Invoice,
        Payment,
        PaymentMethod,
        PaymentState,
        Program,
        Refund,
        Registration,
        RegistrationState,
        SpeakerProfile,
    )

    rng = random.Random(year)
    run = secrets.token_hex(3)
    now = timezone.now()
    password = make_password(None)  # unusable: these people never log in on a page
    provinces = list(Province.objects.all()) or [None]
    types = list(InstitutionType.objects.all()) or [None]
    classes = list(HonorariumClass.objects.filter(is_paid=True))
    with transaction.atomic():
        programs = Program.objects.bulk_create(
            Program(
                title=f"Bench {run} program {n}",
                slug=f"bench-{run}-{n}",
                summary="Benchmark data; safe to delete.",
                total_jp=24,
                organisers="Sinergi bench",
            )
            for n in range(PROGRAMS)
        )
        made = []
        for n in range(batches):
            starts = date(year, 1, 5) + timedelta(days=(n * 350) // max(batches, 1))
            made.append(
                Batch(
                    program=programs[n % PROGRAMS],
                    code=f"B{run}-{n:03d}",
                    starts_on=starts,
                    ends_on=starts + timedelta(days=4),
                    registration_opens=timezone.make_aware(
                        datetime.combine(starts - timedelta(days=40), time(8))
                    ),
                    registration_closes=timezone.make_aware(
                        datetime.combine(starts - timedelta(days=3), time(8))
                    ),
                    capacity=registrations // batches + 10,
                    fee=rng.choice([500_000, 750_000, 1_000_000, 1_250_000]),
                    status=BatchStatus.FINISHED,
                )
            )
        made = Batch.objects.bulk_create(made)

        speakers = User.objects.bulk_create(
            User(
                email=f"speaker-{run}-{n}@bench.example.org",
                full_name=f"Narasumber Bench {n}",
                language="id",
                email_verified_at=now,
                password=password,
            )
            for n in range(SPEAKERS)
        )
        speaker_group = Group.objects.get(name=Role.SPEAKER)
        User.groups.through.objects.bulk_create(
            User.groups.through(user_id=user.pk, group_id=speaker_group.pk) for user in speakers
        )
        SpeakerProfile.objects.bulk_create(
            SpeakerProfile(
                user=user,
                name_with_title=user.full_name,
                institution="Perpustakaan Nasional RI",
                honorarium_class=classes[n % len(classes)] if classes else None,
                npwp="012345678901000" if n % 3 else "",
                bank_name="BNI",
                bank_account_number=f"{n:010d}",
                bank_account_holder=user.full_name,
            )
            for n, user in enumerate(speakers)
        )

        people = User.objects.bulk_create(
            User(
                email=f"year-{run}-{n:05d}@bench.example.org",
                full_name=f"Peserta Bench {n}",
                institution_name=f"Perpustakaan Bench {n % 80}",
                institution_type=types[n % len(types)],
                province=provinces[n % len(provinces)],
                language="id",
                email_verified_at=now,
                password=password,
            )
            for n in range(registrations)
        )
        participant = Group.objects.get(name=Role.PARTICIPANT)
        User.groups.through.objects.bulk_create(
            User.groups.through(user_id=user.pk, group_id=participant.pk) for user in people
        )
        owner = [made[n % batches] for n in range(registrations)]
        invoices = Invoice.objects.bulk_create(
            Invoice(
                number=f"BENCH/{run}/{n:05d}",
                year=year,
                sequence=900_000 + n,
                buyer=user,
                buyer_name=user.full_name,
                batch=batch,
                unit_price=batch.fee,
                amount=batch.fee,
                status="paid",
                due_at=now,
                paid_at=now,
            )
            for n, (user, batch) in enumerate(zip(people, owner, strict=True))
        )
        payments = Payment.objects.bulk_create(
            Payment(
                invoice=invoice,
                method=PaymentMethod.TRANSFER,
                state=PaymentState.APPROVED,
                amount=invoice.amount,
            )
            for invoice in invoices
        )
        regs = Registration.objects.bulk_create(
            Registration(
                batch=batch,
                user=user,
                state=RegistrationState.CONFIRMED,
                invoice=invoice,
                institution_name=user.institution_name,
                province=user.province,
                consent_at=now,
                confirmed_at=now,
            )
            for user, batch, invoice in zip(people, owner, invoices, strict=True)
        )
        Refund.objects.bulk_create(
            Refund(
                payment=payment,
                registration=registration,
                amount=registration.batch.fee // 2,
                reason="bench",
                created_by=speakers[0],
            )
            for n, (payment, registration) in enumerate(zip(payments, regs, strict=True))
            if n % 50 == 0
        )

        categories = ["consumption", "platform", "certificates", "administration", "other"]
        BatchBudget.objects.bulk_create(
            BatchBudget(
                batch=batch,
                planned_participants=batch.capacity,
                partner_share_kind=PartnerShareKind.PERCENT if n % 4 == 0 else "none",
                partner_share_percent=Decimal(15) if n % 4 == 0 else Decimal(0),
            )
            for n, batch in enumerate(made)
        )
        CostLine.objects.bulk_create(
            CostLine(
                batch=batch,
                category=category,
                planned=rng.randrange(100_000, 2_000_000, 50_000),
                actual=rng.randrange(100_000, 2_000_000, 50_000) if rng.random() < 0.6 else None,
            )
            for batch in made
            for category in categories
        )

        sessions = Session.objects.bulk_create(
            Session(
                batch=batch,
                title=f"Sesi {k + 1}",
                jp=2 + k,
                starts_at=timezone.make_aware(datetime.combine(batch.starts_on, time(8 + 3 * k))),
            )
            for batch in made
            for k in range(2)
        )
        Session.speakers.through.objects.bulk_create(
            Session.speakers.through(session_id=session.pk, user_id=speakers[n % SPEAKERS].pk)
            for n, session in enumerate(sessions)
        )

        bank = QuestionBank.objects.create(name=f"Bench year {run}")
        modules = Module.objects.bulk_create(
            Module(batch=batch, title="Evaluasi", position=0) for batch in made
        )
        items = Item.objects.bulk_create(
            Item(module=module, kind=kind, title=title, position=position)
            for module in modules
            for position, (kind, title) in enumerate(
                [
                    (ItemKind.QUIZ, "Pre-test"),
                    (ItemKind.QUIZ, "Post-test"),
                    (ItemKind.SURVEY, "Evaluasi"),
                ]
            )
        )
        quizzes = Quiz.objects.bulk_create(
            Quiz(item=item, bank=bank, role=QuizRole.PRETEST if n % 3 == 0 else QuizRole.POSTTEST)
            for n, item in enumerate(items)
            if n % 3 != 2
        )
        quiz_of = {}
        for quiz in quizzes:
            quiz_of[(quiz.item.module.batch_id, quiz.role)] = quiz
        surveys = Survey.objects.bulk_create(
            Survey(item=item) for n, item in enumerate(items) if n % 3 == 2
        )
        survey_of = {survey.item.module.batch_id: survey for survey in surveys}
        questions = SurveyQuestion.objects.bulk_create(
            SurveyQuestion(survey=survey, scope=scope, kind="likert", text=text, position=k)
            for survey in surveys
            for k, (scope, text) in enumerate(
                [("speaker", "Penguasaan materi"), ("organisation", "Penyelenggaraan")]
            )
        )
        question_of = {(q.survey_id, q.scope): q for q in questions}
        speaker_of = {
            session.batch_id: speakers[n % SPEAKERS] for n, session in enumerate(sessions)
        }
        session_of = {session.batch_id: session for session in sessions}

        attempts, completions, responses, answers = [], [], [], []
        for registration in regs:
            batch_id = registration.batch_id
            pre = Decimal(rng.randrange(20, 80))
            post = min(Decimal(100), pre + Decimal(rng.randrange(0, 50)))
            for role, score in ((QuizRole.PRETEST, pre), (QuizRole.POSTTEST, post)):
                attempts.append(
                    Attempt(
                        quiz=quiz_of[(batch_id, role)],
                        registration=registration,
                        state=AttemptState.FINISHED,
                        submitted_at=now,
                        score=score,
                        max_points=10,
                        points=score / 10,
                    )
                )
            if rng.random() < 0.8:
                completions.append(Completion(registration=registration, attendance_percent=100))
            if rng.random() < 0.5:
                survey = survey_of[batch_id]
                responses.append(SurveyResponse(survey=survey, registration=registration))
                answers.append(
                    SurveyAnswer(
                        survey=survey,
                        question=question_of[(survey.pk, "organisation")],
                        rating=rng.randint(3, 5),
                    )
                )
                answers.append(
                    SurveyAnswer(
                        survey=survey,
                        question=question_of[(survey.pk, "speaker")],
                        session=session_of[batch_id],
                        speaker=speaker_of[batch_id],
                        rating=rng.randint(3, 5),
                    )
                )
        Attempt.objects.bulk_create(attempts, batch_size=2000)
        Completion.objects.bulk_create(completions, batch_size=2000)
        SurveyResponse.objects.bulk_create(responses, batch_size=2000)
        SurveyAnswer.objects.bulk_create(answers, batch_size=2000)

        head = User.objects.create(
            email=f"head-{run}@bench.example.org",
            full_name="Kepala Perpustakaan Bench",
            language="id",
            email_verified_at=now,
            password=password,
        )
        head.groups.add(Group.objects.get(name=Role.HEAD))
        store = SessionStore()
        key = store._get_new_session_key()
        data = {
            SESSION_KEY: str(head.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: head.get_session_auth_hash(),
        }
        HttpSession.objects.create(
            session_key=key,
            session_data=store.encode(data),
            expire_date=now + timedelta(seconds=settings.SESSION_COOKIE_AGE),
        )
    from django.db import connection

    if connection.vendor == "postgresql":
        # A live database has statistics (autovacuum); without them, right after a bulk load,
        # the planner guesses every table is tiny and picks nested scans (2 s instead of 30 ms).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    with open(session_path, "w") as out:
        out.write(f"{key} {secrets.token_hex(16)}\n")
    return {"year": year, "batches": batches, "registrations": registrations}


def measure(*, year: int, requests: int) -> dict:
    """Time the dashboard in this process (Django's test client, the head signed in, no
    network, no gunicorn): what one request costs the server on its own."""
    import time

    from django.conf import settings
    from django.test import Client, override_settings

    from sinergi.accounts.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.filter(email__startswith="head-").latest("pk"))
    url = f"/insights/?year={year}"
    # No collectstatic here: plain static storage, so templates resolve asset URLs without the
    # manifest (what a page costs is the same).
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": PLAIN_STATIC}}
    with override_settings(STORAGES=storages):
        assert client.get(url, secure=True).status_code == 200
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            client.get(url, secure=True)
            times.append((time.perf_counter() - started) * 1000)
    times.sort()

    def at(share: float) -> float:
        return round(times[min(int(share * len(times)), len(times) - 1)], 1)

    return {
        "requests": requests,
        "p50_ms": at(0.5),
        "p95_ms": at(0.95),
        "p99_ms": at(0.99),
        "max_ms": round(times[-1], 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("setup")
    make.add_argument("--year", type=int, default=2031)
    make.add_argument("--batches", type=int, default=100)
    make.add_argument("--registrations", type=int, default=10_000)
    make.add_argument("--session-file", required=True, help="file to write the session to")
    timing = commands.add_parser("measure")
    timing.add_argument("--year", type=int, default=2031)
    timing.add_argument("--requests", type=int, default=200)
    args = parser.parse_args(argv)
    setup_django()
    if args.command == "measure":
        print(json.dumps(measure(year=args.year, requests=args.requests)))
        return 0
    result = setup(
        year=args.year,
        batches=args.batches,
        registrations=args.registrations,
        session_path=args.session_file,
    )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
