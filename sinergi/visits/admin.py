"""The visits models in the admin site.

Member domains (who may use delivery and print) and FAQ entries are edited here. Everything
with a state (reservations, questions, requests, clearances) is read-only: it changes only
through the services, which keep the rules and the audit log.
"""

from django.contrib import admin

from sinergi.core.admin import ReadOnlyAdmin

from .models import (
    ClearanceRequest,
    DeliveryRequest,
    FaqEntry,
    MemberDomain,
    Question,
    Reservation,
    ServicePoint,
    VisitSlot,
)


@admin.register(MemberDomain)
class MemberDomainAdmin(admin.ModelAdmin):
    list_display = ["domain", "institution", "is_partner", "is_active"]
    list_filter = ["is_partner", "is_active"]
    search_fields = ["domain", "institution"]


@admin.register(FaqEntry)
class FaqEntryAdmin(admin.ModelAdmin):
    list_display = ["title", "category", "published_at"]
    list_filter = ["category"]
    search_fields = ["title", "answer"]
    readonly_fields = ["question", "published_at", "published_by"]


@admin.register(ServicePoint)
class ServicePointAdmin(ReadOnlyAdmin):
    list_display = ["name", "location", "capacity", "walk_in_percent", "is_active"]


@admin.register(VisitSlot)
class VisitSlotAdmin(ReadOnlyAdmin):
    list_display = ["service_point", "starts_at", "ends_at", "capacity", "walk_in_seats"]
    list_filter = ["service_point"]
    date_hierarchy = "starts_at"


@admin.register(Reservation)
class ReservationAdmin(ReadOnlyAdmin):
    list_display = ["code", "user", "slot", "state", "created_at"]
    list_filter = ["state"]
    search_fields = ["code", "user__email"]


@admin.register(Question)
class QuestionAdmin(ReadOnlyAdmin):
    list_display = ["subject", "category", "state", "created_at", "first_answered_at"]
    list_filter = ["state", "category"]


@admin.register(DeliveryRequest)
class DeliveryRequestAdmin(ReadOnlyAdmin):
    list_display = ["pk", "title", "kind", "state", "requester", "created_at"]
    list_filter = ["state", "kind"]
    exclude = ["proof"]  # served only by the permission-checking view


@admin.register(ClearanceRequest)
class ClearanceRequestAdmin(ReadOnlyAdmin):
    list_display = ["student", "student_number", "state", "number", "created_at"]
    list_filter = ["state"]
    search_fields = ["student__email", "student_number", "number"]
