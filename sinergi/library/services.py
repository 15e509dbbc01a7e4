"""Every write of the library: records, files, license pools, loans, holds, e-resources.

A title's copies are guarded like a batch's seats: open a transaction, lock the member's row
(so their loan limit holds across titles) and then the license pool's row, count the copies in
use, then write. `LOCK_POOLS` names the lock (core.locking) for the negative-control test.
"""

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext_lazy as _

from sinergi.core.emails import email_send
from sinergi.core.exceptions import ServiceError
from sinergi.core.locking import for_update
from sinergi.core.services import log_action

from . import fts, selectors
from .isbn import isbn_to_13
from .models import (
    LIVE_HOLD_STATES,
    BookFile,
    Contributor,
    ContributorKind,
    EResource,
    Hold,
    Holding,
    HoldState,
    LicensePool,
    Loan,
    LoanState,
    ReadingPosition,
    Subject,
    Title,
)

LOCK_POOLS = "library.pools"
MAX_COVER_BYTES = 5 * 1024 * 1024


class LendingError(ServiceError):
    """A loan or hold cannot be made; `message` is for the person, `code` for machines."""

    def __init__(self, message, code: str, *, hold_available: bool = False):
        super().__init__(message, code)
        self.hold_available = hold_available


def _now() -> datetime:
    return timezone.now()


# --- Catalogue -----------------------------------------------------------------------------------


@dataclass
class ContributorData:
    name: str
    role: str = "aut"
    kind: str | None = None  # person, organization or meeting; None keeps what the name had


@dataclass
class TitleData:
    """The fields of a record, as a form, the API or a MARC record gives them."""

    title: str
    subtitle: str = ""
    contributors: list[ContributorData] | None = None
    publisher: str = ""
    place: str = ""
    year: int | None = None
    edition: str = ""
    isbn: str = ""
    language: str = ""
    subjects: list[str] | None = None
    ddc: str = ""
    description: str = ""
    open_access: bool = False
    withdrawn: bool = False
    # MARC 001 and 003; None (a form or the API, which do not show them) keeps the record's.
    control_number: str | None = None
    control_source: str | None = None
    # Fields the form and the API do not show (yet); None keeps the record's. An import from
    # another library system (SLiMS) gives them.
    responsibility: str | None = None
    issn: str | None = None
    call_number: str | None = None
    content_type: str | None = None


KEPT_UNLESS_GIVEN = {
    "control_number",
    "control_source",
    "responsibility",
    "issn",
    "call_number",
    "content_type",
}

SCALAR_FIELDS = (
    "title",
    "subtitle",
    "publisher",
    "place",
    "year",
    "edition",
    "isbn",
    "language",
    "ddc",
    "description",
    "open_access",
    "withdrawn",
    "control_number",
    "control_source",
    "responsibility",
    "issn",
    "call_number",
    "content_type",
)

_ISSN = re.compile(r"(\d{4})-?(\d{3}[\dX])")


def issn_normalise(value: str) -> str:
    """Return `value` as an ISSN `NNNN-NNNC`; raise ValidationError when it is not one."""
    match = _ISSN.fullmatch((value or "").strip().upper())
    if match:
        digits = match.group(1) + match.group(2)
        total = sum((8 - i) * int(c) for i, c in enumerate(digits[:7]))
        check = (11 - total % 11) % 11
        if digits[7] == ("X" if check == 10 else str(check)):
            return f"{digits[:4]}-{digits[4:]}"
    raise ValidationError(
        _("%(value)s is not a valid ISSN (8 digits with a correct check digit)."),
        code="issn",
        params={"value": value},
    )


def _clean(data: TitleData) -> TitleData:
    if not data.title.strip():
        raise ValidationError(_("A record needs a title."), code="title")
    if data.isbn:
        data.isbn = isbn_to_13(data.isbn)
    data.title = data.title.strip()[:500]
    data.language = (data.language or "").strip().lower()[:3]
    if data.issn:
        data.issn = issn_normalise(data.issn)
    for field, size in (("responsibility", 255), ("call_number", 64), ("content_type", 100)):
        value = getattr(data, field)
        if value is not None:
            setattr(data, field, value.strip()[:size])
    for field, size in (("publisher", 255), ("place", 255), ("edition", 100), ("ddc", 40)):
        setattr(data, field, (getattr(data, field) or "").strip()[:size])
    return data


