"""One rule for every text a person types, applied by the services (so the web form, the API
and imports store the same thing):

- Unicode is normalised to NFC (an "é" typed as e + combining accent is stored as one "é").
- Control characters are refused: every C0 and C1 character, except tab and line break in a
  text of several lines (CRLF and CR become LF). A NUL or an ESC in a name broke exports.
- In a name (of a person, an institution, an account holder) the invisible characters that can
  make one name look like another are refused too: bidi overrides, embeddings, isolates and
  marks (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C) and zero-width characters
  (U+200B-U+200D, U+2060, U+FEFF); so are symbols such as emoji. A name holds at least one
  letter.
- Spaces at either end are dropped, and the length (in characters, after normalising) is
  bounded by the model field.

Phones, NIK and NPWP are checked here too: `phone_clean` stores one form (+62...), `nik_clean`
and `npwp_clean` use python-stdnum's `stdnum.id.nik` and `stdnum.id.npwp` and keep the digits.

`model_text_clean` applies the rule to several fields of a model at once and raises one
ValidationError naming each field that failed, which forms show on their fields and the API
answers as a 422 with the field named.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_errors
from stdnum.id import nik as stdnum_nik
from stdnum.id import npwp as stdnum_npwp

LINE, TEXT, NAME = "line", "text", "name"

BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")
MULTILINE_CONTROLS = frozenset("\t\n")


def _is_control(character: str) -> bool:
    return unicodedata.category(character) == "Cc"


def _codepoint(character: str) -> str:
    return f"U+{ord(character):04X}"


def text_clean(value, *, kind: str = LINE, max_length: int | None = None) -> str:
    """Return `value` cleaned by the rule for `kind` (LINE, TEXT or NAME); raise
    ValidationError (code control, invisible, symbol, no_letter or too_long) if it breaks it.

    An empty text stays empty: whether a field may be empty is the form's and model's business.
    """
    text = unicodedata.normalize("NFC", str(value if value is not None else ""))
    if kind == TEXT:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.strip()
    allowed = MULTILINE_CONTROLS if kind == TEXT else frozenset()
    for character in text:
        if _is_control(character) and character not in allowed:
            raise ValidationError(
                _("Remove the control character %(codepoint)s; it cannot be stored."),
                code="control",
                params={"codepoint": _codepoint(character)},
            )
    if kind == NAME and text:
        for character in text:
            if character in BIDI_CONTROLS or character in ZERO_WIDTH:
                raise ValidationError(
                    _(
                        "Remove the invisible character %(codepoint)s; a name may hold only "
                        "characters that can be seen."
                    ),
                    code="invisible",
                    params={"codepoint": _codepoint(character)},
                )
            if unicodedata.category(character) in ("So", "Sk", "Co", "Cs", "Cn", "Cf"):
                raise ValidationError(
                    _("A name may not hold symbols such as emoji (%(codepoint)s)."),
                    code="symbol",
                    params={"codepoint": _codepoint(character)},
                )
        if not any(unicodedata.category(character).startswith("L") for character in text):
            raise ValidationError(_("A name must contain at least one letter."), code="no_letter")
    if max_length is not None and len(text) > max_length:
        raise ValidationError(
            _("Use at most %(limit)d characters (this has %(length)d)."),
            code="too_long",
            params={"limit": max_length, "length": len(text)},
        )
    return text


@dataclass(frozen=True)
class _Rule:
    kind: str
    max_length: int | None


def _rule_for(field: models.Field, names: frozenset[str]) -> _Rule:
    if field.name in names:
        kind = NAME
    elif isinstance(field, models.TextField):
        kind = TEXT
    else:
        kind = LINE
    return _Rule(kind=kind, max_length=getattr(field, "max_length", None))


def model_text_clean(model: type[models.Model], values: dict, *, names=(), phones=()) -> dict:
    """Return `values` with each text of a field of `model` cleaned; raise one ValidationError
    naming every field that failed. `names` lists the fields that hold a name, `phones` those
    that hold a phone number (`phone_clean`). Values that are not text (a province, a number,
    None for "unchanged") pass as they are."""
    names, phones = frozenset(names), frozenset(phones)
    cleaned, errors = dict(values), {}
    for field_name, value in values.items():
        if not isinstance(value, str):
            continue
        try:
            if field_name in phones:
                cleaned[field_name] = phone_clean(value)
                continue
            rule = _rule_for(model._meta.get_field(field_name), names)
            cleaned[field_name] = text_clean(value, kind=rule.kind, max_length=rule.max_length)
        except ValidationError as error:
            errors[field_name] = error
    if errors:
        raise ValidationError(errors)
    return cleaned


def instance_text_clean(instance: models.Model, *, names=(), phones=()) -> None:
    """Clean, in place, every text field of an unsaved `instance` (a ModelForm's
    `save(commit=False)`) by the one rule; raise one ValidationError naming each field that
    failed."""
    fields = [
        field
        for field in instance._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField) and not field.choices
    ]
    values = {field.name: getattr(instance, field.attname) for field in fields}
    for name, value in model_text_clean(type(instance), values, names=names, phones=phones).items():
        setattr(instance, name, value)


# --- Numbers people type ------------------------------------------------------------------------

_PHONE_SEPARATORS = re.compile(r"[\s\-().]")
PHONE_EXAMPLE = _("Enter a phone number such as 0812 3456 7890.")


def phone_clean(value: str) -> str:
    """Return a phone number in the one form Sinergi stores, "+" and digits (+6281234567890),
    or "" for an empty one; raise ValidationError (code phone) if it is not a phone number.

    Indonesian numbers may be written 0812..., 62812... or +62 812...; the part after 62 has 8
    to 12 digits and does not start with 0. A number of another country is written with its
    "+" (partners abroad) and has 8 to 15 digits in all (E.164).
    """
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    if not text:
        return ""
    digits = _PHONE_SEPARATORS.sub("", text)
    international = digits.startswith("+")
    digits = digits.removeprefix("+")
    if not digits.isascii() or not digits.isdigit():
        raise ValidationError(PHONE_EXAMPLE, code="phone")
    if not international:
        if digits.startswith("0"):
            digits = "62" + digits[1:]
        elif not digits.startswith("62"):
            raise ValidationError(PHONE_EXAMPLE, code="phone")
    if digits.startswith("62"):
        national = digits[2:]
        if not (8 <= len(national) <= 12) or national.startswith("0"):
            raise ValidationError(PHONE_EXAMPLE, code="phone")
    elif not 8 <= len(digits) <= 15:
        raise ValidationError(PHONE_EXAMPLE, code="phone")
    return "+" + digits


def nik_clean(value: str) -> str:
    """Return the 16 digits of a NIK, or "" for an empty one; raise ValidationError (code nik)
    when it is not a NIK (length, province, date of birth: stdnum.id.nik)."""
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    if not text:
        return ""
    try:
        return stdnum_nik.validate(text)
    except stdnum_errors.ValidationError:
        raise ValidationError(
            _("This is not a valid NIK: 16 digits, as on the identity card (KTP)."), code="nik"
        ) from None


def npwp_clean(value: str) -> str:
    """Return the digits of an NPWP (15, or 16 since 2024), or "" for an empty one; raise
    ValidationError (code npwp) when it is not an NPWP (stdnum.id.npwp: length, check digit)."""
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    if not text:
        return ""
    try:
        return stdnum_npwp.validate(text)
    except stdnum_errors.ValidationError:
        raise ValidationError(
            _("This is not a valid NPWP: 15 or 16 digits, such as 01.234.567.4-901.000."),
            code="npwp",
        ) from None
