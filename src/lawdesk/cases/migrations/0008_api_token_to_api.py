# ApiToken moved to the api app (issue 14 item 6). Only Django's idea of which app owns the
# model changes: the table cases_api_token and its rows stay exactly as they are.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0007_decision_stored_once'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='ApiToken')],
            database_operations=[],
        ),
    ]
