"""Reads with rules: availability, search with facets, who may see which loan, hold or file."""

import json
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    FloatField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from sinergi.accounts.models import Role
from sinergi.accounts.selectors import user_has_role
from sinergi.core.params import year_param

from . import fts
from .models import (
    LIVE_HOLD_STATES,
    BookFile,
    CatalogueImport,
    Contributor,
    EResource,
    Hold,
    HoldState,
    LicensePool,
    Loan,
    LoanState,
    Subject,
    Title,
    TitleSearch,
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
        .prefetch_related("contributors", "subjects", "files", "holdings")
        .get(pk=title_id)
    )


def catalogue_imports_recent(*, user, limit: int = 10) -> QuerySet[CatalogueImport]:
    """Return the last catalogue imports, for library staff."""
    if not is_library_staff(user):
        raise PermissionDenied
    return CatalogueImport.objects.select_related("requested_by").defer("database_url")[:limit]


def catalogue_import_get(*, user, import_id: int) -> CatalogueImport:
    """Return one catalogue import for library staff."""
    if not is_library_staff(user):
        raise PermissionDenied
    job = CatalogueImport.objects.defer("database_url").filter(pk=import_id).first()
    if job is None:
        raise Http404
    return job


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


def book_file_get(*, file_id: int, user) -> BookFile:
    """Return a file of a title `user` may see (withdrawn ones only staff). Whether they may
    read it is `may_read`: seeing a licensed file's title is not borrowing it."""
    return BookFile.objects.select_related("title").get(
        pk=file_id, title__in=titles_visible(user=user)
    )


def eresources_visible(*, user) -> QuerySet[EResource]:
    resources = EResource.objects.all()
    if not is_library_staff(user):
        resources = resources.filter(is_active=True)
    return resources


# --- Search --------------------------------------------------------------------------------------

FACETS = ("subject", "language", "year", "availability", "format")
FACET_LIMIT = 12  # values shown per facet
FACET_WINDOW = 1_000  # the facets count the best this-many matches, not all of them
COUNT_CAP = 10_000  # more matches than this are counted as "10.000+"
# Filters most records share: on FTS5 they are checked on the best matches (this many times
# as many as asked for) before being put in the index query, where bm25 would read the whole
# list of records that have the value.
CHECKED_FIRST = ("language", "availability", "format")
CANDIDATES = 2


def search_backend() -> str:
    """Return "postgres", "fts5" or "like" (the one selector every search goes through)."""
    chosen = settings.SINERGI_LIBRARY_SEARCH
    if chosen != "auto":
        return chosen
    return "postgres" if connection.vendor == "postgresql" else "fts5"


class _Ranking:
    """The ids of a search's matches in order, fetched by stretches, and how many there are.

    The first stretch asked for with head() (the facets' window) is kept, so the pages inside
    it cost no second ranking."""

    def __init__(self) -> None:
        self._head: list[int] = []
        self.complete = False  # the head holds every match
        self._counted: int | None = None

    def head(self, size: int) -> list[int]:
        ids = self._fetch(0, size + 1)
        self.complete = len(ids) <= size
        self._head = ids[:size]
        return self._head

    def ids(self, offset: int, limit: int) -> list[int]:
        if self.complete or offset + limit <= len(self._head):
            return self._head[offset : offset + limit]
        return self._fetch(offset, limit)

    def count(self, cap: int) -> int:
        """Return how many match, or cap + 1 for more than cap."""
        if self._counted is None:
            self._counted = len(self._head) if self.complete else self._count(cap)
        return min(self._counted, cap + 1)

    def _fetch(self, offset: int, limit: int) -> list[int]:
        raise NotImplementedError

    def _count(self, cap: int) -> int:
        raise NotImplementedError


class _Nothing(_Ranking):
    def _fetch(self, offset: int, limit: int) -> list[int]:
        return []

    def _count(self, cap: int) -> int:
        return 0


