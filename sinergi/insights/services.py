"""Writes: budgets and actual costs, speaker profiles, invitations and materials."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.accounts.models import Role, User
from sinergi.accounts.selectors import user_has_role
from sinergi.core.emails import email_send
from sinergi.core.services import log_action
from sinergi.core.text import model_text_clean, npwp_clean
from sinergi.core.uploads import validate_upload
from sinergi.learning.models import Item, ItemKind, Module, Session
from sinergi.learning.services.content import item_create
from sinergi.training.models import Batch, HonorariumClass, SpeakerProfile

from .models import (
    ENTERED_CATEGORIES,
    BatchBudget,
    CostLine,
    InvitationState,
    PartnerShareKind,
    SessionInvitation,
    SessionMaterial,
)

PHOTO_MAX_BYTES = 2 * 1024 * 1024


def budget_save(
    *,
    batch: Batch,
    actor,
    lines: dict[str, dict],
    planned_participants: int,
    partner_share_kind: str = PartnerShareKind.NONE,
    partner_share_amount: int = 0,
    partner_share_percent: Decimal = Decimal(0),
) -> BatchBudget:
    """Store a batch's plan and actual costs: `lines` maps a category to planned, actual
    (None: not spent yet) and description. Locks the batch so two people saving at once
    cannot lose each other's lines."""
    if partner_share_kind not in PartnerShareKind.values:
        raise ValidationError({"partner_share_kind": _("Choose how the partner is paid.")})
    if not Decimal(0) <= Decimal(partner_share_percent) <= 100:
        raise ValidationError({"partner_share_percent": _("Give a percentage from 0 to 100.")})
    unknown = set(lines) - set(ENTERED_CATEGORIES)
    if unknown:
        raise ValidationError(_("Honoraria and the partner's share are computed, not entered."))
    with transaction.atomic():
        Batch.objects.select_for_update().get(pk=batch.pk)
        budget, _created = BatchBudget.objects.get_or_create(batch=batch)
        stored = {
            line.category: (line.planned, line.actual, line.description)
            for line in CostLine.objects.filter(batch=batch)
        }
        before = {category: values[:2] for category, values in stored.items()}
        budget.planned_participants = planned_participants
        budget.partner_share_kind = partner_share_kind
        budget.partner_share_amount = (
            partner_share_amount if partner_share_kind == PartnerShareKind.FIXED else 0
        )
        budget.partner_share_percent = (
            partner_share_percent if partner_share_kind == PartnerShareKind.PERCENT else 0
        )
        budget.save()
        changed = {}
        for category, values in lines.items():
            planned, actual = values.get("planned") or 0, values.get("actual")
            if planned < 0 or (actual is not None and actual < 0):
                raise ValidationError(_("Amounts cannot be negative."))
            description = (values.get("description") or "").strip()
            # A line saved as it was keeps who last changed it; an empty new line is not made.
            if stored.get(category, (0, None, "")) == (planned, actual, description):
                continue
            CostLine.objects.update_or_create(
                batch=batch,
                category=category,
                defaults={
                    "planned": planned,
                    "actual": actual,
                    "description": description,
                    "updated_by": actor,
                },
            )
            if before.get(category) != (planned, actual):
                changed[category] = {"planned": planned, "actual": actual}
        log_action(
            actor,
            "insights.budget.saved",
            batch,
            {
                "changed": changed,
                "partner_share": [
                    partner_share_kind,
                    budget.partner_share_amount,
                    str(budget.partner_share_percent),
                ],
                "planned_participants": planned_participants,
            },
        )
    return budget


# --- Speakers -------------------------------------------------------------------------------


