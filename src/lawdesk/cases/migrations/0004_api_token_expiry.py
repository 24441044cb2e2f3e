# API tokens expire (issue 11, item 14). Tokens made before this migration get the default
# period counted from their creation, so a two-year-old token stops working at once.

from datetime import timedelta

from django.conf import settings
from django.db import migrations, models


def set_expiry(apps, schema_editor):
    token_model = apps.get_model("cases", "ApiToken")
    days = int(getattr(settings, "LAWDESK_API_TOKEN_DAYS", 90))
    for token in token_model.objects.all():
        token.expires_at = token.created_at + timedelta(days=days)
        token.save(update_fields=["expires_at"])


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0003_accounts_affected'),
    ]

    operations = [
        migrations.AddField(
            model_name='apitoken',
            name='expires_at',
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(set_expiry, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='apitoken',
            name='expires_at',
            field=models.DateTimeField(),
        ),
    ]
