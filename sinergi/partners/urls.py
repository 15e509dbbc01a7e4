from django.urls import path

from . import views

app_name = "partners"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("reminders/<int:pk>/dismiss/", views.reminder_dismiss, name="reminder_dismiss"),
    # Agreements.
    path("agreements/", views.agreement_list, name="agreement_list"),
    path("agreements/new/", views.agreement_create, name="agreement_create"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("agreements/<int:pk>/edit/", views.agreement_edit, name="agreement_edit"),
    path("agreements/<int:pk>/process/", views.process_start, name="process_start"),
    path(
        "agreements/<int:pk>/steps/<int:step_id>/complete/",
        views.step_complete,
        name="step_complete",
    ),
    path("agreements/<int:pk>/steps/<int:step_id>/return/", views.step_return, name="step_return"),
    path("agreements/<int:pk>/documents/", views.document_upload, name="document_upload"),
    path("agreements/<int:pk>/renew/", views.renewal_start, name="renewal_start"),
    path("agreements/<int:pk>/terminate/", views.agreement_terminate, name="terminate"),
    path("agreements/<int:pk>/activities/new/", views.activity_create, name="activity_create"),
    path("agreements/<int:pk>/report.xlsx", views.agreement_report, name="agreement_report"),
    path("documents/<int:pk>/download/", views.document_download, name="document_download"),
    path("evidence/<int:pk>/download/", views.evidence_download, name="evidence_download"),
    # Partners.
    path("institutions/", views.partner_list, name="partner_list"),
    path("institutions/new/", views.partner_create, name="partner_create"),
    path("institutions/<int:pk>/", views.partner_detail, name="partner_detail"),
    path("institutions/<int:pk>/edit/", views.partner_edit, name="partner_edit"),
    path("institutions/<int:pk>/logo/", views.partner_logo, name="partner_logo"),
    path("institutions/<int:pk>/report.xlsx", views.partner_report, name="partner_report"),
    # Institutional visits.
    path("visits/request/", views.visit_request, name="visit_request"),
    path("visits/mine/", views.my_visits, name="my_visits"),
    path("visits/", views.visit_list, name="visit_list"),
    path("visits/<int:pk>/", views.visit_manage, name="visit_manage"),
]
