import hashlib

from django.db.models import QuerySet

from .models import ApiToken, Role, User

ALL_ROLES = frozenset(Role.values)


def user_roles(user) -> frozenset[str]:
    """Return the role slugs of `user`; an administrator holds every role."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_sinergi_roles", None)
    if cached is not None:
        return cached
    names = frozenset(user.groups.values_list("name", flat=True)) & ALL_ROLES
    roles = ALL_ROLES if (user.is_superuser or Role.ADMIN in names) else names
    user._sinergi_roles = roles
    return roles


def user_has_role(user, *roles: str) -> bool:
    """Return whether `user` holds at least one of `roles`."""
    return bool(user_roles(user) & set(roles))


def token_digest(raw: str) -> str:
    """Return the digest under which a token is stored (tokens are random, so no salt needed)."""
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_get_active(*, raw: str) -> ApiToken | None:
    """Return the active token matching `raw`, with its user, or None."""
    return (
        ApiToken.objects.select_related("user")
        .filter(digest=token_digest(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )


def api_tokens_for_user(*, user: User) -> QuerySet[ApiToken]:
    """Return the user's tokens, newest first."""
    return ApiToken.objects.filter(user=user)


def api_token_get_for_user(*, user: User, token_id: int) -> ApiToken:
    """Return the user's own token `token_id`; raise ApiToken.DoesNotExist for anyone else's."""
    return ApiToken.objects.get(user=user, pk=token_id)
