"""The Editor, Analyst, Privacy officer and Administrator groups. Their permissions are set after every
migrate (consent.apps: roles_sync on post_migrate), when every app's permissions exist."""

from django.db import migrations

ROLES = ["Editor", "Analyst", "Privacy officer", "Administrator"]


def groups_create(apps, schema_editor):
    group = apps.get_model("auth", "Group")
    for name in ROLES:
        group.objects.get_or_create(name=name)


def groups_delete(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [("consent", "0002_erasure"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(groups_create, groups_delete)]
