"""Services when the building is closed or crowded: visit reservations with QR tickets,
online reference (Tanya Pustakawan), delivery and print requests, and online clearance
(bebas pustaka: the letter saying a student owes the library nothing).
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# --- Visit reservations --------------------------------------------------------------------------


class ServicePoint(models.Model):
    """A place members book a visit to: a reading room, a floor, a discussion room."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    capacity = models.PositiveIntegerField(_("capacity per slot"), default=20)
    walk_in_percent = models.PositiveSmallIntegerField(
        _("walk-in share (%)"),
        default=20,
        help_text=_("Part of each slot's capacity kept for people who come without booking."),
    )
    slot_minutes = models.PositiveSmallIntegerField(_("slot length (minutes)"), default=120)
    # At least 1: a limit of 0 would make the point silently unbookable. To stop bookings,
    # a point is made inactive (docs/visits.md).
    max_per_day = models.PositiveSmallIntegerField(
        _("bookings per member per day"),
        default=1,
        validators=[
            MinValueValidator(1, _("At least 1. To stop bookings, make the point inactive."))
        ],
    )
    max_per_week = models.PositiveSmallIntegerField(
        _("bookings per member per week"),
        default=3,
        validators=[
            MinValueValidator(1, _("At least 1. To stop bookings, make the point inactive."))
        ],
    )
    book_days_ahead = models.PositiveSmallIntegerField(
        _("bookable days ahead"), default=7, help_text=_("How far ahead members may book.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("service point")
        verbose_name_plural = _("service points")
        constraints = [
            models.CheckConstraint(
                condition=Q(walk_in_percent__lte=100),
                name="service_point_walk_in_percent",
                violation_error_message=_("The walk-in share is a percentage: at most 100."),
            ),
            models.CheckConstraint(
                condition=Q(max_per_day__gte=1, max_per_week__gte=1),
                name="service_point_bookings_allowed",
                violation_error_message=_(
                    "Members may book at least once a day and once a week. To stop bookings, "
                    "make the point inactive."
                ),
            ),
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=5),
                name="service_point_slot",
                violation_error_message=_("A slot lasts at least 5 minutes."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("visits:point_detail", args=[self.slug])

    def walk_in_seats(self, capacity: int) -> int:
        """Return the seats of a slot of `capacity` kept back for walk-ins (rounded down)."""
        return capacity * self.walk_in_percent // 100


class OpeningHours(models.Model):
    """A span of a weekday in which a service point is open; a day may have several."""

    service_point = models.ForeignKey(
        ServicePoint, on_delete=models.CASCADE, related_name="opening_hours"
    )
    weekday = models.PositiveSmallIntegerField(
        _("weekday"),
        choices=[
            (0, _("Monday")),
            (1, _("Tuesday")),
            (2, _("Wednesday")),
            (3, _("Thursday")),
            (4, _("Friday")),
            (5, _("Saturday")),
            (6, _("Sunday")),
        ],
    )
    opens_at = models.TimeField(_("opens at"))
    closes_at = models.TimeField(_("closes at"))

    class Meta:
        ordering = ["weekday", "opens_at"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="opening_hours_order",
                violation_error_message=_("Closing time must be after opening time."),
            ),
            models.CheckConstraint(
                condition=Q(weekday__lte=6),
                name="opening_hours_weekday",
                violation_error_message=_("Choose a day from Monday to Sunday."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens_at:%H.%M}–{self.closes_at:%H.%M}"


class Closure(models.Model):
    """Days a service point is closed for a reason members are told (renovation, an event)."""

    service_point = models.ForeignKey(
        ServicePoint, on_delete=models.CASCADE, related_name="closures"
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_on"]
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="closure_order",
                violation_error_message=_("A closure cannot end before it starts."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.service_point} {self.starts_on}–{self.ends_on}: {self.reason}"


class VisitSlot(models.Model):
    """A time span of a service point with seats. Its row is the lock that guards its seats.

    `walk_in_seats` of the capacity are never booked online; a closure sets `closure` and the
    slot takes no more bookings.
    """

    service_point = models.ForeignKey(ServicePoint, on_delete=models.PROTECT, related_name="slots")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(_("capacity"))
    walk_in_seats = models.PositiveIntegerField(_("seats kept for walk-ins"), default=0)
    booking_opens_at = models.DateTimeField(
        _("booking opens"), null=True, blank=True, help_text=_("Empty: bookable at once.")
    )
    closure = models.ForeignKey(
        Closure, null=True, blank=True, on_delete=models.SET_NULL, related_name="slots"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "service_point"]
        verbose_name = _("visit slot")
        verbose_name_plural = _("visit slots")
        constraints = [
            models.UniqueConstraint(
                fields=["service_point", "starts_at"],
                name="one_slot_per_start",
                violation_error_message=_(
                    "This service point already has a slot starting at that time."
                ),
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="visit_slot_order",
                violation_error_message=_("A slot must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(walk_in_seats__lte=models.F("capacity")),
                name="visit_slot_walk_in_within_capacity",
                violation_error_message=_("The walk-in seats cannot exceed the slot's capacity."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_point} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def bookable_seats(self) -> int:
        return self.capacity - self.walk_in_seats


class ReservationState(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CHECKED_IN = "checked_in", _("Arrived")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("Did not come")


# These hold a seat.
HOLDING_STATES = (ReservationState.BOOKED, ReservationState.CHECKED_IN)


class Reservation(models.Model):
    """A member's booked seat in a slot; `code` is on the QR ticket scanned at the door."""

    slot = models.ForeignKey(VisitSlot, on_delete=models.PROTECT, related_name="reservations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visit_reservations"
    )
    code = models.CharField(_("ticket code"), max_length=16, unique=True)
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=ReservationState.choices,
        default=ReservationState.BOOKED,
    )
    created_at = models.DateTimeField(_("booked at"), auto_now_add=True)
    checked_in_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        constraints = [
            models.UniqueConstraint(
                fields=["slot", "user"],
                condition=Q(state__in=HOLDING_STATES),
                name="one_reservation_per_slot",
                violation_error_message=_("You have already booked this slot."),
            )
        ]
        indexes = [
            models.Index(fields=["slot", "state"]),
            models.Index(fields=["user", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.user} {self.slot}"


class WalkIn(models.Model):
    """People who came without booking, counted by the desk against a slot's kept-back seats."""

    slot = models.ForeignKey(VisitSlot, on_delete=models.PROTECT, related_name="walk_ins")
    people = models.PositiveSmallIntegerField(_("people"), default=1)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at"]
        verbose_name = _("walk-in")
        verbose_name_plural = _("walk-ins")

    def __str__(self) -> str:
        return f"{self.slot}: {self.people}"


# --- Online reference (Tanya Pustakawan) ---------------------------------------------------------


class QuestionCategory(models.TextChoices):
    COLLECTION = "collection", _("Finding material in the collection")
    RESEARCH = "research", _("Research and literature search")
    CITATION = "citation", _("Citation and reference managers")
    ERESOURCES = "eresources", _("E-journals and databases")
    SERVICES = "services", _("Membership and services")
    OTHER = "other", _("Something else")


class QuestionState(models.TextChoices):
    OPEN = "open", pgettext_lazy("state", "Open")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


class Question(models.Model):
    """A member's question to the librarians ("Tanya Pustakawan"), answered in a thread."""

    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reference_questions"
    )
    category = models.CharField(_("category"), max_length=20, choices=QuestionCategory.choices)
    subject = models.CharField(_("subject"), max_length=200)
    state = models.CharField(
        _("state"), max_length=10, choices=QuestionState.choices, default=QuestionState.OPEN
    )
    created_at = models.DateTimeField(_("asked at"), db_index=True)
    first_answered_at = models.DateTimeField(_("first answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("reference question")
        verbose_name_plural = _("reference questions")
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self) -> str:
        return self.subject


class QuestionMessage(models.Model):
    """One message of a question's thread, from the asker or a librarian."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_staff = models.BooleanField(default=False)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"{self.question_id}: {self.body[:40]}"


class FaqEntry(models.Model):
    """A closed question rewritten by a librarian for everyone, without the asker's name."""

    question = models.OneToOneField(
        Question, null=True, blank=True, on_delete=models.SET_NULL, related_name="faq_entry"
    )
    category = models.CharField(_("category"), max_length=20, choices=QuestionCategory.choices)
    title = models.CharField(_("question"), max_length=200)
    answer = models.TextField(_("answer"))
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-published_at"]
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")

    def __str__(self) -> str:
        return self.title


# --- Delivery and print requests -----------------------------------------------------------------


class MemberDomain(models.Model):
    """An e-mail domain whose people may use delivery and print: the university's own, and
    partner institutions given the same rights."""

    domain = models.CharField(
        _("e-mail domain"), max_length=120, unique=True, help_text=_("e.g. upi.edu")
    )
    institution = models.CharField(_("institution"), max_length=200)
    is_partner = models.BooleanField(_("partner institution"), default=False)
    is_active = models.BooleanField(_("rights granted"), default=True)

    class Meta:
        ordering = ["is_partner", "institution"]
        verbose_name = _("member domain")
        verbose_name_plural = _("member domains")

    def __str__(self) -> str:
        return f"{self.institution} ({self.domain})"


class DeliveryKind(models.TextChoices):
    DELIVERY = "delivery", _("Send a printed book")
    PRINT = "print", _("Print and send pages")


class DeliveryState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    QUOTED = "quoted", _("Cost quoted")
    PAID = "paid", _("Payment sent")
    PROCESSING = "processing", _("Being prepared")
    SHIPPED = "shipped", _("Shipped")
    RECEIVED = "received", _("Received")
    CANCELLED = "cancelled", _("Cancelled")


# Requests still open: they block a clearance.
OPEN_DELIVERY_STATES = (
    DeliveryState.REQUESTED,
    DeliveryState.QUOTED,
    DeliveryState.PAID,
    DeliveryState.PROCESSING,
    DeliveryState.SHIPPED,
)


class DeliveryRequest(models.Model):
    """A request to send a printed book, or print pages of a work and send them."""

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delivery_requests"
    )
    kind = models.CharField(_("service"), max_length=10, choices=DeliveryKind.choices)
    title = models.CharField(_("title of the work"), max_length=300)
    call_number = models.CharField(_("call number"), max_length=60, blank=True)
    pages = models.CharField(
        _("pages"), max_length=120, blank=True, help_text=_("For printing, e.g. 12-30, 45")
    )
    address = models.TextField(_("delivery address"))
    phone = models.CharField(_("phone"), max_length=20)
    note = models.CharField(_("note"), max_length=300, blank=True)
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=DeliveryState.choices,
        default=DeliveryState.REQUESTED,
    )
    cost = models.PositiveIntegerField(_("cost (Rupiah)"), null=True, blank=True)
    cost_note = models.CharField(_("what the cost covers"), max_length=300, blank=True)
    proof = models.FileField(_("payment proof"), upload_to="delivery-proofs/", blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=60, blank=True)
    courier = models.CharField(_("courier"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    quoted_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("delivery request")
        verbose_name_plural = _("delivery requests")
        indexes = [models.Index(fields=["requester", "state"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"


# --- Online clearance (bebas pustaka) ------------------------------------------------------------


class ClearanceState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ClearanceSequence(models.Model):
    """The last clearance-letter number of a year; its row is locked while numbering."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class ClearanceRequest(models.Model):
    """A student's request for the letter saying they owe the library nothing.

    `thesis_deposited_at` is the flag staff set when the thesis copy has been handed in.
    """

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="clearance_requests"
    )
    student_number = models.CharField(_("student number (NIM)"), max_length=20)
    study_program = models.CharField(_("study program"), max_length=150)
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=ClearanceState.choices,
        default=ClearanceState.REQUESTED,
    )
    thesis_deposited_at = models.DateTimeField(_("thesis deposited"), null=True, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision_note = models.CharField(_("note"), max_length=300, blank=True)
    number = models.CharField(_("letter number"), max_length=60, blank=True)
    verification_code = models.CharField(max_length=32, unique=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("clearance request")
        verbose_name_plural = _("clearance requests")
        constraints = [
            models.UniqueConstraint(
                fields=["student"],
                condition=Q(state="requested"),
                name="one_pending_clearance_per_student",
                violation_error_message=_("This student already has a clearance request waiting."),
            ),
            models.UniqueConstraint(
                fields=["number"],
                condition=~Q(number=""),
                name="clearance_number_unique",
                violation_error_message=_("This clearance letter number is already taken."),
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk} {self.student}"