def search_text_build(title: Title) -> str:
    """Return the text full-text search reads for `title`."""
    parts = [title.title, title.subtitle, title.publisher, title.isbn, title.issn]
    if len(title.isbn) == 13 and title.isbn.startswith("978"):
        parts.append(title.isbn[3:12])  # the ISBN-10 body, so either form finds it
    parts += [c.name for c in title.contributors.all()]
    parts += [s.name for s in title.subjects.all()]
    parts.append(title.description)
    return " ".join(p for p in parts if p)


def search_index_update(*, titles: list[Title]) -> None:
    """Bring the search text (and on SQLite the FTS5 rows, tags included; on PostgreSQL the
    narrow search rows) of `titles` up to date. Call it after any change to what a record is
    found or filtered by."""
    for title in titles:
        text = search_text_build(title)
        if text != title.search_text:
            title.search_text = text
            Title.objects.filter(pk=title.pk).update(search_text=text)
    if connection.vendor != "sqlite":
        # The tsvector column of library_title is generated from the row.
        with connection.cursor() as cursor:
            cursor.execute(fts.PG_UPSERT, [[t.pk for t in titles]])
        return
    ids = [t.pk for t in titles]
    licensed = set(LicensePool.objects.filter(title_id__in=ids).values_list("title_id", flat=True))
    subjects: dict[int, list[int]] = defaultdict(list)
    for title_id, subject_id in Title.subjects.through.objects.filter(title_id__in=ids).values_list(
        "title_id", "subject_id"
    ):
        subjects[title_id].append(subject_id)
    formats: dict[int, list[str]] = defaultdict(list)
    for title_id, kind in BookFile.objects.filter(title_id__in=ids).values_list("title_id", "kind"):
        formats[title_id].append(kind)
    rows = [
        (
            t.pk,
            f"{t.title} {t.subtitle}".strip(),
            t.search_text,
            fts.tags_of(
                language=t.language,
                year=t.year,
                subject_ids=subjects[t.pk],
                formats=formats[t.pk],
                open_access=t.open_access,
                licensed=t.pk in licensed,
                withdrawn=t.withdrawn,
            ),
        )
        for t in titles
    ]
    with connection.cursor() as cursor:
        cursor.executemany(fts.DELETE, [(pk,) for pk in ids])
        cursor.executemany(fts.INSERT, rows)


def _contributors_differ(title: Title, data: TitleData) -> bool:
    stored = [(c.name, c.role, c.kind) for c in title.contributors.order_by("order", "pk")]
    kinds = {name: kind for name, _role, kind in stored}
    given = [
        (c.name[:255], c.role, c.kind or kinds.get(c.name[:255], ContributorKind.PERSON))
        for c in data.contributors or []
    ]
    return stored != given


def _subjects_differ(title: Title, data: TitleData) -> bool:
    names = {s.strip()[:200] for s in data.subjects or [] if s.strip()}
    return set(title.subjects.values_list("name", flat=True)) != names


def _apply(title: Title, data: TitleData) -> None:
    if data.contributors is not None and _contributors_differ(title, data):
        kinds = {c.name: c.kind for c in title.contributors.all()}
        title.contributors.all().delete()
        Contributor.objects.bulk_create(
            Contributor(
                title=title,
                name=c.name[:255],
                role=c.role,
                kind=c.kind or kinds.get(c.name[:255], ContributorKind.PERSON),
                order=i,
            )
            for i, c in enumerate(data.contributors)
        )
    if data.subjects is not None and _subjects_differ(title, data):
        names = list(dict.fromkeys(s.strip()[:200] for s in data.subjects if s.strip()))
        existing = {s.name: s for s in Subject.objects.filter(name__in=names)}
        missing = [Subject(name=n) for n in names if n not in existing]
        Subject.objects.bulk_create(missing, ignore_conflicts=True)
        title.subjects.set(Subject.objects.filter(name__in=names))


