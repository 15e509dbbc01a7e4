from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sinergi.core.formatting import people_zone
from sinergi.core.models import Province


class CompetencyUnit(models.Model):
    """A unit of competency from the national standard for librarians (SKKNI).

    The list is configured by the library in the admin site; programs point at its entries.
    """

    code = models.CharField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=255)
    source = models.CharField(
        _("source"), max_length=120, blank=True, help_text=_("e.g. Kepmenaker 236/2019")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("competency unit")
        verbose_name_plural = _("competency units")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Mode(models.TextChoices):
    ONLINE = "online", _("Online")
    BLENDED = "blended", _("Blended")
    ONSITE = "onsite", _("On site")


class Level(models.TextChoices):
    BASIC = "basic", _("Basic")
    INTERMEDIATE = "intermediate", _("Intermediate")
    ADVANCED = "advanced", _("Advanced")


class Program(models.Model):
    """A training program (diklat). JP is the lesson hour: 1 JP = 45 minutes."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    summary = models.CharField(_("summary"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    learning_outcomes = models.TextField(
        _("learning outcomes"), blank=True, help_text=_("One outcome per line.")
    )
    competency_units = models.ManyToManyField(
        CompetencyUnit, verbose_name=_("competency units"), blank=True, related_name="programs"
    )
    total_jp = models.PositiveSmallIntegerField(_("total JP"), help_text=_("1 JP = 45 minutes."))
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, default=Level.BASIC)
    mode = models.CharField(_("mode"), max_length=20, choices=Mode.choices, default=Mode.ONLINE)
    organisers = models.CharField(
        _("organisers"),
        max_length=300,
        help_text=_("The organising institutions, separated by semicolons."),
    )
    cover = models.ImageField(_("cover image"), upload_to="programs/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("program")
        verbose_name_plural = _("programs")

    def __str__(self) -> str:
        return self.title

    @property
    def organiser_list(self) -> list[str]:
        return [name.strip() for name in self.organisers.split(";") if name.strip()]

    @property
    def outcome_list(self) -> list[str]:
        return [line.strip() for line in self.learning_outcomes.splitlines() if line.strip()]


class BatchStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for registration")
    CLOSED = "closed", _("Registration closed")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")
    CANCELLED = "cancelled", _("Cancelled")


class Batch(models.Model):
    """One run (angkatan) of a program, with its own dates, seats and fee.

    Its row is the lock that guards its seats: every service that takes or frees a seat locks
    the batch first (see services.py).
    """

    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.PROTECT, related_name="batches"
    )
    code = models.CharField(_("code"), max_length=40, unique=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    registration_opens = models.DateTimeField(_("registration opens"))
    registration_closes = models.DateTimeField(_("registration closes"))
    capacity = models.PositiveIntegerField(_("capacity"))
    fee = models.PositiveIntegerField(_("fee (Rupiah)"), default=0, help_text=_("0 = free"))
    place = models.CharField(_("place"), max_length=200, blank=True, help_text=_("Empty: online"))
    agreement = models.ForeignKey(
        "partners.Agreement",
        verbose_name=_("cooperation agreement"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="batches",
        help_text=_("An active PKS or IA the batch is run under."),
    )
    # Free text for an agreement not (yet) kept in Sinergi; set from `agreement` otherwise.
    agreement_number = models.CharField(_("agreement number"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=BatchStatus.choices, default=BatchStatus.DRAFT
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_on", "code"]
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="batch_ends_after_start",
                violation_error_message=_("The batch cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(registration_closes__gt=models.F("registration_opens")),
                name="batch_registration_window",
                violation_error_message=_("Registration must close after it opens."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program.title} — {self.code}"

    @property
    def is_free(self) -> bool:
        return self.fee == 0

    @property
    def is_online(self) -> bool:
        return not self.place

    @property
    def starts_at(self) -> datetime:
        """The moment the batch starts: midnight WIB at the start of its first day."""
        return datetime.combine(self.starts_on, time.min, tzinfo=people_zone())

    @property
    def ends_at(self) -> datetime:
        """The moment the batch ends: midnight WIB at the end of its last day."""
        return datetime.combine(self.ends_on + timedelta(days=1), time.min, tzinfo=people_zone())

    def registration_is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.status == BatchStatus.OPEN
            and self.registration_opens <= now < self.registration_closes
        )


class RegistrationState(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", _("Awaiting payment")
    PAYMENT_SUBMITTED = "payment_submitted", _("Payment submitted")
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("On the waiting list")
    OFFERED = "offered", _("Seat offered")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Refunded")


# A person holds at most one registration per batch in these states.
ACTIVE_STATES = (
    RegistrationState.PENDING_PAYMENT,
    RegistrationState.PAYMENT_SUBMITTED,
    RegistrationState.CONFIRMED,
    RegistrationState.WAITLISTED,
    RegistrationState.OFFERED,
)


class GroupRegistration(models.Model):
    """Several staff of one institution registered together by a contact, on one invoice."""

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="group_registrations")
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="group_registrations"
    )
    institution_name = models.CharField(_("institution"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("group registration")
        verbose_name_plural = _("group registrations")

    def __str__(self) -> str:
        return f"{self.institution_name} — {self.batch.code}"


class Registration(models.Model):
    """A person's place in a batch, from sign-up to confirmation (or the waiting list).

    The participant's institution, position, province and phone are copied here at
    registration: they are what the batch reports need, even if the profile changes later.
    """

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="registrations"
    )
    state = models.CharField(_("state"), max_length=20, choices=RegistrationState.choices)
    group = models.ForeignKey(
        GroupRegistration,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registrations",
    )
    invoice = models.ForeignKey(
        "Invoice", null=True, blank=True, on_delete=models.PROTECT, related_name="registrations"
    )
    institution_name = models.CharField(_("institution"), max_length=200)
    position = models.CharField(_("position"), max_length=150, blank=True)
    province = models.ForeignKey(
        Province, verbose_name=_("province"), null=True, blank=True, on_delete=models.PROTECT
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    consent_at = models.DateTimeField(_("consent given at"))
    created_at = models.DateTimeField(_("registered at"), default=timezone.now, db_index=True)
    expires_at = models.DateTimeField(_("pay before"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer valid until"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    expiry_warned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "user"],
                condition=Q(state__in=ACTIVE_STATES),
                name="one_active_registration_per_batch",
                violation_error_message=_("This person is already registered for this batch."),
            )
        ]
        indexes = [models.Index(fields=["batch", "state"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.batch.code}"


class InvoiceSequence(models.Model):
    """The last invoice number used in a year; locked while numbering, so numbers have no gaps."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class InvoiceStatus(models.TextChoices):
    OPEN = "open", _("Awaiting payment")
    PAID = "paid", _("Paid")
    CREDITED = "credited", _("Cancelled by credit note")


class Invoice(models.Model):
    """A bill; never deleted. A cancelled invoice keeps its number and gets a credit note."""

    number = models.CharField(_("number"), max_length=60, unique=True)
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="invoices"
    )
    buyer_name = models.CharField(_("billed to"), max_length=200)
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="invoices")
    quantity = models.PositiveSmallIntegerField(_("participants"), default=1)
    unit_price = models.PositiveIntegerField(_("price per participant"))
    amount = models.PositiveIntegerField(_("amount"))
    # Added to the amount of a bank transfer so finance can match a transfer to its invoice.
    unique_code = models.PositiveSmallIntegerField(_("unique code"), default=0)
    status = models.CharField(
        _("status"), max_length=20, choices=InvoiceStatus.choices, default=InvoiceStatus.OPEN
    )
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    due_at = models.DateTimeField(_("due at"))
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)

    class Meta:
        ordering = ["-year", "-sequence"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "sequence"],
                name="invoice_gapless_sequence",
                violation_error_message=_("This invoice number is already taken; try again."),
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def transfer_amount(self) -> int:
        """The exact amount to transfer: the amount plus the unique code."""
        return self.amount + self.unique_code


