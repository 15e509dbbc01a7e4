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
    # Sinergi as a platform: external tools in the classroom.
    path(
        "tools/placements/<int:placement_id>/launch/",
        views.placement_launch,
        name="placement_launch",
    ),
    path("platform/auth", views.platform_auth, name="platform_auth"),
    path("platform/token", views.platform_token, name="platform_token"),
    path(
        "platform/deep-link-return",
        views.platform_deep_link_return,
        name="platform_deep_link_return",
    ),
    path("staff/tools/deep-link/", views.tool_deep_link, name="tool_deep_link"),
    path(
        "platform/placements/<int:placement_id>/lineitem",
        views.platform_lineitem,
        name="platform_lineitem",
    ),
    path(
        "platform/placements/<int:placement_id>/lineitem/scores",
        views.platform_scores,
        name="platform_scores",
    ),
    path("staff/tools/new/", views.tool_edit, name="tool_new"),
    path("staff/tools/<int:tool_id>/", views.tool_edit, name="tool_edit"),
    path("staff/tools/placements/new/", views.placement_new, name="placement_new"),
]
