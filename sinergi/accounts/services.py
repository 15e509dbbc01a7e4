import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from sinergi.core.emails import email_send
from sinergi.core.masking import mask_nik
from sinergi.core.services import log_action
from sinergi.core.text import model_text_clean, nik_clean

from .models import ApiToken, Role, User
from .ratelimit import login_pauses_lift
from .selectors import token_digest
from .tokens import email_verification_token

PROFILE_FIELDS = (
    "full_name",
    "institution_name",
    "institution_type",
    "position",
    "province",
    "phone",
    "nip",
    "language",
)

# Texts of the profile cleaned by core.text's rule; the names among them refuse invisible
# characters and need a letter.
PROFILE_TEXT_FIELDS = ("full_name", "institution_name", "position")
NAME_FIELDS = ("full_name", "institution_name")


@transaction.atomic
def user_signup(*, email: str, password: str, full_name: str, language: str) -> User:
    """Create an unverified participant account and send the verification e-mail."""
    full_name = model_text_clean(User, {"full_name": full_name}, names=NAME_FIELDS)["full_name"]
    user = User.objects.create_user(
        email=email, password=password, full_name=full_name, language=language
    )
    user.groups.add(Group.objects.get(name=Role.PARTICIPANT))
    log_action(user, "accounts.signup", user)
    email_verification_send(user=user)
    return user


def email_verification_send(*, user: User) -> None:
    """E-mail `user` a link that verifies their address."""
    path = reverse(
        "accounts:verify_email",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": email_verification_token.make_token(user),
        },
    )
    email_send(
        to=[user.email],
        template="accounts/email/verify",
        context={"user": user, "url": settings.SITE_URL + path},
        language=user.language,
    )


@transaction.atomic
def user_verify_email(*, user: User) -> User:
    """Mark the user's e-mail address as verified."""
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
        log_action(user, "accounts.email_verified", user)
    return user


@transaction.atomic
def user_update_profile(*, user: User, actor: User, nik: str = "", **fields) -> User:
    """Change profile fields of `user`; a NIK given here is kept only in masked form.

    Texts are cleaned by the one rule (`core.text`), the phone stored as +62..., and a NIK
    checked by stdnum; a ValidationError names each field that fails."""
    fields = _profile_clean(fields)
    if nik:
        try:
            nik = nik_clean(nik)
        except ValidationError as error:
            raise ValidationError({"nik": error}) from None
    changed = []
    for name in PROFILE_FIELDS:
        if name in fields and getattr(user, name) != fields[name]:
            setattr(user, name, fields[name])
            changed.append(name)
    if nik:
        user.nik_masked = mask_nik(nik)
        changed.append("nik_masked")
    if changed:
        user.save(update_fields=changed)
        log_action(actor, "accounts.profile_updated", user, {"fields": changed})
    return user


def _profile_clean(fields: dict) -> dict:
    texts = {name: fields[name] for name in (*PROFILE_TEXT_FIELDS, "phone") if name in fields}
    return {**fields, **model_text_clean(User, texts, names=NAME_FIELDS, phones=("phone",))}


def user_set_language(*, user: User, language: str) -> None:
    """Remember the user's interface language (also used for their e-mails)."""
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])


@transaction.atomic
def user_grant_role(*, user: User, role: str, actor: User | None) -> None:
    """Give `user` the role `role`."""
    user.groups.add(Group.objects.get(name=Role(role)))
    if role == Role.ADMIN and not (user.is_staff and user.is_superuser):
        # Administrators run the whole system, including the Django admin site.
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    log_action(actor, "accounts.role_granted", user, {"role": role})


@transaction.atomic
def user_password_changed(*, user: User, actor: User | None) -> int:
    """Act on a new password of `user`: revoke their API tokens, lift their log-in pauses.

    A token made by whoever knew the old password must not outlive it. Return how many tokens
    were revoked.
    """
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    login_pauses_lift(user=user)
    log_action(actor, "accounts.password_changed", user, {"tokens_revoked": revoked})
    return revoked


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for `user`; return it with the raw value, which is never stored."""
    prefix = secrets.token_hex(4)
    raw = f"sng_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(user=user, name=name, prefix=prefix, digest=token_digest(raw))
    log_action(user, "accounts.api_token_created", token)
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User) -> None:
    """Revoke `token`; it stops working at once."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        log_action(actor, "accounts.api_token_revoked", token)


def api_token_touch(*, token: ApiToken) -> None:
    """Record that `token` was used, at most once a minute to spare the database."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)


def unverified_accounts_purge(*, older_than: timedelta) -> int:
    """Delete sign-ups never verified within `older_than`; return how many."""
    cutoff = timezone.now() - older_than
    stale = User.objects.filter(
        email_verified_at__isnull=True, date_joined__lt=cutoff, last_login__isnull=True
    )
    count = 0
    for user in stale:
        with transaction.atomic():
            log_action(None, "accounts.unverified_purged", user, {"email": user.email})
            user.delete()
            count += 1
    return count
