"""MARC 21 in and out, with pymarc: ISO 2709 (MARC-8 or UTF-8) and MARCXML.

Import reads record by record, so a broken record is skipped with its position and reason and
the others still come in; a file that is not MARC at all raises MarcFileError and imports
nothing. The whole import is one transaction: a crash half-way leaves nothing half-imported.
"""

import copy as copy_module
import io
import re
import warnings
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree
from pymarc import Field, MARCReader, Record, Subfield, parse_xml_to_array, record_to_xml
from pymarc.exceptions import PymarcException

from .isbn import isbn_from_marc
from .models import ContributorRole, Title
from .services import ContributorData, TitleData, search_index_update, title_create, title_update

MARC_NS = "http://www.loc.gov/MARC21/slim"
TRAILING_PUNCTUATION = " /:;,=."


class MarcFileError(Exception):
    """The file is not MARC at all (neither ISO 2709 nor MARCXML)."""


@dataclass
class ImportReport:
    imported: int = 0
    updated: int = 0
    skipped: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"imported": self.imported, "updated": self.updated, "skipped": self.skipped}


def _strip(value: str | None) -> str:
    return (value or "").strip().rstrip(TRAILING_PUNCTUATION).strip()


# --- Reading -------------------------------------------------------------------------------------


def _is_xml(data: bytes) -> bool:
    head = data.lstrip()[:200]
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    return head.startswith(b"<")


def _iso2709_records(data: bytes) -> list[tuple[Record | None, str]]:
    """Return each record chunk of an ISO 2709 file as (record, '') or (None, reason)."""
    if not re.match(rb"\s*\d{5}", data):
        raise MarcFileError(_("The file is not MARC: it is neither ISO 2709 nor MARCXML."))
    results: list[tuple[Record | None, str]] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reader = MARCReader(io.BytesIO(data), to_unicode=True, force_utf8=False, permissive=True)
        for record in reader:
            chunk = reader.current_chunk or b""
            if record is None:
                if not chunk.strip():
                    continue  # a trailing newline after the last record
                error = reader.current_exception
                results.append((None, f"{type(error).__name__}: {error}"))
                continue
            if record.leader[9] == " " and _is_utf8_with_non_ascii(chunk):
                # Leader/09 says MARC-8 but the bytes are UTF-8 (a common mislabel): read as UTF-8.
                try:
                    record = Record(data=chunk, force_utf8=True)
                except Exception as error:  # pymarc raises many types for bad bytes
                    results.append((None, f"{type(error).__name__}: {error}"))
                    continue
            results.append((record, ""))
    if results and all(record is None for record, _reason in results):
        raise MarcFileError(_("The file is not MARC: no record in it could be read."))
    return results


def _is_utf8_with_non_ascii(chunk: bytes) -> bool:
    try:
        chunk.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return any(byte > 0x7F for byte in chunk)


def _xml_records(data: bytes) -> list[tuple[Record | None, str]]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as error:
        raise MarcFileError(
            _("The file is not well-formed XML: %(error)s") % {"error": error}
        ) from None
    _refuse_entities(root)
    if etree.QName(root).localname == "record":
        elements = [root]
    elif etree.QName(root).localname == "collection":
        elements = [e for e in root if etree.QName(e).localname == "record"]
    else:
        raise MarcFileError(_("The XML file is not MARCXML (no collection or record element)."))
    results: list[tuple[Record | None, str]] = []
    for element in elements:
        wrapper = etree.Element(f"{{{MARC_NS}}}collection", nsmap={None: MARC_NS})
        wrapper.append(_in_marc_ns(element))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                records = parse_xml_to_array(io.BytesIO(etree.tostring(wrapper)), strict=False)
            if len(records) != 1 or records[0] is None:
                raise PymarcException("no record")
            results.append((records[0], ""))
        except Exception as error:  # pymarc raises many types for bad records
            results.append((None, f"{type(error).__name__}: {error}"))
    return results


def _refuse_entities(root) -> None:
    """Refuse entity references: they are never resolved here (no XXE, no "billion laughs"),
    and an undeclared one would break every later step. MARCXML writes characters as such."""
    for node in root.iter(etree.Entity):
        raise MarcFileError(
            _(
                "The XML file uses the entity “%(entity)s” (line %(line)s), which is not "
                "accepted: write the character itself, or as a numeric reference such as "
                "&#233;."
            )
            % {"entity": node.text, "line": node.sourceline or "?"}
        )


