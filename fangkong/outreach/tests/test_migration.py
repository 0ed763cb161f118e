"""The upgrade moves each area's free-text campaign scripts into the script library."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from fangkong.outreach.models import NotificationScript
from fangkong.screening.models import Campaign


@pytest.mark.django_db(transaction=True)
def test_free_text_scripts_become_versions_of_one_script_per_area() -> None:
    # Given campaigns with free-text scripts, before the library existed
    executor = MigrationExecutor(connection)
    before = [("screening", "0003_alert_pairs"), ("outreach", "0001_initial")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    area_model = old.get_model("areas", "Area")
    # (a root area is a city: enough for scripts, which the upgrade places on any area)
    area = area_model.objects.create(level="city", name="迁移市", code="M1", path="/m/")
    area.path = f"/{area.pk}/"
    area.save(update_fields=["path"])
    questionnaire = old.get_model("screening", "Questionnaire").objects.create(
        area=area, name="登记表"
    )
    campaign_model = old.get_model("screening", "Campaign")
    day = dt.date(2026, 1, 1)
    texts = ["您好，第一种说法。", "您好，第二种说法。", "您好，第一种说法。", ""]
    for n, text in enumerate(texts):
        campaign_model.objects.create(
            area=area,
            questionnaire=questionnaire,
            name=f"第{n}轮",
            script=text,
            starts_on=day,
            ends_on=day,
        )

    # When the database is upgraded
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    # Then the area has one script with a version per distinct text, each campaign its own
    script = NotificationScript.objects.get(area_id=area.pk)
    assert [v.text for v in script.versions.order_by("number")] == texts[:2]
    assert script.current is not None
    assert script.current.number == 2
    read = {
        c.name: c.script_version.text if c.script_version else ""
        for c in Campaign.objects.filter(area_id=area.pk).select_related("script_version")
    }
    assert read == {f"第{n}轮": text for n, text in enumerate(texts)}
