"""Import a SLiMS 9 (Senayan) library: its catalogue, its copies and, if asked, its members.

SLiMS keeps everything in one MySQL/MariaDB database. This module reads it over a read-only
connection (PyMySQL; `SET SESSION TRANSACTION READ ONLY` and one consistent snapshot), maps
each `biblio` row with its authors, subjects, publisher, place, language, GMD, items and
attachments to Sinergi's records, and writes through the library's services, so every rule of
a record made here holds (ISBN checked and kept as ISBN-13, the search index, the OAI-PMH
datestamp). Only the tables and columns named in the queries below are read.

A record is matched on SLiMS's `biblio_id` (kept as a RecordSource of `slims:<database>`),
then on its ISBN; an item on its `item_id`, then on its item code. Each record is written in
its own transaction, so a broken row is skipped with its reason and the rest go on.
"""

import logging
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sinergi.accounts.models import Role, User
from sinergi.core.services import log_action
from sinergi.operations.leases import lease_confirm

from . import services
from .isbn import isbn_to_13
from .models import (
    BookFile,
    CatalogueImport,
    CatalogueImportStatus,
    FileKind,
    RecordSource,
    Title,
)
from .services import ContributorData, HoldingData, TitleData

logger = logging.getLogger(__name__)

BATCH = 200

# SLiMS's `biblio_author.level` (sysconf['authority_level']) as MARC relator codes. Director,
# producer and creator have no role of their own in Sinergi yet.
LEVEL_ROLES = {
    1: "aut",  # Primary Author
    2: "aut",  # Additional Author
    3: "edt",  # Editor
    4: "trl",  # Translator
    5: "ctb",  # Director
    6: "ctb",  # Producer
    7: "cmp",  # Composer
    8: "ill",  # Illustrator
    9: "aut",  # Creator
    10: "ctb",  # Contributor
}
# `mst_author.authority_type`: personal name, organisational body, conference.
AUTHORITY_KINDS = {"p": "person", "o": "organization", "c": "meeting"}
# SLiMS's `language_id` is ISO 639-1 ("id", "en"); Sinergi keeps ISO 639-2/B, as MARC does.
LANGUAGES = {
    "id": "ind",
    "en": "eng",
    "ms": "may",
    "ar": "ara",
    "jv": "jav",
    "su": "sun",
    "nl": "dut",
    "de": "ger",
    "fr": "fre",
    "es": "spa",
    "it": "ita",
    "pt": "por",
    "ru": "rus",
    "ja": "jpn",
    "ko": "kor",
    "zh": "chi",
    "th": "tha",
    "hi": "hin",
    "la": "lat",
}
MIME_KINDS = {"application/pdf": FileKind.PDF, "application/epub+zip": FileKind.EPUB}


class SlimsError(Exception):
    """The SLiMS database cannot be read (address, access, or not a SLiMS schema)."""


@dataclass
class SlimsReport:
    """What an import did: counts, and each skipped row or warning with its SLiMS id."""

    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    holdings_imported: int = 0
    holdings_updated: int = 0
    files_imported: int = 0
    covers_imported: int = 0
    members_imported: int = 0
    members_updated: int = 0

    def as_json(self) -> dict:
        return {
            "imported": self.imported,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "warnings": self.warnings,
            "holdings": {"imported": self.holdings_imported, "updated": self.holdings_updated},
            "files": self.files_imported,
            "covers": self.covers_imported,
            "members": {"imported": self.members_imported, "updated": self.members_updated},
        }


# --- Reading ---------------------------------------------------------------------------------


@dataclass
class SlimsDatabase:
    host: str
    port: int
    user: str
    password: str
    name: str

    @property
    def label(self) -> str:
        """The database named without its password, for reports and the source id."""
        return f"{self.user}@{self.host}:{self.port}/{self.name}"


