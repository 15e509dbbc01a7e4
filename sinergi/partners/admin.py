"""The partnership lookups and the process template, configured in the admin site.

Agreements, steps, documents and reminders change only through the pages and their services
(the process rules and the audit log apply), so the admin shows them read-only. Partner
officers are linked on the partner's page, which also gives them the partner role.
"""

from django.contrib import admin

from sinergi.core.admin import ReadOnlyAdmin

from .models import (
    Agreement,
    AgreementStep,
    IkuCriterion,
    InstitutionalVisit,
    Partner,
    PartnerContact,
    PartnershipForm,
    ProcessStepTemplate,
    ProcessTemplate,
    Reminder,
    ScopeItem,
)


@admin.register(ScopeItem, PartnershipForm)
class LookupAdmin(admin.ModelAdmin):
    list_display = ["name", "order", "is_active"]
    list_editable = ["order", "is_active"]
    search_fields = ["name"]


@admin.register(IkuCriterion)
class IkuCriterionAdmin(LookupAdmin):
    list_display = ["code", "name", "order", "is_active"]


class ProcessStepInline(admin.TabularInline):
    model = ProcessStepTemplate
    extra = 0
    fields = [
        "order",
        "code",
        "title",
        "actor",
        "duration_days",
        "required_documents",
        "return_to_order",
        "signs_agreement",
    ]


@admin.register(ProcessTemplate)
class ProcessTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "is_default"]
    inlines = [ProcessStepInline]


class ContactInline(admin.TabularInline):
    model = PartnerContact
    extra = 0


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "type", "province", "country"]
    list_filter = ["type"]
    search_fields = ["name", "short_name"]
    inlines = [ContactInline]


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "partner", "our_number", "signed_on", "ends_on"]
    list_filter = ["kind"]
    search_fields = ["title", "our_number", "partner_number", "partner__name"]


@admin.register(AgreementStep)
class AgreementStepAdmin(ReadOnlyAdmin):
    list_display = ["agreement", "order", "title", "state", "due_on"]
    list_filter = ["state"]


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ["key", "recipient", "created_at", "dismissed_at"]


@admin.register(InstitutionalVisit)
class InstitutionalVisitAdmin(ReadOnlyAdmin):
    list_display = ["institution_name", "proposed_on", "status", "visitors"]
    list_filter = ["status"]