def speaker_profile_save(
    *,
    user: User,
    actor,
    name_with_title: str,
    institution: str,
    expertise: str = "",
    bio: str = "",
    photo=None,
    honorarium_class: HonorariumClass | None = None,
    npwp: str | None = None,
    bank_name: str | None = None,
    bank_account_number: str | None = None,
    bank_account_holder: str | None = None,
    set_class: bool = False,
) -> SpeakerProfile:
    """Create or change a speaker's profile. Payment details given as None are kept (a form
    that shows them masked leaves them blank); only the speaker and finance may give them.
    The honorarium class changes only with `set_class` (staff pages)."""
    if not user_has_role(user, Role.SPEAKER):
        raise ValidationError(_("%(name)s is not a speaker.") % {"name": user.full_name})
    gives_payment_details = any((npwp, bank_name, bank_account_number, bank_account_holder))
    if gives_payment_details and actor != user and not user_has_role(actor, Role.FINANCE):
        raise ValidationError(_("Only the speaker and finance may change payment details."))
    if photo:
        try:
            validate_upload(photo, allowed={"jpeg", "png"}, max_bytes=PHOTO_MAX_BYTES)
        except ValidationError as error:
            raise ValidationError({"photo": error.messages}) from error
    texts = model_text_clean(
        SpeakerProfile,
        {
            "name_with_title": name_with_title,
            "institution": institution,
            "expertise": expertise,
            "bio": bio,
            "bank_name": bank_name,
            "bank_account_holder": bank_account_holder,
        },
        names=("name_with_title", "institution", "bank_account_holder"),
    )
    npwp_digits = None
    if npwp:
        try:
            npwp_digits = npwp_clean(npwp)
        except ValidationError as error:
            raise ValidationError({"npwp": error}) from None
    if bank_account_number:
        digits = bank_account_number.replace(" ", "").replace("-", "")
        if not (digits.isascii() and digits.isdigit()) or not 6 <= len(digits) <= 20:
            raise ValidationError(
                {"bank_account_number": _("An account number has 6 to 20 digits.")}
            )
        bank_account_number = digits
    with transaction.atomic():
        profile = SpeakerProfile.objects.select_for_update().filter(user=user).first()
        if profile is None:
            profile = SpeakerProfile(user=user)
        profile.name_with_title = texts["name_with_title"]
        profile.institution = texts["institution"]
        profile.expertise = texts["expertise"]
        profile.bio = texts["bio"]
        if photo:
            profile.photo = photo
        if set_class:
            profile.honorarium_class = honorarium_class
        if npwp_digits is not None:
            profile.npwp = npwp_digits
        for name, value in (
            ("bank_name", texts["bank_name"]),
            ("bank_account_number", bank_account_number),
            ("bank_account_holder", texts["bank_account_holder"]),
        ):
            if value:
                setattr(profile, name, value.strip())
        profile.save()
        # The payment details never go into the log, only that they changed.
        log_action(
            actor,
            "insights.speaker.saved",
            profile,
            {
                "class": profile.honorarium_class_id,
                "payment_details_changed": bool(npwp_digits or bank_account_number or bank_name),
            },
        )
    return profile


def invitation_send(
    *, session: Session, speaker: User, actor, message: str = ""
) -> SessionInvitation:
    """Invite a speaker to a session by e-mail; a pending or accepted invitation is not doubled."""
    if not user_has_role(speaker, Role.SPEAKER):
        raise ValidationError(_("%(name)s is not a speaker.") % {"name": speaker.full_name})
    with transaction.atomic():
        Batch.objects.select_for_update().get(pk=session.batch_id)
        if SessionInvitation.objects.filter(
            session=session,
            speaker=speaker,
            state__in=[InvitationState.PENDING, InvitationState.ACCEPTED],
        ).exists():
            raise ValidationError(_("This speaker has already been invited to this session."))
        invitation = SessionInvitation.objects.create(
            session=session, speaker=speaker, invited_by=actor, message=message.strip()
        )
        log_action(actor, "insights.invitation.sent", invitation, {"session": session.pk})
        email_send(
            to=[speaker.email],
            template="insights/email/invitation",
            context={"invitation": invitation, "session": session, "batch": session.batch},
            language=speaker.language,
        )
    return invitation


def invitation_respond(
    *, invitation: SessionInvitation, speaker: User, accept: bool, reason: str = ""
) -> SessionInvitation:
    """Accept (the speaker joins the session) or decline an invitation, once."""
    with transaction.atomic():
        invitation = SessionInvitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.speaker_id != speaker.pk:
            raise ValidationError(_("This invitation is for someone else."))
        if invitation.state != InvitationState.PENDING:
            raise ValidationError(_("This invitation has already been answered."))
        invitation.state = InvitationState.ACCEPTED if accept else InvitationState.DECLINED
        invitation.responded_at = timezone.now()
        invitation.decline_reason = "" if accept else reason.strip()[:255]
        invitation.save(update_fields=["state", "responded_at", "decline_reason"])
        if accept:
            invitation.session.speakers.add(speaker)
        log_action(speaker, f"insights.invitation.{invitation.state}", invitation, {})
        if invitation.invited_by is not None:
            email_send(
                to=[invitation.invited_by.email],
                template="insights/email/invitation_answered",
                context={"invitation": invitation, "session": invitation.session},
                language=invitation.invited_by.language,
            )
    return invitation


def material_upload(*, session: Session, speaker: User, title: str, file) -> SessionMaterial:
    """Put a speaker's file into the batch's classroom, next to their session."""
    if not session.speakers.filter(pk=speaker.pk).exists():
        raise ValidationError(_("Only the session's speakers can give its materials."))
    session_item = Item.objects.filter(session=session).select_related("module").first()
    module = (
        session_item.module
        if session_item is not None
        else Module.objects.filter(batch_id=session.batch_id).order_by("position", "id").first()
    )
    if module is None:
        raise ValidationError(_("The batch's classroom has no module yet; ask the organiser."))
    with transaction.atomic():
        item = item_create(
            module=module, kind=ItemKind.FILE, actor=speaker, title=title.strip(), file=file
        )
        material = SessionMaterial.objects.create(session=session, speaker=speaker, item=item)
    return material
