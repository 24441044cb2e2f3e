"""Make the audit table append-only and create the chain head at genesis."""

from django.db import migrations

GENESIS = "0" * 64


def forwards(apps, schema_editor):
    # reason: a migration loads code only when it runs
    from lawdesk.audit import triggers

    triggers.install(schema_editor.connection)
    apps.get_model("audit", "ChainHead").objects.get_or_create(id=1, defaults={"seq": 0, "hash": GENESIS})


def backwards(apps, schema_editor):
    # reason: a migration loads code only when it runs
    from lawdesk.audit import triggers

    triggers.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
