"""Make the log's tables append-only."""

from django.db import migrations


def forwards(apps, schema_editor):
    # reason: a migration loads code only when it runs
    from lawdesk.transparency import triggers

    triggers.install(schema_editor.connection)


def backwards(apps, schema_editor):
    # reason: a migration loads code only when it runs
    from lawdesk.transparency import triggers

    triggers.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("transparency", "0002_head")]
    operations = [migrations.RunPython(forwards, backwards)]
