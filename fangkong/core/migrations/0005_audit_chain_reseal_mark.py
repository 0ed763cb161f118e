"""Audit rows say why they were sealed again: under a new data key (a rotation) or as found in
a broken chain (``rotate_data_key --reseal-broken-audit``). Existing rows keep "" and their
hashes: the mark enters a row's canonical form only when set."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0004_audit_chain_places_required'),
    ]

    operations = [
        migrations.AddField(
            model_name='accessevent',
            name='chain_reseal',
            field=models.CharField(blank=True, choices=[('', 'As sealed'), ('rekey', 'Sealed again under a new data key'), ('mend', 'Sealed again as found in a broken chain')], default='', editable=False, max_length=5),
        ),
        migrations.AddField(
            model_name='objectchange',
            name='chain_reseal',
            field=models.CharField(blank=True, choices=[('', 'As sealed'), ('rekey', 'Sealed again under a new data key'), ('mend', 'Sealed again as found in a broken chain')], default='', editable=False, max_length=5),
        ),
    ]
