"""Partners, cooperation agreements and the process that makes them, with their evidence.

An agreement's status is computed from its dates and marks (signed, terminated, superseded);
it is never typed in by hand. See `selectors.agreement_status` and `agreements_with_status`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sinergi.core.models import Province

# --- Configurable lookups ---------------------------------------------------------------------


class Lookup(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        abstract = True
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class ScopeItem(Lookup):
    """A field of cooperation an agreement may cover (training, resource sharing ...)."""

    class Meta(Lookup.Meta):
        verbose_name = _("scope item")
        verbose_name_plural = _("scope items")


class IkuCriterion(Lookup):
    """A partner criterion of the university's key performance indicators (IKU).

    IKU (Indikator Kinerja Utama) has no English name the library uses; the list is kept in
    the admin site because the ministry revises it.
    """

    code = models.CharField(_("code"), max_length=20, blank=True)

    class Meta(Lookup.Meta):
        verbose_name = _("IKU partner criterion")
        verbose_name_plural = _("IKU partner criteria")


class PartnershipForm(Lookup):
    """A form of partnership counted in the IKU report (joint training, staff exchange ...)."""

    class Meta(Lookup.Meta):
        verbose_name = _("form of partnership")
        verbose_name_plural = _("forms of partnership")


# --- Partners ---------------------------------------------------------------------------------


class PartnerType(models.TextChoices):
    NATIONAL_LIBRARY = "national_library", _("National library")
    UNIVERSITY_PUBLIC = "university_public", _("State university (PTN)")
    UNIVERSITY_PRIVATE = "university_private", _("Private university (PTS)")
    SCHOOL = "school", _("School")
    PUBLIC_LIBRARY = "public_library", _("Regional or public library")
    GOVERNMENT = "government", _("Government body")
    COMPANY = "company", _("Company")
    ASSOCIATION = "association", _("Association")
    FOREIGN = "foreign", _("Foreign institution")


class Partner(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    type = models.CharField(_("type"), max_length=30, choices=PartnerType.choices)
    address = models.TextField(_("address"), blank=True)
    province = models.ForeignKey(
        Province,
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("For Indonesian partners."),
    )
    country = models.CharField(_("country"), max_length=80, default="Indonesia")
    website = models.URLField(_("website"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="partner-logos/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")

    def __str__(self) -> str:
        return self.short_name or self.name


class PartnerContact(models.Model):
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=150)
    position = models.CharField(_("position"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name


class PartnerOfficer(models.Model):
    """Links an account with the `partner` role to the institution it acts for."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="partner_officer"
    )
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="officers")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("partner officer")
        verbose_name_plural = _("partner officers")

    def __str__(self) -> str:
        return f"{self.user} — {self.partner}"


# --- Agreements -------------------------------------------------------------------------------


class AgreementKind(models.TextChoices):
    MOU = "mou", _("MoU (Nota Kesepahaman)")
    PKS = "pks", _("PKS / MoA")
    IA = "ia", _("Implementation arrangement (IA)")
    ADDENDUM = "addendum", _("Addendum")
    OTHER = "other", _("Other")


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_PROCESS = "in_process", _("In process")
    ACTIVE = "active", _("Active")
    EXPIRING = "expiring", _("Expiring")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")
    SUPERSEDED = "superseded", _("Superseded by renewal")