class _QueryRanking(_Ranking):
    """Matches in the order of a queryset (LIKE, or no words at all)."""

    def __init__(self, titles: QuerySet[Title]) -> None:
        super().__init__()
        self.titles = titles

    def _fetch(self, offset: int, limit: int) -> list[int]:
        return list(self.titles.values_list("pk", flat=True)[offset : offset + limit])

    def _count(self, cap: int) -> int:
        return self.titles.order_by().values("pk")[: cap + 1].count()


def _title_first(
    in_title: Callable[[int], list[int]], everything: Callable[[int], list[int]], end: int
) -> list[int]:
    """Return the first `end` ids of the matches with every word in the title, then of the
    others; each callable gives the first n ids of its matches, best first.

    Ranking the title matches alone is the cheap part (a broad word is in far fewer titles
    than records); the others are ranked only when the title matches run out before `end`.
    """
    first = in_title(end)
    if len(first) == end:
        return first
    # Every title match is in hand: the others follow in the order of all the matches, among
    # which the title matches are skipped.
    skip = set(first)
    return first + [pk for pk in everything(end) if pk not in skip][: end - len(first)]


class _CheckedFirst(_Ranking):
    """A ranking whose common filters (CHECKED_FIRST) are checked on its best matches first:
    in the index query they would make it read every record that has the value (700,000 for
    `ind`). They go into the query only when too few of those matches pass."""

    checked: tuple[str, ...] = ()  # the chosen filters among CHECKED_FIRST
    filters: dict[str, str]
    impossible = False

    def _fetch(self, offset: int, limit: int) -> list[int]:
        if self.impossible:
            return []
        wanted = (offset + limit) * CANDIDATES
        if self.checked and offset + limit <= FACET_WINDOW + 1:
            candidates = self._ranked(offset=0, limit=wanted, without=self.checked)
            passing = set(
                _filtered(
                    Title.objects.filter(pk__in=_among(candidates)), self.filters
                ).values_list("pk", flat=True)
            )
            kept = [pk for pk in candidates if pk in passing]
            if len(kept) >= offset + limit or len(candidates) < wanted:
                return kept[offset : offset + limit]
        return self._ranked(offset=offset, limit=limit)

    def _ranked(self, *, offset: int, limit: int, without: tuple[str, ...] = ()) -> list[int]:
        return _title_first(
            lambda n: self._best(in_title=True, limit=n, without=without),
            lambda n: self._best(in_title=False, limit=n, without=without),
            offset + limit,
        )[offset:]

    def _best(self, *, in_title: bool, limit: int, without: tuple[str, ...]) -> list[int]:
        """Return the ids of the first `limit` matches, best first: those with every word in
        the title, or all of them; without the filters named in `without`."""
        raise NotImplementedError


