"""MARC 21 in and out, with pymarc: ISO 2709 (MARC-8 or UTF-8) and MARCXML.

Import reads record by record, so a broken record is skipped with its position and reason and
the others still come in; a file that is not MARC at all raises MarcFileError and imports
nothing. The whole import is one transaction: a crash half-way leaves nothing half-imported.

A record in an 8-bit encoding that is neither MARC-8 nor UTF-8 (a Windows-1251 export, say,
whose leader claims MARC-8) is recognised from its bytes and converted, with a warning in the
report; one whose encoding cannot be recognised is skipped, never stored as mojibake.

The imported record is kept whole (`MarcSource`), with the title's fields as the import left
them. Export starts from it and rewrites only the MARC fields of what was edited in Sinergi
since, so a record imported and exported unchanged keeps every field, subfield and indicator.
A record made in Sinergi is written from its fields (see docs/FORMATS.md).
"""

import copy as copy_module
import io
import re
import warnings
from dataclasses import dataclass, field

from charset_normalizer import from_bytes
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree
from pymarc import (
    Field,
    Indicators,
    MARCReader,
    Record,
    Subfield,
    parse_xml_to_array,
    record_to_xml,
)
from pymarc.exceptions import PymarcException
from pymarc.marc8_mapping import CHARSET_45

from .isbn import isbn_from_marc
from .models import ContributorKind, ContributorRole, MarcSource, Title
from .services import ContributorData, TitleData, search_index_update, title_create, title_update

MARC_NS = "http://www.loc.gov/MARC21/slim"
TRAILING_PUNCTUATION = " /:;,=."
# A full stop that ends one of these words is part of the name, not ISBD punctuation.
ABBREVIATIONS = {"jr", "sr", "inc", "ltd", "co", "corp", "bros", "dr", "st", "esq", "etc"}
OWN_SOURCE = "ID-BdUPI"  # MARC organisation code written in 003 and 040 of Sinergi's records

# 8-bit encodings a record that is neither MARC-8 nor UTF-8 may be in.
EIGHT_BIT_ENCODINGS = [
    "cp1251",
    "cp1252",
    "cp1250",
    "iso8859_2",
    "iso8859_5",
    "koi8_r",
    "cp866",
    "cp1256",
    "iso8859_15",
]


class MarcFileError(Exception):
    """The file is not MARC at all (neither ISO 2709 nor MARCXML)."""


@dataclass
class ImportReport:
    imported: int = 0
    updated: int = 0
    skipped: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "imported": self.imported,
            "updated": self.updated,
            "skipped": self.skipped,
            "warnings": self.warnings,
        }


def _strip(value: str | None) -> str:
    """Return `value` without ISBD punctuation at its end; an initial's full stop stays."""
    value = (value or "").strip()
    while value and value[-1] in TRAILING_PUNCTUATION:
        if value[-1] == ".":
            last_word = re.split(r"[\s,.]", value[:-1])[-1]
            if (len(last_word) == 1 and last_word.isalpha()) or last_word.lower() in ABBREVIATIONS:
                break
        value = value[:-1].rstrip()
    return value


# --- Reading -------------------------------------------------------------------------------------


@dataclass
class ReadRecord:
    """One record chunk of a file: the record, or why it could not be read; and how."""

    record: Record | None
    reason: str = ""
    encoding: str = ""
    warning: str = ""


def _is_xml(data: bytes) -> bool:
    head = data.lstrip()[:200]
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    return head.startswith(b"<")


def _iso2709_records(data: bytes) -> list[ReadRecord]:
    """Return each record chunk of an ISO 2709 file, read in the encoding its bytes are in."""
    if not re.match(rb"\s*\d{5}", data):
        raise MarcFileError(_("The file is not MARC: it is neither ISO 2709 nor MARCXML."))
    results: list[ReadRecord] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reader = MARCReader(io.BytesIO(data), to_unicode=True, force_utf8=False, permissive=True)
        for record in reader:
            chunk = reader.current_chunk or b""
            if record is None:
                if not chunk.strip():
                    continue  # a trailing newline after the last record
                error = reader.current_exception
                if isinstance(error, UnicodeDecodeError):
                    results.append(_read_eight_bit(chunk, f"{type(error).__name__}: {error}"))
                else:
                    results.append(ReadRecord(None, f"{type(error).__name__}: {error}"))
                continue
            results.append(_read_chunk(record, chunk))
    if results and all(r.record is None for r in results):
        raise MarcFileError(
            _("No record in the file could be read: %(reason)s") % {"reason": results[0].reason}
        )
    return results


