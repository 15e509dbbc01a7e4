"""OPDS 1.2 catalogue at /opds/: navigation root, acquisition feeds, OpenSearch, loans shelf.

Acquisition links: `open-access` to the file for open titles; `borrow` (to the API that makes
a loan) for licensed ones, with the copies, free copies and holds in a foreign element
(`sn:availability`), since the OPDS 1.2 grammar admits no opds:availability element.
The loans shelf needs HTTP Basic: e-mail and password, or an API token as the password.
"""

import base64
from datetime import UTC, datetime
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import authenticate
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_safe
from lxml import etree

from sinergi.accounts.selectors import api_token_get_active

from . import selectors
from .models import BookFile, Contributor, ContributorRole, LoanState, Subject, Title

ATOM = "http://www.w3.org/2005/Atom"
OPDS = "http://opds-spec.org/2010/catalog"
DC = "http://purl.org/dc/terms/"
OS = "http://a9.com/-/spec/opensearch/1.1/"
SN = "https://sinergi.upi.edu/ns/opds"
NAV = "application/atom+xml;profile=opds-catalog;kind=navigation"
ACQ = "application/atom+xml;profile=opds-catalog;kind=acquisition"
ENTRY_TYPE = "application/atom+xml;type=entry;profile=opds-catalog"
PAGE_SIZE = 25


def _a(tag: str) -> str:
    return f"{{{ATOM}}}{tag}"


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _abs(request, url: str) -> str:
    return request.build_absolute_uri(url)


def _feed(request, *, feed_id: str, title: str, self_url: str, kind: str, updated=None):
    feed = etree.Element(
        _a("feed"), nsmap={None: ATOM, "opds": OPDS, "dc": DC, "opensearch": OS, "sn": SN}
    )
    etree.SubElement(feed, _a("id")).text = f"urn:sinergi:opds:{feed_id}"
    etree.SubElement(feed, _a("title")).text = title
    etree.SubElement(feed, _a("updated")).text = _stamp(updated or datetime.now(UTC))
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
    return feed


def _link(parent, rel: str, href: str, type_: str, **attrs):
    link = etree.SubElement(parent, _a("link"), rel=rel, href=href, type=type_)
    for key, value in attrs.items():
        link.set(key, value)
    return link


def _respond(feed, content_type: str = ACQ) -> HttpResponse:
    body = etree.tostring(feed, xml_declaration=True, encoding="UTF-8")
    return HttpResponse(body, content_type=f"{content_type};charset=utf-8")


def _nav_entry(feed, request, *, entry_id: str, title: str, href: str, kind: str, text: str):
    entry = etree.SubElement(feed, _a("entry"))
    etree.SubElement(entry, _a("title")).text = title
    etree.SubElement(entry, _a("id")).text = f"urn:sinergi:opds:{entry_id}"
    etree.SubElement(entry, _a("updated")).text = _stamp(datetime.now(UTC))
    etree.SubElement(entry, _a("content"), type="text").text = text
    _link(entry, "subsection", _abs(request, href), kind)


@require_safe
def root(request):
    feed = _feed(
        request,
        feed_id="root",
        title=f"{settings.SINERGI_HOST_SHORT_NAME}: e-book",
        self_url=reverse("opds_root"),
        kind=NAV,
    )
    for entry_id, title, name, text in (
        ("new", "Terbaru", "opds_new", "Judul yang baru ditambahkan"),
        ("popular", "Terpopuler", "opds_popular", "Judul yang paling sering dipinjam"),
        ("subjects", "Subjek", "opds_subjects", "Telusuri menurut subjek"),
        ("loans", "Pinjaman saya", "opds_loans", "E-book yang sedang Anda pinjam"),
    ):
        kind = NAV if name == "opds_subjects" else ACQ
        _nav_entry(
            feed, request, entry_id=entry_id, title=title, href=reverse(name), kind=kind, text=text
        )
    return _respond(feed, NAV)


def _with_details(titles):
    titles = selectors.with_availability_counts(titles)
    return titles.select_related("pool").prefetch_related(
        Prefetch("contributors", queryset=Contributor.objects.order_by("order", "id")),
        "subjects",
        Prefetch("files", queryset=BookFile.objects.only("id", "title_id", "kind")),
    )


MAX_PAGE = 2000  # deeper than any reader app pages; keeps OFFSET bounded


def _acquisition(request, *, titles, feed_id, title, url_name, args=(), query=""):
    """Render one page of `titles`; the next link comes from reading one row past the page,
    so no feed counts the whole catalogue (a million rows) to say whether there is more."""
    page_number = request.GET.get("page", "1")
    if not page_number.isdigit() or not 1 <= int(page_number) <= MAX_PAGE:
        raise Http404
    number = int(page_number)
    start = (number - 1) * PAGE_SIZE
    rows = list(titles[start : start + PAGE_SIZE + 1])
    if not rows and number > 1:
        raise Http404
    has_next, rows = len(rows) > PAGE_SIZE, rows[:PAGE_SIZE]
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
    etree.SubElement(feed, f"{{{OS}}}startIndex").text = str(start + 1)
    if has_next:
        _link(feed, "next", _abs(request, f"{base}?{query}{sep}page={number + 1}"), ACQ)
    if number > 1:
        _link(feed, "previous", _abs(request, f"{base}?{query}{sep}page={number - 1}"), ACQ)
    for item in rows:
        feed.append(_entry(request, item))
    return _respond(feed)


