"""Data for the "registration burst" scenario: `setup` before the run, `check` after it.

    python -m bench.registration_burst setup --people 1000 --capacity 300 --tokens FILE
    python -m bench.registration_burst check --batch ID --capacity 300 --people 1000

`setup` creates one open, paid batch and the people who will register for it, each with a
participant role and an API token, in bulk (a few seconds for a thousand; signing them up one
by one through the services would take minutes and measure nothing). The raw tokens go to FILE,
one per line, for the locust users. It prints {"batch_id": ...} as JSON.

`check` counts what the burst left in the database and prints it as JSON; it exits 1 unless
exactly `capacity` people hold a seat, the rest wait, everyone registered once and the invoice
numbers have no gaps. Run by bench/run.py with the server's environment (bench.settings).
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


def participants_create(*, people: int, run: str, now) -> list:
    """Create `people` users with the participant role, in bulk; return them.

    Shared by the burst scenarios (bench/posttest_burst.py too). Call it inside a transaction.
    """
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    from sinergi.accounts.models import Role, User

    # make_password(None) is an unusable password: these people never log in on a page.
    users = User.objects.bulk_create(
        User(
            email=f"burst-{run}-{n:05d}@bench.example.org",
            full_name=f"Peserta Bench {n}",
            institution_name=f"Perpustakaan Bench {n % 50}",
            language="id",
            email_verified_at=now,
            password=make_password(None),
        )
        for n in range(people)
    )
    participant = Group.objects.get(name=Role.PARTICIPANT)
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=user.pk, group_id=participant.pk) for user in users
    )
    return users


def people_with_tokens(*, people: int, run: str, now) -> list[str]:
    """Create `people` participants with one API token each, in bulk; return the raw tokens.

    Shared by the burst scenarios (bench/visit_burst.py too). Call it inside a transaction.
    """
    from sinergi.accounts.models import ApiToken
    from sinergi.accounts.selectors import token_digest

    users = participants_create(people=people, run=run, now=now)
    raws = []
    tokens = []
    for user in users:
        prefix = secrets.token_hex(4)
        raw = f"sng_{prefix}_{secrets.token_urlsafe(32)}"
        raws.append(raw)
        tokens.append(ApiToken(user=user, name="bench", prefix=prefix, digest=token_digest(raw)))
    ApiToken.objects.bulk_create(tokens)
    return raws


def setup(people: int, capacity: int, tokens_path: str) -> dict:
    from django.db import transaction
    from django.utils import timezone

    from sinergi.training import services
    from sinergi.training.models import BatchStatus

    now = timezone.now()
    run = secrets.token_hex(3)
    with transaction.atomic():
        program = services.program_create(
            actor=None,
            title=f"Bench: registration burst {run}",
            summary="Benchmark data; safe to delete.",
            total_jp=8,
            organisers="Sinergi bench",
        )
        batch = services.batch_create(
            actor=None,
            program=program,
            code=f"BENCH-{run}",
            starts_on=timezone.localdate() + timedelta(days=30),
            ends_on=timezone.localdate() + timedelta(days=31),
            registration_opens=now - timedelta(hours=1),
            registration_closes=now + timedelta(days=7),
            capacity=capacity,
            fee=750_000,
            status=BatchStatus.OPEN,
        )
        raws = people_with_tokens(people=people, run=run, now=now)
    with open(tokens_path, "w") as out:
        out.write("\n".join(raws) + "\n")
    return {"batch_id": batch.pk, "people": people, "capacity": capacity}


def check(batch_id: int, capacity: int, people: int) -> dict:
    from django.db.models import Count

    from sinergi.training.models import ACTIVE_STATES, Invoice, Registration

    registrations = Registration.objects.filter(batch_id=batch_id)
    states = dict(registrations.values_list("state").annotate(n=Count("id")))
    seats = sum(states.get(s, 0) for s in ("pending_payment", "payment_submitted", "confirmed"))
    waitlisted = states.get("waitlisted", 0)
    per_person = registrations.filter(state__in=ACTIVE_STATES).values("user_id")
    twice = per_person.annotate(n=Count("id")).filter(n__gt=1).count()
    sequences = sorted(Invoice.objects.filter(batch_id=batch_id).values_list("sequence", flat=True))
    gapless = bool(sequences) and sequences == list(
        range(sequences[0], sequences[0] + len(sequences))
    )
    result = {
        "states": states,
        "seats_taken": seats,
        "waitlisted": waitlisted,
        "registered_twice": twice,
        "invoices": len(sequences),
        "invoice_numbers_gapless": gapless,
    }
    result["ok"] = (
        seats == capacity
        and waitlisted == people - capacity
        and twice == 0
        and len(sequences) == capacity
        and gapless
    )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("setup")
    make.add_argument("--people", type=int, default=1000)
    make.add_argument("--capacity", type=int, default=300)
    make.add_argument("--tokens", required=True, help="file to write the raw tokens to")
    count = commands.add_parser("check")
    count.add_argument("--batch", type=int, required=True)
    count.add_argument("--capacity", type=int, default=300)
    count.add_argument("--people", type=int, default=1000)
    args = parser.parse_args(argv)
    setup_django()
    if args.command == "setup":
        print(json.dumps(setup(args.people, args.capacity, args.tokens)))
        return 0
    result = check(args.batch, args.capacity, args.people)
    print(json.dumps(result))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
