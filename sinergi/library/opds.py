"""OPDS 1.2 catalogue at /opds/: navigation root, acquisition feeds (sort/new, sort/popular, by
subject, search), the loans shelf, borrowing and returning as reader apps do it, the file of a
loan, and the Authentication Document (shared with OPDS 2.0, see opds2.py).

A licensed title's entry carries a `borrow` link (to an OPDS entry, with
`opds:indirectAcquisition` naming the files' types). Following it with credentials (see
opds_auth) lends a copy, or queues the caller when none is free, and answers the caller's entry:
for a loan, `http://opds-spec.org/acquisition` links to the files (loan-gated, /opds/files/<id>)
and a `revoke` link; for a hold, the borrow link again. The entry's `opds:availability` says the
state and when it began and ends (the OPDS 1.2 grammar admits opds:* elements in an entry but
not in a link, so the copies, free copies, holds and queue position ride on the link in
`sn:availability`). Open-access titles carry `open-access` links straight to the file.
"""

from datetime import UTC, datetime
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from lxml import etree

from . import selectors, services
from .files import cover_type
from .models import BookFile, Contributor, ContributorRole, LoanState, Subject, Title
from .opds_auth import (
    AUTH_DOCUMENT_REL,
    AUTH_DOCUMENT_TYPE,
    authentication_document,
    opds_view,
)
from .opds_lending import Offer, offer_for, problem, shelf_of

ATOM = "http://www.w3.org/2005/Atom"
OPDS = "http://opds-spec.org/2010/catalog"
DC = "http://purl.org/dc/terms/"
OS = "http://a9.com/-/spec/opensearch/1.1/"
SN = "https://sinergi.upi.edu/ns/opds"
NAV = "application/atom+xml;profile=opds-catalog;kind=navigation"
ACQ = "application/atom+xml;profile=opds-catalog;kind=acquisition"
ENTRY_TYPE = "application/atom+xml;type=entry;profile=opds-catalog"
REL_ACQUISITION = "http://opds-spec.org/acquisition"
REL_OPEN = "http://opds-spec.org/acquisition/open-access"
REL_BORROW = "http://opds-spec.org/acquisition/borrow"
REL_REVOKE = "http://librarysimplified.org/terms/rel/revoke"
REL_NEW = "http://opds-spec.org/sort/new"
REL_POPULAR = "http://opds-spec.org/sort/popular"
REL_SHELF = "http://opds-spec.org/shelf"
REL_IMAGE = "http://opds-spec.org/image"
REL_THUMBNAIL = "http://opds-spec.org/image/thumbnail"
PAGE_SIZE = 25
MAX_PAGE = 2000  # deeper than any reader app pages; keeps OFFSET bounded


def _a(tag: str) -> str:
    return f"{{{ATOM}}}{tag}"


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _abs(request, url: str) -> str:
    return request.build_absolute_uri(url)


def _link(parent, rel: str, href: str, type_: str, **attrs):
    link = etree.SubElement(parent, _a("link"), rel=rel, href=href, type=type_)
    for key, value in attrs.items():
        link.set(key, value)
    return link


def _feed(request, *, feed_id: str, title: str, self_url: str, kind: str):
    feed = etree.Element(
        _a("feed"), nsmap={None: ATOM, "opds": OPDS, "dc": DC, "opensearch": OS, "sn": SN}
    )
    etree.SubElement(feed, _a("id")).text = f"urn:sinergi:opds:{feed_id}"
    etree.SubElement(feed, _a("title")).text = title
    etree.SubElement(feed, _a("updated")).text = _stamp(datetime.now(UTC))
    author = etree.SubElement(feed, _a("author"))
    etree.SubElement(author, _a("name")).text = settings.SINERGI_HOST_NAME
    _link(feed, "self", _abs(request, self_url), kind)
    _link(feed, "start", _abs(request, reverse("opds_root")), NAV)
    _link(
        feed,
        "search",
        _abs(request, reverse("opds_opensearch")),
        "application/opensearchdescription+xml",
    )
    _link(feed, REL_NEW, _abs(request, reverse("opds_new")), ACQ, title=_("Newest"))
    _link(feed, REL_POPULAR, _abs(request, reverse("opds_popular")), ACQ, title=_("Most borrowed"))
    _link(feed, REL_SHELF, _abs(request, reverse("opds_loans")), ACQ, title=_("My loans"))
    _link(
        feed, AUTH_DOCUMENT_REL, _abs(request, reverse("opds_authentication")), AUTH_DOCUMENT_TYPE
    )
    return feed