def database_parse(url: str) -> SlimsDatabase:
    """Read `mysql://user:pass@host:port/db` (also `mariadb://`); raise SlimsError if not."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("mysql", "mariadb") or not parts.hostname:
        raise SlimsError(_("The database must be given as mysql://user:password@host/database."))
    name = unquote(parts.path.lstrip("/"))
    if not name or "/" in name:
        raise SlimsError(_("The database address names no database."))
    return SlimsDatabase(
        host=parts.hostname,
        port=parts.port or 3306,
        user=unquote(parts.username or "root"),
        password=unquote(parts.password or ""),
        name=name,
    )


class SlimsReader:
    """A read-only connection to a SLiMS database, reading one consistent snapshot."""

    def __init__(self, database: SlimsDatabase):
        import pymysql

        self.database = database
        try:
            self.connection = pymysql.connect(
                host=database.host,
                port=database.port,
                user=database.user,
                password=database.password,
                database=database.name,
                charset="utf8mb4",
                connect_timeout=10,
                cursorclass=pymysql.cursors.DictCursor,
            )
        except pymysql.MySQLError as error:
            raise SlimsError(
                _("Cannot connect to %(database)s: %(error)s")
                % {"database": database.label, "error": error}
            ) from error
        with self.connection.cursor() as cursor:
            # Nothing here may write to the library's database, whatever the account may do.
            cursor.execute("SET SESSION TRANSACTION READ ONLY")
            cursor.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY")
            cursor.execute("SHOW TABLES")
            self.tables = {next(iter(row.values())) for row in cursor.fetchall()}
        missing = {"biblio", "item"} - self.tables
        if missing:
            self.close()
            raise SlimsError(
                _("%(database)s is not a SLiMS database: it has no table %(tables)s.")
                % {"database": database.label, "tables": ", ".join(sorted(missing))}
            )
        self.columns = self._columns("biblio")

    def close(self) -> None:
        try:
            self.connection.close()
        except Exception:  # already closed
            logger.debug("closing the SLiMS connection failed", exc_info=True)

    def _columns(self, table: str) -> set[str]:
        with self.connection.cursor() as cursor:
            cursor.execute(f"SHOW COLUMNS FROM `{table}`")
            return {row["Field"] for row in cursor.fetchall()}

    def _rows(self, sql: str, params=()) -> list[dict]:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())

    def _has(self, *tables: str) -> bool:
        return all(t in self.tables for t in tables)

    def biblio_count(self) -> int:
        return self._rows("SELECT COUNT(*) AS n FROM biblio")[0]["n"]

    def member_count(self) -> int:
        return self._rows("SELECT COUNT(*) AS n FROM member")[0]["n"] if self._has("member") else 0

    def biblios(self, *, batch: int = BATCH) -> Iterator[list[dict]]:
        """Yield the biblio rows in batches, each row with its authors, topics, items and
        attachments."""
        joins, extra = [], []
        if self._has("mst_publisher"):
            joins.append("LEFT JOIN mst_publisher p ON p.publisher_id = b.publisher_id")
            extra.append("p.publisher_name")
        if self._has("mst_place"):
            joins.append("LEFT JOIN mst_place pl ON pl.place_id = b.publish_place_id")
            extra.append("pl.place_name")
        if self._has("mst_gmd"):
            joins.append("LEFT JOIN mst_gmd g ON g.gmd_id = b.gmd_id")
            extra.append("g.gmd_name")
        if self._has("mst_content_type") and "content_type_id" in self.columns:
            joins.append("LEFT JOIN mst_content_type ct ON ct.id = b.content_type_id")
            extra.append("ct.content_type")
        wanted = (
            "title",
            "sor",
            "edition",
            "isbn_issn",
            "publish_year",
            "call_number",
            "classification",
            "language_id",
            "notes",
            "image",
            "opac_hide",
        )
        columns = ["b.biblio_id", *(f"b.{c}" for c in wanted if c in self.columns), *extra]
        sql = (
            f"SELECT {', '.join(columns)} FROM biblio b {' '.join(joins)} "  # noqa: S608
            "WHERE b.biblio_id > %s ORDER BY b.biblio_id LIMIT %s"
        )
        last = 0
        while True:
            rows = self._rows(sql, (last, batch))
            if not rows:
                return
            last = rows[-1]["biblio_id"]
            self._attach(rows)
            yield rows

    def _attach(self, rows: list[dict]) -> None:
        ids = [r["biblio_id"] for r in rows]
        marks = ", ".join(["%s"] * len(ids))
        by_id = {r["biblio_id"]: r for r in rows}
        for row in rows:
            row.update(authors=[], topics=[], items=[], attachments=[])
        if self._has("biblio_author", "mst_author"):
            for a in self._rows(
                "SELECT ba.biblio_id, ba.level, a.author_name, a.authority_type "  # noqa: S608
                "FROM biblio_author ba JOIN mst_author a ON a.author_id = ba.author_id "
                f"WHERE ba.biblio_id IN ({marks}) ORDER BY ba.biblio_id, ba.level, a.author_id",
                ids,
            ):
                by_id[a["biblio_id"]]["authors"].append(a)
        if self._has("biblio_topic", "mst_topic"):
            for t in self._rows(
                "SELECT bt.biblio_id, t.topic FROM biblio_topic bt "  # noqa: S608
                "JOIN mst_topic t ON t.topic_id = bt.topic_id "
                f"WHERE bt.biblio_id IN ({marks}) ORDER BY bt.biblio_id, bt.level, t.topic_id",
                ids,
            ):
                by_id[t["biblio_id"]]["topics"].append(t["topic"])
        joins, extra = [], []
        if self._has("mst_location"):
            joins.append("LEFT JOIN mst_location l ON l.location_id = i.location_id")
            extra.append("l.location_name")
        if self._has("mst_coll_type"):
            joins.append("LEFT JOIN mst_coll_type c ON c.coll_type_id = i.coll_type_id")
            extra.append("c.coll_type_name")
        if self._has("mst_item_status"):
            joins.append("LEFT JOIN mst_item_status s ON s.item_status_id = i.item_status_id")
            extra.append("s.item_status_name")
        columns = ", ".join(
            [
                "i.item_id",
                "i.biblio_id",
                "i.item_code",
                "i.inventory_code",
                "i.call_number",
                "i.location_id",
                *extra,
            ]
        )
        for item in self._rows(
            f"SELECT {columns} FROM item i {' '.join(joins)} "  # noqa: S608
            f"WHERE i.biblio_id IN ({marks}) ORDER BY i.biblio_id, i.item_id",
            ids,
        ):
            by_id[item["biblio_id"]]["items"].append(item)
        if self._has("biblio_attachment", "files"):
            for f in self._rows(
                "SELECT ba.biblio_id, f.file_id, f.file_title, f.file_name, f.file_dir, "  # noqa: S608
                "f.file_url, f.mime_type, ba.access_type FROM biblio_attachment ba "
                "JOIN files f ON f.file_id = ba.file_id "
                f"WHERE ba.biblio_id IN ({marks}) ORDER BY ba.biblio_id, f.file_id",
                ids,
            ):
                by_id[f["biblio_id"]]["attachments"].append(f)

    def members(self) -> list[dict]:
        if not self._has("member"):
            return []
        extra = ", t.member_type_name" if self._has("mst_member_type") else ""
        join = "LEFT JOIN mst_member_type t ON t.member_type_id = m.member_type_id" if extra else ""
        return self._rows(
            "SELECT m.member_id, m.member_name, m.member_email, m.member_phone, "  # noqa: S608
            f"m.inst_name, m.expire_date{extra} FROM member m {join} ORDER BY m.member_id"
        )


# --- Mapping ---------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return re.sub(r"\s+", " ", str(value)).strip()


def _year(value) -> int | None:
    match = re.search(r"(?<!\d)(1[0-9]{3}|20[0-9]{2})(?!\d)", _text(value))
    return int(match.group(1)) if match else None


def language_of(code) -> str:
    """Return SLiMS's language id as ISO 639-2/B, or '' when it is none Sinergi knows."""
    code = _text(code).lower()
    if len(code) == 3 and code.isalpha():
        return code
    return LANGUAGES.get(code.split("_")[0].split("-")[0], "")


