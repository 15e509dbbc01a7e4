from sinergi.core.navigation import items_for

from .selectors import user_roles


def navigation(request):
    """Put the navigation entries this user may use, and their roles, into every page."""
    user = getattr(request, "user", None)
    if user is None:
        return {}
    roles = user_roles(user)
    return {
        "nav_main": items_for(user, roles, "main"),
        "nav_user": items_for(user, roles, "user"),
        "user_roles": roles,
    }
