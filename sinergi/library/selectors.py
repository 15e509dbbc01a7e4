"""Reads with rules: availability, search with facets, who may see which loan, hold or file."""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    FloatField,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone

from sinergi.accounts.models import Role
from sinergi.accounts.selectors import user_has_role

from .models import (
    LIVE_HOLD_STATES,
    BookFile,
    Contributor,
    EResource,
    Hold,
    HoldState,
    LicensePool,
    Loan,
    LoanState,
    Title,
)

LIBRARY_STAFF = (Role.LIBRARIAN,)  # admin holds every role


def is_library_staff(user) -> bool:
    return user_has_role(user, *LIBRARY_STAFF)


# --- Availability --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Availability:
    open_access: bool
    copies: int  # 0 when the title has no license pool
    on_loan: int
    reserved: int
    waiting: int
    usable: bool  # the license has not expired or run out of checkouts

    @property
    def available(self) -> int:
        """Copies anyone may borrow now (a reserved copy waits for its holder)."""
        if self.open_access:
            return 0
        if not self.usable:
            return 0
        return max(self.copies - self.on_loan - self.reserved, 0)

    @property
    def holds(self) -> int:
        return self.waiting + self.reserved


def pool_usable(pool: LicensePool | None, *, today=None) -> bool:
    if pool is None:
        return False
    today = today or timezone.localdate()
    if pool.expires_on is not None and pool.expires_on < today:
        return False
    return not (pool.checkouts_limit is not None and pool.checkouts_used >= pool.checkouts_limit)


def title_availability(*, title: Title) -> Availability:
    """Count the copies of `title` in use now (call under the pool's lock to act on it)."""
    pool = getattr(title, "pool", None) if hasattr(title, "pool") else None
    if hasattr(title, "n_on_loan"):  # counted with the list (with_availability_counts)
        on_loan = title.n_on_loan
        holds = {HoldState.RESERVED: title.n_reserved, HoldState.WAITING: title.n_waiting}
    else:
        on_loan = Loan.objects.filter(title=title, state=LoanState.ACTIVE).count()
        holds = dict(
            Hold.objects.filter(title=title, state__in=LIVE_HOLD_STATES)
            .values_list("state")
            .annotate(n=Count("id"))
            .values_list("state", "n")
        )
    return Availability(
        open_access=title.open_access,
        copies=pool.copies if pool else 0,
        on_loan=on_loan,
        reserved=holds.get(HoldState.RESERVED, 0),
        waiting=holds.get(HoldState.WAITING, 0),
        usable=pool_usable(pool),
    )