class CreditNote(models.Model):
    """Cancels an invoice, in full, with a reason; numbered after the invoice it cancels."""

    invoice = models.OneToOneField(Invoice, on_delete=models.PROTECT, related_name="credit_note")
    number = models.CharField(_("number"), max_length=70, unique=True)
    amount = models.PositiveIntegerField(_("amount"))
    reason = models.CharField(_("reason"), max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("credit note")
        verbose_name_plural = _("credit notes")

    def __str__(self) -> str:
        return self.number


class PaymentMethod(models.TextChoices):
    TRANSFER = "transfer", _("Bank transfer")
    GATEWAY = "gateway", _("Payment gateway")


class PaymentState(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting verification")
    PENDING = "pending", _("Pending at the gateway")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    FAILED = "failed", _("Failed")


class Payment(models.Model):
    """Money for an invoice: a transfer with its proof, or a gateway transaction."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    method = models.CharField(_("method"), max_length=20, choices=PaymentMethod.choices)
    state = models.CharField(_("state"), max_length=20, choices=PaymentState.choices)
    amount = models.PositiveIntegerField(_("amount"))
    proof = models.FileField(_("transfer proof"), upload_to="payment-proofs/%Y/", blank=True)
    payer_note = models.CharField(_("note"), max_length=255, blank=True)
    gateway_order_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    gateway_transaction_id = models.CharField(max_length=64, blank=True)
    gateway_status = models.CharField(max_length=32, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reject_reason = models.CharField(_("reason for rejection"), max_length=255, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self) -> str:
        return f"{self.invoice.number} {self.get_method_display()} {self.amount}"


class Refund(models.Model):
    """Money paid back against an approved payment."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="refunds")
    amount = models.PositiveIntegerField(_("amount"))
    reason = models.CharField(_("reason"), max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")

    def __str__(self) -> str:
        return f"{self.payment} −{self.amount}"


# Speakers and honoraria ---------------------------------------------------------------------


class HonorariumUnit(models.TextChoices):
    JP = "jp", _("Per JP (45 minutes)")
    HOUR = "hour", _("Per hour (talks)")


class HonorariumClass(models.Model):
    """A class of speaker for honoraria: an echelon level, a professional, internal staff.

    The library configures the classes in the admin site; the rates per year are in
    `HonorariumRate`. Internal staff who teach in their working hours are an unpaid class.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=150)
    unit = models.CharField(
        _("rate per"), max_length=10, choices=HonorariumUnit.choices, default=HonorariumUnit.JP
    )
    is_paid = models.BooleanField(
        _("paid"), default=True, help_text=_("Untick for internal staff who are not paid.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("honorarium class")
        verbose_name_plural = _("honorarium classes")

    def __str__(self) -> str:
        return self.name


class HonorariumRate(models.Model):
    """The honorarium of a class per JP (or per hour) in one budget year, in whole Rupiah."""

    honorarium_class = models.ForeignKey(
        HonorariumClass,
        verbose_name=_("honorarium class"),
        on_delete=models.CASCADE,
        related_name="rates",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.PositiveIntegerField(_("rate (Rupiah)"))
    source = models.CharField(
        _("source"), max_length=200, blank=True, help_text=_("e.g. the regulation it follows")
    )

    class Meta:
        ordering = ["-year", "honorarium_class__position"]
        verbose_name = _("honorarium rate")
        verbose_name_plural = _("honorarium rates")
        constraints = [
            models.UniqueConstraint(
                fields=["honorarium_class", "year"],
                name="one_rate_per_year",
                violation_error_message=_(
                    "This honorarium class already has a rate for this year."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.honorarium_class} {self.year}: {self.amount}"


class HonorariumTax(models.Model):
    """The income tax (PPh 21) withheld from honoraria in a year, in percent of the gross."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    percent_with_npwp = models.DecimalField(
        _("percent with a tax number (NPWP)"), max_digits=5, decimal_places=2
    )
    percent_without_npwp = models.DecimalField(
        _("percent without a tax number"), max_digits=5, decimal_places=2
    )

    class Meta:
        ordering = ["-year"]
        verbose_name = _("honorarium tax rate")
        verbose_name_plural = _("honorarium tax rates")

    def __str__(self) -> str:
        return f"{self.year}: {self.percent_with_npwp}% / {self.percent_without_npwp}%"


class SpeakerProfile(models.Model):
    """A speaker (narasumber): who they are, how they are paid, and where the money goes.

    The tax number (NPWP) and the bank account are stored whole because finance pays with them;
    every other role sees them masked.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="speaker_profile"
    )
    name_with_title = models.CharField(
        _("name with academic titles"), max_length=200, help_text=_("As printed on documents.")
    )
    institution = models.CharField(_("institution"), max_length=200)
    honorarium_class = models.ForeignKey(
        HonorariumClass,
        verbose_name=_("honorarium class"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="speakers",
    )
    expertise = models.CharField(_("expertise"), max_length=300, blank=True)
    bio = models.TextField(_("short biography"), blank=True)
    photo = models.ImageField(_("photo"), upload_to="speakers/", blank=True)
    npwp = models.CharField(_("tax number (NPWP)"), max_length=20, blank=True)
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    bank_account_number = models.CharField(_("account number"), max_length=34, blank=True)
    bank_account_holder = models.CharField(_("account holder"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name_with_title"]
        verbose_name = _("speaker profile")
        verbose_name_plural = _("speaker profiles")

    def __str__(self) -> str:
        return self.name_with_title
