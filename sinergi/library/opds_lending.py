"""What an OPDS catalogue offers one caller for one title, shared by OPDS 1.2 and 2.0: read it
(open access), read your loan, wait for your hold, borrow it, or nothing (no file).

The availability states are OPDS 2.0's (`available`, `unavailable`, `reserved`, `ready`), with
`since` and `until` where a state has them: a loan is `available` until it ends, a waiting hold
`reserved` since it was placed, a copy kept for the holder `ready` until the keeping ends.
"""

import json
from dataclasses import dataclass, field
from datetime import datetime

from django.http import HttpResponse

from . import selectors
from .models import BookFile, Hold, HoldState, Loan, Title


@dataclass
class Offer:
    kind: str  # open, loan, hold, borrow, none
    files: list[BookFile]
    state: str = "available"
    copies: int = 0
    available: int = 0
    holds: int = 0
    position: int = 0
    since: datetime | None = None
    until: datetime | None = None
    loan: Loan | None = None
    hold: Hold | None = field(default=None, repr=False)


@dataclass
class Shelf:
    """The caller's active loans and live holds, by title id (two queries for a whole feed)."""

    loans: dict[int, Loan]
    holds: dict[int, Hold]


def shelf_of(user) -> Shelf:
    if user is None or not user.is_authenticated:
        return Shelf({}, {})
    loans = {loan.title_id: loan for loan in selectors.loans_of_user(user=user)}
    holds = {hold.title_id: hold for hold in selectors.holds_of_user(user=user)}
    return Shelf(loans, holds)


def offer_for(title: Title, shelf: Shelf) -> Offer:
    """Return what `title` offers the owner of `shelf`."""
    files = list(title.files.all())
    if not files:
        return Offer("none", files)
    if title.open_access:
        return Offer("open", files)
    availability = selectors.title_availability(title=title)
    counts = {
        "copies": availability.copies,
        "available": availability.available,
        "holds": availability.holds,
    }
    loan = shelf.loans.get(title.pk)
    if loan is not None:
        return Offer("loan", files, since=loan.started_at, until=loan.due_at, loan=loan, **counts)
    hold = shelf.holds.get(title.pk)
    if hold is not None:
        if hold.state == HoldState.RESERVED:
            return Offer("hold", files, "ready", until=hold.reserved_until, hold=hold, **counts)
        position = selectors.hold_position(hold=hold)
        return Offer(
            "hold",
            files,
            "reserved",
            since=hold.created_at,
            position=position,
            hold=hold,
            **counts,
        )
    state = "available" if availability.available > 0 else "unavailable"
    return Offer("borrow", files, state, **counts)


def problem(status: int, *, code: str, message) -> HttpResponse:
    """Answer an OPDS client's request with an RFC 9457 problem detail."""
    body = {
        "type": f"urn:sinergi:problem:{code}",
        "title": str(message),
        "status": status,
        "detail": str(message),
        "code": code,
    }
    return HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status=status,
        content_type="application/problem+json;charset=utf-8",
    )
