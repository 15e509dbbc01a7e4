from django.db import migrations

ROLES = [
    "participant", "speaker", "partner", "program_manager", "finance", "cooperation_officer",
    "librarian", "services_desk", "head", "admin",
]


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for slug in ROLES:
        Group.objects.get_or_create(name=slug)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
