from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    # Manages the areas and the accounts below its own area, and nothing else: no resident's
    # data (roles.RIGHTS). The first one is made by `manage.py setup`.
    ADMINISTRATOR = "administrator", _("Administrator")
    DISTRICT_OFFICIAL = "district_official", _("District official")
    STREET_OFFICIAL = "street_official", _("Street official")
    COMMUNITY_OFFICER = "community_officer", _("Community officer")
    HEALTH_OFFICER = "health_officer", _("Health officer")
    GRID_WORKER = "grid_worker", _("Grid worker")
    CHECKPOINT_STAFF = "checkpoint_staff", _("Checkpoint staff")
    VOLUNTEER = "volunteer", _("Volunteer")