def title_data_from_biblio(row: dict, warn: Callable[[str], None]) -> TitleData:
    """Map one biblio row (with its authors and topics) to a record's fields."""
    title = _text(row.get("title"))
    main, _sep, subtitle = title.partition(" : ")
    identifier = _text(row.get("isbn_issn"))
    isbn = issn = ""
    if identifier:
        try:
            issn = services.issn_normalise(identifier)
        except ValidationError:
            try:
                isbn = isbn_to_13(identifier)
            except ValidationError:
                warn(
                    _("ISBN/ISSN “%(value)s” is neither a valid ISBN nor an ISSN; left out.")
                    % {"value": identifier}
                )
    language = language_of(row.get("language_id"))
    if row.get("language_id") and not language:
        warn(
            _("Language “%(code)s” is not known; left out.")
            % {"code": _text(row.get("language_id"))}
        )
    contributors = []
    for author in row.get("authors", []):
        name = _text(author["author_name"])
        if name:
            contributors.append(
                ContributorData(
                    name=name,
                    role=LEVEL_ROLES.get(author["level"], "ctb"),
                    kind=AUTHORITY_KINDS.get(_text(author["authority_type"]), "person"),
                )
            )
    return TitleData(
        title=main.strip() or title,
        subtitle=subtitle.strip(),
        responsibility=_text(row.get("sor")),
        contributors=contributors,
        publisher=_text(row.get("publisher_name")),
        place=_text(row.get("place_name")),
        year=_year(row.get("publish_year")),
        edition=_text(row.get("edition")),
        isbn=isbn,
        issn=issn,
        language=language,
        subjects=[_text(t) for t in row.get("topics", []) if _text(t)],
        ddc=_text(row.get("classification")),
        call_number=_text(row.get("call_number")),
        content_type=_text(row.get("gmd_name")) or _text(row.get("content_type")),
        # SLiMS has one field for both, "Abstract/Notes".
        description=str(row.get("notes") or "").strip(),
    )


