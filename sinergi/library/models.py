"""The digital library: bibliographic records, e-book files, license pools, loans and holds,
reading positions, and the e-resources directory.

Availability is never stored: free copies = copies - active loans - live reservations, counted
under the pool's lock (the same pattern as training seats and visit slots).
"""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Subject(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")

    def __str__(self) -> str:
        return self.name


class Title(models.Model):
    """A bibliographic record (one work in one edition)."""

    title = models.CharField(_("title"), max_length=500)
    subtitle = models.CharField(_("subtitle"), max_length=500, blank=True)
    # MARC 245 $c, as the title page words it ("by Jane Doe ; translated by ...").
    responsibility = models.CharField(_("statement of responsibility"), max_length=255, blank=True)
    publisher = models.CharField(_("publisher"), max_length=255, blank=True)
    place = models.CharField(_("place of publication"), max_length=255, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True, db_index=True)
    edition = models.CharField(_("edition"), max_length=100, blank=True)
    isbn = models.CharField(_("ISBN"), max_length=13, blank=True, db_index=True)
    issn = models.CharField(_("ISSN"), max_length=9, blank=True, db_index=True)
    language = models.CharField(_("language"), max_length=3, blank=True, db_index=True)
    ddc = models.CharField(_("DDC class"), max_length=40, blank=True)
    call_number = models.CharField(_("call number"), max_length=64, blank=True)
    # What the record is: SLiMS's GMD ("Text", "Electronic Resource") or an RDA content type.
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    subjects = models.ManyToManyField(Subject, verbose_name=_("subjects"), blank=True)
    cover = models.FileField(_("cover"), upload_to="library/covers/", blank=True)
    open_access = models.BooleanField(_("open access"), default=False)
    withdrawn = models.BooleanField(_("withdrawn"), default=False)
    # MARC 001 and 003: how a re-import finds a record that has no ISBN.
    control_number = models.CharField(_("control number (001)"), max_length=64, blank=True)
    control_source = models.CharField(_("control number source (003)"), max_length=64, blank=True)
    # Title, contributors, subjects, ISBN and description in one text, kept by the services
    # for full-text search (FTS5 on SQLite, a tsvector column on PostgreSQL).
    search_text = models.TextField(editable=False, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), db_index=True)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("title")
        verbose_name_plural = _("titles")
        indexes = [
            models.Index(fields=["control_number", "control_source"]),
            models.Index(fields=["updated_at", "id"], name="library_title_datestamp"),
            # The catalogue without words, one language or year chosen, last changed first.
            models.Index(fields=["language", "updated_at", "id"], name="library_title_language"),
            models.Index(fields=["year", "updated_at", "id"], name="library_title_year"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("library:title_detail", args=[self.pk])

    @property
    def ddc_set(self) -> str:
        """Return the OAI set `ddc:N00` of the record's DDC hundred, or ''."""
        digits = self.ddc[:1]
        return f"ddc:{digits}00" if digits.isdigit() else ""


class TitleSearch(models.Model):
    """PostgreSQL's narrow copy of what a search ranks title matches by, filters on most and
    counts facets of: the title's words, the record's language, year, withdrawal and access
    (about 100 bytes a row where a catalogue row takes 900), so a broad word's title matches
    are ranked and counted, and the facets of the best 1,000 counted, from pages that stay in
    shared_buffers. Kept by services.search_index_update; empty on
    SQLite, whose FTS5 index does the same (see fts.py)."""

    title = models.OneToOneField(
        Title, primary_key=True, on_delete=models.CASCADE, related_name="search_row"
    )
    words = SearchVectorField()  # title and subtitle, 'simple' configuration
    language = models.CharField(max_length=3, blank=True)
    year = models.PositiveSmallIntegerField(null=True)
    withdrawn = models.BooleanField(default=False)
    open_access = models.BooleanField(default=False)  # these two for the availability facet
    licensed = models.BooleanField(default=False)  # has a licence pool

    class Meta:
        db_table = "library_title_search"
        # A year chosen: ANDed with the title words' GIN bitmap, so only that year's title
        # matches are read. The language, which most records share, has no index here.
        indexes = [models.Index(fields=["year"], name="library_title_search_year")]

    def __str__(self) -> str:
        return str(self.title_id)


class ContributorRole(models.TextChoices):
    AUTHOR = "aut", _("Author")
    EDITOR = "edt", _("Editor")
    TRANSLATOR = "trl", _("Translator")
    ILLUSTRATOR = "ill", _("Illustrator")
    CONTRIBUTOR = "ctb", _("Contributor")
    # More MARC relator codes (id.loc.gov/vocabulary/relators), so an imported record's roles
    # come back out as they came in.
    COMPILER = "com", _("Compiler")
    COMPOSER = "cmp", _("Composer")
    PERFORMER = "prf", _("Performer")
    NARRATOR = "nrt", _("Narrator")
    PHOTOGRAPHER = "pht", _("Photographer")
    INTRODUCTION = "aui", _("Author of introduction")
    THESIS_ADVISOR = "ths", _("Thesis advisor")
    PUBLISHER = "pbl", _("Publisher")
    COVER_DESIGNER = "cov", _("Cover designer")


class ContributorKind(models.TextChoices):
    """What MARC calls the name: personal (X00), corporate (X10) or a meeting (X11)."""

    PERSON = "person", _("Person")
    ORGANIZATION = "organization", _("Organisation")
    MEETING = "meeting", _("Meeting")


class Contributor(models.Model):
    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="contributors")
    name = models.CharField(_("name"), max_length=255)
    role = models.CharField(
        _("role"), max_length=3, choices=ContributorRole.choices, default=ContributorRole.AUTHOR
    )
    kind = models.CharField(
        _("kind of name"),
        max_length=12,
        choices=ContributorKind.choices,
        default=ContributorKind.PERSON,
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("contributor")
        verbose_name_plural = _("contributors")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"


class MarcSource(models.Model):
    """The MARC record a title was imported from, kept whole (MARC-in-JSON, as pymarc writes it)
    so an export gives back every field, subfield and indicator it came with. `baseline` is the
    title's fields as the import left them: an export rewrites only the MARC fields of what
    changed since."""

    title = models.OneToOneField(Title, on_delete=models.CASCADE, related_name="marc_source")
    record = models.JSONField(_("MARC record"))
    baseline = models.JSONField(_("fields as imported"))
    encoding = models.CharField(_("encoding read"), max_length=20, blank=True)
    imported_at = models.DateTimeField(_("imported"))

    class Meta:
        verbose_name = _("MARC source record")
        verbose_name_plural = _("MARC source records")

    def __str__(self) -> str:
        return str(self.title_id)


class FileKind(models.TextChoices):
    EPUB = "epub", "EPUB"
    PDF = "pdf", "PDF"


class BookFile(models.Model):
    """An e-book file of a title, stored privately and streamed only through signed URLs."""

    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("format"), max_length=4, choices=FileKind.choices)
    file = models.FileField(_("file"), upload_to="library/files/")
    size = models.PositiveBigIntegerField(_("size"), default=0)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["kind", "id"]
        verbose_name = _("e-book file")
        verbose_name_plural = _("e-book files")
        constraints = [
            models.UniqueConstraint(
                fields=["title", "kind"],
                name="library_one_file_per_kind",
                violation_error_message=_(
                    "This title already has a file of this kind; replace it instead."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_kind_display()})"

    @property
    def content_type(self) -> str:
        return "application/epub+zip" if self.kind == FileKind.EPUB else "application/pdf"


class LicensePool(models.Model):
    """The licensed copies of a title: lent at most `copies` at once (unless open access)."""

    title = models.OneToOneField(Title, on_delete=models.CASCADE, related_name="pool")
    copies = models.PositiveIntegerField(_("concurrent copies"), default=1)
    expires_on = models.DateField(_("license expires on"), null=True, blank=True)
    checkouts_limit = models.PositiveIntegerField(
        _("checkouts allowed"),
        null=True,
        blank=True,
        help_text=_("Some publishers license a number of checkouts; empty means no limit."),
    )
    checkouts_used = models.PositiveIntegerField(_("checkouts used"), default=0)
    loan_days = models.PositiveSmallIntegerField(
        _("loan period (days)"),
        null=True,
        blank=True,
        help_text=_("Empty: the library's default loan period."),
    )

    class Meta:
        verbose_name = _("license pool")
        verbose_name_plural = _("license pools")

    def __str__(self) -> str:
        return f"{self.title} × {self.copies}"


class LoanState(models.TextChoices):
    ACTIVE = "active", _("On loan")
    RETURNED = "returned", _("Returned")
    EXPIRED = "expired", _("Returned automatically")


class Loan(models.Model):
    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="loans")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="library_loans"
    )
    state = models.CharField(
        _("state"), max_length=10, choices=LoanState.choices, default=LoanState.ACTIVE
    )
    started_at = models.DateTimeField(_("borrowed"))
    due_at = models.DateTimeField(_("ends"), db_index=True)
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "title"],
                condition=Q(state="active"),
                name="library_one_active_loan_per_title",
                violation_error_message=_("You already have this title on loan."),
            )
        ]
        indexes = [models.Index(fields=["title", "state"])]

    def __str__(self) -> str:
        return f"{self.title} → {self.user}"