def _count_of(model, state: str) -> Coalesce:
    rows = (
        model.objects.filter(title=OuterRef("pk"), state=state)
        .order_by()
        .values("title")
        .annotate(n=Count("id"))
        .values("n")[:1]
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def with_availability_counts(titles: QuerySet[Title]) -> QuerySet[Title]:
    """Count each listed title's loans, reservations and waiting holds in the list's query."""
    return titles.annotate(
        n_on_loan=_count_of(Loan, LoanState.ACTIVE),
        n_reserved=_count_of(Hold, HoldState.RESERVED),
        n_waiting=_count_of(Hold, HoldState.WAITING),
    )


def _pool_of(title: Title) -> LicensePool | None:
    try:
        return title.pool
    except LicensePool.DoesNotExist:
        return None


def title_pool(*, title: Title) -> LicensePool | None:
    return _pool_of(title)


def hold_position(*, hold: Hold) -> int:
    """Return the 1-based place of a waiting hold in its title's queue (0 when reserved)."""
    if hold.state != HoldState.WAITING:
        return 0
    ahead = Hold.objects.filter(
        title_id=hold.title_id, state=HoldState.WAITING, created_at__lt=hold.created_at
    ).count()
    ties = Hold.objects.filter(
        title_id=hold.title_id, state=HoldState.WAITING, created_at=hold.created_at, id__lt=hold.pk
    ).count()
    return ahead + ties + 1


# --- Who may see what ----------------------------------------------------------------------------


def titles_visible(*, user) -> QuerySet[Title]:
    """Members see records in the catalogue; withdrawn ones only staff."""
    titles = Title.objects.all()
    if not is_library_staff(user):
        titles = titles.filter(withdrawn=False)
    return titles


def title_get(*, title_id: int, user) -> Title:
    """Return a title `user` may see, with contributors, subjects, pool and files."""
    return (
        titles_visible(user=user)
        .select_related("pool")
        .prefetch_related("contributors", "subjects", "files")
        .get(pk=title_id)
    )


def loans_of_user(*, user, active_only: bool = True) -> QuerySet[Loan]:
    loans = Loan.objects.filter(user=user).select_related("title")
    if active_only:
        loans = loans.filter(state=LoanState.ACTIVE)
    return loans.prefetch_related("title__files")


def loan_get(*, loan_id: int, user) -> Loan:
    """Return a loan of `user` (staff may see anyone's)."""
    loans = Loan.objects.select_related("title", "user")
    if not is_library_staff(user):
        loans = loans.filter(user=user)
    return loans.get(pk=loan_id)


def holds_of_user(*, user) -> QuerySet[Hold]:
    return Hold.objects.filter(user=user, state__in=LIVE_HOLD_STATES).select_related("title")


def hold_get(*, hold_id: int, user) -> Hold:
    holds = Hold.objects.select_related("title", "user")
    if not is_library_staff(user):
        holds = holds.filter(user=user)
    return holds.get(pk=hold_id)


def active_loan(*, user, title: Title) -> Loan | None:
    if not user.is_authenticated:
        return None
    return Loan.objects.filter(user=user, title=title, state=LoanState.ACTIVE).first()


def live_hold(*, user, title: Title) -> Hold | None:
    if not user.is_authenticated:
        return None
    return Hold.objects.filter(user=user, title=title, state__in=LIVE_HOLD_STATES).first()


def may_read(*, user, book_file: BookFile) -> Loan | bool:
    """Return the active loan that lets `user` read the file, True for open access, or False."""
    title = book_file.title
    if title.withdrawn and not is_library_staff(user):
        return False
    if title.open_access:
        return True
    loan = active_loan(user=user, title=title)
    if loan is not None and loan.due_at > timezone.now():
        return loan
    return False


def book_file_get(*, file_id: int) -> BookFile:
    return BookFile.objects.select_related("title").get(pk=file_id)


def eresources_visible(*, user) -> QuerySet[EResource]:
    resources = EResource.objects.all()
    if not is_library_staff(user):
        resources = resources.filter(is_active=True)
    return resources


# --- Search --------------------------------------------------------------------------------------


def search_backend() -> str:
    """Return "postgres", "fts5" or "like" (the one selector every search goes through)."""
    chosen = settings.SINERGI_LIBRARY_SEARCH
    if chosen != "auto":
        return chosen
    return "postgres" if connection.vendor == "postgresql" else "fts5"


def _fts5_query(text: str) -> str:
    """Turn what a person typed into an FTS5 query: each word a quoted prefix term, ANDed."""
    words = [w for w in "".join(c if c.isalnum() else " " for c in text).split() if w]
    return " ".join(f'"{w}"*' for w in words[:12])


@dataclass
class _Match:
    """The titles matching a text: `titles` to count and facet (a plain `id IN (...)` filter,
    safe to nest), and `ranked()` to list them best first (a join with the index)."""

    titles: QuerySet[Title]
    ranked: Callable[[QuerySet[Title]], QuerySet[Title]] | None


def _matching(text: str, titles: QuerySet[Title]) -> _Match:
    backend = search_backend()
    if backend == "postgres":
        ids = RawSQL(
            "SELECT id FROM library_title "
            "WHERE search_vector @@ websearch_to_tsquery('simple', %s)",
            [text],
        )

        def ranked(qs: QuerySet[Title]) -> QuerySet[Title]:
            rank = RawSQL(
                "ts_rank(library_title.search_vector, websearch_to_tsquery('simple', %s))",
                [text],
                output_field=FloatField(),
            )
            matching = qs.extra(
                where=["library_title.search_vector @@ websearch_to_tsquery('simple', %s)"],
                params=[text],
            )
            return matching.annotate(rank=rank).order_by("-rank", "id")

        return _Match(titles.filter(pk__in=ids), ranked)
    if backend == "fts5":
        query = _fts5_query(text)
        if not query:
            return _Match(titles.none(), None)
        ids = RawSQL(
            "SELECT rowid FROM library_title_fts WHERE library_title_fts MATCH %s", [query]
        )

        def ranked(qs: QuerySet[Title]) -> QuerySet[Title]:
            # Joined, FTS5 computes bm25 once per match and sorts by it ("rank", best first).
            return qs.extra(
                tables=["library_title_fts"],
                where=["library_title_fts.rowid = library_title.id", "library_title_fts MATCH %s"],
                params=[query],
                select={"rank": "library_title_fts.rank"},
                order_by=["rank", "id"],
            )

        return _Match(titles.filter(pk__in=ids), ranked)
    for word in text.split():
        titles = titles.filter(search_text__icontains=word)
    return _Match(titles, None)


@dataclass
class SearchResult:
    titles: QuerySet[Title]
    facets: dict[str, list[tuple[str, int]]]
    total: int


FACETS = ("subject", "language", "year", "availability", "format")


def _filtered(titles: QuerySet[Title], filters: dict[str, str]) -> QuerySet[Title]:
    if filters.get("subject"):
        titles = titles.filter(subjects__name=filters["subject"])
    if filters.get("language"):
        titles = titles.filter(language=filters["language"])
    if filters.get("year", "").isdigit():
        titles = titles.filter(year=int(filters["year"]))
    if filters.get("format") in ("epub", "pdf"):
        titles = titles.filter(files__kind=filters["format"])
    if filters.get("availability") == "open":
        titles = titles.filter(open_access=True)
    elif filters.get("availability") == "available":
        titles = titles.filter(open_access=False, pool__isnull=False).exclude(
            pk__in=titles_without_free_copy()
        )
    elif filters.get("availability") == "licensed":
        titles = titles.filter(open_access=False, pool__isnull=False)
    return titles


def titles_without_free_copy() -> list[int]:
    """Return the ids of licensed titles whose copies are all lent or reserved.

    Counted from the loans and reservations (a small set next to the catalogue), so asking
    "available now?" of a million records costs one short list, not a subquery per record.
    """
    busy: dict[int, int] = {}
    for title_id, n in (
        Loan.objects.filter(state=LoanState.ACTIVE)
        .values("title_id")
        .annotate(n=Count("id"))
        .values_list("title_id", "n")
    ):
        busy[title_id] = busy.get(title_id, 0) + n
    for title_id, n in (
        Hold.objects.filter(state=HoldState.RESERVED)
        .values("title_id")
        .annotate(n=Count("id"))
        .values_list("title_id", "n")
    ):
        busy[title_id] = busy.get(title_id, 0) + n
    if not busy:
        return []
    copies = dict(
        LicensePool.objects.filter(title_id__in=list(busy)).values_list("title_id", "copies")
    )
    return [t for t, n in busy.items() if copies.get(t, 0) <= n]


def catalogue_search(
    *, user, text: str = "", filters: dict[str, str] | None = None, with_facets: bool = True
) -> SearchResult:
    """Search the catalogue: full text, then the chosen facets; ranked, with facet counts."""
    filters = filters or {}
    titles = titles_visible(user=user)
    ranked = None
    if text.strip():
        match = _matching(text.strip(), titles)
        titles, ranked = match.titles, match.ranked
    titles = _filtered(titles, filters)
    facets: dict[str, list[tuple[str, int]]] = {}
    if with_facets:
        facets = _facets(titles)
    if ranked is not None:
        listing = ranked(_filtered(titles_visible(user=user), filters))
    else:
        listing = titles.order_by("-updated_at", "-id")
    listing = listing.select_related("pool").prefetch_related(
        Prefetch("contributors", queryset=Contributor.objects.order_by("order", "id")),
        "files",
    )
    return SearchResult(titles=listing, facets=facets, total=facets.get("_total", [("", 0)])[0][1])


FACET_LIMIT = 12


def _facets(titles: QuerySet[Title]) -> dict[str, list[tuple[str, int]]]:
    ids = titles.order_by().values("pk")
    languages: dict[str, int] = {}
    years: dict[int, int] = {}
    total = open_count = licensed = 0
    # One grouped pass over the matches gives the total, languages, years and access.
    for language, year, is_open, has_pool, n in (
        titles.order_by()
        .values("language", "year", "open_access")
        .annotate(has_pool=Count("pool"), n=Count("id"))
        .values_list("language", "year", "open_access", "has_pool", "n")
    ):
        total += n
        if language:
            languages[language] = languages.get(language, 0) + n
        if year:
            years[year] = years.get(year, 0) + n
        if is_open:
            open_count += n
        else:
            licensed += has_pool
    exhausted = titles_without_free_copy()
    unavailable = titles.filter(pk__in=exhausted).count() if exhausted else 0
    return {
        "_total": [("", total)],
        "subject": list(
            Title.subjects.through.objects.filter(title_id__in=ids)
            .values("subject__name")
            .annotate(n=Count("id"))
            .order_by("-n", "subject__name")
            .values_list("subject__name", "n")[:FACET_LIMIT]
        ),
        "language": sorted(languages.items(), key=lambda kv: (-kv[1], kv[0]))[:FACET_LIMIT],
        "year": sorted(years.items(), reverse=True)[:FACET_LIMIT],
        "format": list(
            BookFile.objects.filter(title_id__in=ids)
            .values("kind")
            .annotate(n=Count("id"))
            .order_by("kind")
            .values_list("kind", "n")
        ),
        "availability": [
            ("open", open_count),
            ("licensed", licensed),
            ("available", licensed - unavailable),
        ],
    }


def titles_with_files() -> QuerySet[Title]:
    return Title.objects.filter(Exists(BookFile.objects.filter(title=OuterRef("pk"))))