def _read_chunk(record: Record, chunk: bytes) -> ReadRecord:
    if not any(byte > 0x7F for byte in chunk):
        return ReadRecord(record, encoding="ascii")
    if _is_utf8(chunk):
        if record.leader[9] == "a":
            return ReadRecord(record, encoding="utf-8")
        # Leader/09 says MARC-8 but the bytes are UTF-8 (a common mislabel): read as UTF-8.
        try:
            return ReadRecord(Record(data=chunk, force_utf8=True), encoding="utf-8")
        except Exception as error:  # pymarc raises many types for bad bytes
            return ReadRecord(None, f"{type(error).__name__}: {error}")
    if record.leader[9] == " " and _is_plausible_marc8(chunk):
        return ReadRecord(record, encoding="marc-8")
    return _read_eight_bit(chunk, "")


def _is_utf8(chunk: bytes) -> bool:
    try:
        chunk.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _is_plausible_marc8(chunk: bytes) -> bool:
    """Return whether the bytes above 0x7F can be MARC-8: with an escape to another character
    set, or else only ANSEL characters, each combining mark followed by what it combines with.
    Text in a Windows or ISO 8859 code page has runs of letters above 0x7F that ANSEL lacks."""
    body = chunk[24:]
    if b"\x1b" in body:
        return True
    for position, byte in enumerate(body):
        if byte < 0x80:
            continue
        if byte not in CHARSET_45:
            return False
        if CHARSET_45[byte][1]:  # a combining mark comes before the letter it marks
            following = body[position + 1 : position + 2]
            if not following or following[0] in (0x1D, 0x1E, 0x1F, 0x20):
                return False
    return True


def _read_eight_bit(chunk: bytes, reason: str) -> ReadRecord:
    """Read a record whose bytes are neither MARC-8 nor UTF-8 in the code page they look like,
    or refuse it."""
    base = int(chunk[12:17]) if chunk[12:17].isdigit() else 24
    text = chunk[base:].replace(b"\x1e", b"\n").replace(b"\x1f", b" ")
    best = from_bytes(text, cp_isolation=EIGHT_BIT_ENCODINGS).best()
    # Refused unless the text decodes cleanly (little "chaos") and reads as a language: a short
    # record or one of mixed bytes is ambiguous, and a wrong guess would store garbage.
    if best is None or best.chaos > 0.2 or best.coherence < 0.2:
        why = _("its characters are neither MARC-8 nor UTF-8 and their encoding is not recognised")
        return ReadRecord(None, f"{why}. {reason}".strip())
    try:
        # With leader/09 blank pymarc decodes in `file_encoding` (with 'a' it would use UTF-8).
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            record = Record(data=chunk[:9] + b" " + chunk[10:], file_encoding=best.encoding)
    except Exception as error:  # pymarc raises many types for bad records
        return ReadRecord(None, f"{type(error).__name__}: {error}")
    warning = _(
        "The record is not in MARC-8 nor UTF-8; it was read as %(encoding)s and stored as UTF-8."
    ) % {"encoding": best.encoding}
    return ReadRecord(record, encoding=best.encoding, warning=warning)


def _xml_records(data: bytes) -> list[ReadRecord]:
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
    results: list[ReadRecord] = []
    for element in elements:
        wrapper = etree.Element(f"{{{MARC_NS}}}collection", nsmap={None: MARC_NS})
        wrapper.append(_in_marc_ns(element))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                records = parse_xml_to_array(io.BytesIO(etree.tostring(wrapper)), strict=False)
            if len(records) != 1 or records[0] is None:
                raise PymarcException("no record")
            results.append(ReadRecord(records[0], encoding="xml"))
        except Exception as error:  # pymarc raises many types for bad records
            results.append(ReadRecord(None, f"{type(error).__name__}: {error}"))
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


