"""Data for the "visit burst" scenario: `setup` before the run, `check` after it.

    python -m bench.visit_burst setup --people 1000 --capacity 100 --tokens FILE
    python -m bench.visit_burst check --slot ID --capacity 100 --people 1000

`setup` creates a service point and one slot of `capacity` seats tomorrow (no seats kept for
walk-ins, so all of them can be booked online), through the services, and the people who will
try to book it, each with a participant role and an API token, in bulk
(`registration_burst.people_with_tokens`). The raw tokens go to FILE, one per line. It prints
{"slot_id": ...} as JSON.

`check` counts what the burst left and prints it as JSON; it exits 1 unless exactly `capacity`
people hold a seat and nobody holds two. Run by bench/run.py with the server's environment.
"""

import argparse
import json
import secrets
import sys
from datetime import datetime, time, timedelta

from bench.registration_burst import people_with_tokens, setup_django


def setup(people: int, capacity: int, tokens_path: str) -> dict:
    from django.db import transaction
    from django.utils import timezone

    from sinergi.visits import services

    now = timezone.now()
    run = secrets.token_hex(3)
    tomorrow = timezone.localdate() + timedelta(days=1)
    starts = timezone.make_aware(datetime.combine(tomorrow, time(9)))
    with transaction.atomic():
        point = services.service_point_create(
            actor=None,
            name=f"Bench: visit burst {run}",
            slug=f"bench-{run}",
            capacity=capacity,
            walk_in_percent=0,
            max_per_day=1,
            max_per_week=3,
        )
        slot = services.slot_create(
            service_point=point,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            capacity=capacity,
            booking_opens_at=now,
            actor=None,
        )
        raws = people_with_tokens(people=people, run=run, now=now)
    with open(tokens_path, "w") as out:
        out.write("\n".join(raws) + "\n")
    return {
        "slot_id": slot.pk,
        "day": tomorrow.isoformat(),
        "people": people,
        "capacity": capacity,
    }


def check(slot_id: int, capacity: int, people: int) -> dict:
    from django.db.models import Count

    from sinergi.visits.models import HOLDING_STATES, Reservation

    holding = Reservation.objects.filter(slot_id=slot_id, state__in=HOLDING_STATES)
    seats = holding.count()
    twice = holding.values("user_id").annotate(n=Count("id")).filter(n__gt=1).count()
    codes = holding.values("code").distinct().count()
    result = {
        "seats_taken": seats,
        "refused": people - seats,
        "booked_twice": twice,
        "codes_unique": codes == seats,
    }
    result["ok"] = seats == capacity and twice == 0 and codes == seats
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("setup")
    make.add_argument("--people", type=int, default=1000)
    make.add_argument("--capacity", type=int, default=100)
    make.add_argument("--tokens", required=True, help="file to write the raw tokens to")
    count = commands.add_parser("check")
    count.add_argument("--slot", type=int, required=True)
    count.add_argument("--capacity", type=int, default=100)
    count.add_argument("--people", type=int, default=1000)
    args = parser.parse_args(argv)
    setup_django()
    if args.command == "setup":
        print(json.dumps(setup(args.people, args.capacity, args.tokens)))
        return 0
    result = check(args.slot, args.capacity, args.people)
    print(json.dumps(result))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
