"""Which Django permissions each role's group carries, synced after every migrate."""

from django.contrib.auth.models import Group, Permission

# "app_label.codename" per role. Views of apps below accounts (core) check these permissions,
# since they cannot import the roles.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    "admin": ["core.view_auditlog"],
    # The cooperation officer keeps the partnership lookups and the process template (in the
    # admin site, once given staff access there); the head may read them.
    "cooperation_officer": [
        f"partners.{action}_{model}"
        for model in (
            "scopeitem",
            "ikucriterion",
            "partnershipform",
            "processtemplate",
            "processsteptemplate",
        )
        for action in ("view", "add", "change")
    ],
    "head": [
        f"partners.view_{model}"
        for model in ("scopeitem", "ikucriterion", "partnershipform", "processtemplate")
    ],
}


def sync_role_permissions(**kwargs) -> None:
    """Give each role group at least the permissions listed for it."""
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for perm in perms:
            app_label, codename = perm.split(".")
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is not None:
                group.permissions.add(permission)
