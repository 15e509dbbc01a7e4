"""Certificates of completion: templates, numbering, the certificates and their versions.

A certificate copies what it states (the holder's name, the program, the batch, its dates and
JP) at issue, so it says the same thing years later whatever is edited afterwards. Its number
comes from a gapless sequence and is never reused; its code is random, printed under the QR and
used to verify it.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sinergi.training.models import Batch, Program, Registration

# Crockford-like: no 0/O, 1/I/L, so a code read aloud or typed from paper comes out right.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12

DEFAULT_NUMBER_PATTERN = "{seq:04}/UN40.L/DL/{year}"
DEFAULT_BODY_ID = (
    "telah mengikuti {program} angkatan {batch} yang diselenggarakan secara daring "
    "pada {dates} sebanyak {jp} JP (jam pelajaran)"
)
DEFAULT_BODY_EN = (
    "has completed {program}, batch {batch}, held on {dates}, a total of {jp} lesson hours (JP)"
)
# "Score and above: predicate", one per line, highest first.
DEFAULT_PREDICATES = "90 Sangat Memuaskan\n80 Memuaskan\n70 Baik\n0 Cukup"


class CertificateTemplate(models.Model):
    """How the certificates of a program look (or of one batch, when it overrides)."""

    program = models.ForeignKey(
        Program,
        verbose_name=_("program"),
        on_delete=models.CASCADE,
        related_name="certificate_templates",
    )
    batch = models.OneToOneField(
        Batch,
        verbose_name=_("batch"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="certificate_template",
        help_text=_("Empty: the program's template, used by every batch without its own."),
    )
    title_id = models.CharField(_("title (Indonesian)"), max_length=60, default="SERTIFIKAT")
    title_en = models.CharField(
        _("title (English)"), max_length=60, blank=True, default="CERTIFICATE"
    )
    body_id = models.TextField(
        _("wording (Indonesian)"),
        default=DEFAULT_BODY_ID,
        help_text=_(
            "Placeholders: {name} {program} {batch} {dates} {jp} {competencies} {number} "
            "{predicate}"
        ),
    )
    body_en = models.TextField(_("wording (English)"), blank=True, default=DEFAULT_BODY_EN)
    logo_ours = models.ImageField(_("our logo"), upload_to="certificates/assets/", blank=True)
    logo_partner = models.ImageField(
        _("partner's logo"), upload_to="certificates/assets/", blank=True
    )
    background = models.ImageField(
        _("background image"),
        upload_to="certificates/assets/",
        blank=True,
        help_text=_("A4 landscape, drawn under everything else."),
    )
    number_pattern = models.CharField(
        _("numbering pattern"),
        max_length=100,
        default=DEFAULT_NUMBER_PATTERN,
        help_text=_("{seq} is the running number ({seq:04} pads it to 4 digits), {year} the year."),
    )
    use_predicate = models.BooleanField(
        _("print a predicate"), default=False, help_text=_("From the post-test score.")
    )
    predicates = models.TextField(
        _("predicates"),
        default=DEFAULT_PREDICATES,
        help_text=_('One per line: the lowest score, then the words, e.g. "90 Sangat Memuaskan".'),
    )
    place = models.CharField(
        _("place of issue"), max_length=60, default="Bandung", help_text=_("Before the date.")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["program__title", "batch__code"]
        verbose_name = _("certificate template")
        verbose_name_plural = _("certificate templates")
        constraints = [
            models.UniqueConstraint(
                fields=["program"],
                condition=Q(batch__isnull=True),
                name="one_certificate_template_per_program",
                violation_error_message=_("This program already has a certificate template."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.program.title} — {self.batch.code}" if self.batch_id else self.program.title

    def predicate_for(self, score: Decimal | None) -> str:
        """Return the predicate for a post-test score ("" when none applies)."""
        if not self.use_predicate or score is None:
            return ""
        for minimum, words in parse_predicates(self.predicates):
            if score >= minimum:
                return words
        return ""


def parse_predicates(text: str) -> list[tuple[Decimal, str]]:
    """Return the (minimum score, words) pairs of `text`, highest first; ValueError if bad."""
    bands = []
    for line in text.splitlines():
        if not line.strip():
            continue
        minimum, _space, words = line.strip().partition(" ")
        bands.append((Decimal(minimum.replace(",", ".")), words.strip()))
        if not words.strip():
            raise ValueError(line)
    return sorted(bands, reverse=True)


class Signature(models.Model):
    """A person who signs the certificates of a template."""

    template = models.ForeignKey(
        CertificateTemplate, on_delete=models.CASCADE, related_name="signatures"
    )
    name = models.CharField(_("name"), max_length=120)
    position = models.CharField(_("position"), max_length=160)
    image = models.ImageField(_("signature image"), upload_to="certificates/assets/", blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")

    def __str__(self) -> str:
        return f"{self.name}, {self.position}"


class NumberSequence(models.Model):
    """The last running number used for a pattern in a year; locked while numbering."""

    pattern = models.CharField(max_length=100)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["pattern", "year"],
                name="one_sequence_per_pattern",
                violation_error_message=_(
                    "This numbering pattern already has a sequence for this year."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.pattern} {self.year}: {self.last}"


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    REVOKED = "revoked", _("Revoked")


class Certificate(models.Model):
    """The certificate of one participant's completed registration."""

    registration = models.OneToOneField(
        Registration, on_delete=models.PROTECT, related_name="certificate"
    )
    template = models.ForeignKey(
        CertificateTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    number = models.CharField(_("number"), max_length=120, unique=True)
    code = models.CharField(_("verification code"), max_length=CODE_LENGTH, unique=True)
    holder_name = models.CharField(_("holder"), max_length=200)
    program_title = models.CharField(_("program"), max_length=200)
    batch_code = models.CharField(_("batch"), max_length=40)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    jp = models.PositiveSmallIntegerField(_("JP"))
    competencies = models.JSONField(_("competency units"), default=list, blank=True)
    predicate = models.CharField(_("predicate"), max_length=60, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=CertificateStatus.choices,
        default=CertificateStatus.VALID,
    )
    revoked_reason = models.CharField(_("reason for revocation"), max_length=255, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    issued_at = models.DateTimeField(_("issued at"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    # Under MEDIA_ROOT, which is never served: downloads go through permission-checking views.
    pdf = models.FileField(_("PDF"), upload_to="certificates/pdf/%Y/", max_length=200)

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        indexes = [models.Index(fields=["batch_code", "status"])]

    def __str__(self) -> str:
        return self.number

    @property
    def is_valid(self) -> bool:
        return self.status == CertificateStatus.VALID


class CertificateVersion(models.Model):
    """A certificate as it was before a re-issue: the name and the PDF are kept."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveSmallIntegerField(_("version"))
    holder_name = models.CharField(_("holder"), max_length=200)
    pdf = models.FileField(_("PDF"), upload_to="certificates/pdf/%Y/", max_length=200)
    issued_at = models.DateTimeField(_("issued at"))
    replaced_at = models.DateTimeField(_("replaced at"), auto_now_add=True)
    reason = models.CharField(_("reason"), max_length=255, blank=True)

    class Meta:
        ordering = ["certificate", "-version"]
        verbose_name = _("certificate version")
        verbose_name_plural = _("certificate versions")
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "version"],
                name="one_row_per_certificate_version",
                violation_error_message=_("This version of the certificate is already recorded."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.certificate.number} v{self.version}"


class ArchiveStatus(models.TextChoices):
    PENDING = "pending", _("Being built")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class CertificateArchive(models.Model):
    """A ZIP of a batch's certificates, built by a task for batches too big to zip at once."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=ArchiveStatus.choices, default=ArchiveStatus.PENDING
    )
    count = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="certificates/zip/", blank=True, max_length=200)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("certificate archive")
        verbose_name_plural = _("certificate archives")

    def __str__(self) -> str:
        return f"{self.batch_id} {self.created_at:%Y-%m-%d %H:%M}"


class DeclarationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class JpDeclaration(models.Model):
    """Competency development a participant followed outside Sinergi, declared with proof.

    Counted in the participant's JP record (with the JP of the trainings completed here) once
    staff accept it. JP: jam pelajaran, 45-minute lesson hours, the unit of the civil service's
    yearly competency-development target.
    """

    JP_MAX = 500

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jp_declarations"
    )
    title = models.CharField(_("activity"), max_length=200)
    organiser = models.CharField(_("organiser"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    jp = models.PositiveSmallIntegerField(_("JP"))
    # Never served from MEDIA_URL: the owner and reviewers download it through a view.
    proof = models.FileField(_("proof"), upload_to="certificates/jp-proofs/%Y/", max_length=200)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DeclarationStatus.choices,
        default=DeclarationStatus.PENDING,
    )
    review_note = models.CharField(_("note from the reviewer"), max_length=255, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("declared at"), auto_now_add=True)

    class Meta:
        ordering = ["-ends_on", "-id"]
        verbose_name = _("declared JP")
        verbose_name_plural = _("declared JP")
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(jp__gte=1) & Q(jp__lte=500),
                name="jp_declaration_jp_in_range",
                violation_error_message=_("JP must be between 1 and 500."),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="jp_declaration_ends_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.jp} JP)"
