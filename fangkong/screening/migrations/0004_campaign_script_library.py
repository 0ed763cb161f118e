"""A campaign's call script comes from the script library (fangkong.outreach) instead of
free text: each area's free-text scripts become one notification script of that area, one
version per distinct text, and each campaign points at the version of its text."""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models


def scripts_into_library(apps: Any, schema_editor: Any) -> None:
    Campaign = apps.get_model("screening", "Campaign")
    Script = apps.get_model("outreach", "NotificationScript")
    Version = apps.get_model("outreach", "NotificationScriptVersion")
    scripts: dict[int, Any] = {}
    versions: dict[tuple[int, str], Any] = {}
    campaigns = Campaign.objects.exclude(script="").select_related("area").order_by("pk")
    for campaign in campaigns.iterator():
        text = campaign.script.strip()
        if not text:
            continue
        area = campaign.area
        script = scripts.get(area.pk)
        if script is None:
            script = Script.objects.create(
                area=area, reach=area, title=f"{area.name}电话排查话术", status="own"
            )
            scripts[area.pk] = script
        version = versions.get((area.pk, text))
        if version is None:
            number = sum(1 for key in versions if key[0] == area.pk) + 1
            version = Version.objects.create(
                script=script, number=number, text=text, note=f"来自“{campaign.name}”"
            )
            versions[(area.pk, text)] = version
            script.current = version
            script.save(update_fields=["current"])
        campaign.script_version = version
        campaign.save(update_fields=["script_version"])


def library_into_scripts(apps: Any, schema_editor: Any) -> None:
    Campaign = apps.get_model("screening", "Campaign")
    for campaign in Campaign.objects.exclude(script_version=None).select_related(
        "script_version"
    ):
        campaign.script = campaign.script_version.text
        campaign.save(update_fields=["script"])


class Migration(migrations.Migration):

    dependencies = [
        ('outreach', '0001_initial'),
        ('screening', '0003_alert_pairs'),
    ]

    operations = [
        migrations.AddField(
            model_name='campaign',
            name='kind',
            field=models.CharField(choices=[('screening', 'Screening: the questionnaire is asked'), ('notification', 'Notification: the script is read')], default='screening', max_length=12, verbose_name='kind'),
        ),
        migrations.AddField(
            model_name='campaign',
            name='script_version',
            field=models.ForeignKey(blank=True, help_text="What the caller says: shown on every household's call screen.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='outreach.notificationscriptversion', verbose_name='call script'),
        ),
        migrations.RunPython(scripts_into_library, library_into_scripts),
        migrations.RemoveField(
            model_name='campaign',
            name='script',
        ),
    ]
