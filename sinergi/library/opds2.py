"""OPDS 2.0 at /opds/v2/: the catalogue of opds.py as JSON feeds (application/opds+json) and
publications (application/opds-publication+json), with the same shelf, lending and files.

A publication's acquisition link is, as in 1.2, `open-access` (the file), a `borrow` link to
/opds/v2/publications/<id>/borrow (answering the publication as the caller now has it, with
`properties.indirectAcquisition`, `copies`, `holds` and `availability`), or for a loan
`http://opds-spec.org/acquisition` to the loan-gated file with `availability` saying when the
loan ends. Only titles with a file are listed (the schema wants an acquisition link in each
publication); a feed with nothing to list says so in a navigation link back to the start.
"""

from datetime import UTC, datetime
from urllib.parse import quote

from django.conf import settings
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from . import opds, selectors
from .files import cover_type
from .models import ContributorRole, Subject, Title
from .opds_auth import AUTH_DOCUMENT_REL, AUTH_DOCUMENT_TYPE, opds_view
from .opds_lending import Offer, offer_for, shelf_of

FEED = "application/opds+json"
PUBLICATION = "application/opds-publication+json"
ROLES = {
    ContributorRole.AUTHOR: "author",
    ContributorRole.EDITOR: "editor",
    ContributorRole.TRANSLATOR: "translator",
    ContributorRole.ILLUSTRATOR: "illustrator",
    ContributorRole.CONTRIBUTOR: "contributor",
}


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _abs(request, url: str) -> str:
    return request.build_absolute_uri(url)


def _respond(request, data: dict, content_type: str, *, status: int = 200):
    response = JsonResponse(
        data,
        status=status,
        content_type=f"{content_type};charset=utf-8",
        json_dumps_params={"ensure_ascii": False},
    )
    if request.user.is_authenticated:
        patch_cache_control(response, private=True, no_store=True)
    return response


def _common_links(request, self_url: str) -> list[dict]:
    return [
        {"rel": "self", "href": _abs(request, self_url), "type": FEED},
        {"rel": "start", "href": _abs(request, reverse("opds2_root")), "type": FEED},
        {
            "rel": "search",
            "href": _abs(request, reverse("opds2_search")) + "{?query}",
            "type": FEED,
            "templated": True,
        },
        {"rel": opds.REL_NEW, "href": _abs(request, reverse("opds2_new")), "type": FEED},
        {"rel": opds.REL_POPULAR, "href": _abs(request, reverse("opds2_popular")), "type": FEED},
        {"rel": opds.REL_SHELF, "href": _abs(request, reverse("opds2_loans")), "type": FEED},
        {
            "rel": AUTH_DOCUMENT_REL,
            "href": _abs(request, reverse("opds_authentication")),
            "type": AUTH_DOCUMENT_TYPE,
        },
    ]


@opds_view()
def root(request):
    navigation = [
        (_("Newest"), "opds2_new", opds.REL_NEW),
        (_("Most borrowed"), "opds2_popular", opds.REL_POPULAR),
        (_("Subjects"), "opds2_subjects", "subsection"),
        (_("My loans"), "opds2_loans", opds.REL_SHELF),
    ]
    data = {
        "metadata": {
            "title": _("%(library)s: e-books") % {"library": settings.SINERGI_HOST_SHORT_NAME}
        },
        "links": _common_links(request, reverse("opds2_root")),
        "navigation": [
            {"href": _abs(request, reverse(name)), "title": title, "type": FEED, "rel": rel}
            for title, name, rel in navigation
        ],
    }
    return _respond(request, data, FEED)


def _feed(request, *, titles, title: str, url_name: str, args=(), query: dict | None = None):
    rows, number, has_next = opds.page_of(request, titles)
    base = _abs(request, reverse(url_name, args=args))

    def page_url(n: int) -> str:
        params = {**(query or {}), "page": n}
        return base + "?" + "&".join(f"{k}={v}" for k, v in params.items())

    links = _common_links(request, reverse(url_name, args=args))
    links[0]["href"] = page_url(number)
    links.append({"rel": "first", "href": page_url(1), "type": FEED})
    if has_next:
        links.append({"rel": "next", "href": page_url(number + 1), "type": FEED})
    if number > 1:
        links.append({"rel": "previous", "href": page_url(number - 1), "type": FEED})
    data = {
        "metadata": {"title": title, "itemsPerPage": opds.PAGE_SIZE, "currentPage": number},
        "links": links,
    }
    shelf = shelf_of(request.user)
    offers = [(t, offer_for(t, shelf)) for t in rows]
    # A search's page may hold records without a file: nothing to acquire, so not listed.
    publications = [_publication(request, t, o) for t, o in offers if o.kind != "none"]
    if publications:
        data["publications"] = publications
    else:
        data["navigation"] = [
            {
                "href": _abs(request, reverse("opds2_root")),
                "title": _("Nothing here yet: back to the catalogue"),
                "type": FEED,
                "rel": "start",
            }
        ]
    return _respond(request, data, FEED)


def _details(titles):
    return opds.with_details(opds.acquirable(titles))


@opds_view()
def new(request):
    return _feed(
        request, titles=_details(opds.newest_titles()), title=_("Newest"), url_name="opds2_new"
    )


@opds_view()
def popular(request):
    return _feed(
        request,
        titles=_details(opds.popular_titles()),
        title=_("Most borrowed"),
        url_name="opds2_popular",
    )