def _respond(element, content_type: str = ACQ, *, status: int = 200, private=False):
    body = etree.tostring(element, xml_declaration=True, encoding="UTF-8")
    response = HttpResponse(body, status=status, content_type=f"{content_type};charset=utf-8")
    if private:
        patch_cache_control(response, private=True, no_store=True)
    return response


def _nav_entry(feed, request, *, entry_id: str, title: str, href: str, kind: str, text: str, rel):
    entry = etree.SubElement(feed, _a("entry"))
    etree.SubElement(entry, _a("title")).text = title
    etree.SubElement(entry, _a("id")).text = f"urn:sinergi:opds:{entry_id}"
    etree.SubElement(entry, _a("updated")).text = _stamp(datetime.now(UTC))
    etree.SubElement(entry, _a("content"), type="text").text = text
    _link(entry, rel, _abs(request, href), kind)


# --- Shared by OPDS 1.2 and 2.0: what a feed lists ---------------------------------------------


def with_details(titles):
    titles = selectors.with_availability_counts(titles)
    return titles.select_related("pool").prefetch_related(
        Prefetch("contributors", queryset=Contributor.objects.order_by("order", "id")),
        "subjects",
        Prefetch("files", queryset=BookFile.objects.only("id", "title_id", "kind")),
    )


def public_titles():
    return Title.objects.filter(withdrawn=False)


def acquirable(titles):
    """Only titles with a file (OPDS 2.0 publications must have an acquisition link)."""
    return titles.filter(Exists(BookFile.objects.filter(title=OuterRef("pk"))))


def newest_titles():
    # Ids grow with creation, so the newest come first along the primary key's index.
    return public_titles().order_by("-id")


def popular_titles():
    # Counted from the loans (far fewer rows than the catalogue): borrowed titles, most first.
    return (
        public_titles().filter(loans__isnull=False).annotate(n=Count("loans")).order_by("-n", "-id")
    )


def subject_titles(subject):
    return public_titles().filter(subjects=subject).order_by("title", "id")


def top_subjects():
    return Subject.objects.annotate(n=Count("title")).filter(n__gt=0).order_by("-n", "name")[:100]


def shelf_titles(user):
    """The caller's shelf: titles on loan to them or that they queue for."""
    return (
        Title.objects.filter(
            Q(loans__user=user, loans__state=LoanState.ACTIVE)
            | Q(holds__user=user, holds__state__in=("waiting", "reserved"))
        )
        .distinct()
        .order_by("title", "id")
    )


def page_of(request, titles) -> tuple[list[Title], int, bool]:
    """Return one page of `titles`, its number and whether more follow; the next link comes
    from reading one row past the page, so no feed counts the whole catalogue."""
    page_number = request.GET.get("page", "1")
    if not page_number.isdigit() or not 1 <= int(page_number) <= MAX_PAGE:
        raise Http404
    number = int(page_number)
    start = (number - 1) * PAGE_SIZE
    rows = list(titles[start : start + PAGE_SIZE + 1])
    if not rows and number > 1:
        raise Http404
    return rows[:PAGE_SIZE], number, len(rows) > PAGE_SIZE


# --- Feeds ---------------------------------------------------------------------------------------


