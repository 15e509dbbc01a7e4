"""Certificates in the admin site: read-only (they change only through the services).

Templates are edited on the staff pages, where uploads are checked and the preview is.
"""

from django.contrib import admin

from sinergi.core.admin import ReadOnlyAdmin

from .models import Certificate, CertificateTemplate, CertificateVersion, NumberSequence


class VersionInline(admin.TabularInline):
    model = CertificateVersion
    extra = 0
    can_delete = False
    fields = ["version", "holder_name", "issued_at", "replaced_at", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = ["number", "holder_name", "batch_code", "status", "issued_at", "version"]
    list_filter = ["status"]
    search_fields = ["number", "code", "holder_name", "batch_code"]
    inlines = [VersionInline]


@admin.register(CertificateTemplate)
class CertificateTemplateAdmin(ReadOnlyAdmin):
    list_display = ["program", "batch", "number_pattern", "updated_at"]


@admin.register(NumberSequence)
class NumberSequenceAdmin(ReadOnlyAdmin):
    list_display = ["pattern", "year", "last"]
