from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from .tasks import send_email


def email_send(*, to: list[str], template: str, context: dict, language: str | None = None) -> None:
    """Render `<template>_subject.txt` and `<template>_body.txt` in `language` and queue the mail.

    Rendering happens now, in the caller's transaction; delivery happens in the worker, so a
    slow mail server never slows a page.
    """
    context = {"site_url": settings.SITE_URL, "host_name": settings.SINERGI_HOST_NAME, **context}
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}_body.txt", context)
    send_email.enqueue(to=to, subject=" ".join(subject.split()), body=body)
