from django import template

from sinergi.core.formatting import format_datetime, format_rupiah, format_short_datetime
from sinergi.core.masking import mask_phone

register = template.Library()


@register.filter
def rupiah(value) -> str:
    """Format whole Rupiah the Indonesian way: 750000 → Rp750.000."""
    if value in (None, ""):
        return ""
    return format_rupiah(int(value))


@register.filter
def masked_phone(value: str) -> str:
    return mask_phone(value) if value else ""


@register.filter
def when(value) -> str:
    """Write a moment for people, in WIB: 7 Desember 2026, 14.00 WIB."""
    return format_datetime(value) if value else ""


@register.filter
def when_short(value) -> str:
    """Write a moment where room is short, in WIB: 7 Des 14.00."""
    return format_short_datetime(value) if value else ""
