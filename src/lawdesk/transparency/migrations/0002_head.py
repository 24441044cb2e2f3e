"""Create the log head at size 0."""

from django.db import migrations


def forwards(apps, schema_editor):
    apps.get_model("transparency", "LogHead").objects.get_or_create(id=1, defaults={"size": 0})


class Migration(migrations.Migration):
    dependencies = [("transparency", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
