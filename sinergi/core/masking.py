"""Masking of personal data for people whose role does not need to see it whole."""


def mask_phone(phone: str) -> str:
    """Return `phone` with all but the first four and last three digits hidden."""
    if len(phone) <= 7:
        return "*" * len(phone)
    return phone[:4] + "*" * (len(phone) - 7) + phone[-3:]


def mask_nik(nik: str) -> str:
    """Return a 16-digit NIK with the birth date and part of the serial hidden.

    The first six digits (the region) and the last two stay readable so that people can tell
    two records apart; the rest cannot be recovered.
    """
    return nik[:6] + "*" * 8 + nik[-2:]
