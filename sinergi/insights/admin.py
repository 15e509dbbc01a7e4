from django.contrib import admin

from .models import BatchBudget, CostLine, SessionInvitation, SessionMaterial


@admin.register(BatchBudget)
class BatchBudgetAdmin(admin.ModelAdmin):
    list_display = ["batch", "planned_participants", "partner_share_kind"]
    raw_id_fields = ["batch"]


@admin.register(CostLine)
class CostLineAdmin(admin.ModelAdmin):
    list_display = ["batch", "category", "planned", "actual"]
    list_filter = ["category"]
    raw_id_fields = ["batch", "updated_by"]


@admin.register(SessionInvitation)
class SessionInvitationAdmin(admin.ModelAdmin):
    list_display = ["session", "speaker", "state", "created_at"]
    raw_id_fields = ["session", "speaker", "invited_by"]


@admin.register(SessionMaterial)
class SessionMaterialAdmin(admin.ModelAdmin):
    list_display = ["session", "speaker", "uploaded_at"]
    raw_id_fields = ["session", "speaker", "item"]