def marc_read(data: bytes) -> list[ReadRecord]:
    """Return every record of a MARC file (ISO 2709 or MARCXML), a broken one with why."""
    if not data.strip():
        raise MarcFileError(_("The file is empty."))
    return _xml_records(data) if _is_xml(data) else _iso2709_records(data)


# --- MARC → record -------------------------------------------------------------------------------

# Words of $e (in English or Indonesian) for the roles; $4 relator codes are taken as they are.
_ROLE_WORDS = {
    "edt": ("ed", "editor", "penyunting", "editors"),
    "trl": ("tr", "translator", "penerjemah"),
    "ill": ("ill", "illustrator", "ilustrator"),
    "cov": ("cover artist", "cover designer"),
    "com": ("comp", "compiler", "penghimpun"),
    "cmp": ("composer",),
    "prf": ("performer",),
    "nrt": ("narrator",),
    "pht": ("photographer", "fotografer"),
    "aui": ("author of introduction",),
    "ths": ("thesis advisor", "pembimbing"),
}
NAME_TAGS = {
    "100": ContributorKind.PERSON,
    "110": ContributorKind.ORGANIZATION,
    "111": ContributorKind.MEETING,
    "700": ContributorKind.PERSON,
    "710": ContributorKind.ORGANIZATION,
    "711": ContributorKind.MEETING,
}
SUBJECT_TAGS = ("600", "610", "650", "651", "653")


def _role(field: Field, default: str) -> str:
    for code in field.get_subfields("4"):
        code = code.strip().rstrip(".")[-3:].lower()
        if code in ContributorRole.values:
            return code
    # The relator term is $e, in a meeting name $j.
    words = " ".join(field.get_subfields("j" if field.tag.endswith("11") else "e")).lower()
    for role, names in _ROLE_WORDS.items():
        if any(re.search(rf"\b{re.escape(n)}\b", words) for n in names):
            return role
    return default


def _contributor_of(field: Field) -> ContributorData | None:
    name = _strip(" ".join(field.get_subfields("a")))
    if not name:
        return None
    default = ContributorRole.AUTHOR if field.tag.startswith("1") else ContributorRole.CONTRIBUTOR
    return ContributorData(name=name[:255], role=_role(field, default), kind=NAME_TAGS[field.tag])


def _subject_of(field: Field) -> str:
    parts = [_strip(v) for v in field.get_subfields("a", "x", "z")]
    return " -- ".join(p for p in parts if p)[:200]


def _imprint(record: Record) -> Field | None:
    for f in record.get_fields("264"):
        if f.indicator2 == "1":
            return f
    return record.get("260") or record.get("264")


def title_data_from_marc(record: Record) -> TitleData:
    """Map a MARC 21 bibliographic record to the catalogue's fields."""
    f245 = record.get("245")
    if f245 is None or not _strip(" ".join(f245.get_subfields("a"))):
        raise ValueError("no title (245 $a)")
    contributors = []
    for f in record.get_fields(*NAME_TAGS):
        contributor = _contributor_of(f)
        if contributor is not None:
            contributors.append(contributor)
    imprint = _imprint(record)
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
    subjects = [name for f in record.get_fields(*SUBJECT_TAGS) if (name := _subject_of(f))]
    f082 = record.get("082")
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
        description=_description_of(record),
        control_number=(f001.data or "").strip()[:64] if f001 else "",
        control_source=(f003.data or "").strip()[:64] if f003 else "",
    )


def _description_of(record: Record) -> str:
    return " ".join(_strip(v) + "." for f in record.get_fields("520") for v in f.get_subfields("a"))


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


