"""Data for the "post-test burst" scenario: `setup` before the run, `check` after it.

    python -m bench.posttest_burst setup --people 1000 --questions 20 --people-file FILE
    python -m bench.posttest_burst check --quiz ID --people 1000 --questions 20

`setup` creates a running batch whose classroom has a post-test of `questions` questions
(multiple choice, true/false, short answer and numerical, made with the ORM: the bench does not
depend on an importer), shuffled per attempt, 30 minutes, one attempt; and `people` confirmed
participants, each already signed in: a session row (the database session store the product
uses without Redis) and a CSRF secret, in bulk. Signing a thousand people in through the login
page would take minutes of password hashing and measure the login, not the test. FILE gets
one line per person: session key, CSRF secret. It prints {"batch_id", "item_id", "quiz_id"}.

`check` reads what the burst left and exits 1 unless every person has exactly one attempt, each
finished, each with `questions` questions and an answer saved to every one of them.
Run by bench/run.py with the server's environment (bench.settings).
"""

import argparse
import json
import os
import secrets
import sys
from datetime import timedelta


def setup_django() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()


def _bank(run: str, questions: int):
    from sinergi.learning.models import Answer, Question, QuestionBank, QuestionCategory

    bank = QuestionBank.objects.create(name=f"Bench post-test {run}")
    category = QuestionCategory.objects.create(bank=bank, name="Post-test", path="Post-test")
    made = []
    for n in range(questions):
        kind = ("multichoice", "multichoice", "truefalse", "multichoice", "shortanswer")[n % 5]
        if n % 10 == 9:
            kind = "numerical"
        question = Question.objects.create(
            bank=bank,
            category=category,
            qtype=kind,
            name=f"Soal {n + 1}",
            text=f"<p>Soal nomor {n + 1} tentang pengelolaan perpustakaan.</p>",
            single=True,
        )
        if kind == "multichoice":
            answers = [("Jawaban benar", 1)] + [(f"Pengecoh {k}", 0) for k in range(1, 4)]
        elif kind == "truefalse":
            answers = [("true", 1), ("false", 0)]
        elif kind == "shortanswer":
            answers = [("Perpusnas", 1), ("Perpustakaan Nasional*", 1)]
        else:
            answers = [("8", 1)]
        Answer.objects.bulk_create(
            Answer(question=question, text=text, fraction=fraction, position=position)
            for position, (text, fraction) in enumerate(answers)
        )
        made.append(question)
    return bank, made


def setup(people: int, questions: int, people_path: str) -> dict:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.db import transaction
    from django.utils import timezone

    from bench.registration_burst import participants_create
    from sinergi.learning.models import Item, ItemKind, Module
    from sinergi.learning.services.quizzes import SlotSpec, quiz_configure
    from sinergi.training import services
    from sinergi.training.models import BatchStatus, Registration, RegistrationState

    now = timezone.now()
    run = secrets.token_hex(3)
    with transaction.atomic():
        program = services.program_create(
            actor=None,
            title=f"Bench: post-test burst {run}",
            summary="Benchmark data; safe to delete.",
            total_jp=8,
            organisers="Sinergi bench",
        )
        batch = services.batch_create(
            actor=None,
            program=program,
            code=f"BENCH-PT-{run}",
            starts_on=timezone.localdate() - timedelta(days=3),
            ends_on=timezone.localdate(),
            registration_opens=now - timedelta(days=30),
            registration_closes=now - timedelta(days=4),
            capacity=people,
            fee=0,
            status=BatchStatus.RUNNING,
        )
        module = Module.objects.create(batch=batch, title="Penutup", position=1)
        item = Item.objects.create(module=module, kind=ItemKind.QUIZ, title="Post-test")
        bank, made = _bank(run, questions)
        quiz = quiz_configure(
            actor=None,
            item=item,
            role="posttest",
            bank=bank,
            slots=[SlotSpec(question=question) for question in made],
            time_limit_minutes=30,
            attempts_allowed=1,
            shuffle_questions=True,
            shuffle_answers=True,
            pass_mark=70,
        )
        users = participants_create(people=people, run=f"pt-{run}", now=now)
        Registration.objects.bulk_create(
            Registration(
                batch=batch,
                user=user,
                state=RegistrationState.CONFIRMED,
                institution_name=user.institution_name,
                consent_at=now,
                confirmed_at=now,
            )
            for user in users
        )
        store = SessionStore()
        expires = now + timedelta(seconds=settings.SESSION_COOKIE_AGE)
        sessions, lines = [], []
        for user in users:
            key = store._get_new_session_key()
            data = {
                SESSION_KEY: str(user.pk),
                BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                HASH_SESSION_KEY: user.get_session_auth_hash(),
            }
            sessions.append(
                Session(session_key=key, session_data=store.encode(data), expire_date=expires)
            )
            lines.append(f"{key} {secrets.token_hex(16)}")  # a CSRF secret: 32 characters
        Session.objects.bulk_create(sessions)
    with open(people_path, "w") as out:
        out.write("\n".join(lines) + "\n")
    return {"batch_id": batch.pk, "item_id": item.pk, "quiz_id": quiz.pk, "people": people}


def check(quiz_id: int, people: int, questions: int) -> dict:
    from django.db.models import Count, Q

    from sinergi.learning.models import Attempt

    attempts = Attempt.objects.filter(quiz_id=quiz_id).annotate(
        drawn=Count("questions"),
        answered=Count("questions", filter=Q(questions__response__isnull=False)),
    )
    states: dict[str, int] = {}
    complete = 0
    for attempt in attempts:
        states[attempt.state] = states.get(attempt.state, 0) + 1
        if attempt.drawn == questions and attempt.answered == questions:
            complete += 1
    per_person = Attempt.objects.filter(quiz_id=quiz_id).values("registration_id")
    twice = per_person.annotate(n=Count("id")).filter(n__gt=1).count()
    total = sum(states.values())
    result = {
        "attempts": total,
        "states": states,
        "all_answers_saved": complete,
        "people_with_two_attempts": twice,
    }
    result["ok"] = (
        total == people
        and states.get("finished", 0) == people
        and complete == people
        and twice == 0
    )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("setup")
    make.add_argument("--people", type=int, default=1000)
    make.add_argument("--questions", type=int, default=20)
    make.add_argument("--people-file", required=True, help="file to write sessions to")
    count = commands.add_parser("check")
    count.add_argument("--quiz", type=int, required=True)
    count.add_argument("--people", type=int, default=1000)
    count.add_argument("--questions", type=int, default=20)
    args = parser.parse_args(argv)
    setup_django()
    if args.command == "setup":
        print(json.dumps(setup(args.people, args.questions, args.people_file)))
        return 0
    result = check(args.quiz, args.people, args.questions)
    print(json.dumps(result))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
