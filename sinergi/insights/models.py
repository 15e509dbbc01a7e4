"""Money and oversight across the apps: a batch's budget and actual costs, speakers'
invitations to sessions and their materials.

This app reads every other app (training, learning, partners, visits, certificates) and no app
reads it, so the head's dashboard can join them without any of them importing upward.
Honoraria are never stored: they are computed from learning's sessions (speakers, JP) and
training's rate tables whenever they are shown.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sinergi.learning.models import Item, Session
from sinergi.training.models import Batch


class CostCategory(models.TextChoices):
    HONORARIA = "honoraria", _("Speakers' honoraria")
    CONSUMPTION = "consumption", _("Consumption")
    PLATFORM = "platform", _("Meeting platform")
    CERTIFICATES = "certificates", _("Certificates and printing")
    ADMINISTRATION = "administration", _("Administration")
    PARTNER_SHARE = "partner_share", _("Partner's share")
    OTHER = "other", _("Other")


# Categories entered by hand; honoraria and the partner's share are computed.
ENTERED_CATEGORIES = (
    CostCategory.CONSUMPTION,
    CostCategory.PLATFORM,
    CostCategory.CERTIFICATES,
    CostCategory.ADMINISTRATION,
    CostCategory.OTHER,
)


class PartnerShareKind(models.TextChoices):
    NONE = "none", _("No share")
    FIXED = "fixed", _("A fixed amount")
    PERCENT = "percent", _("A percentage of revenue")


class BatchBudget(models.Model):
    """What a batch is planned to earn and what the partner's agreement (PKS) gives them."""

    batch = models.OneToOneField(Batch, on_delete=models.CASCADE, related_name="budget")
    planned_participants = models.PositiveIntegerField(_("planned paying participants"), default=0)
    partner_share_kind = models.CharField(
        _("partner's share"),
        max_length=10,
        choices=PartnerShareKind.choices,
        default=PartnerShareKind.NONE,
    )
    partner_share_amount = models.PositiveIntegerField(_("fixed share (Rupiah)"), default=0)
    partner_share_percent = models.DecimalField(
        _("share of revenue (%)"), max_digits=5, decimal_places=2, default=0
    )
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("batch budget")
        verbose_name_plural = _("batch budgets")
        constraints = [
            models.CheckConstraint(
                condition=Q(partner_share_percent__lte=100),
                name="partner_share_at_most_all",
                violation_error_message=_("The partner's share is at most 100%."),
            )
        ]

    def __str__(self) -> str:
        return str(self.batch)


class CostLine(models.Model):
    """A planned and (once spent) actual cost of a batch in one category, in whole Rupiah."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="cost_lines")
    category = models.CharField(_("category"), max_length=20, choices=CostCategory.choices)
    description = models.CharField(_("description"), max_length=200, blank=True)
    planned = models.PositiveIntegerField(_("planned"), default=0)
    actual = models.PositiveIntegerField(_("actual"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["batch", "category"]
        verbose_name = _("cost line")
        verbose_name_plural = _("cost lines")
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "category"],
                name="one_cost_line_per_category",
                violation_error_message=_("The budget already has a line for this category."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.batch_id} {self.category}"

    @property
    def cost(self) -> int:
        """What the line costs: the actual amount once entered, the plan until then."""
        return self.planned if self.actual is None else self.actual


class InvitationState(models.TextChoices):
    PENDING = "pending", _("Awaiting an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class SessionInvitation(models.Model):
    """A speaker asked by e-mail to teach a session; accepting puts them on the session."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="invitations")
    speaker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_invitations"
    )
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=InvitationState.choices,
        default=InvitationState.PENDING,
    )
    message = models.TextField(_("message"), blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("invited at"), default=timezone.now)
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    decline_reason = models.CharField(_("reason"), max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("session invitation")
        verbose_name_plural = _("session invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "speaker"],
                condition=Q(state__in=["pending", "accepted"]),
                name="one_open_invitation_per_speaker",
                violation_error_message=_(
                    "This speaker already has an open invitation to this session."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.speaker} — {self.session}"


class SessionMaterial(models.Model):
    """A file a speaker gave for their session; it is a file item in the batch's classroom."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="materials")
    speaker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_materials"
    )
    item = models.OneToOneField(Item, on_delete=models.CASCADE, related_name="speaker_material")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("session material")
        verbose_name_plural = _("session materials")

    def __str__(self) -> str:
        return self.item.title