@opds_view()
def root(request):
    feed = _feed(
        request,
        feed_id="root",
        title=_("%(library)s: e-books") % {"library": settings.SINERGI_HOST_SHORT_NAME},
        self_url=reverse("opds_root"),
        kind=NAV,
    )
    for entry_id, title, name, text, rel in (
        ("new", _("Newest"), "opds_new", _("Titles added most recently"), REL_NEW),
        ("popular", _("Most borrowed"), "opds_popular", _("Titles borrowed most"), REL_POPULAR),
        ("subjects", _("Subjects"), "opds_subjects", _("Browse by subject"), "subsection"),
        ("loans", _("My loans"), "opds_loans", _("The e-books you have borrowed"), REL_SHELF),
    ):
        kind = NAV if name == "opds_subjects" else ACQ
        _nav_entry(
            feed,
            request,
            entry_id=entry_id,
            title=title,
            href=reverse(name),
            kind=kind,
            text=text,
            rel=rel,
        )
    return _respond(feed, NAV)


def _acquisition(request, *, titles, feed_id, title, url_name, args=(), query="", shelf=None):
    rows, number, has_next = page_of(request, titles)
    base = reverse(url_name, args=args)
    sep = "&" if query else ""
    feed = _feed(
        request,
        feed_id=feed_id,
        title=title,
        self_url=f"{base}?{query}{sep}page={number}",
        kind=ACQ,
    )
    etree.SubElement(feed, f"{{{OS}}}itemsPerPage").text = str(PAGE_SIZE)
    etree.SubElement(feed, f"{{{OS}}}startIndex").text = str((number - 1) * PAGE_SIZE + 1)
    if has_next:
        _link(feed, "next", _abs(request, f"{base}?{query}{sep}page={number + 1}"), ACQ)
    if number > 1:
        _link(feed, "previous", _abs(request, f"{base}?{query}{sep}page={number - 1}"), ACQ)
    shelf = shelf or shelf_of(request.user)
    for item in rows:
        feed.append(_entry(request, item, offer_for(item, shelf)))
    # Entries say what this caller has on loan: never cached for someone else.
    return _respond(feed, private=request.user.is_authenticated)


@opds_view()
def new(request):
    return _acquisition(
        request,
        titles=with_details(newest_titles()),
        feed_id="new",
        title=_("Newest"),
        url_name="opds_new",
    )


@opds_view()
def popular(request):
    return _acquisition(
        request,
        titles=with_details(popular_titles()),
        feed_id="popular",
        title=_("Most borrowed"),
        url_name="opds_popular",
    )


@opds_view()
def subjects(request):
    feed = _feed(
        request,
        feed_id="subjects",
        title=_("Subjects"),
        self_url=reverse("opds_subjects"),
        kind=NAV,
    )
    for subject in top_subjects():
        _nav_entry(
            feed,
            request,
            entry_id=f"subject:{subject.pk}",
            title=subject.name,
            href=reverse("opds_subject", args=[subject.pk]),
            kind=ACQ,
            text=_("%(n)s titles") % {"n": subject.n},
            rel="subsection",
        )
    return _respond(feed, NAV)


@opds_view()
def subject(request, pk: int):
    item = get_object_or_404(Subject, pk=pk)
    return _acquisition(
        request,
        titles=with_details(subject_titles(item)),
        feed_id=f"subject:{pk}",
        title=item.name,
        url_name="opds_subject",
        args=(pk,),
    )


@opds_view()
def search(request):
    text = request.GET.get("q", "")[:200]
    result = selectors.catalogue_search(user=request.user, text=text, with_facets=False)
    return _acquisition(
        request,
        titles=result.titles.prefetch_related("subjects"),
        feed_id="search",
        title=_("Search: %(text)s") % {"text": text},
        url_name="opds_search",
        query=urlencode({"q": text}),
    )


