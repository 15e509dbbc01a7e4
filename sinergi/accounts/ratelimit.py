"""Pauses after failed log-ins that slow a guesser down without locking the person out.

Every failed log-in is counted in up to three scopes: the account from this address, the
account from anywhere, and this address across all accounts. Once a scope reaches its limit,
each further failure doubles a pause (one minute, two, four ... up to a ceiling) during which
attempts in that scope are refused *without checking the password and without being counted*,
so the right password never makes a pause longer. A success clears the account's counts (never
the address's: an attacker could clear those with an account of their own); a password reset
or change lifts every pause of the account.

A browser that signed in to an account before carries a signed "known browser" cookie for it.
Its attempts on that account count only against that cookie: failures elsewhere, however many
and from wherever, never keep the person out on the browser they use.

Counts live in the database, so every app server sees the same ones.
"""

import math
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone

from sinergi.core.clientip import client_address

from .models import LoginThrottle, User

Scope = LoginThrottle.Scope
DEVICE_COOKIE = "sinergi_known_browser"
_DEVICE_SALT = "sinergi.accounts.ratelimit.known-browser"


@dataclass(frozen=True)
class LoginAttempt:
    """Who is trying which account from where."""

    email: str
    address: str
    device: str = ""  # "<user id>:<nonce>" of a valid known-browser cookie for this account

    def scopes(self) -> list[tuple[str, str, str]]:
        """Return the (scope, key, account) rows this attempt counts against."""
        if self.device:
            return [(Scope.DEVICE, self.device, self.email)]
        return [
            (Scope.ACCOUNT_ADDRESS, f"{self.email}|{self.address}", self.email),
            (Scope.ACCOUNT, self.email, self.email),
            (Scope.ADDRESS, self.address, ""),
        ]


def login_username(value: str | None) -> str:
    """Return the e-mail address of a log-in attempt as stored: stripped and lower-cased.

    Log-in ignores the case of the address, so the failure count must too: otherwise each
    spelling ("ani@…", "Ani@…", "ANI@…") would get its own attempts.
    """
    return (value or "").strip().lower()[:254]


def _limit(scope: str) -> int:
    return {
        Scope.ACCOUNT_ADDRESS: settings.SINERGI_LOGIN_ACCOUNT_ADDRESS_FAILURES,
        Scope.DEVICE: settings.SINERGI_LOGIN_ACCOUNT_ADDRESS_FAILURES,
        Scope.ACCOUNT: settings.SINERGI_LOGIN_ACCOUNT_FAILURES,
        Scope.ADDRESS: settings.SINERGI_LOGIN_ADDRESS_FAILURES,
    }[scope]


def _pause_for(failures: int, limit: int) -> timedelta | None:
    if failures < limit:
        return None
    base = settings.SINERGI_LOGIN_PAUSE_SECONDS
    ceiling = settings.SINERGI_LOGIN_PAUSE_MAX_SECONDS
    # min() before the power would overflow for a scope failed thousands of times.
    doublings = min(failures - limit, 32)
    return timedelta(seconds=min(base * 2**doublings, ceiling))


def login_attempt_from_request(request, *, username: str | None) -> LoginAttempt:
    """Return the attempt a log-in form post makes."""
    email = login_username(username)
    device = ""
    value = request.COOKIES.get(DEVICE_COOKIE)
    if value and email:
        try:
            max_age = timedelta(days=settings.SINERGI_KNOWN_BROWSER_DAYS)
            data = signing.loads(value, salt=_DEVICE_SALT, max_age=max_age)
            user_id, nonce = int(data["u"]), str(data["n"])
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            user_id, nonce = None, ""
        if user_id and User.objects.filter(pk=user_id, email__iexact=email).exists():
            device = f"{user_id}:{nonce}"
    return LoginAttempt(email=email, address=client_address(request) or "unknown", device=device)


def login_pause_remaining(*, attempt: LoginAttempt) -> timedelta | None:
    """Return how long `attempt` must still wait, or None if it may be tried now."""
    now = timezone.now()
    rows = LoginThrottle.objects.filter(paused_until__gt=now)
    remaining = None
    for scope, key, _account in attempt.scopes():
        row = rows.filter(scope=scope, key=key).values_list("paused_until", flat=True).first()
        if row is not None and (remaining is None or row - now > remaining):
            remaining = row - now
    return remaining


@transaction.atomic
def login_failure_record(*, attempt: LoginAttempt) -> timedelta | None:
    """Count a failed log-in; return the pause now in force for `attempt`, if any."""
    now = timezone.now()
    window = timedelta(hours=settings.SINERGI_LOGIN_FAILURE_WINDOW_HOURS)
    longest = None
    for scope, key, account in attempt.scopes():
        row, _created = LoginThrottle.objects.select_for_update().get_or_create(
            scope=scope, key=key, defaults={"account": account, "last_failure_at": now}
        )
        if row.paused_until and row.paused_until > now:
            # Another request of the same guesser raced this one past the check: no extension.
            pause = row.paused_until - now
        else:
            if row.last_failure_at < now - window:
                row.failures = 0
            row.failures += 1
            row.last_failure_at = now
            pause = _pause_for(row.failures, _limit(scope))
            row.paused_until = now + pause if pause else None
            row.save(update_fields=["failures", "last_failure_at", "paused_until"])
        if pause and (longest is None or pause > longest):
            longest = pause
    return longest


def login_counts_clear(*, attempt: LoginAttempt) -> None:
    """Clear the account's counts after a right password (never the address's)."""
    for scope, key, _account in attempt.scopes():
        if scope != Scope.ADDRESS:
            LoginThrottle.objects.filter(scope=scope, key=key).delete()


def login_success_record(*, attempt: LoginAttempt, user: User, response) -> None:
    """Clear the account's counts after a right password; mark the browser as known."""
    login_counts_clear(attempt=attempt)
    nonce = attempt.device.partition(":")[2] if attempt.device else secrets.token_urlsafe(12)
    response.set_cookie(
        DEVICE_COOKIE,
        signing.dumps({"u": user.pk, "n": nonce}, salt=_DEVICE_SALT),
        max_age=int(timedelta(days=settings.SINERGI_KNOWN_BROWSER_DAYS).total_seconds()),
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def login_pauses_lift(*, user: User) -> int:
    """Lift every pause and count of `user`'s account (after a password reset or change)."""
    deleted, _by_model = LoginThrottle.objects.filter(account=user.email.lower()).delete()
    return deleted


def login_throttles_purge() -> int:
    """Delete counts whose last failure is older than the counting window; return how many."""
    cutoff = timezone.now() - timedelta(hours=settings.SINERGI_LOGIN_FAILURE_WINDOW_HOURS)
    deleted, _by_model = LoginThrottle.objects.filter(
        last_failure_at__lt=cutoff, paused_until__isnull=True
    ).delete()
    stale, _by_model = LoginThrottle.objects.filter(
        last_failure_at__lt=cutoff, paused_until__lt=timezone.now()
    ).delete()
    return deleted + stale


def pause_minutes(pause: timedelta) -> int:
    """Return a pause in whole minutes, rounded up, for people to read."""
    return max(1, math.ceil(pause.total_seconds() / 60))