class _PostgresRanking(_CheckedFirst):
    """PostgreSQL: records with every word in the title first, then the others.

    The title matches are found, ranked (ts_rank of the title's words) and counted in the
    narrow library_title_search (models.TitleSearch), whose pages stay in shared_buffers;
    reading the catalogue rows for that (about 12,000 pages for a broad word) took most of a
    search's time. The others are ranked by ts_rank of library_title's vector (title words at
    weight A, the rest at D)."""

    def __init__(
        self, *, titles: QuerySet[Title], text: str, filters: dict[str, str], staff: bool
    ) -> None:
        super().__init__()
        self.titles = titles
        self.staff = staff
        self.text = text
        self.filters = filters
        # The language is in the narrow table, and kept from the language index in the
        # catalogue rows (see _matches): it costs nothing in the query, so it goes there.
        chosen = {
            "availability": filters.get("availability") in ("open", "available", "licensed"),
            "format": filters.get("format") in ("epub", "pdf"),
        }
        self.checked = tuple(name for name in CHECKED_FIRST if chosen.get(name))
        self.in_title_count: int | None = None

    def _rows(self, without: tuple[str, ...]) -> QuerySet[TitleSearch]:
        """The narrow rows with every word in the title, narrowed by the filters."""
        rows = TitleSearch.objects.filter(
            RawSQL(
                # Unqualified: the rows are also a subquery (aliased) of the count.
                "words @@ websearch_to_tsquery('simple', %s)",
                [self.text],
                output_field=BooleanField(),
            )
        )
        if not self.staff:
            rows = rows.filter(withdrawn=False)
        filters = {k: v for k, v in self.filters.items() if k not in without}
        if filters.get("language"):
            rows = rows.filter(language=filters.pop("language"))
        if year_param(filters.get("year"), low=0, high=9999) is not None:
            rows = rows.filter(year=year_param(filters.pop("year"), low=0, high=9999))
        if any(filters.get(name) for name in ("subject", "availability", "format")):
            rows = rows.filter(title_id__in=_filtered(Title.objects.all(), filters).values("pk"))
        return rows

    def _matches(self, without: tuple[str, ...]) -> QuerySet[Title]:
        """The records with every word anywhere, narrowed by the filters."""
        filters = {k: v for k, v in self.filters.items() if k not in without}
        language = filters.pop("language", "")
        matches = _filtered(self.titles, filters).filter(
            RawSQL(
                "library_title.search_vector @@ websearch_to_tsquery('simple', %s)",
                [self.text],
                output_field=BooleanField(),
            )
        )
        if language:
            # IS TRUE keeps the planner from ANDing the GIN bitmap with the language index's
            # 700,000 entries for `ind` (36 ms) before reading the few rows it needs.
            matches = matches.filter(
                RawSQL(
                    "(library_title.language = %s) IS TRUE",
                    [language],
                    output_field=BooleanField(),
                )
            )
        return matches

    def _best(self, *, in_title: bool, limit: int, without: tuple[str, ...]) -> list[int]:
        if in_title:
            rows, rank = self._rows(without), "words"
        else:
            rows, rank = self._matches(without), "library_title.search_vector"
        ranked = rows.annotate(
            rank=RawSQL(  # noqa: S611 (constants)
                f"ts_rank({rank}, websearch_to_tsquery('simple', %s))",
                [self.text],
                output_field=FloatField(),
            )
        )
        ids = list(ranked.order_by("-rank", "pk").values_list("pk", flat=True)[:limit])
        if in_title and not without and len(ids) < limit:
            self.in_title_count = len(ids)  # all of them: the count needs no second look
        return ids

    def _count(self, cap: int) -> int:
        # A broad word has more title matches than the cap: counted in the narrow table, the
        # catalogue rows are not read. Otherwise every match's row is (PostgreSQL 15 reads
        # the heap row of each bitmap match, visibility map or not).
        counted = self.in_title_count
        if counted is None:
            counted = self._rows(()).values("pk")[: cap + 1].count()
        if counted > cap:
            return counted
        return self._matches(()).order_by().values("pk")[: cap + 1].count()


