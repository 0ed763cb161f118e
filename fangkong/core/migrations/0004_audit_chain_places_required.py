"""Every audit row has a place in a chain from now on: a writer that skips the chain fails."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0003_chain_existing_audit_rows"),
    ]

    operations = [
        migrations.AlterField(
            model_name="accessevent",
            name="chain_seq",
            field=models.BigIntegerField(editable=False),
        ),
        migrations.AlterField(
            model_name="objectchange",
            name="chain_seq",
            field=models.BigIntegerField(editable=False),
        ),
    ]
