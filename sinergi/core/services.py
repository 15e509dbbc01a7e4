from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import AuditLog


def log_action(
    actor: Any,
    verb: str,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> AuditLog:
    """Record that `actor` did `verb` to `target`; `actor` may be None for the system."""
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditLog.objects.create(
        actor=actor if is_user else None,
        actor_repr=str(getattr(actor, "email", "") or "") if is_user else "",
        verb=verb,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:255] if target is not None else "",
        data=data or {},
    )
