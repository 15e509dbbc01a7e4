from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import ApiToken, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "institution_name", "province", "email_verified_at"]
    list_filter = ["groups", "is_active", "province", "institution_type"]
    search_fields = ["email", "full_name", "institution_name"]
    readonly_fields = ["nik_masked", "last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            _("Profile"),
            {
                "fields": [
                    "full_name",
                    "institution_name",
                    "institution_type",
                    "position",
                    "province",
                    "phone",
                    "nip",
                    "nik_masked",
                    "language",
                ]
            },
        ),
        (
            _("Access"),
            {"fields": ["is_active", "email_verified_at", "is_staff", "is_superuser", "groups"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})
    ]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    search_fields = ["name", "user__email", "prefix"]
    readonly_fields = ["prefix", "digest", "created_at", "last_used_at"]