@require_safe
def opensearch(request):
    ns = OS
    doc = etree.Element(f"{{{ns}}}OpenSearchDescription", nsmap={None: ns})
    etree.SubElement(doc, f"{{{ns}}}ShortName").text = "Sinergi e-book"
    etree.SubElement(doc, f"{{{ns}}}Description").text = _("Search the e-books of %(library)s") % {
        "library": settings.SINERGI_HOST_NAME
    }
    etree.SubElement(doc, f"{{{ns}}}InputEncoding").text = "UTF-8"
    etree.SubElement(
        doc,
        f"{{{ns}}}Url",
        type=ACQ,
        template=_abs(request, reverse("opds_search")) + "?q={searchTerms}",
    )
    body = etree.tostring(doc, xml_declaration=True, encoding="UTF-8")
    return HttpResponse(body, content_type="application/opensearchdescription+xml;charset=utf-8")


@opds_view(login=True)
def loans(request):
    return _acquisition(
        request,
        titles=with_details(shelf_titles(request.user)),
        feed_id=f"loans:{request.user.pk}",
        title=_("My loans"),
        url_name="opds_loans",
    )


@opds_view()
def entry(request, pk: int):
    title = get_object_or_404(with_details(public_titles()), pk=pk)
    element = _entry(request, title, offer_for(title, shelf_of(request.user)), standalone=True)
    return _respond(element, ENTRY_TYPE, private=request.user.is_authenticated)


@require_safe
def authentication(request):
    return JsonResponse(
        authentication_document(request),
        content_type=f"{AUTH_DOCUMENT_TYPE};charset=utf-8",
        json_dumps_params={"ensure_ascii": False},
    )


# --- Borrowing, returning and reading, as reader apps do it -------------------------------------


def lending_title(request, pk: int) -> Title | None:
    try:
        return selectors.title_get(title_id=pk, user=request.user)
    except ObjectDoesNotExist:
        return None


def lend(request, pk: int) -> tuple[Title | None, int, HttpResponse | None]:
    """Borrow or queue for title `pk` for the caller; return the title (reloaded with its
    counts), the status (201 new, 200 already yours) or a problem response."""
    title = lending_title(request, pk)
    if title is None:
        return None, 404, problem(404, code="not_found", message=_("There is no such title."))
    try:
        _thing, created = services.loan_or_hold_create(title=title, user=request.user)
    except services.LendingError as error:
        return None, 409, problem(409, code=error.code, message=error.message)
    return with_details(Title.objects.all()).get(pk=pk), 201 if created else 200, None


def give_back(request, pk: int) -> tuple[Title | None, HttpResponse | None]:
    """Return the caller's loan of title `pk`, or leave its queue."""
    title = lending_title(request, pk)
    shelf = shelf_of(request.user)
    try:
        if title is not None and title.pk in shelf.loans:
            services.loan_return(loan=shelf.loans[title.pk], actor=request.user)
        elif title is not None and title.pk in shelf.holds:
            services.hold_cancel(hold=shelf.holds[title.pk], actor=request.user)
        else:
            return None, problem(
                404, code="not_on_shelf", message=_("You have neither a loan nor a hold of this.")
            )
    except services.LendingError as error:
        return None, problem(409, code=error.code, message=error.message)
    return with_details(Title.objects.all()).get(pk=pk), None


BORROW_METHODS = ("GET", "HEAD", "POST", "PUT")


@opds_view(methods=BORROW_METHODS, login=True, acts_on_get=True)
def borrow(request, pk: int):
    title, status, failure = lend(request, pk)
    if failure:
        return failure
    element = _entry(request, title, offer_for(title, shelf_of(request.user)), standalone=True)
    return _respond(element, ENTRY_TYPE, status=status, private=True)


@opds_view(methods=(*BORROW_METHODS, "DELETE"), login=True, acts_on_get=True)
def revoke(request, pk: int):
    title, failure = give_back(request, pk)
    if failure:
        return failure
    element = _entry(request, title, offer_for(title, shelf_of(request.user)), standalone=True)
    return _respond(element, ENTRY_TYPE, private=True)


