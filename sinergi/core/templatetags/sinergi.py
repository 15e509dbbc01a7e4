from django import template

from sinergi.core.formatting import format_rupiah
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
