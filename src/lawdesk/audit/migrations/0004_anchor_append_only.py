"""Make the anchor log's tables append-only, like the audit table."""

from django.db import migrations


def forwards(apps, schema_editor):
    from lawdesk.audit import triggers  # reason: a migration loads code only when it runs

    triggers.install_anchor_triggers(schema_editor.connection)


def backwards(apps, schema_editor):
    from lawdesk.audit import triggers  # reason: a migration loads code only when it runs

    triggers.drop_anchor_triggers(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_anchor_log")]
    operations = [migrations.RunPython(forwards, backwards)]