class _Fts5Ranking(_CheckedFirst):
    """FTS5: records with every word in the title first, then the others, each by bm25 (title
    words weigh more), read from the index alone.

    The filters are terms of the index query (tags, see fts.py); the common ones
    (CHECKED_FIRST) are first checked on the best matches instead, and go into the index
    query only when too few of those pass."""

    def __init__(self, *, words: str, filters: dict[str, str], staff: bool) -> None:
        super().__init__()
        self.words = words
        self.filters = filters
        # filter -> the terms a match must have, and those it must not
        self.required: dict[str, tuple[str, list[str]]] = {}
        self.excluded = [] if staff else [_tag_term(fts.WITHDRAWN)]
        self.excluded_ids: list[int] = []  # licensed titles with no free copy now
        if filters.get("subject"):
            ids = list(Subject.objects.filter(name=filters["subject"]).values_list("pk", flat=True))
            self.required["subject"] = (_tag_term(*(fts.tag("subject", i) for i in ids)), [])
            self.impossible = not ids
        if filters.get("language"):
            self.required["language"] = (_tag_term(fts.tag("lang", filters["language"])), [])
        if year_param(filters.get("year"), low=0, high=9999) is not None:
            year = year_param(filters["year"], low=0, high=9999)
            self.required["year"] = (_tag_term(fts.tag("year", year)), [])
        if filters.get("format") in ("epub", "pdf"):
            self.required["format"] = (_tag_term(fts.tag("format", filters["format"])), [])
        availability = filters.get("availability")
        if availability == "open":
            self.required["availability"] = (_tag_term(fts.OPEN), [])
        elif availability in ("available", "licensed"):
            self.required["availability"] = (_tag_term(fts.LICENSED), [_tag_term(fts.OPEN)])
            if availability == "available":
                self.excluded_ids = titles_without_free_copy()
        self.checked = tuple(name for name in CHECKED_FIRST if name in self.required)

    def _match(self, in_title: bool, *, without: tuple[str, ...] = ()) -> str:
        match = f"{'title' if in_title else '{title body}'} : ({self.words})"
        excluded = list(self.excluded)
        for name, (term, unwanted) in self.required.items():
            if name not in without:
                match = f"({match}) AND ({term})"
                excluded += unwanted
        for term in excluded:
            match = f"({match}) NOT ({term})"
        return match

    def _best(self, *, in_title: bool, limit: int, without: tuple[str, ...]) -> list[int]:
        return self._select(self._match(in_title, without=without), limit=limit)

    def _where(self, match: str) -> tuple[str, list]:
        sql = f"{fts.TABLE} MATCH %s"
        params: list = [match]
        if self.excluded_ids:
            sql += " AND rowid NOT IN (SELECT value FROM json_each(%s))"
            params.append(json.dumps(self.excluded_ids))
        return sql, params

    def _select(self, match: str, *, limit: int) -> list[int]:
        where, params = self._where(match)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid FROM {fts.TABLE} WHERE {where} "  # noqa: S608 (constants)
                f"ORDER BY {fts.RANK}, rowid LIMIT %s",
                [*params, limit],
            )
            return [row[0] for row in cursor.fetchall()]

    def _select_count(self, match: str, *, cap: int) -> int:
        where, params = self._where(match)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM (SELECT rowid FROM {fts.TABLE} WHERE {where} LIMIT %s)",  # noqa: S608
                [*params, cap + 1],
            )
            return cursor.fetchone()[0]

    def _count(self, cap: int) -> int:
        if self.impossible:
            return 0
        return self._select_count(self._match(False), cap=cap)


def _among(ids: list[int]) -> RawSQL:
    """Return `ids` as a subquery with one parameter: a thousand parameters in an IN list cost
    more to build and bind than the query costs to run."""
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", [ids])
    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(ids)])


def _tag_term(*tags: str) -> str:
    """Return an FTS5 term matching records with any of `tags` in the tags column."""
    return "tags : (" + " OR ".join(f'"{tag}"' for tag in tags) + ")"


def _ranking(*, user, text: str, filters: dict[str, str]) -> _Ranking:
    titles = titles_visible(user=user)
    backend = search_backend() if text else "browse"
    if backend == "postgres":
        return _PostgresRanking(
            titles=titles, text=text, filters=filters, staff=is_library_staff(user)
        )
    if backend == "fts5":
        words = fts.terms(text)
        if not words:
            return _Nothing()
        return _Fts5Ranking(words=words, filters=filters, staff=is_library_staff(user))
    for word in text.split():  # LIKE; without words (browse) the last changed first
        titles = titles.filter(search_text__icontains=word)
    return _QueryRanking(_filtered(titles, filters).order_by("-updated_at", "-id"))


