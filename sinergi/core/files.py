"""Serve a stored private file after the caller has checked who asks (never via MEDIA_URL)."""

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.utils.cache import patch_cache_control

from .uploads import UPLOAD_KINDS, sniff_file


def protected_file_response(
    file: FieldFile, *, stem: str, inline_kinds: frozenset[str] = frozenset()
) -> FileResponse:
    """Stream `file` named `stem` plus the extension of its real kind (judged by its bytes).

    Kinds in `inline_kinds` open in the browser; anything else downloads. A file of no known
    kind goes out as application/octet-stream. Responses are private and never sniffed.
    """
    if not file:
        raise Http404
    try:
        handle = file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    kind = sniff_file(handle)
    if kind is None:
        content_type, extension = "application/octet-stream", ".bin"
    else:
        content_type, extension = UPLOAD_KINDS[kind].content_type, UPLOAD_KINDS[kind].extension
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=kind not in inline_kinds,
        filename=f"{stem}{extension}",
    )
    patch_cache_control(response, private=True)
    response["X-Content-Type-Options"] = "nosniff"
    return response