def _fields_given(data: TitleData) -> list[str]:
    """Return the scalar fields `data` sets: the MARC control number only when given."""
    return [f for f in SCALAR_FIELDS if f not in KEPT_UNLESS_GIVEN or getattr(data, f) is not None]


def title_touch(*, title: Title, now: datetime | None = None) -> None:
    """Move the record's datestamp (OAI-PMH) to now: call it, inside the writing transaction,
    after any change to what the record exports (its files, cover, licence, access, sets)."""
    title.updated_at = now or _now()
    Title.objects.filter(pk=title.pk).update(updated_at=title.updated_at)


def title_create(*, actor, data: TitleData, copies: int | None = None) -> Title:
    """Create a record (and a license pool of `copies`, when given)."""
    data = _clean(data)
    with transaction.atomic():
        title = Title.objects.create(
            **{f: getattr(data, f) for f in _fields_given(data)},
            updated_at=_now(),
        )
        _apply(title, data)
        if copies is not None:
            LicensePool.objects.create(title=title, copies=copies)
        search_index_update(titles=[title])
        log_action(actor, "library.title.created", title)
    return title


def title_update(*, actor, title: Title, data: TitleData) -> Title:
    """Change a record; its datestamp moves, so incremental OAI-PMH harvests see the edit."""
    data = _clean(data)
    unchanged = (
        all(getattr(title, field) == getattr(data, field) for field in _fields_given(data))
        and (data.contributors is None or not _contributors_differ(title, data))
        and (data.subjects is None or not _subjects_differ(title, data))
    )
    if unchanged:
        return title  # saved as it was: the datestamp stays, harvesters fetch nothing again
    with transaction.atomic():
        fields = _fields_given(data)
        for field in fields:
            setattr(title, field, getattr(data, field))
        title.updated_at = _now()
        title.save(update_fields=[*fields, "updated_at"])
        _apply(title, data)
        search_index_update(titles=[title])
        log_action(actor, "library.title.updated", title)
    return title


def title_withdraw(*, actor, title: Title) -> Title:
    """Take a record out of the catalogue; OAI-PMH reports it as deleted from now on."""
    with transaction.atomic():
        title.withdrawn = True
        title.updated_at = _now()
        title.save(update_fields=["withdrawn", "updated_at"])
        search_index_update(titles=[title])
        log_action(actor, "library.title.withdrawn", title)
    return title


def title_cover_set(*, actor, title: Title, content: bytes) -> bool:
    """Give `title` the cover image `content` (JPEG, PNG, GIF or WebP, checked by its bytes);
    return False, changing nothing, when it is the cover the record already has."""
    from .files import IMAGE_TYPES, image_type

    kind = image_type(content[:16])
    if not kind:
        raise ValidationError(_("The cover is not a JPEG, PNG, GIF or WebP image."), code="cover")
    if len(content) > MAX_COVER_BYTES:
        raise ValidationError(_("The cover is larger than 5 MB."), code="cover_size")
    if title.cover:
        try:
            with title.cover.open("rb") as current:
                if current.read(MAX_COVER_BYTES + 1) == content:
                    return False
        except OSError:
            pass  # the stored file is gone: replace it
    with transaction.atomic():
        old = title.cover.name if title.cover else ""
        title.cover.save(f"{get_random_string(20)}{IMAGE_TYPES[kind]}", ContentFile(content))
        title_touch(title=title)
        log_action(actor, "library.title.cover_set", title)
    if old:
        transaction.on_commit(lambda: title.cover.storage.delete(old))
    return True


@dataclass
class HoldingData:
    """A physical copy as an import or a form gives it."""

    code: str = ""
    inventory_code: str = ""
    call_number: str = ""
    location: str = ""
    collection: str = ""
    status: str = ""
    source: str = ""
    external_id: str = ""


HOLDING_FIELDS = ("code", "inventory_code", "call_number", "location", "collection", "status")


