"""Helpers shared by the visits views."""

from django.http import HttpResponse
from django.utils.cache import patch_cache_control


def private_file(content: bytes, content_type: str, filename: str, *, inline=False) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    patch_cache_control(response, private=True)
    response["X-Content-Type-Options"] = "nosniff"
    return response
