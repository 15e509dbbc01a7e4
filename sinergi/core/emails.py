from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from .tasks import send_email


def text_render(template_name: str, context: dict) -> str:
    """Render a plain-text template (an e-mail) without HTML escaping."""
    return render_to_string(template_name, context, using="text")


def email_render(*, template: str, context: dict, language: str | None = None) -> tuple[str, str]:
    """Return the subject and body of `<template>_subject.txt` / `_body.txt` in `language`."""
    context = {"site_url": settings.SITE_URL, "host_name": settings.SINERGI_HOST_NAME, **context}
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = text_render(f"{template}_subject.txt", context)
        body = text_render(f"{template}_body.txt", context)
    return " ".join(subject.split()), body


def email_send(*, to: list[str], template: str, context: dict, language: str | None = None) -> None:
    """Render the mail now, in the caller's transaction, and queue its delivery.

    Delivery happens in the worker, so a slow mail server never slows a page.
    """
    subject, body = email_render(template=template, context=context, language=language)
    send_email.enqueue(to=to, subject=subject, body=body)
