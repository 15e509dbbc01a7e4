from django.contrib import admin

from .models import AuditLog, InstitutionType, PeriodicJob, Province


class ReadOnlyAdmin(admin.ModelAdmin):
    """Browse and search only: these rows are written by the services."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor_repr", "verb", "target_repr"]
    list_filter = ["verb"]
    search_fields = ["actor_repr", "verb", "target_repr"]
    date_hierarchy = "created_at"


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["name"]


@admin.register(InstitutionType)
class InstitutionTypeAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_id", "name_en", "order"]


@admin.register(PeriodicJob)
class PeriodicJobAdmin(admin.ModelAdmin):
    list_display = ["name", "last_started_at", "last_finished_at", "next_run_at"]
    readonly_fields = ["name", "last_started_at", "last_finished_at", "next_run_at", "last_error"]
