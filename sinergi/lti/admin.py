from django.contrib import admin

from .models import Deployment, Platform


class DeploymentInline(admin.TabularInline):
    model = Deployment
    extra = 0


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):
    list_display = ["name", "issuer", "client_id", "is_active"]
    inlines = [DeploymentInline]