def title_snapshot(title: Title) -> dict:
    """Return what of `title` a MARC record carries, to tell later which of it was edited."""
    return {
        "title": title.title,
        "subtitle": title.subtitle,
        "contributors": [[c.name, c.role, c.kind] for c in title.contributors.all()],
        "publisher": title.publisher,
        "place": title.place,
        "year": title.year,
        "edition": title.edition,
        "isbn": title.isbn,
        "language": title.language,
        "subjects": sorted(s.name for s in title.subjects.all()),
        "ddc": title.ddc,
        "description": title.description,
        "control_number": title.control_number,
        "control_source": title.control_source,
    }


def marc_import(*, data: bytes, actor=None) -> ImportReport:
    """Import every readable record of a MARC file; update those already in the catalogue."""
    records = marc_read(data)
    report = ImportReport()
    with transaction.atomic():
        for position, read in enumerate(records, start=1):
            if read.record is None:
                report.skipped.append({"record": position, "reason": read.reason})
                continue
            try:
                title_data = title_data_from_marc(read.record)
                existing = _existing(title_data)
                with transaction.atomic():
                    if existing is None:
                        title = title_create(actor=actor, data=title_data)
                        report.imported += 1
                    else:
                        title = title_update(actor=actor, title=existing, data=title_data)
                        report.updated += 1
                    title = Title.objects.prefetch_related("contributors", "subjects").get(
                        pk=title.pk
                    )
                    MarcSource.objects.update_or_create(
                        title=title,
                        defaults={
                            "record": read.record.as_dict(),
                            "baseline": title_snapshot(title),
                            "encoding": read.encoding,
                            "imported_at": timezone.now(),
                        },
                    )
            except Exception as error:  # a record we cannot map is skipped, never a crash
                reason = getattr(error, "messages", None)
                reason = "; ".join(reason) if reason else str(error)
                report.skipped.append({"record": position, "reason": reason})
                continue
            if read.warning:
                report.warnings.append({"record": position, "warning": read.warning})
    return report


# --- Record → MARC -------------------------------------------------------------------------------

# Initial articles a 245 filing indicator skips, by language (ISO 639-2).
ARTICLES = {
    "eng": ("the ", "a ", "an "),
    "fre": ("le ", "la ", "les ", "l'", "un ", "une "),
    "ger": ("der ", "die ", "das ", "ein ", "eine "),
    "spa": ("el ", "la ", "los ", "las ", "un ", "una "),
    "dut": ("de ", "het ", "een "),
    "ita": ("il ", "lo ", "la ", "i ", "gli ", "le ", "l'", "un ", "una "),
    "por": ("o ", "a ", "os ", "as ", "um ", "uma "),
}

# MARC country codes (www.loc.gov/marc/countries) of places Sinergi's publishers are in.
COUNTRIES = {
    "io ": (
        "indonesia",
        "jakarta",
        "bandung",
        "yogyakarta",
        "jogjakarta",
        "surabaya",
        "semarang",
        "malang",
        "medan",
        "makassar",
        "denpasar",
        "bogor",
        "depok",
        "tangerang",
        "bekasi",
        "surakarta",
        "solo",
        "padang",
        "palembang",
        "banda aceh",
        "pontianak",
        "banjarmasin",
        "manado",
        "pekanbaru",
        "jatinangor",
        "sumedang",
        "cirebon",
        "purwokerto",
        "jember",
    ),
    "my ": ("malaysia", "kuala lumpur", "selangor", "penang", "johor"),
    "si ": ("singapore", "singapura"),
    "th ": ("thailand", "bangkok"),
    "ph ": ("philippines", "manila"),
    "ja ": ("japan", "tokyo", "kyoto", "osaka"),
    "cc ": ("china", "beijing", "shanghai"),
    "ii ": ("india", "new delhi", "delhi", "mumbai", "bombay"),
    "at ": ("australia", "sydney", "melbourne", "canberra", "brisbane", "perth"),
    "enk": ("england", "london", "oxford", "abingdon", "cambridge, eng", "harlow", "chichester"),
    "ne ": ("netherlands", "amsterdam", "leiden", "dordrecht"),
    "gw ": ("germany", "berlin", "munich", "münchen", "heidelberg", "frankfurt", "berlin"),
    "fr ": ("france", "paris"),
    "ru ": ("russia", "moscow", "moskva"),
    "nyu": ("new york",),
    "cau": ("california", "san francisco", "los angeles", "sebastopol", "berkeley", "calif"),
    "mau": ("massachusetts", "boston", "cambridge, mass", "mass."),
    "nju": ("new jersey", "hoboken", "upper saddle river", "princeton", "n.j."),
    "dcu": ("washington, d.c", "washington, dc"),
    "ilu": ("illinois", "chicago"),
    "inu": ("indiana", "indianapolis"),
    "pau": ("pennsylvania", "philadelphia"),
}


