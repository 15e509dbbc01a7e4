"""OAI-PMH 2.0 at /oai: the six verbs, oai_dc and marc21, sets by DDC hundred.

A list walks the records in (datestamp, id) order. Its first response pins the harvest's upper
bound (the moment it was made, or the request's `until` if earlier) into a stateless, signed
resumption token that also carries the (datestamp, id) of the last record sent, so any app
server can continue it. A record changed during the harvest moves past the pinned bound: this
harvest does not send it again (or, if it had not yet been sent, leaves it to the next
incremental harvest, whose `from` is this harvest's first responseDate), so nothing is skipped
or repeated. Every change to what a record exports moves its datestamp (see services).
Withdrawn records stay listed as deleted (deletedRecord = persistent).

Arguments are parsed strictly: dates are zero-padded UTC (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ),
every value must be non-empty and of the type OAI-PMH.xsd gives its echo in `request`, or the
answer is badArgument with a bare `request` element.
"""

import re
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db.models import Min, Prefetch, Q
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from lxml import etree

from .marc import title_to_marcxml_element
from .models import BookFile, Contributor, ContributorRole, Title

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_NS = "http://purl.org/dc/elements/1.1/"
MARC_NS = "http://www.loc.gov/MARC21/slim"
FORMATS = {
    "oai_dc": (
        "http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
        OAI_DC_NS,
    ),
    "marc21": ("http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd", MARC_NS),
}
SETS = {
    f"ddc:{n}00": name
    for n, name in enumerate(
        [
            "Computer science, information and general works",
            "Philosophy and psychology",
            "Religion",
            "Social sciences",
            "Language",
            "Science",
            "Technology",
            "Arts and recreation",
            "Literature",
            "History and geography",
        ]
    )
}
PAGE_SIZE = 500
TOKEN_SALT = "sinergi.library.oai"  # noqa: S105 (a signing salt, not a secret)
VERB_ARGS = {
    "Identify": (set(), set()),
    "ListMetadataFormats": (set(), {"identifier"}),
    "ListSets": (set(), {"resumptionToken"}),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
    "GetRecord": ({"identifier", "metadataPrefix"}, set()),
}


class OaiError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def _q(tag: str, ns: str = OAI_NS) -> str:
    return f"{{{ns}}}{tag}"


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _identifier(title_id: int) -> str:
    return f"oai:{settings.SINERGI_OAI_NAMESPACE}:title/{title_id}"


def _title_id(identifier: str) -> int:
    prefix = f"oai:{settings.SINERGI_OAI_NAMESPACE}:title/"
    if not identifier.startswith(prefix) or not identifier[len(prefix) :].isdigit():
        raise OaiError("idDoesNotExist", f"No record has the identifier {identifier}.")
    return int(identifier[len(prefix) :])


# Zero-padded only: strptime alone would take 2020-1-5 and 2020-01-05T1:2:3Z.
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_SECOND = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
# The types OAI-PMH.xsd gives the echoed arguments (metadataPrefixType, setSpecType), and for
# identifiers (anyURI) printable ASCII without the characters a URI never holds.
_PREFIX = re.compile(r"[A-Za-z0-9\-_.!~*'()]+")
_SET_SPEC = re.compile(r"[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*")
_URI = re.compile(r"[!#-;=?-\[\]_a-z~]+")
# Characters XML 1.0 cannot carry at all (a value holding one cannot even be answered).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _parse_date(value: str, *, end: bool) -> tuple[datetime, str]:
    """Return the moment `value` names (an `until` day ends at its last second) and its grain."""
    for pattern, fmt, grain in (
        (_SECOND, "%Y-%m-%dT%H:%M:%SZ", "seconds"),
        (_DAY, "%Y-%m-%d", "day"),
    ):
        if not pattern.fullmatch(value):
            continue
        try:
            moment = datetime.strptime(value, fmt).replace(tzinfo=UTC)
        except ValueError:
            break
        if grain == "day" and end:
            moment += timedelta(days=1) - timedelta(seconds=1)
        return moment, grain
    raise OaiError("badArgument", "A date is not a zero-padded UTC date or date and time.")