def _in_marc_ns(element):
    """Return a copy of `element` with every element in the MARC namespace."""
    copy = copy_module.deepcopy(element)
    for node in copy.iter():
        if isinstance(node.tag, str):
            node.tag = f"{{{MARC_NS}}}{etree.QName(node).localname}"
    return copy


def marc_read(data: bytes) -> list[tuple[Record | None, str]]:
    """Return every record of a MARC file (ISO 2709 or MARCXML), a broken one as (None, why)."""
    if not data.strip():
        raise MarcFileError(_("The file is empty."))
    return _xml_records(data) if _is_xml(data) else _iso2709_records(data)


# --- MARC → record -------------------------------------------------------------------------------

_ROLE_WORDS = {
    "edt": ("edt", "ed", "editor", "penyunting"),
    "trl": ("trl", "tr", "translator", "penerjemah"),
    "ill": ("ill", "illustrator", "ilustrator"),
}


def _role(field: Field, default: str) -> str:
    words = " ".join(field.get_subfields("e", "4")).lower()
    for role, names in _ROLE_WORDS.items():
        if any(re.search(rf"\b{re.escape(n)}\b", words) for n in names):
            return role
    return default


def title_data_from_marc(record: Record) -> TitleData:
    """Map a MARC 21 bibliographic record to the catalogue's fields."""
    f245 = record.get("245")
    if f245 is None or not _strip(" ".join(f245.get_subfields("a"))):
        raise ValueError("no title (245 $a)")
    contributors = []
    for tag, default in (("100", "aut"), ("110", "aut"), ("700", "ctb"), ("710", "ctb")):
        for f in record.get_fields(tag):
            name = _strip(" ".join(f.get_subfields("a")))
            if name:
                contributors.append(ContributorData(name=name, role=_role(f, default)))
    imprint = record.get("264") or record.get("260")
    year = None
    if imprint is not None:
        match = re.search(r"\b(1[5-9]\d\d|20\d\d)\b", " ".join(imprint.get_subfields("c")))
        year = int(match.group(1)) if match else None
    f008 = record.get("008")
    language = ""
    if f008 is not None and len(f008.data or "") >= 38:
        language = f008.data[35:38].strip()
        if year is None and f008.data[7:11].isdigit():
            year = int(f008.data[7:11])
    if not language and record.get("041") is not None:
        language = (record.get("041").get_subfields("a") or [""])[0][:3]
    isbn = ""
    for f in record.get_fields("020"):
        for value in f.get_subfields("a"):
            isbn = isbn or isbn_from_marc(value)
    subjects = []
    for tag in ("600", "610", "650", "651", "653"):
        for f in record.get_fields(tag):
            parts = [_strip(v) for v in f.get_subfields("a", "x", "z")]
            name = " -- ".join(p for p in parts if p)
            if name:
                subjects.append(name)
    f082 = record.get("082")
    description = " ".join(
        _strip(v) + "." for f in record.get_fields("520") for v in f.get_subfields("a")
    )
    f001, f003 = record.get("001"), record.get("003")
    return TitleData(
        title=_strip(" ".join(f245.get_subfields("a"))),
        subtitle=_strip(" ".join(f245.get_subfields("b")))[:500],
        contributors=contributors,
        publisher=_strip(" ".join(imprint.get_subfields("b")))[:255] if imprint else "",
        place=_strip(" ".join(imprint.get_subfields("a")))[:255] if imprint else "",
        year=year,
        edition=_strip(" ".join(record.get("250").get_subfields("a")))[:100]
        if record.get("250")
        else "",
        isbn=isbn,
        language=language if re.fullmatch(r"[a-z]{3}", language or "") else "",
        subjects=subjects,
        ddc=(f082.get_subfields("a") or [""])[0].strip()[:30] if f082 else "",
        description=description,
        control_number=(f001.data or "").strip()[:64] if f001 else "",
        control_source=(f003.data or "").strip()[:64] if f003 else "",
    )


def _existing(data: TitleData) -> Title | None:
    if data.isbn:
        found = Title.objects.filter(isbn=data.isbn).order_by("id").first()
        if found:
            return found
    if data.control_number:
        return (
            Title.objects.filter(
                control_number=data.control_number, control_source=data.control_source
            )
            .order_by("id")
            .first()
        )
    return None