def _country(place: str) -> str:
    text = place.lower()
    for code, names in COUNTRIES.items():
        if any(re.search(rf"(^|\W){re.escape(name)}", text) for name in names):
            return code
    return "xx "


def _nonfiling(title: str, language: str) -> str:
    text = title.lower()
    for article in ARTICLES.get(language if language not in ("", "und") else "eng", ()):
        if text.startswith(article) and len(text) > len(article):
            return str(len(article))
    return "0"


def _is_online(title: Title) -> bool:
    return title.open_access or bool(title.files.all())


def _record_from_dict(data: dict) -> Record:
    record = Record(force_utf8=True, leader=data["leader"])
    for entry in data["fields"]:
        ((tag, value),) = entry.items()
        if isinstance(value, str):
            record.add_field(Field(tag=tag, data=value))
        else:
            record.add_field(
                Field(
                    tag=tag,
                    indicators=Indicators(value["ind1"], value["ind2"]),
                    subfields=[Subfield(c, v) for s in value["subfields"] for c, v in s.items()],
                )
            )
    return record


def _source_of(title: Title) -> MarcSource | None:
    try:
        return title.marc_source
    except ObjectDoesNotExist:
        return None


def _punctuation(old: str) -> str:
    """Return the ISBD punctuation at the end of `old` (what `_strip` takes off)."""
    return old[len(_strip(old)) :] if old.startswith(_strip(old)) else ""


def _subfield_set(f: Field, code: str, value: str, *, after: str = "") -> None:
    """Set the first $code of `f` to `value` (keeping its punctuation), add it, or remove it."""
    for i, subfield in enumerate(f.subfields):
        if subfield.code == code:
            if value:
                f.subfields[i] = Subfield(code, value + _punctuation(subfield.value))
            else:
                del f.subfields[i]
            return
    if not value:
        return
    position = 0
    for i, subfield in enumerate(f.subfields):
        if after and subfield.code in after:
            position = i + 1
    f.subfields.insert(position, Subfield(code, value))


def _control_set(record: Record, tag: str, value: str) -> None:
    for f in record.get_fields(tag):
        f.data = value
        return
    record.add_ordered_field(Field(tag=tag, data=value))


def _fixed_008(title: Title) -> str:
    created = timezone.localtime(title.created_at).strftime("%y%m%d")
    dates = f"s{title.year:04d}    " if title.year else "nuuuuuuuu"
    form = "o" if _is_online(title) else " "
    lang = (title.language or "und").ljust(3)[:3]
    # 18-21 illustrations and 31 index, 33 literary form: not recorded in Sinergi ("|").
    return f"{created}{dates}{_country(title.place)}|||| {form}     00| | {lang} d"


def _skeleton(title: Title) -> Record:
    record = Record(force_utf8=True)
    record.leader = record.leader[:5] + "nam a22" + record.leader[12:17] + " i 4500"
    record.add_ordered_field(Field(tag="008", data=_fixed_008(title)))
    if _is_online(title):
        record.add_ordered_field(Field(tag="007", data="cr |||||||||||"))
    source = title.control_source or OWN_SOURCE
    record.add_ordered_field(
        Field(
            tag="040",
            indicators=Indicators(" ", " "),
            subfields=[
                Subfield("a", source),
                Subfield("b", "ind"),
                Subfield("e", "rda"),
                Subfield("c", source),
            ],
        )
    )
    carrier = [("336", "text", "txt", "rdacontent")]
    if _is_online(title):
        carrier += [
            ("337", "computer", "c", "rdamedia"),
            ("338", "online resource", "cr", "rdacarrier"),
        ]
    for tag, term, code, vocabulary in carrier:
        record.add_ordered_field(
            Field(
                tag=tag,
                indicators=Indicators(" ", " "),
                subfields=[Subfield("a", term), Subfield("b", code), Subfield("2", vocabulary)],
            )
        )
    return record


