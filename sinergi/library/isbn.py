"""ISBN checking: ISBN-10 and ISBN-13 with their check digits, stored as ISBN-13."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_SEPARATORS = re.compile(r"[\s\-]")


def _isbn10_valid(digits: str) -> bool:
    if not re.fullmatch(r"\d{9}[\dX]", digits):
        return False
    total = sum((10 - i) * (10 if c == "X" else int(c)) for i, c in enumerate(digits))
    return total % 11 == 0


def _isbn13_check(first12: str) -> str:
    total = sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(first12))
    return str((10 - total % 10) % 10)


def isbn_to_13(value: str) -> str:
    """Return `value` (ISBN-10 or -13, with or without hyphens) as a bare ISBN-13.

    Raise ValidationError when it is not a valid ISBN.
    """
    digits = _SEPARATORS.sub("", value or "").upper()
    if len(digits) == 10 and _isbn10_valid(digits):
        first12 = "978" + digits[:9]
        return first12 + _isbn13_check(first12)
    if (
        len(digits) == 13
        and digits.isdigit()
        and digits[:3] in ("978", "979")
        and _isbn13_check(digits[:12]) == digits[12]
    ):
        return digits
    raise ValidationError(
        _("%(value)s is not a valid ISBN (10 or 13 digits with a correct check digit)."),
        code="isbn",
        params={"value": value},
    )


def isbn_from_marc(subfield: str) -> str:
    """Return the ISBN-13 in a MARC 020 $a ("0123456789 (pbk.)"), or '' when none is valid."""
    match = re.match(r"\s*([\dXx\-]{10,17})", subfield or "")
    if not match:
        return ""
    try:
        return isbn_to_13(match.group(1))
    except ValidationError:
        return ""
