"""The training models in the admin site.

Catalogue data (competency units, programs) is edited here freely. Batches are saved through
the services, so the seat rules, the waiting list and the audit log still apply. Everything
about money and registrations is read-only: it changes only through the services, and
invoices, payments and credit notes are never deleted.
"""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from sinergi.core.admin import ReadOnlyAdmin

from . import models, services
from .models import (
    Batch,
    CompetencyUnit,
    CreditNote,
    GroupRegistration,
    Invoice,
    InvoiceSequence,
    Payment,
    Program,
    Refund,
    Registration,
)
from .selectors import batch_availability
from .staff_forms import BatchForm


@admin.register(CompetencyUnit)
class CompetencyUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "source", "is_active"]
    list_filter = ["is_active", "source"]
    search_fields = ["code", "title"]


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["title", "level", "mode", "total_jp", "created_at"]
    list_filter = ["level", "mode", "competency_units"]
    search_fields = ["title", "summary", "organisers"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["competency_units"]


class BatchAdminForm(BatchForm):
    """The staff page's checks (dates, whole Rupiah), and no capacity below the seats taken."""

    class Meta(BatchForm.Meta):
        widgets = {}  # the admin's own date and time pickers

    def clean_capacity(self) -> int:
        capacity = self.cleaned_data["capacity"]
        if self.instance.pk:
            taken = batch_availability(batch=self.instance).taken
            if capacity < taken:
                raise ValidationError(
                    _("Seats taken: %(taken)d. The capacity cannot be lower than that."),
                    code="below_taken",
                    params={"taken": taken},
                )
        return capacity


@admin.register(Batch)
class BatchAdmin(admin.ModelAdmin):
    form = BatchAdminForm
    list_display = [
        "code",
        "program",
        "status",
        "starts_on",
        "ends_on",
        "registration_closes",
        "capacity",
        "fee",
    ]
    list_filter = ["status", "program__mode", "program"]
    search_fields = ["code", "program__title", "agreement_number"]
    date_hierarchy = "starts_on"
    list_select_related = ["program"]
    autocomplete_fields = ["program"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            fields = {name: form.cleaned_data[name] for name in form.changed_data}
            services.batch_update(batch=obj, actor=request.user, **fields)
        else:
            obj.pk = services.batch_create(actor=request.user, **form.cleaned_data).pk


@admin.register(GroupRegistration)
class GroupRegistrationAdmin(ReadOnlyAdmin):
    list_display = ["institution_name", "batch", "contact", "created_at"]
    list_select_related = ["batch__program", "contact"]
    search_fields = ["institution_name", "contact__email", "batch__code"]


@admin.register(Registration)
class RegistrationAdmin(ReadOnlyAdmin):
    list_display = ["user", "batch", "state", "institution_name", "created_at", "invoice"]
    list_filter = ["state", "batch__status", "batch"]
    list_select_related = ["user", "batch__program", "invoice"]
    search_fields = ["user__email", "user__full_name", "institution_name", "batch__code"]
    date_hierarchy = "created_at"


class PaymentInline(admin.TabularInline):
    model = Payment
    fields = ["method", "state", "amount", "created_at", "reviewed_by", "reviewed_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["number", "buyer_name", "batch", "amount", "unique_code", "status", "issued_at"]
    list_filter = ["status", "year"]
    list_select_related = ["batch__program"]
    search_fields = ["number", "buyer_name", "buyer__email", "batch__code"]
    date_hierarchy = "issued_at"
    inlines = [PaymentInline]


@admin.register(CreditNote)
class CreditNoteAdmin(ReadOnlyAdmin):
    list_display = ["number", "invoice", "amount", "reason", "created_at"]
    list_select_related = ["invoice"]
    search_fields = ["number", "invoice__number"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["invoice", "method", "state", "amount", "created_at", "reviewed_at"]
    list_filter = ["method", "state"]
    list_select_related = ["invoice"]
    search_fields = ["invoice__number", "gateway_order_id", "gateway_transaction_id"]
    date_hierarchy = "created_at"
    # The proof is served by a view that checks permission, never from MEDIA_URL.
    exclude = ["proof"]


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["payment", "registration", "amount", "reason", "created_by", "created_at"]
    list_select_related = ["payment__invoice", "registration__user", "registration__batch"]
    search_fields = ["payment__invoice__number", "registration__user__email"]


@admin.register(InvoiceSequence)
class InvoiceSequenceAdmin(ReadOnlyAdmin):
    list_display = ["year", "last"]


class HonorariumRateInline(admin.TabularInline):
    model = models.HonorariumRate
    extra = 1


@admin.register(models.HonorariumClass)
class HonorariumClassAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "unit", "is_paid", "position"]
    inlines = [HonorariumRateInline]


@admin.register(models.HonorariumTax)
class HonorariumTaxAdmin(admin.ModelAdmin):
    list_display = ["year", "percent_with_npwp", "percent_without_npwp"]


@admin.register(models.SpeakerProfile)
class SpeakerProfileAdmin(admin.ModelAdmin):
    list_display = ["name_with_title", "institution", "honorarium_class"]
    search_fields = ["name_with_title", "user__email"]
    raw_id_fields = ["user"]
    # Payment details are shown and edited on finance's pages, where they are masked for others.
    exclude = ["npwp", "bank_account_number"]