def _name_field(contributor: list, main: bool) -> Field:
    name, role, kind = contributor
    tags = {
        ContributorKind.ORGANIZATION: ("110", "710"),
        ContributorKind.MEETING: ("111", "711"),
    }.get(kind, ("100", "700"))
    ind1 = ("1" if "," in name else "0") if kind == ContributorKind.PERSON else "2"
    return Field(
        tag=tags[0] if main else tags[1],
        indicators=Indicators(ind1, " "),
        subfields=[Subfield("a", name), Subfield("4", role)],
    )


def _contributors_write(record: Record, contributors: list[list]) -> None:
    old = record.get_fields(*NAME_TAGS)
    pool = list(old)
    chosen = []
    for contributor in contributors:
        match = None
        for f in pool:
            mapped = _contributor_of(f)
            if mapped and [mapped.name, mapped.role, mapped.kind] == contributor:
                match = f
                break
        if match is not None:
            pool.remove(match)
        chosen.append((contributor, match))
    for f in old:
        record.remove_field(f)
    has_main = any(f is not None and f.tag.startswith("1") for _c, f in chosen)
    for contributor, f in chosen:
        if f is None:
            main = not has_main and contributor[1] == ContributorRole.AUTHOR
            has_main = has_main or main
            f = _name_field(contributor, main)
        record.add_ordered_field(f)
    f245 = record.get("245")
    if f245 is not None:
        f245.indicator1 = "1" if has_main else "0"


def _subjects_write(record: Record, subjects: list[str]) -> None:
    wanted = set(subjects)
    present = set()
    for f in record.get_fields(*SUBJECT_TAGS):
        name = _subject_of(f)
        if name and name not in wanted:
            record.remove_field(f)
        elif name:
            present.add(name)
    for name in subjects:
        if name not in present:
            record.add_ordered_field(
                Field(tag="653", indicators=Indicators(" ", " "), subfields=[Subfield("a", name)])
            )


def _title_write(record: Record, title: Title) -> None:
    f245 = record.get("245")
    if f245 is None:
        f245 = Field(tag="245", indicators=Indicators("0", "0"), subfields=[])
        record.add_ordered_field(f245)
    _subfield_set(f245, "a", title.title)
    _subfield_set(f245, "b", title.subtitle, after="a")
    f245.indicator2 = _nonfiling(title.title, title.language)


def _imprint_write(record: Record, title: Title, before: dict | None) -> None:
    f = _imprint(record)
    if f is None:
        if not (title.place or title.publisher or title.year):
            return
        f = Field(tag="264", indicators=Indicators(" ", "1"), subfields=[])
        record.add_ordered_field(f)
    for code, key, value in (
        ("a", "place", title.place),
        ("b", "publisher", title.publisher),
        ("c", "year", str(title.year) if title.year else ""),
    ):
        if before is None or before[key] != getattr(title, key):
            _subfield_set(f, code, value, after="ab"[: "abc".index(code)])
    if before is not None and before["year"] != title.year:
        f008 = record.get("008")
        if f008 is not None and len(f008.data) >= 15 and title.year:
            f008.data = f008.data[:7] + f"{title.year:04d}" + f008.data[11:]


def _simple_write(record: Record, tag: str, code: str, value: str, indicators="  ") -> None:
    f = record.get(tag)
    if f is None:
        if value:
            record.add_ordered_field(
                Field(
                    tag=tag, indicators=Indicators(*indicators), subfields=[Subfield(code, value)]
                )
            )
        return
    _subfield_set(f, code, value)
    if not f.subfields:
        record.remove_field(f)