def holding_save(*, actor, title: Title, data: HoldingData) -> tuple[Holding, bool]:
    """Create or update a copy of `title`, found by its source id, then by its item code;
    return it and whether it is new. Raise ValidationError when its code is another record's."""
    sizes = {"code": 64, "inventory_code": 200, "call_number": 64, "location": 100}
    values = {
        f: (getattr(data, f) or "").strip()[: sizes.get(f, 100 if f != "status" else 50)]
        for f in HOLDING_FIELDS
    }
    with transaction.atomic():
        holding = None
        if data.external_id:
            holding = Holding.objects.filter(
                source=data.source, external_id=data.external_id
            ).first()
        if holding is None and values["code"]:
            holding = Holding.objects.filter(code=values["code"]).first()
        if holding is not None and holding.title_id != title.pk and holding.source != data.source:
            raise ValidationError(
                _("Item code %(code)s already belongs to another record."),
                code="holding_code",
                params={"code": values["code"]},
            )
        if values["code"] and (
            Holding.objects.filter(code=values["code"])
            .exclude(pk=holding.pk if holding else None)
            .exists()
        ):
            raise ValidationError(
                _("Item code %(code)s already belongs to another copy."),
                code="holding_code",
                params={"code": values["code"]},
            )
        if holding is None:
            holding = Holding.objects.create(
                title=title,
                source=data.source,
                external_id=data.external_id,
                updated_at=_now(),
                **values,
            )
            log_action(actor, "library.holding.created", title, {"code": holding.code})
            return holding, True
        changed = [f for f in HOLDING_FIELDS if getattr(holding, f) != values[f]]
        if holding.title_id != title.pk:
            holding.title = title
            changed.append("title")
        if changed:
            for field in changed:
                if field != "title":
                    setattr(holding, field, values[field])
            holding.updated_at = _now()
            holding.save(update_fields=[*changed, "updated_at"])
            log_action(actor, "library.holding.updated", title, {"code": holding.code})
    return holding, False


def pool_set(
    *,
    actor,
    title: Title,
    copies: int,
    expires_on=None,
    checkouts_limit: int | None = None,
    loan_days: int | None = None,
) -> LicensePool:
    """Create or change a title's license pool; copies freed by it go to the queue."""
    with transaction.atomic():
        pool, created = LicensePool.objects.select_for_update().get_or_create(title=title)
        terms = (copies, expires_on, checkouts_limit, loan_days)
        if not created and terms == (
            pool.copies,
            pool.expires_on,
            pool.checkouts_limit,
            pool.loan_days,
        ):
            title.pool = pool
            return pool  # saved as it was: the record's datestamp stays
        pool.copies = copies
        pool.expires_on = expires_on
        pool.checkouts_limit = checkouts_limit
        pool.loan_days = loan_days
        pool.save()
        title.pool = pool
        title_touch(title=title)  # the licence is part of what the record exports
        if created:
            search_index_update(titles=[title])  # it is licensed now
        log_action(actor, "library.pool.set", title, {"copies": copies})
        _pass_on(title, _now())
    return pool


# --- Loans ---------------------------------------------------------------------------------------


def _lock(title: Title, user) -> LicensePool | None:
    """Lock the member's row, then the pool's (always in this order, so no deadlock)."""
    users = get_user_model().objects.filter(pk=user.pk)
    for_update(users, name=LOCK_POOLS).first()
    return for_update(LicensePool.objects.filter(title=title), name=LOCK_POOLS).first()


def _loan_days(pool: LicensePool | None) -> int:
    if pool is not None and pool.loan_days:
        return pool.loan_days
    return settings.SINERGI_LOAN_DAYS