def _envelope(request, args: dict[str, str], *, echo: bool):
    root = etree.Element(_q("OAI-PMH"), nsmap={None: OAI_NS, "xsi": XSI})
    root.set(
        f"{{{XSI}}}schemaLocation",
        f"{OAI_NS} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd",
    )
    etree.SubElement(root, _q("responseDate")).text = _stamp(request.oai_now)
    req = etree.SubElement(root, _q("request"))
    req.text = request.build_absolute_uri(reverse("oai"))
    if echo:
        for key, value in args.items():
            req.set(key, value)
    return root


def _respond(root) -> HttpResponse:
    body = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return HttpResponse(body, content_type="text/xml; charset=utf-8")


@csrf_exempt
@require_http_methods(["GET", "POST", "HEAD"])
def endpoint(request):
    query = request.POST if request.method == "POST" else request.GET
    # One moment for the whole response: its responseDate and, for a new list, the pinned bound.
    request.oai_now = timezone.now()
    args = {key: query.get(key) for key in query}
    repeated = any(len(query.getlist(key)) > 1 for key in query)
    verb = args.pop("verb", None)
    if verb not in VERB_ARGS or len(query.getlist("verb")) > 1:
        root = _envelope(request, {}, echo=False)
        _error(root, "badVerb", "The verb is missing, repeated or not an OAI-PMH verb.")
        return _respond(root)
    echoed = {"verb": verb, **args}
    try:
        _check_arguments(verb, args, repeated)
    except OaiError as error:
        root = _envelope(request, {}, echo=False)
        _error(root, error.code, error.message)
        return _respond(root)
    root = _envelope(request, echoed, echo=True)
    try:
        VERBS[verb](request, root, args)
    except OaiError as error:
        # The protocol echoes the arguments only when they were valid (not on badArgument).
        root = _envelope(request, echoed, echo=error.code != "badArgument")
        _error(root, error.code, error.message)
    return _respond(root)


def _error(root, code: str, message: str) -> None:
    element = etree.SubElement(root, _q("error"), code=code)
    element.text = message


def _check_arguments(verb: str, args: dict[str, str], repeated: bool) -> None:
    required, optional = VERB_ARGS[verb]
    if repeated:
        raise OaiError("badArgument", "An argument is repeated.")
    illegal = set(args) - required - optional
    if illegal:
        raise OaiError("badArgument", f"Illegal argument(s): {', '.join(sorted(illegal))}.")
    for key, value in args.items():
        if not value or _NOT_XML.search(value):
            raise OaiError("badArgument", f"The argument {key} has no value or an illegal one.")
    if "resumptionToken" in args:
        if set(args) != {"resumptionToken"}:
            raise OaiError("badArgument", "resumptionToken is an exclusive argument.")
        return
    missing = required - set(args)
    if missing:
        raise OaiError("badArgument", f"Missing argument(s): {', '.join(sorted(missing))}.")
    for key, pattern in (("metadataPrefix", _PREFIX), ("set", _SET_SPEC), ("identifier", _URI)):
        if key in args and not pattern.fullmatch(args[key]):
            raise OaiError("badArgument", f"The argument {key} has an illegal value.")
    for key in ("from", "until"):
        if key in args:
            _parse_date(args[key], end=key == "until")


# --- Verbs ---------------------------------------------------------------------------------------


def identify(request, root, args) -> None:
    node = etree.SubElement(root, _q("Identify"))
    earliest = Title.objects.aggregate(m=Min("updated_at"))["m"] or datetime(2020, 1, 1, tzinfo=UTC)
    for tag, text in (
        ("repositoryName", f"{settings.SINERGI_HOST_NAME}: katalog e-book"),
        ("baseURL", request.build_absolute_uri(reverse("oai"))),
        ("protocolVersion", "2.0"),
        ("adminEmail", settings.SINERGI_OAI_ADMIN_EMAIL),
        ("earliestDatestamp", _stamp(earliest)),
        ("deletedRecord", "persistent"),
        ("granularity", "YYYY-MM-DDThh:mm:ssZ"),
    ):
        etree.SubElement(node, _q(tag)).text = text


def list_metadata_formats(request, root, args) -> None:
    if "identifier" in args and not Title.objects.filter(pk=_title_id(args["identifier"])).exists():
        raise OaiError("idDoesNotExist", f"No record has the identifier {args['identifier']}.")
    node = etree.SubElement(root, _q("ListMetadataFormats"))
    for prefix, (schema, namespace) in FORMATS.items():
        fmt = etree.SubElement(node, _q("metadataFormat"))
        etree.SubElement(fmt, _q("metadataPrefix")).text = prefix
        etree.SubElement(fmt, _q("schema")).text = schema
        etree.SubElement(fmt, _q("metadataNamespace")).text = namespace


