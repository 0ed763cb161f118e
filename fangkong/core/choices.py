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


class ChainReseal(models.TextChoices):
    """Why an audit row was sealed again after it was chained, when its content is not what
    the mark says otherwise (a non-empty ``chain_original`` with no mark: the system rewrote
    it, as retention does)."""

    NONE = "", _("As sealed")
    #: A key rotation sealed it again under a new data key; its content is as first written.
    REKEY = "rekey", _("Sealed again under a new data key")
    #: ``rotate_data_key --reseal-broken-audit`` sealed it again as found in a broken chain.
    MEND = "mend", _("Sealed again as found in a broken chain")


class JobStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Failed")
