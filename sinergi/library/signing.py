"""Short-lived signed links to e-book files (django.core.signing, TimestampSigner)."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "sinergi.library.file"


def file_url(*, book_file, user) -> str:
    """Return a link to `book_file` for `user` that works for SINERGI_FILE_URL_SECONDS."""
    token = signing.TimestampSigner(salt=SALT).sign_object(
        {"f": book_file.pk, "u": user.pk if user.is_authenticated else None}
    )
    return reverse("library:file_stream", args=[token])


def file_token_read(token: str) -> dict | None:
    """Return the signed claims of a link still within its time, or None."""
    try:
        return signing.TimestampSigner(salt=SALT).unsign_object(
            token, max_age=settings.SINERGI_FILE_URL_SECONDS
        )
    except signing.BadSignature:  # also SignatureExpired
        return None