def holding_data_from_item(item: dict, *, source: str) -> HoldingData:
    return HoldingData(
        code=_text(item.get("item_code")),
        inventory_code=_text(item.get("inventory_code")),
        call_number=_text(item.get("call_number")),
        location=_text(item.get("location_name")) or _text(item.get("location_id")),
        collection=_text(item.get("coll_type_name")),
        status=_text(item.get("item_status_name")),
        source=source,
        external_id=str(item["item_id"]),
    )


# --- Writing ---------------------------------------------------------------------------------


def _existing(source: str, biblio_id: str, data: TitleData) -> Title | None:
    link = RecordSource.objects.filter(source=source, external_id=biblio_id).first()
    if link is not None:
        return link.title
    if data.isbn:
        return Title.objects.filter(isbn=data.isbn).order_by("id").first()
    return None


def _inside(root: Path, *parts: str) -> Path | None:
    """Return root/parts when it stays inside root and is a file, else None."""
    path = (root.joinpath(*[p.strip("/") for p in parts if p])).resolve()
    if root.resolve() not in path.parents or not path.is_file():
        return None
    return path


def _cover(*, actor, title: Title, row: dict, files_dir: Path, report, warn) -> None:
    image = _text(row.get("image"))
    if not image:
        return
    path = _inside(files_dir, "images", "docs", image)
    if path is None:
        warn(
            _("Cover %(name)s is not in %(folder)s.")
            % {"name": image, "folder": f"{files_dir}/images/docs/"}
        )
        return
    try:
        if services.title_cover_set(actor=actor, title=title, content=path.read_bytes()):
            report.covers_imported += 1
    except ValidationError as error:
        warn(_("Cover %(name)s: %(reason)s") % {"name": image, "reason": "; ".join(error.messages)})


def _attachments(*, actor, title: Title, row: dict, files_dir: Path, report, warn) -> None:
    from .files import book_file_store

    for attachment in row.get("attachments", []):
        name = _text(attachment.get("file_name"))
        if not name:
            if _text(attachment.get("file_url")):
                warn(
                    _("Attachment %(id)s is a link, not a file; left out.")
                    % {"id": attachment["file_id"]}
                )
            continue
        path = _inside(files_dir, "repository", _text(attachment.get("file_dir")), name)
        if path is None:
            warn(
                _("Attachment %(name)s is not in %(folder)s.")
                % {"name": name, "folder": f"{files_dir}/repository/"}
            )
            continue
        kind = MIME_KINDS.get(_text(attachment.get("mime_type")).lower())
        if kind is None and path.suffix.lower() in (".pdf", ".epub"):
            kind = path.suffix.lower()[1:]
        if kind is None:
            warn(_("Attachment %(name)s is not a PDF or EPUB; left out.") % {"name": name})
            continue
        size = path.stat().st_size
        if BookFile.objects.filter(title=title, kind=kind, size=size).exists():
            continue  # imported before
        try:
            with path.open("rb") as handle:
                book_file_store(actor=actor, title=title, upload=File(handle, name=name))
            report.files_imported += 1
        except ValidationError as error:
            warn(
                _("Attachment %(name)s: %(reason)s")
                % {"name": name, "reason": "; ".join(error.messages)}
            )