class Agreement(models.Model):
    """A cooperation agreement. A PKS/IA names its MoU as parent; an addendum its agreement.

    Each party numbers its own signed copy, so there are two numbers. A renewal names the
    agreement it renews; signing the renewal marks that one superseded.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=AgreementKind.choices)
    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="agreements"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent agreement"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    renewal_of = models.ForeignKey(
        "self",
        verbose_name=_("renews"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="renewals",
    )
    title = models.CharField(_("title"), max_length=300)
    scope_items = models.ManyToManyField(
        ScopeItem, verbose_name=_("scope"), blank=True, related_name="agreements"
    )
    our_number = models.CharField(_("our number"), max_length=100, blank=True)
    partner_number = models.CharField(_("partner's number"), max_length=100, blank=True)
    our_signatory = models.CharField(_("our signatory"), max_length=200, blank=True)
    partner_signatory = models.CharField(_("partner's signatory"), max_length=200, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    unit = models.CharField(_("responsible unit"), max_length=200, blank=True)
    person_in_charge = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person in charge"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agreements_in_charge",
    )
    value = models.PositiveBigIntegerField(_("value (Rupiah)"), null=True, blank=True)
    iku_criteria = models.ManyToManyField(
        IkuCriterion, verbose_name=_("IKU partner criteria"), blank=True, related_name="+"
    )
    partnership_forms = models.ManyToManyField(
        PartnershipForm, verbose_name=_("forms of partnership"), blank=True, related_name="+"
    )
    process_started_at = models.DateTimeField(_("process started"), null=True, blank=True)
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)
    termination_reason = models.CharField(_("reason for termination"), max_length=255, blank=True)
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="agreement_ends_after_start",
                violation_error_message=_("The agreement cannot end before it starts."),
            ),
        ]
        indexes = [models.Index(fields=["ends_on"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_signed(self) -> bool:
        return self.signed_on is not None

    @property
    def status_label(self) -> str:
        """The label of `status`, which the selectors annotate (computed, never stored)."""
        return AgreementStatus(self.status).label


class DocumentKind(models.TextChoices):
    REQUEST_LETTER = "request_letter", _("Request letter with proposal / terms of reference")
    DRAFT = "draft", _("Draft")
    LEGAL_REVIEW = "legal_review", _("Legal review notes")
    SIGNED_SCAN = "signed_scan", _("Signed scan (PDF)")
    REPORT = "report", _("Report")
    OTHER = "other", _("Other")


class AgreementDocument(models.Model):
    """A document of an agreement; its file is kept in versions, the newest one counts."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=30, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "created_at", "id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.title