def _public_titles():
    return Title.objects.filter(withdrawn=False)


@require_safe
def new(request):
    # Ids grow with creation, so the newest come first along the primary key's index.
    titles = _with_details(_public_titles().order_by("-id"))
    return _acquisition(request, titles=titles, feed_id="new", title="Terbaru", url_name="opds_new")


@require_safe
def popular(request):
    # Counted from the loans (far fewer rows than the catalogue): borrowed titles, most first.
    titles = _with_details(
        _public_titles()
        .filter(loans__isnull=False)
        .annotate(n=Count("loans"))
        .order_by("-n", "-id")
    )
    return _acquisition(
        request, titles=titles, feed_id="popular", title="Terpopuler", url_name="opds_popular"
    )


@require_safe
def subjects(request):
    feed = _feed(
        request, feed_id="subjects", title="Subjek", self_url=reverse("opds_subjects"), kind=NAV
    )
    top = Subject.objects.annotate(n=Count("title")).filter(n__gt=0).order_by("-n", "name")[:100]
    for subject in top:
        _nav_entry(
            feed,
            request,
            entry_id=f"subject:{subject.pk}",
            title=subject.name,
            href=reverse("opds_subject", args=[subject.pk]),
            kind=ACQ,
            text=f"{subject.n} judul",
        )
    return _respond(feed, NAV)


@require_safe
def subject(request, pk: int):
    item = get_object_or_404(Subject, pk=pk)
    titles = _with_details(_public_titles().filter(subjects=item).order_by("title", "id"))
    return _acquisition(
        request,
        titles=titles,
        feed_id=f"subject:{pk}",
        title=item.name,
        url_name="opds_subject",
        args=(pk,),
    )


@require_safe
def search(request):
    text = request.GET.get("q", "")[:200]
    result = selectors.catalogue_search(user=request.user, text=text, with_facets=False)
    return _acquisition(
        request,
        titles=result.titles.prefetch_related("subjects"),
        feed_id="search",
        title=f"Pencarian: {text}",
        url_name="opds_search",
        query=urlencode({"q": text}),
    )


@require_safe
def opensearch(request):
    ns = "http://a9.com/-/spec/opensearch/1.1/"
    doc = etree.Element(f"{{{ns}}}OpenSearchDescription", nsmap={None: ns})
    etree.SubElement(doc, f"{{{ns}}}ShortName").text = "Sinergi e-book"
    etree.SubElement(doc, f"{{{ns}}}Description").text = "Cari e-book " + settings.SINERGI_HOST_NAME
    etree.SubElement(doc, f"{{{ns}}}InputEncoding").text = "UTF-8"
    etree.SubElement(
        doc,
        f"{{{ns}}}Url",
        type=ACQ,
        template=_abs(request, reverse("opds_search")) + "?q={searchTerms}",
    )
    body = etree.tostring(doc, xml_declaration=True, encoding="UTF-8")
    return HttpResponse(body, content_type="application/opensearchdescription+xml;charset=utf-8")


def _basic_user(request):
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        token = api_token_get_active(raw=header[7:].strip())
        return token.user if token else None
    if not header.startswith("Basic "):
        return request.user if request.user.is_authenticated else None
    try:
        username, _sep, password = base64.b64decode(header[6:]).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return None
    token = api_token_get_active(raw=password) or api_token_get_active(raw=username)
    if token is not None:
        return token.user
    return authenticate(request, username=username, password=password)


@require_safe
def loans(request):
    user = _basic_user(request)
    if user is None:
        response = HttpResponse("Authentication required", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Basic realm="Sinergi OPDS", charset="UTF-8"'
        return response
    request.user = user
    titles = _with_details(
        Title.objects.filter(loans__user=user, loans__state=LoanState.ACTIVE).order_by("title")
    )
    return _acquisition(
        request,
        titles=titles,
        feed_id=f"loans:{user.pk}",
        title="Pinjaman saya",
        url_name="opds_loans",
    )


@require_safe
def entry(request, pk: int):
    title = get_object_or_404(_with_details(_public_titles()), pk=pk)
    element = _entry(request, title, standalone=True)
    return _respond(element, ENTRY_TYPE)


def _entry(request, title: Title, *, standalone: bool = False):
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
    page = _abs(request, title.get_absolute_url())
    _link(entry, "alternate", page, "text/html")
    if title.cover:
        cover = _abs(request, reverse("library:cover", args=[title.pk]))
        _link(entry, "http://opds-spec.org/image", cover, "image/jpeg")
        _link(entry, "http://opds-spec.org/image/thumbnail", cover, "image/jpeg")
    files = list(title.files.all())
    if title.open_access:
        for book_file in files:
            href = _abs(request, reverse("library:open_file", args=[book_file.pk]))
            _link(
                entry, "http://opds-spec.org/acquisition/open-access", href, book_file.content_type
            )
    elif files:
        availability = selectors.title_availability(title=title)
        borrow = _link(
            entry,
            "http://opds-spec.org/acquisition/borrow",
            _abs(request, f"/api/v1/titles/{title.pk}/loans"),
            ENTRY_TYPE,
        )
        for book_file in files:
            etree.SubElement(borrow, f"{{{OPDS}}}indirectAcquisition", type=book_file.content_type)
        etree.SubElement(
            borrow,
            f"{{{SN}}}availability",
            status="available" if availability.available else "unavailable",
            copies=str(availability.copies),
            available=str(availability.available),
            holds=str(availability.holds),
        )
    return entry