@opds_view(login=True)
def book_file(request, pk: int):
    """Stream a file to the caller while their loan lasts (or always, for open access)."""
    try:
        item = selectors.book_file_get(file_id=pk, user=request.user)
    except ObjectDoesNotExist:
        return problem(404, code="not_found", message=_("There is no such file."))
    if not selectors.may_read(user=request.user, book_file=item):
        return problem(403, code="no_loan", message=_("Borrow this title to read it."))
    response = FileResponse(
        item.file.open("rb"),
        content_type=item.content_type,
        as_attachment=True,
        filename=f"{item.title.title[:80]}.{item.kind}",
    )
    patch_cache_control(response, private=True, no_store=True)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Entries -------------------------------------------------------------------------------------


def _availability(parent, offer: Offer, tag: str, **extra) -> None:
    element = etree.SubElement(parent, tag, status=offer.state, **extra)
    if offer.since:
        element.set("since", _stamp(offer.since))
    if offer.until:
        element.set("until", _stamp(offer.until))


def _entry(request, title: Title, offer: Offer, *, standalone: bool = False):
    nsmap = {None: ATOM, "opds": OPDS, "dc": DC, "sn": SN} if standalone else None
    entry = etree.Element(_a("entry"), nsmap=nsmap)
    etree.SubElement(entry, _a("title")).text = title.title
    etree.SubElement(entry, _a("id")).text = f"urn:sinergi:title:{title.pk}"
    etree.SubElement(entry, _a("updated")).text = _stamp(title.updated_at)
    for contributor in title.contributors.all():
        if contributor.role == ContributorRole.AUTHOR:
            author = etree.SubElement(entry, _a("author"))
            etree.SubElement(author, _a("name")).text = contributor.name
    if title.language:
        etree.SubElement(entry, f"{{{DC}}}language").text = title.language
    if title.publisher:
        etree.SubElement(entry, f"{{{DC}}}publisher").text = title.publisher
    if title.year:
        etree.SubElement(entry, f"{{{DC}}}issued").text = str(title.year)
    if title.isbn:
        etree.SubElement(entry, f"{{{DC}}}identifier").text = f"urn:isbn:{title.isbn}"
    for item in title.subjects.all():
        etree.SubElement(entry, _a("category"), term=item.name, label=item.name)
    if title.description:
        etree.SubElement(entry, _a("summary"), type="text").text = title.description[:2000]
    _link(entry, "alternate", _abs(request, title.get_absolute_url()), "text/html")
    _link(entry, "alternate", _abs(request, reverse("opds_entry", args=[title.pk])), ENTRY_TYPE)
    if title.cover:
        cover = _abs(request, reverse("library:cover", args=[title.pk]))
        kind = cover_type(title.cover.name)
        _link(entry, REL_IMAGE, cover, kind)
        _link(entry, REL_THUMBNAIL, cover, kind)
    if offer.kind == "open":
        for item in offer.files:
            href = _abs(request, reverse("library:open_file", args=[item.pk]))
            _link(entry, REL_OPEN, href, item.content_type)
    elif offer.kind == "loan":
        for item in offer.files:
            _link(
                entry,
                REL_ACQUISITION,
                _abs(request, reverse("opds_file", args=[item.pk])),
                item.content_type,
            )
    elif offer.kind in ("borrow", "hold"):
        link = _link(
            entry,
            REL_BORROW,
            _abs(request, reverse("opds_borrow", args=[title.pk])),
            ENTRY_TYPE,
        )
        for item in offer.files:
            etree.SubElement(link, f"{{{OPDS}}}indirectAcquisition", type=item.content_type)
        _availability(
            link,
            offer,
            f"{{{SN}}}availability",
            copies=str(offer.copies),
            available=str(offer.available),
            holds=str(offer.holds),
            **({"position": str(offer.position)} if offer.position else {}),
        )
    if offer.kind in ("loan", "hold"):
        _link(entry, REL_REVOKE, _abs(request, reverse("opds_revoke", args=[title.pk])), ENTRY_TYPE)
    if offer.kind != "none":
        _availability(entry, offer, f"{{{OPDS}}}availability")
    return entry
