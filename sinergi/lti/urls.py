from django.urls import path

from . import views

app_name = "lti"

urlpatterns = [
    path("jwks", views.jwks, name="jwks"),
    path("login/", views.login_initiation, name="login"),
    path("launch/", views.launch, name="launch"),
    path("deep-link/", views.deep_link_return, name="deep_link_return"),
    path("staff/", views.staff_home, name="staff_home"),
    path("staff/platforms/new/", views.platform_edit, name="platform_new"),
    path("staff/platforms/<int:platform_id>/", views.platform_edit, name="platform_edit"),
    path("staff/keys/rotate/", views.key_rotate, name="key_rotate"),
    path("staff/courses/<int:context_id>/roster/", views.roster_read, name="roster_read"),
]