class HoldState(models.TextChoices):
    WAITING = "waiting", _("In the queue")
    RESERVED = "reserved", _("Ready to borrow")
    FULFILLED = "fulfilled", _("Borrowed")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Not collected in time")


LIVE_HOLD_STATES = (HoldState.WAITING, HoldState.RESERVED)


class Hold(models.Model):
    """A member's place in the queue for a title; reserved for a while when a copy frees."""

    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="holds")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="library_holds"
    )
    state = models.CharField(
        _("state"), max_length=10, choices=HoldState.choices, default=HoldState.WAITING
    )
    created_at = models.DateTimeField(_("queued"))
    reserved_until = models.DateTimeField(_("reserved until"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("hold")
        verbose_name_plural = _("holds")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "title"],
                condition=Q(state__in=LIVE_HOLD_STATES),
                name="library_one_live_hold_per_title",
                violation_error_message=_("You are already in the queue for this title."),
            )
        ]
        indexes = [models.Index(fields=["title", "state", "created_at"])]

    def __str__(self) -> str:
        return f"{self.title} ⏳ {self.user}"


class ReadingPosition(models.Model):
    """Where a member stopped reading a file (an EPUB CFI or a PDF page number)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    book_file = models.ForeignKey(BookFile, on_delete=models.CASCADE, related_name="+")
    position = models.CharField(max_length=500)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "book_file"],
                name="library_one_position",
                violation_error_message=_("The reading position of this book is already saved."),
            )
        ]

    def __str__(self) -> str:
        return self.position


class AccessRoute(models.TextChoices):
    CAMPUS = "campus", _("Campus network")
    VPN = "vpn", _("VPN")
    PERPUSNAS = "perpusnas", _("Perpusnas membership")
    OPEN = "open", pgettext_lazy("access route", "Open")


class EResource(models.Model):
    """A database in the e-resources directory (subscribed or free)."""

    name = models.CharField(_("name"), max_length=200)
    provider = models.CharField(_("provider"), max_length=200, blank=True)
    subjects = models.CharField(_("subjects"), max_length=500, blank=True)
    access_route = models.CharField(
        _("access route"), max_length=10, choices=AccessRoute.choices, default=AccessRoute.OPEN
    )
    instructions = models.TextField(_("how to get in"), blank=True)
    url = models.URLField(_("link"), max_length=500)
    is_active = models.BooleanField(_("shown to members"), default=True)
    clicks = models.PositiveIntegerField(_("click-throughs"), default=0)

    class Meta:
        ordering = ["name"]
        verbose_name = _("e-resource")
        verbose_name_plural = _("e-resources")

    def __str__(self) -> str:
        return self.name


class RecordSource(models.Model):
    """Where an imported record came from: another system's id for it (SLiMS's biblio_id), so
    importing the same source again updates the record instead of adding a second one.
    `source` names the system and database ("slims:perpustakaan")."""

    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="sources")
    source = models.CharField(_("source"), max_length=100)
    external_id = models.CharField(_("id at the source"), max_length=64)
    imported_at = models.DateTimeField(_("last imported"))

    class Meta:
        verbose_name = _("record source")
        verbose_name_plural = _("record sources")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                name="library_record_source_unique",
                violation_error_message=_(
                    "This record of the source catalogue is already imported."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.source}#{self.external_id}"


class Holding(models.Model):
    """A physical copy of a title on the library's shelves: its item code (barcode), call
    number, location and collection. Print copies are not lent through the e-book licence
    pool; they are listed so members know where the book stands."""

    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="holdings")
    code = models.CharField(_("item code"), max_length=64, blank=True)
    inventory_code = models.CharField(_("inventory code"), max_length=200, blank=True)
    call_number = models.CharField(_("call number"), max_length=64, blank=True)
    location = models.CharField(_("location"), max_length=100, blank=True)
    collection = models.CharField(_("collection type"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=50, blank=True)
    # The imported item's id (SLiMS item_id) and where it came from, for re-imports.
    source = models.CharField(_("source"), max_length=100, blank=True)
    external_id = models.CharField(_("id at the source"), max_length=64, blank=True)
    updated_at = models.DateTimeField(_("last changed"))

    class Meta:
        ordering = ["location", "code", "id"]
        verbose_name = _("holding")
        verbose_name_plural = _("holdings")
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=~Q(code=""),
                name="library_holding_code_unique",
                violation_error_message=_("Another copy already has this item code."),
            ),
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~Q(external_id=""),
                name="library_holding_source_unique",
                violation_error_message=_("This copy of the source catalogue is already imported."),
            ),
        ]

    def __str__(self) -> str:
        return self.code or str(self.pk)


class CatalogueImportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Not imported")


class CatalogueImport(models.Model):
    """An import of another library system's catalogue (SLiMS 9), run by a background task.

    The database address (with its password) is kept only until the import ends.
    """

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    system = models.CharField(_("system"), max_length=20, default="slims")
    database_url = models.CharField(_("database"), max_length=500, blank=True)
    database_label = models.CharField(_("database"), max_length=200, blank=True)
    files_dir = models.CharField(_("files directory"), max_length=500, blank=True)
    members = models.BooleanField(_("import members"), default=False)
    status = models.CharField(
        max_length=10,
        choices=CatalogueImportStatus.choices,
        default=CatalogueImportStatus.QUEUED,
    )
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("catalogue import")
        verbose_name_plural = _("catalogue imports")

    def __str__(self) -> str:
        return f"{self.system} {self.database_label}"

    @property
    def finished(self) -> bool:
        return self.status in (CatalogueImportStatus.DONE, CatalogueImportStatus.FAILED)

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.done / self.total)) if self.total else 0
