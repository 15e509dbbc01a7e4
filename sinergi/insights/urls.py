from django.urls import path

from . import views

app_name = "insights"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("budgets/", views.budgets, name="budgets"),
    path("budgets/<int:batch_id>/", views.budget, name="budget"),
    path("budgets/<int:batch_id>/honoraria.xlsx", views.payment_list, name="payment_list"),
    path("speakers/", views.speakers, name="speakers"),
    path("speakers/<int:speaker_id>/", views.speaker_edit, name="speaker_edit"),
    path("speakers/<int:speaker_id>/statement.pdf", views.statement, name="statement"),
    path("sessions/<int:session_id>/invite/", views.session_invite, name="session_invite"),
    path("me/", views.my_profile, name="my_profile"),
    path("me/schedule/", views.my_schedule, name="my_schedule"),
    path("me/evaluations/", views.my_evaluations, name="my_evaluations"),
    path("me/invitations/<int:invitation_id>/", views.invitation, name="invitation"),
    path("me/sessions/<int:session_id>/materials/", views.material_upload, name="material_upload"),
]
