"""Small helpers the classroom's views share (no URLs of their own)."""

from django.core.exceptions import ValidationError
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_cache_control

# What a stored file is, told by its first bytes (validate_upload checked them on the way in).
FILE_SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (
        b"PK\x03\x04",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
)


def optional_url(name: str, *args) -> str | None:
    """Return the URL of a page another part of the classroom may not have built yet."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def add_service_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form fields it names (or on the form)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def protected_file_response(file: FieldFile, *, stem: str, inline_pdf: bool) -> FileResponse:
    """Stream a stored file after the caller checked who asks; never through MEDIA_URL."""
    if not file:
        raise Http404
    try:
        handle = file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    head = handle.read(8)
    handle.seek(0)
    content_type, extension = "application/octet-stream", "bin"
    for magic, known_type, known_extension in FILE_SIGNATURES:
        if head.startswith(magic):
            content_type, extension = known_type, known_extension
            break
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=not (inline_pdf and content_type == "application/pdf"),
        filename=f"{stem}.{extension}",
    )
    patch_cache_control(response, private=True)
    response["X-Content-Type-Options"] = "nosniff"
    return response
