from django.db import models
from django.utils.translation import gettext_lazy as _


class ChangeAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")


class AccessKind(models.TextChoices):
    REVEAL = "reveal", _("Reveal")
    EXPORT = "export", _("Export")
    SEARCH = "search", _("Search of sensitive data")
    CALL = "call", _("Phone call")


class JobStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Failed")
