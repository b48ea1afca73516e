"""Create the role groups with their permissions (see ``itsm.roles``)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from itsm.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("itsm", "0001_initial"),
        ("audits", "0001_objectives"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