def list_sets(request, root, args) -> None:
    if "resumptionToken" in args:
        raise OaiError("badResumptionToken", "ListSets is never split; this token is not ours.")
    node = etree.SubElement(root, _q("ListSets"))
    for spec, name in SETS.items():
        item = etree.SubElement(node, _q("set"))
        etree.SubElement(item, _q("setSpec")).text = spec
        etree.SubElement(item, _q("setName")).text = name


def _selection(request, args: dict[str, str]) -> dict:
    """Validate the list arguments; return them, with the pinned upper bound, as token state."""
    if args["metadataPrefix"] not in FORMATS:
        raise OaiError("cannotDisseminateFormat", f"{args['metadataPrefix']} is not supported.")
    state = {"p": args["metadataPrefix"]}
    grains = set()
    # The harvest's upper bound, exact to the microsecond: what changes after this moment
    # belongs to the next harvest (from = this response's responseDate, which is not later).
    upper = request.oai_now
    if "from" in args:
        moment, grain = _parse_date(args["from"], end=False)
        state["f"] = moment.isoformat()
        grains.add(grain)
    if "until" in args:
        moment, grain = _parse_date(args["until"], end=True)
        grains.add(grain)
        # Second granularity: everything changed within the `until` second is included.
        until = moment + timedelta(seconds=1) - timedelta(microseconds=1)
        upper = min(upper, until)
        if "f" in state and datetime.fromisoformat(state["f"]) > moment:
            raise OaiError("badArgument", "from is later than until.")
    if len(grains) > 1:
        raise OaiError("badArgument", "from and until must have the same granularity.")
    state["u"] = upper.isoformat()
    if "set" in args:
        if args["set"] not in SETS:
            raise OaiError("noRecordsMatch", f"There is no set {args['set']}.")
        state["s"] = args["set"][4]
    return state


def _titles(state: dict):
    titles = Title.objects.filter(updated_at__lte=datetime.fromisoformat(state["u"]))
    if "f" in state:
        titles = titles.filter(updated_at__gte=datetime.fromisoformat(state["f"]))
    if "s" in state:
        titles = titles.filter(ddc__startswith=state["s"])
    return titles


def _after(titles, state: dict):
    """Return the titles past the last one sent, in (datestamp, id) order."""
    if "at" in state:
        at = datetime.fromisoformat(state["at"])
        titles = titles.filter(Q(updated_at__gt=at) | Q(updated_at=at, pk__gt=state["id"]))
    return titles.order_by("updated_at", "pk")


def _list(request, root, args, *, with_metadata: bool) -> None:
    if "resumptionToken" in args:
        try:
            state = signing.loads(args["resumptionToken"], salt=TOKEN_SALT)
        except signing.BadSignature:
            raise OaiError("badResumptionToken", "The resumption token is invalid.") from None
        if not isinstance(state, dict) or "u" not in state:
            raise OaiError("badResumptionToken", "The resumption token is invalid.")
    else:
        state = _selection(request, args)
        state["cursor"] = 0
    titles = _titles(state)
    if "total" not in state:
        state["total"] = titles.count()
    page = _after(titles, state)
    if with_metadata:
        page = page.prefetch_related(
            Prefetch("contributors", queryset=Contributor.objects.order_by("order", "id")),
            "subjects",
            Prefetch("files", queryset=BookFile.objects.only("id", "title_id", "kind")),
            *(["marc_source"] if state["p"] == "marc21" else []),
        )
    # One row past the page says whether there is more; no count, no `sent < total` guess.
    page = list(page[: PAGE_SIZE + 1])
    more, page = len(page) > PAGE_SIZE, page[:PAGE_SIZE]
    if not page:
        if state["cursor"] == 0:
            raise OaiError("noRecordsMatch", "No record matches these arguments.")
        # Every record left in the list changed after the harvest began (so moved past its
        # bound): the next incremental harvest sends them. The schema wants one record, so
        # the first of them is sent now, as it is.
        nxt = Title.objects.filter(pk=state.get("next")).first()
        if nxt is None:
            raise OaiError("badResumptionToken", "The rest of this list no longer exists.")
        page, more = [nxt], False
    node = etree.SubElement(root, _q("ListRecords" if with_metadata else "ListIdentifiers"))
    for title in page:
        if with_metadata:
            _record(request, node, title, state["p"])
        else:
            _header(node, title)
    sent = state["cursor"] + len(page)
    if more or state["cursor"] > 0:
        token = etree.SubElement(
            node,
            _q("resumptionToken"),
            completeListSize=str(max(state["total"], sent)),
            cursor=str(state["cursor"]),
        )
        if more:
            last = page[-1]
            following = _after(titles, {"at": last.updated_at.isoformat(), "id": last.pk})
            token.text = signing.dumps(
                {
                    **state,
                    "at": last.updated_at.isoformat(),
                    "id": last.pk,
                    "next": following.values_list("pk", flat=True).first(),
                    "cursor": sent,
                },
                salt=TOKEN_SALT,
                compress=True,
            )