def loan_create(*, title: Title, user, now: datetime | None = None) -> Loan:
    """Lend a copy of `title` to `user`, or raise LendingError saying why not.

    Lock → re-check → write: the member's loans and the title's copies are counted again
    under the locks, so the last copy is never lent twice.
    """
    now = now or _now()
    if title.withdrawn:
        raise LendingError(_("This title is no longer in the catalogue."), "withdrawn")
    try:
        with transaction.atomic():
            pool = _lock(title, user)
            title.pool = pool
            if Loan.objects.filter(user=user, title=title, state=LoanState.ACTIVE).exists():
                raise LendingError(_("You already have this title on loan."), "already_on_loan")
            if (
                Loan.objects.filter(user=user, state=LoanState.ACTIVE).count()
                >= settings.SINERGI_MAX_LOANS
            ):
                raise LendingError(
                    _("You may have %(n)s e-books on loan at once; return one first.")
                    % {"n": settings.SINERGI_MAX_LOANS},
                    "loan_limit_reached",
                )
            hold = (
                Hold.objects.filter(user=user, title=title, state__in=LIVE_HOLD_STATES)
                .select_for_update()
                .first()
            )
            if not title.open_access:
                if pool is None:
                    raise LendingError(
                        _("The library has no license to lend this title."), "no_license"
                    )
                if not selectors.pool_usable(pool, today=timezone.localdate(now)):
                    raise LendingError(
                        _("The library's license for this title has ended."), "license_ended"
                    )
                availability = selectors.title_availability(title=title)
                mine = hold is not None and hold.state == HoldState.RESERVED
                if not mine and availability.available <= 0:
                    raise LendingError(
                        _("All copies are on loan. You can join the queue."),
                        "no_copy_available",
                        hold_available=hold is None,
                    )
            loan = Loan.objects.create(
                title=title,
                user=user,
                started_at=now,
                due_at=now + timedelta(days=_loan_days(pool)),
            )
            if pool is not None and not title.open_access:
                LicensePool.objects.filter(pk=pool.pk).update(
                    checkouts_used=F("checkouts_used") + 1
                )
            if hold is not None:
                hold.state = HoldState.FULFILLED
                hold.closed_at = now
                hold.save(update_fields=["state", "closed_at"])
            log_action(user, "library.loan.created", loan, {"title": title.pk})
    except IntegrityError:
        raise LendingError(_("You already have this title on loan."), "already_on_loan") from None
    return loan


def loan_return(*, loan: Loan, actor, now: datetime | None = None, expired: bool = False) -> Loan:
    """End a loan (early, or at its end with `expired`); the copy goes to the queue."""
    now = now or _now()
    with transaction.atomic():
        loan = Loan.objects.select_for_update().select_related("title").get(pk=loan.pk)
        if loan.state != LoanState.ACTIVE:
            raise LendingError(_("This loan has already ended."), "not_active")
        title = loan.title
        pool = LicensePool.objects.select_for_update().filter(title=title).first()
        title.pool = pool
        loan.state = LoanState.EXPIRED if expired else LoanState.RETURNED
        loan.returned_at = now
        loan.save(update_fields=["state", "returned_at"])
        log_action(actor, "library.loan.expired" if expired else "library.loan.returned", loan)
        _pass_on(title, now)
    return loan


def _pass_on(title: Title, now: datetime) -> None:
    """Reserve each free copy for the first in the queue and tell them (under the pool lock)."""
    if title.open_access:
        return
    availability = selectors.title_availability(title=title)
    free = availability.available
    if free <= 0:
        return
    until = now + timedelta(hours=settings.SINERGI_HOLD_RESERVATION_HOURS)
    for hold in (
        Hold.objects.filter(title=title, state=HoldState.WAITING)
        .select_related("user")
        .order_by("created_at", "id")[:free]
    ):
        hold.state = HoldState.RESERVED
        hold.reserved_until = until
        hold.save(update_fields=["state", "reserved_until"])
        log_action(None, "library.hold.reserved", hold, {"until": until.isoformat()})
        email_send(
            to=[hold.user.email],
            template="library/email/hold_ready",
            context={"user": hold.user, "hold": hold, "title": title},
            language=hold.user.language,
        )


def loans_expire(*, now: datetime | None = None) -> int:
    """Return every loan past its end (each in its own transaction); return how many."""
    now = now or _now()
    count = 0
    for loan in Loan.objects.filter(state=LoanState.ACTIVE, due_at__lte=now).only("pk"):
        try:
            loan_return(loan=loan, actor=None, now=now, expired=True)
        except LendingError:
            continue  # returned meanwhile
        count += 1
    return count


def holds_expire(*, now: datetime | None = None) -> int:
    """Pass on reservations nobody collected in time; return how many expired."""
    now = now or _now()
    count = 0
    for hold in Hold.objects.filter(state=HoldState.RESERVED, reserved_until__lte=now).only("pk"):
        with transaction.atomic():
            hold = Hold.objects.select_for_update().select_related("title").get(pk=hold.pk)
            if hold.state != HoldState.RESERVED:
                continue
            title = hold.title
            title.pool = LicensePool.objects.select_for_update().filter(title=title).first()
            hold.state = HoldState.EXPIRED
            hold.closed_at = now
            hold.save(update_fields=["state", "closed_at"])
            log_action(None, "library.hold.expired", hold)
            _pass_on(title, now)
            count += 1
    return count