class DocumentVersion(models.Model):
    document = models.ForeignKey(
        AgreementDocument, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to="agreements/%Y/")
    file_kind = models.CharField(max_length=10)  # what core.uploads found: pdf or docx
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    note = models.CharField(_("note"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["document", "-number"]
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number"],
                name="document_version_number",
                violation_error_message=_("This version of the document already exists."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"


# --- The cooperation process ------------------------------------------------------------------


class StepActor(models.TextChoices):
    COOPERATION_OFFICER = "cooperation_officer", _("Cooperation officer")
    HEAD = "head", _("Head of library")
    PARTNER = "partner", _("Partner")


class ProcessTemplate(models.Model):
    """The steps a new agreement goes through; the default is Perpusnas's ten."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("process template")
        verbose_name_plural = _("process templates")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="one_default_process",
                violation_error_message=_(
                    "Another process is already the default; only one can be."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.name


class StepFields(models.Model):
    """What a template step and the step copied from it share."""

    order = models.PositiveSmallIntegerField(_("order"))
    code = models.SlugField(_("code"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    actor = models.CharField(_("who acts"), max_length=30, choices=StepActor.choices)
    duration_days = models.PositiveSmallIntegerField(
        _("expected duration (working days)"), default=5
    )
    required_documents = models.JSONField(
        _("required documents"),
        default=list,
        blank=True,
        help_text=_("Kinds of document that must be uploaded before the step can close."),
    )
    return_to_order = models.PositiveSmallIntegerField(
        _("can send back to step"), null=True, blank=True
    )
    signs_agreement = models.BooleanField(_("closing it signs the agreement"), default=False)

    class Meta:
        abstract = True
        ordering = ["order"]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"

    def required_document_labels(self) -> list[str]:
        labels = dict(DocumentKind.choices)
        return [str(labels.get(kind, kind)) for kind in self.required_documents]


class ProcessStepTemplate(StepFields):
    template = models.ForeignKey(ProcessTemplate, on_delete=models.CASCADE, related_name="steps")

    class Meta(StepFields.Meta):
        verbose_name = _("process step")
        verbose_name_plural = _("process steps")
        constraints = [
            models.UniqueConstraint(
                fields=["template", "order"],
                name="template_step_order",
                violation_error_message=_(
                    "Another step of this process already has this position."
                ),
            )
        ]


class StepState(models.TextChoices):
    WAITING = "waiting", _("To come")
    CURRENT = "current", _("Current")
    DONE = "done", _("Done")


class AgreementStep(StepFields):
    """One step of an agreement's process, copied from the template when the process starts.

    `due_on` is `started_on` plus the expected duration in working days (Indonesian public
    holidays do not count); a current step past it is overdue.
    """

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="steps")
    state = models.CharField(
        _("state"), max_length=20, choices=StepState.choices, default=StepState.WAITING
    )
    started_on = models.DateField(_("started on"), null=True, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta(StepFields.Meta):
        verbose_name = _("agreement step")
        verbose_name_plural = _("agreement steps")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "order"],
                name="agreement_step_order",
                violation_error_message=_(
                    "Another step of this agreement already has this position."
                ),
            ),
            models.UniqueConstraint(
                fields=["agreement"],
                condition=Q(state="current"),
                name="one_current_step_per_agreement",
                violation_error_message=_("This agreement already has a step in progress."),
            ),
        ]
        indexes = [models.Index(fields=["state", "due_on"])]


class Decision(models.TextChoices):
    DONE = "done", _("Done")
    RETURNED = "returned", _("Returned")


class StepDecision(models.Model):
    """Who closed or sent back a step, when, and with what note."""

    step = models.ForeignKey(AgreementStep, on_delete=models.CASCADE, related_name="decisions")
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices)
    note = models.TextField(_("note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        ordering = ["decided_at", "id"]
        verbose_name = _("step decision")
        verbose_name_plural = _("step decisions")

    def __str__(self) -> str:
        return f"{self.step} {self.decision}"


class Reminder(models.Model):
    """A reminder sent (by e-mail, and shown on the dashboard) to the person in charge.

    `key` says what it is about ("agreement:7:end:90", "step:31:overdue:2026-03-02"); it is
    unique, so each reminder is sent once however often the job runs.
    """

    key = models.CharField(max_length=120, unique=True)
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="reminders")
    step = models.ForeignKey(
        AgreementStep, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    dismissed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")

    def __str__(self) -> str:
        return self.key


# --- Implementation evidence ------------------------------------------------------------------


class ActivityKind(models.TextChoices):
    VISIT = "visit", _("Visit")
    SHARED_RESOURCE = "shared_resource", _("Shared resources")
    JOINT_EVENT = "joint_event", _("Joint event")
    TRAINING = "training", _("Training")
    OTHER = "other", _("Other")


class Activity(models.Model):
    """Something done under an agreement, entered by hand, with its evidence files.

    Training batches naming the agreement and visits linked to it count as activities too;
    they are read from their own tables, not copied here.
    """

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(_("kind"), max_length=30, choices=ActivityKind.choices)
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("date"))
    description = models.TextField(_("description"), blank=True)
    participants = models.PositiveIntegerField(_("participants"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def __str__(self) -> str:
        return self.title


class Evidence(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), upload_to="evidence/%Y/")
    file_kind = models.CharField(max_length=10)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.original_name


# --- Institutional visits ---------------------------------------------------------------------


class VisitStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    SCHEDULED = "scheduled", _("Accepted and scheduled")
    DONE = "done", _("Held")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")


class InstitutionalVisit(models.Model):
    """Another institution's request to visit the library (kunjungan, benchmarking)."""

    institution_name = models.CharField(_("institution"), max_length=200)
    contact_name = models.CharField(_("contact person"), max_length=150)
    contact_email = models.EmailField(_("contact e-mail"))
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visit_requests",
    )
    proposed_on = models.DateField(_("proposed date"))
    alternative_on = models.DateField(_("alternative date"), null=True, blank=True)
    purpose = models.TextField(_("purpose"))
    topics = models.TextField(_("topics"), blank=True)
    visitors = models.PositiveSmallIntegerField(_("number of visitors"))
    status = models.CharField(
        _("status"), max_length=20, choices=VisitStatus.choices, default=VisitStatus.REQUESTED
    )
    scheduled_at = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    hosts = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("hosts"), blank=True, related_name="+"
    )
    agenda = models.TextField(_("agenda"), blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    follow_ups = models.TextField(_("follow-ups"), blank=True)
    decline_reason = models.CharField(_("reason"), max_length=255, blank=True)
    partner = models.ForeignKey(
        Partner,
        verbose_name=_("partner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visits",
    )
    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("agreement"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visits",
    )
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("institutional visit")
        verbose_name_plural = _("institutional visits")

    def __str__(self) -> str:
        return f"{self.institution_name} ({self.proposed_on})"