def _biblio_import(
    *, row: dict, source: str, actor, files_dir: Path | None, report: SlimsReport
) -> None:
    biblio_id = str(row["biblio_id"])
    warnings: list[str] = []
    warn = warnings.append
    if not _text(row.get("title")):
        report.skipped.append(
            {"biblio_id": row["biblio_id"], "reason": _("The record has no title.")}
        )
        return
    try:
        data = title_data_from_biblio(row, warn)
        with transaction.atomic():
            existing = _existing(source, biblio_id, data)
            if existing is None:
                title = services.title_create(actor=actor, data=data)
                report.imported += 1
            else:
                stamp = existing.updated_at
                title = services.title_update(actor=actor, title=existing, data=data)
                if title.updated_at == stamp:
                    report.unchanged += 1
                else:
                    report.updated += 1
            RecordSource.objects.update_or_create(
                source=source,
                external_id=biblio_id,
                defaults={"title": title, "imported_at": timezone.now()},
            )
            for item in row.get("items", []):
                holding_data = holding_data_from_item(item, source=source)
                try:
                    with transaction.atomic():
                        _holding, created = services.holding_save(
                            actor=actor, title=title, data=holding_data
                        )
                except ValidationError as error:
                    warn(
                        _("Item %(id)s: %(reason)s")
                        % {"id": item["item_id"], "reason": "; ".join(error.messages)}
                    )
                    continue
                if created:
                    report.holdings_imported += 1
                else:
                    report.holdings_updated += 1
            if files_dir is not None:
                _cover(
                    actor=actor, title=title, row=row, files_dir=files_dir, report=report, warn=warn
                )
                _attachments(
                    actor=actor, title=title, row=row, files_dir=files_dir, report=report, warn=warn
                )
            lease_confirm()
    except ValidationError as error:
        report.skipped.append({"biblio_id": row["biblio_id"], "reason": "; ".join(error.messages)})
        return
    except Exception as error:
        logger.exception("SLiMS biblio %s could not be imported", biblio_id)
        report.skipped.append({"biblio_id": row["biblio_id"], "reason": str(error)})
        return
    report.warnings += [{"biblio_id": row["biblio_id"], "warning": w} for w in warnings]


def _member_import(*, row: dict, actor, notify: bool, report: SlimsReport) -> None:
    email = _text(row.get("member_email")).lower()
    member_id = _text(row.get("member_id"))
    if not email or "@" not in email:
        report.skipped.append({"member_id": member_id, "reason": _("The member has no e-mail.")})
        return
    name = _text(row.get("member_name"))[:150] or email
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).first()
        if user is not None:
            changed = []
            if not user.institution_name and _text(row.get("inst_name")):
                user.institution_name = _text(row.get("inst_name"))[:200]
                changed.append("institution_name")
            if not user.phone and _text(row.get("member_phone")):
                user.phone = _text(row.get("member_phone"))[:20]
                changed.append("phone")
            if changed:
                user.save(update_fields=changed)
            report.members_updated += 1
            return
        # No password comes over (SLiMS's are its own hashes): the member sets one through
        # "forgot password", and the account counts as unverified until the e-mail link is
        # followed, like a sign-up.
        user = User.objects.create_user(
            email=email,
            password=None,
            full_name=name,
            institution_name=_text(row.get("inst_name"))[:200],
            phone=_text(row.get("member_phone"))[:20],
        )
        user.groups.add(Group.objects.get(name=Role.PARTICIPANT))
        log_action(actor, "accounts.imported", user, {"slims_member_id": member_id})
        if notify:
            user_id = user.pk
            transaction.on_commit(lambda: _verification_send(user_id))
        lease_confirm()
    report.members_imported += 1


def _verification_send(user_id: int) -> None:
    from sinergi.accounts.services import email_verification_send

    email_verification_send(user=User.objects.get(pk=user_id))


