from django.db import OperationalError, connection
from django.db.models import QuerySet

from .models import AuditLog


def audit_log_list(*, verb: str = "", actor: str = "", target: str = "") -> QuerySet[AuditLog]:
    """Return audit rows, newest first, filtered by verb prefix, actor e-mail and object text."""
    rows = AuditLog.objects.select_related("target_type")
    if verb:
        rows = rows.filter(verb__startswith=verb)
    if actor:
        rows = rows.filter(actor_repr__icontains=actor)
    if target:
        rows = rows.filter(target_repr__icontains=target)
    return rows


def database_status() -> str:
    """Return "ok" when the database answers a query, else a short reason."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except OperationalError as error:
        return f"error: {error.__class__.__name__}"
    return "ok"