class RankedTitles:
    """The titles a search found, in order, read only as far as they are sliced.

    A slice asks the search for the ids of that stretch (a page costs ranking the matches,
    not reading every matching record) and loads those titles with their pool, contributors
    and files. count() stops at COUNT_CAP; see is_capped().
    """

    def __init__(self, ranking: _Ranking, prefetch: tuple = ()) -> None:
        self._ranking = ranking
        self._prefetch = prefetch

    def prefetch_related(self, *lookups) -> "RankedTitles":
        return RankedTitles(self._ranking, self._prefetch + lookups)

    def count(self) -> int:
        return min(self._ranking.count(COUNT_CAP), COUNT_CAP)

    def is_capped(self) -> bool:
        """Return whether more than COUNT_CAP titles match."""
        return self._ranking.count(COUNT_CAP) > COUNT_CAP

    def __getitem__(self, key):
        if isinstance(key, int):
            found = self[key : key + 1]
            if not found:
                raise IndexError(key)
            return found[0]
        if key.step is not None or key.stop is None or (key.start or 0) < 0:
            raise ValueError("RankedTitles takes slices [start:stop] only")
        start = key.start or 0
        ids = self._ranking.ids(start, max(key.stop - start, 0)) if key.stop > start else []
        titles = (
            Title.objects.filter(pk__in=ids)
            .select_related("pool")
            .prefetch_related(
                Prefetch("contributors", queryset=Contributor.objects.order_by("order", "id")),
                "files",
                *self._prefetch,
            )
        )
        by_id = {title.pk: title for title in titles}
        return [by_id[pk] for pk in ids if pk in by_id]

    def __iter__(self):
        start, size = 0, 500
        while True:
            chunk = self[start : start + size]
            yield from chunk
            if len(chunk) < size:
                return
            start += size


@dataclass
class SearchResult:
    titles: RankedTitles
    facets: dict[str, list[tuple[str, int]]]
    facets_capped: bool = False  # the facets count the best FACET_WINDOW matches only

    @property
    def total(self) -> int:
        """The number of matches, at most COUNT_CAP."""
        return self.titles.count()

    @property
    def total_capped(self) -> bool:
        return self.titles.is_capped()


def _filtered(titles: QuerySet[Title], filters: dict[str, str]) -> QuerySet[Title]:
    if filters.get("subject"):
        titles = titles.filter(subjects__name=filters["subject"])
    if filters.get("language"):
        titles = titles.filter(language=filters["language"])
    if year_param(filters.get("year"), low=0, high=9999) is not None:
        titles = titles.filter(year=year_param(filters["year"], low=0, high=9999))
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
    """Search the catalogue: the matches of `text` best first (without words, the last changed
    first), narrowed by the chosen facets, with facet counts over the best FACET_WINDOW."""
    ranking = _ranking(user=user, text=text.strip(), filters=filters or {})
    facets: dict[str, list[tuple[str, int]]] = {}
    if with_facets:
        facets = _facets(ranking.head(FACET_WINDOW))
    return SearchResult(
        titles=RankedTitles(ranking),
        facets=facets,
        facets_capped=with_facets and not ranking.complete,
    )


def _facets(ids: list[int]) -> dict[str, list[tuple[str, int]]]:
    window = _among(ids)
    languages: dict[str, int] = {}
    years: dict[int, int] = {}
    open_count = licensed = 0
    # One grouped pass over the window gives the languages, years and access; on PostgreSQL
    # over the narrow search rows, whose pages stay in shared_buffers.
    if connection.vendor == "postgresql":
        groups = (
            TitleSearch.objects.filter(title_id__in=window)
            .values("language", "year", "open_access")
            .annotate(has_pool=Count("pk", filter=Q(licensed=True)), n=Count("pk"))
        )
    else:
        groups = (
            Title.objects.filter(pk__in=window)
            .order_by()
            .values("language", "year", "open_access")
            .annotate(has_pool=Count("pool"), n=Count("id"))
        )
    for language, year, is_open, has_pool, n in groups.values_list(
        "language", "year", "open_access", "has_pool", "n"
    ):
        if language:
            languages[language] = languages.get(language, 0) + n
        if year:
            years[year] = years.get(year, 0) + n
        if is_open:
            open_count += n
        else:
            licensed += has_pool
    exhausted = set(titles_without_free_copy())
    unavailable = len(exhausted.intersection(ids))
    return {
        "subject": list(
            Title.subjects.through.objects.filter(title_id__in=window)
            .values("subject__name")
            .annotate(n=Count("id"))
            .order_by("-n", "subject__name")
            .values_list("subject__name", "n")[:FACET_LIMIT]
        ),
        "language": sorted(languages.items(), key=lambda kv: (-kv[1], kv[0]))[:FACET_LIMIT],
        "year": sorted(years.items(), reverse=True)[:FACET_LIMIT],
        "format": list(
            BookFile.objects.filter(title_id__in=window)
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