# --- Holds ---------------------------------------------------------------------------------------


def hold_create(*, title: Title, user, now: datetime | None = None) -> Hold:
    """Put `user` in the queue for `title`, or raise LendingError."""
    now = now or _now()
    try:
        with transaction.atomic():
            pool = _lock(title, user)
            title.pool = pool
            if title.open_access:
                raise LendingError(
                    _("Open-access titles need no queue: read it now."), "open_access"
                )
            if pool is None:
                raise LendingError(
                    _("The library has no license to lend this title."), "no_license"
                )
            if Loan.objects.filter(user=user, title=title, state=LoanState.ACTIVE).exists():
                raise LendingError(_("You already have this title on loan."), "already_on_loan")
            if Hold.objects.filter(user=user, title=title, state__in=LIVE_HOLD_STATES).exists():
                raise LendingError(
                    _("You are already in the queue for this title."), "already_on_hold"
                )
            if (
                Hold.objects.filter(user=user, state__in=LIVE_HOLD_STATES).count()
                >= settings.SINERGI_MAX_HOLDS
            ):
                raise LendingError(
                    _("You may queue for %(n)s titles at once.")
                    % {"n": settings.SINERGI_MAX_HOLDS},
                    "hold_limit_reached",
                )
            if selectors.title_availability(title=title).available > 0:
                raise LendingError(_("A copy is free: borrow it now."), "copy_available")
            hold = Hold.objects.create(title=title, user=user, created_at=now)
            log_action(user, "library.hold.created", hold)
    except IntegrityError:
        raise LendingError(
            _("You are already in the queue for this title."), "already_on_hold"
        ) from None
    return hold


def hold_cancel(*, hold: Hold, actor, now: datetime | None = None) -> Hold:
    """Leave the queue (or give up a reservation, which passes on)."""
    now = now or _now()
    with transaction.atomic():
        hold = Hold.objects.select_for_update().select_related("title").get(pk=hold.pk)
        if hold.state not in LIVE_HOLD_STATES:
            raise LendingError(_("This hold has already ended."), "not_active")
        title = hold.title
        title.pool = LicensePool.objects.select_for_update().filter(title=title).first()
        hold.state = HoldState.CANCELLED
        hold.closed_at = now
        hold.save(update_fields=["state", "closed_at"])
        log_action(actor, "library.hold.cancelled", hold)
        _pass_on(title, now)
    return hold


# --- Reading positions and e-resources -----------------------------------------------------------


def reading_position_save(*, user, book_file, position: str) -> ReadingPosition:
    """Remember where `user` is in `book_file`."""
    row, _created = ReadingPosition.objects.update_or_create(
        user=user, book_file=book_file, defaults={"position": position[:500]}
    )
    return row


def eresource_click(*, resource: EResource) -> None:
    """Count one click-through (one UPDATE, safe under concurrency)."""
    EResource.objects.filter(pk=resource.pk).update(clicks=F("clicks") + 1)


def eresource_save(*, actor, form) -> EResource:
    """Save the e-resource edited in `form` (a validated EResourceForm)."""
    resource = form.save()
    log_action(actor, "library.eresource.saved", resource)
    return resource


def loan_or_hold_create(*, title: Title, user) -> tuple[Loan | Hold, bool]:
    """Borrow `title` as an OPDS borrow link does: lend a copy if one is free, else put `user`
    in the queue. Return the loan or hold and whether it is new (an existing loan or hold is
    returned as it is). Raise LendingError when neither can be had."""
    try:
        return loan_create(title=title, user=user), True
    except LendingError as error:
        if error.code == "already_on_loan":
            return Loan.objects.get(user=user, title=title, state=LoanState.ACTIVE), False
        if error.code != "no_copy_available":
            raise
        if not error.hold_available:  # already queued
            hold = Hold.objects.get(user=user, title=title, state__in=LIVE_HOLD_STATES)
            return hold, False
    return hold_create(title=title, user=user), True