def slims_import(
    *,
    database_url: str,
    actor=None,
    files_dir: str = "",
    members: bool = False,
    notify_members: bool = False,
    progress: Callable[[int, int], None] | None = None,
    batch: int = BATCH,
) -> SlimsReport:
    """Import (or bring up to date) the catalogue of the SLiMS database at `database_url`;
    `files_dir` is SLiMS's folder holding images/docs/ (covers) and repository/ (attachments).
    `members` brings SLiMS's members as accounts (matched on e-mail; no password), and
    `notify_members` sends each new one the link that verifies the address.
    `progress(done, total)` is called after each batch. Raise SlimsError when it cannot read."""
    database = database_parse(database_url)
    root = Path(files_dir) if files_dir else None
    if root is not None and not root.is_dir():
        raise SlimsError(_("%(folder)s is not a folder.") % {"folder": files_dir})
    reader = SlimsReader(database)
    report = SlimsReport()
    source = f"slims:{database.host}/{database.name}"[:100]
    try:
        total = reader.biblio_count() + (reader.member_count() if members else 0)
        done = 0
        for rows in reader.biblios(batch=batch):
            for row in rows:
                _biblio_import(row=row, source=source, actor=actor, files_dir=root, report=report)
            done += len(rows)
            if progress:
                progress(done, total)
        if members:
            for row in reader.members():
                _member_import(row=row, actor=actor, notify=notify_members, report=report)
                done += 1
                if progress and done % batch == 0:
                    progress(done, total)
            if progress:
                progress(done, total)
    finally:
        reader.close()
    log_action(
        actor,
        "library.slims.imported",
        None,
        {"database": database.label, "imported": report.imported, "updated": report.updated},
    )
    return report


def skipped_by_reason(report: SlimsReport) -> dict[str, int]:
    """Return how many rows were skipped for each reason."""
    counts: dict[str, int] = defaultdict(int)
    for skipped in report.skipped:
        counts[skipped["reason"]] += 1
    return dict(counts)


# --- The staff page's background import ------------------------------------------------------


def catalogue_import_request(
    *, actor, database_url: str, files_dir: str = "", members: bool = False
) -> CatalogueImport:
    """Queue an import of the SLiMS database at `database_url`; its page shows the progress.
    Raise SlimsError at once when the address is not one."""
    database = database_parse(database_url)
    from .tasks import import_slims

    with transaction.atomic():
        job = CatalogueImport.objects.create(
            requested_by=actor,
            system="slims",
            database_url=database_url.strip(),
            database_label=database.label[:200],
            files_dir=files_dir.strip(),
            members=members,
        )
        log_action(actor, "library.slims.import_queued", job, {"database": database.label})
        job_id = job.pk
        transaction.on_commit(lambda: import_slims.enqueue(import_id=job_id))
    return job


def catalogue_import_run(*, job: CatalogueImport) -> CatalogueImport:
    """Run a queued import, saving its progress as it goes.

    A job found RUNNING is run again: the lease machinery requeues a task only when its
    worker died, and an import that starts over updates what the dead one wrote."""
    claimed = CatalogueImport.objects.filter(
        pk=job.pk, status__in=[CatalogueImportStatus.QUEUED, CatalogueImportStatus.RUNNING]
    ).update(status=CatalogueImportStatus.RUNNING)
    job.refresh_from_db()
    if not claimed:
        return job

    def progress(done: int, total: int) -> None:
        CatalogueImport.objects.filter(pk=job.pk).update(done=done, total=total)

    language = getattr(job.requested_by, "language", "") or None
    try:
        with translation.override(language):
            report = slims_import(
                database_url=job.database_url,
                actor=job.requested_by,
                files_dir=job.files_dir,
                members=job.members,
                notify_members=job.members,
                progress=progress,
            )
    except SlimsError as error:
        return _import_finish(job, CatalogueImportStatus.FAILED, error=str(error))
    except Exception as error:
        logger.exception("SLiMS import %s failed", job.pk)
        return _import_finish(job, CatalogueImportStatus.FAILED, error=str(error)[:2000])
    job.refresh_from_db(fields=["done", "total"])
    job.result = report.as_json()
    return _import_finish(job, CatalogueImportStatus.DONE)


def _import_finish(job: CatalogueImport, status: str, *, error: str = "") -> CatalogueImport:
    job.status = status
    job.error = error
    job.database_url = ""  # the password goes with it
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "database_url", "result", "finished_at"])
    return job