def list_identifiers(request, root, args) -> None:
    _list(request, root, args, with_metadata=False)


def list_records(request, root, args) -> None:
    _list(request, root, args, with_metadata=True)


def get_record(request, root, args) -> None:
    if args["metadataPrefix"] not in FORMATS:
        raise OaiError("cannotDisseminateFormat", f"{args['metadataPrefix']} is not supported.")
    title_id = _title_id(args["identifier"])
    title = (
        Title.objects.prefetch_related("contributors", "subjects", "files", "marc_source")
        .filter(pk=title_id)
        .first()
    )
    if title is None:
        raise OaiError("idDoesNotExist", f"No record has the identifier {args['identifier']}.")
    node = etree.SubElement(root, _q("GetRecord"))
    _record(request, node, title, args["metadataPrefix"])


VERBS = {
    "Identify": identify,
    "ListMetadataFormats": list_metadata_formats,
    "ListSets": list_sets,
    "ListIdentifiers": list_identifiers,
    "ListRecords": list_records,
    "GetRecord": get_record,
}


# --- Records -------------------------------------------------------------------------------------


def _header(parent, title: Title):
    header = etree.SubElement(parent, _q("header"))
    if title.withdrawn:
        header.set("status", "deleted")
    etree.SubElement(header, _q("identifier")).text = _identifier(title.pk)
    etree.SubElement(header, _q("datestamp")).text = _stamp(title.updated_at)
    if title.ddc_set:
        etree.SubElement(header, _q("setSpec")).text = title.ddc_set
    return header


def _record(request, parent, title: Title, prefix: str) -> None:
    record = etree.SubElement(parent, _q("record"))
    _header(record, title)
    if title.withdrawn:
        return
    metadata = etree.SubElement(record, _q("metadata"))
    if prefix == "marc21":
        metadata.append(title_to_marcxml_element(title))
    else:
        metadata.append(oai_dc(request, title))


def oai_dc(request, title: Title):
    """Return `title` as an oai_dc:dc element."""
    dc = etree.Element(f"{{{OAI_DC_NS}}}dc", nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS, "xsi": XSI})
    dc.set(
        f"{{{XSI}}}schemaLocation", f"{OAI_DC_NS} http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
    )

    def add(tag: str, text) -> None:
        if text:
            etree.SubElement(dc, f"{{{DC_NS}}}{tag}").text = str(text)

    add("title", f"{title.title}: {title.subtitle}" if title.subtitle else title.title)
    for contributor in title.contributors.all():
        add(
            "creator" if contributor.role == ContributorRole.AUTHOR else "contributor",
            contributor.name,
        )
    for subject in title.subjects.all():
        add("subject", subject.name)
    if title.ddc:
        add("subject", f"DDC {title.ddc}")
    add("description", title.description)
    add("publisher", title.publisher)
    add("date", title.year)
    add("type", "Text")
    for book_file in title.files.all():
        add("format", book_file.content_type)
    add("identifier", settings.SITE_URL + title.get_absolute_url())
    if title.isbn:
        add("identifier", f"urn:isbn:{title.isbn}")
    add("language", title.language)
    add("rights", "Open access" if title.open_access else "Licensed e-book: borrow to read")
    return dc