def _isbn_write(record: Record, isbn: str, before: str) -> None:
    for f in record.get_fields("020"):
        if before and any(isbn_from_marc(v) == before for v in f.get_subfields("a")):
            if isbn:
                _subfield_set(f, "a", isbn)
            else:
                record.remove_field(f)
            return
    if isbn:
        record.add_ordered_field(
            Field(tag="020", indicators=Indicators(" ", " "), subfields=[Subfield("a", isbn)])
        )


def _language_write(record: Record, language: str) -> None:
    f008 = record.get("008")
    if f008 is not None and len(f008.data) >= 38:
        f008.data = f008.data[:35] + (language or "und").ljust(3)[:3] + f008.data[38:]
    f041 = record.get("041")
    if f041 is not None and language:
        _subfield_set(f041, "a", language)


def _description_write(record: Record, description: str) -> None:
    for f in record.get_fields("520"):
        record.remove_field(f)
    if description:
        record.add_ordered_field(
            Field(
                tag="520", indicators=Indicators(" ", " "), subfields=[Subfield("a", description)]
            )
        )


def _link_write(record: Record, title: Title) -> None:
    """Replace Sinergi's own 856 (from an earlier export) with the record's link now."""
    for f in record.get_fields("856"):
        if any(u.startswith(settings.SITE_URL) for u in f.get_subfields("u")):
            record.remove_field(f)
    record.add_ordered_field(
        Field(
            tag="856",
            # 0: the link gives the resource itself (read online); 2: a page about it.
            indicators=Indicators("4", "0" if _is_online(title) else "2"),
            subfields=[Subfield("u", settings.SITE_URL + title.get_absolute_url())],
        )
    )


def _leader_repaired(leader: str) -> str:
    """Return the leader with leader/09 'a' (the export is UTF-8) and, where the source left
    them blank, the positions MARC21slim.xsd requires: a record type ('a', language material)
    and bibliographic level ('m', monograph), indicator and subfield code counts, entry map."""
    leader = leader.ljust(24)[:24]
    kind = leader[6] if leader[6].isalnum() else "a"
    level = leader[7] if leader[7].isalnum() else "m"
    return leader[:6] + kind + level + leader[8] + "a22" + leader[12:20] + "4500"


def title_to_marc(title: Title) -> Record:
    """Return `title` as a MARC 21 bibliographic record (UTF-8, leader/09 'a'): the imported
    record with Sinergi's edits applied, or one written from the title's fields."""
    source = _source_of(title)
    now = title_snapshot(title)
    if source is None:
        record, before = _skeleton(title), None
    else:
        record, before = _record_from_dict(source.record), source.baseline

    def changed(key: str) -> bool:
        return before is None or before.get(key) != now[key]

    record.leader = _leader_repaired(str(record.leader))
    if changed("control_number") or changed("control_source"):
        _control_set(record, "001", title.control_number or f"sinergi-{title.pk}")
        _control_set(record, "003", title.control_source or OWN_SOURCE)
    if before != now:
        stamp = timezone.localtime(title.updated_at).strftime("%Y%m%d%H%M%S.0")
        _control_set(record, "005", stamp)
    if changed("isbn"):
        _isbn_write(record, title.isbn, before["isbn"] if before else "")
    if changed("ddc"):
        _simple_write(record, "082", "a", title.ddc, indicators="04")
    if changed("title") or changed("subtitle"):
        _title_write(record, title)
    if changed("contributors"):
        _contributors_write(record, now["contributors"])
    if changed("edition"):
        _simple_write(record, "250", "a", title.edition)
    if any(changed(k) for k in ("place", "publisher", "year")):
        _imprint_write(record, title, before)
    if changed("language") and before is not None:
        _language_write(record, title.language)
    if changed("description"):
        _description_write(record, title.description)
    if changed("subjects"):
        _subjects_write(record, now["subjects"])
    _link_write(record, title)
    return record


def title_to_marcxml_element(title: Title):
    """Return `title` as a MARCXML <record> element (lxml)."""
    return etree.fromstring(record_to_xml(title_to_marc(title), namespace=True))


def titles_for_export():
    return (
        Title.objects.filter(withdrawn=False)
        .select_related("marc_source")
        .prefetch_related("contributors", "subjects", "files")
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