def marc_import(*, data: bytes, actor=None) -> ImportReport:
    """Import every readable record of a MARC file; update those already in the catalogue."""
    records = marc_read(data)
    report = ImportReport()
    with transaction.atomic():
        for position, (record, reason) in enumerate(records, start=1):
            if record is None:
                report.skipped.append({"record": position, "reason": reason})
                continue
            try:
                title_data = title_data_from_marc(record)
                existing = _existing(title_data)
                with transaction.atomic():
                    if existing is None:
                        title_create(actor=actor, data=title_data)
                        report.imported += 1
                    else:
                        title_update(actor=actor, title=existing, data=title_data)
                        report.updated += 1
            except Exception as error:  # a record we cannot map is skipped, never a crash
                reason = getattr(error, "messages", None)
                reason = "; ".join(reason) if reason else str(error)
                report.skipped.append({"record": position, "reason": reason})
    return report


# --- Record → MARC -------------------------------------------------------------------------------


def title_to_marc(title: Title) -> Record:
    """Return `title` as a MARC 21 bibliographic record (UTF-8, leader/09 'a')."""
    record = Record(force_utf8=True)
    record.leader = record.leader[:5] + "nam a22" + record.leader[12:17] + " i 4500"
    record.leader = record.leader[:9] + "a" + record.leader[10:]
    record.add_field(Field(tag="001", data=title.control_number or f"sinergi-{title.pk}"))
    record.add_field(Field(tag="003", data=title.control_source or "ID-BdUPI"))
    stamp = timezone.localtime(title.updated_at).strftime("%Y%m%d%H%M%S.0")
    record.add_field(Field(tag="005", data=stamp))
    year = f"{title.year:04d}" if title.year else "    "
    lang = (title.language or "und").ljust(3)[:3]
    created = timezone.localtime(title.created_at).strftime("%y%m%d")
    record.add_field(Field(tag="008", data=f"{created}s{year}    io a          000 0 {lang} d"))
    if title.isbn:
        record.add_field(
            Field(tag="020", indicators=[" ", " "], subfields=[Subfield("a", title.isbn)])
        )
    if title.ddc:
        record.add_field(
            Field(tag="082", indicators=["0", "4"], subfields=[Subfield("a", title.ddc)])
        )
    contributors = list(title.contributors.all())
    main = next((c for c in contributors if c.role == ContributorRole.AUTHOR), None)
    for contributor in contributors:
        tag = "100" if contributor is main else "700"
        record.add_field(
            Field(
                tag=tag,
                indicators=["1", " "],
                subfields=[
                    Subfield("a", contributor.name),
                    Subfield("4", contributor.role),
                ],
            )
        )
    title_subfields = [Subfield("a", title.title)]
    if title.subtitle:
        title_subfields.append(Subfield("b", title.subtitle))
    record.add_field(
        Field(tag="245", indicators=["1" if main else "0", "0"], subfields=title_subfields)
    )
    if title.edition:
        record.add_field(
            Field(tag="250", indicators=[" ", " "], subfields=[Subfield("a", title.edition)])
        )
    imprint = []
    if title.place:
        imprint.append(Subfield("a", title.place))
    if title.publisher:
        imprint.append(Subfield("b", title.publisher))
    if title.year:
        imprint.append(Subfield("c", str(title.year)))
    if imprint:
        record.add_field(Field(tag="264", indicators=[" ", "1"], subfields=imprint))
    if title.description:
        record.add_field(
            Field(tag="520", indicators=[" ", " "], subfields=[Subfield("a", title.description)])
        )
    for subject in title.subjects.all():
        record.add_field(
            Field(tag="653", indicators=[" ", " "], subfields=[Subfield("a", subject.name)])
        )
    record.add_field(
        Field(
            tag="856",
            indicators=["4", "0"],
            subfields=[Subfield("u", settings.SITE_URL + title.get_absolute_url())],
        )
    )
    return record


def title_to_marcxml_element(title: Title):
    """Return `title` as a MARCXML <record> element (lxml)."""
    return etree.fromstring(record_to_xml(title_to_marc(title), namespace=True))


def titles_for_export():
    return (
        Title.objects.filter(withdrawn=False)
        .prefetch_related("contributors", "subjects")
        .order_by("id")
    )


def search_reindex_all(*, batch: int = 2000) -> int:
    """Rebuild the search text of every record (after a bulk load); return how many."""
    count = 0
    titles = Title.objects.prefetch_related("contributors", "subjects").order_by("id")
    last = 0
    while True:
        chunk = list(titles.filter(id__gt=last)[:batch])
        if not chunk:
            return count
        with transaction.atomic():
            search_index_update(titles=chunk)
        count += len(chunk)
        last = chunk[-1].pk