@opds_view()
def subjects(request):
    data = {
        "metadata": {"title": _("Subjects")},
        "links": _common_links(request, reverse("opds2_subjects")),
        "navigation": [
            {
                "href": _abs(request, reverse("opds2_subject", args=[s.pk])),
                "title": s.name,
                "type": FEED,
                "properties": {"numberOfItems": s.n},
            }
            for s in opds.top_subjects()
        ]
        or [{"href": _abs(request, reverse("opds2_root")), "title": _("Back"), "type": FEED}],
    }
    return _respond(request, data, FEED)


@opds_view()
def subject(request, pk: int):
    item = get_object_or_404(Subject, pk=pk)
    return _feed(
        request,
        titles=_details(opds.subject_titles(item)),
        title=item.name,
        url_name="opds2_subject",
        args=(pk,),
    )


@opds_view()
def search(request):
    text = request.GET.get("query", "")[:200]
    result = selectors.catalogue_search(user=request.user, text=text, with_facets=False)
    return _feed(
        request,
        titles=result.titles.prefetch_related("subjects"),
        title=_("Search: %(text)s") % {"text": text},
        url_name="opds2_search",
        query={"query": quote(text)},
    )


@opds_view(login=True)
def loans(request):
    return _feed(
        request,
        titles=opds.with_details(opds.shelf_titles(request.user)),
        title=_("My loans"),
        url_name="opds2_loans",
    )


@opds_view()
def publication(request, pk: int):
    title = get_object_or_404(_details(opds.public_titles()), pk=pk)
    return _respond(
        request, _publication(request, title, offer_for(title, shelf_of(request.user))), PUBLICATION
    )


@opds_view(methods=opds.BORROW_METHODS, login=True, acts_on_get=True)
def borrow(request, pk: int):
    title, status, failure = opds.lend(request, pk)
    if failure:
        return failure
    data = _publication(request, title, offer_for(title, shelf_of(request.user)))
    return _respond(request, data, PUBLICATION, status=status)


@opds_view(methods=(*opds.BORROW_METHODS, "DELETE"), login=True, acts_on_get=True)
def revoke(request, pk: int):
    title, failure = opds.give_back(request, pk)
    if failure:
        return failure
    if not title.files.exists():
        raise Http404
    data = _publication(request, title, offer_for(title, shelf_of(request.user)))
    return _respond(request, data, PUBLICATION)


# --- Publications --------------------------------------------------------------------------------


def _availability(offer: Offer) -> dict:
    availability = {"state": offer.state}
    if offer.since:
        availability["since"] = _stamp(offer.since)
    if offer.until:
        availability["until"] = _stamp(offer.until)
    return availability


def _publication(request, title: Title, offer: Offer) -> dict:
    metadata = {
        "@type": "http://schema.org/EBook",
        "identifier": f"urn:isbn:{title.isbn}" if title.isbn else f"urn:sinergi:title:{title.pk}",
        "title": title.title,
        "modified": _stamp(title.updated_at),
    }
    if title.subtitle:
        metadata["subtitle"] = title.subtitle
    for contributor in title.contributors.all():
        metadata.setdefault(ROLES.get(contributor.role, "contributor"), []).append(
            {"name": contributor.name}
        )
    if title.language:
        metadata["language"] = title.language
    if title.publisher:
        metadata["publisher"] = [{"name": title.publisher}]
    subjects = [{"name": s.name} for s in title.subjects.all()]
    if subjects:
        metadata["subject"] = subjects
    if title.description:
        metadata["description"] = title.description[:2000]
    links = [
        {
            "rel": "self",
            "href": _abs(request, reverse("opds2_publication", args=[title.pk])),
            "type": PUBLICATION,
        },
        {"rel": "alternate", "href": _abs(request, title.get_absolute_url()), "type": "text/html"},
    ]
    if offer.kind == "open":
        links += [
            {
                "rel": opds.REL_OPEN,
                "href": _abs(request, reverse("library:open_file", args=[f.pk])),
                "type": f.content_type,
            }
            for f in offer.files
        ]
    elif offer.kind == "loan":
        links += [
            {
                "rel": opds.REL_ACQUISITION,
                "href": _abs(request, reverse("opds_file", args=[f.pk])),
                "type": f.content_type,
                "properties": {"availability": _availability(offer)},
            }
            for f in offer.files
        ]
    else:
        holds = {"total": offer.holds}
        if offer.position:
            holds["position"] = offer.position
        links.append(
            {
                "rel": opds.REL_BORROW,
                "href": _abs(request, reverse("opds2_borrow", args=[title.pk])),
                "type": PUBLICATION,
                "properties": {
                    "indirectAcquisition": [{"type": f.content_type} for f in offer.files],
                    "copies": {"total": offer.copies, "available": offer.available},
                    "holds": holds,
                    "availability": _availability(offer),
                },
            }
        )
    if offer.kind in ("loan", "hold"):
        links.append(
            {
                "rel": opds.REL_REVOKE,
                "href": _abs(request, reverse("opds2_revoke", args=[title.pk])),
                "type": PUBLICATION,
            }
        )
    data = {"metadata": metadata, "links": links}
    if title.cover:
        cover = _abs(request, reverse("library:cover", args=[title.pk]))
        data["images"] = [{"href": cover, "type": cover_type(title.cover.name), "rel": "cover"}]
    return data
