from django.db import models
from django.utils.translation import gettext_lazy as _


class QuestionKind(models.TextChoices):
    YES_NO = "yes_no", _("Yes or no")
    SINGLE = "single", _("One choice")
    MULTIPLE = "multiple", _("Several choices")
    NUMBER = "number", _("Number")
    TEMPERATURE = "temperature", _("Body temperature")
    DATE = "date", _("Date")
    TEXT = "text", _("Text")


#: Kinds whose answers are one of a list of values: they can condition later questions and
#: raise alerts for given values.
CHOICE_KINDS = frozenset({QuestionKind.YES_NO, QuestionKind.SINGLE, QuestionKind.MULTIPLE})
YES, NO = "yes", "no"


class AlertKind(models.TextChoices):
    CONTACT = "contact", _("Contact with a case")
    FEVER = "fever", _("Fever")
    TRAVEL = "travel", _("Returned from a high-risk area")
    SYMPTOMS = "symptoms", _("Symptoms")
    NEEDS = "needs", _("Special needs")
    OTHER = "other", _("Other")


class AlertLevel(models.TextChoices):
    """How soon the officer must act. Also the priority of the officer's task."""

    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


#: Higher is more serious; "" is no alert.
ALERT_RANK = {"": 0, AlertLevel.HIGH: 1, AlertLevel.URGENT: 2}


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACTED = "acted", _("Acted on")
    DISMISSED = "dismissed", _("Dismissed")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    RUNNING = "running", _("Under way")
    CLOSED = "closed", _("Closed")


class CampaignKind(models.TextChoices):
    SCREENING = "screening", _("Screening: the questionnaire is asked")
    NOTIFICATION = "notification", _("Notification: the script is read")


class CampaignUnit(models.TextChoices):
    HOUSEHOLD = "household", _("One record per household")
    PERSON = "person", _("One record per person")


class AssignmentStatus(models.TextChoices):
    """Where a household stands in a campaign."""

    PENDING = "pending", _("Pending")
    REACHED = "reached", _("Reached")
    UNREACHABLE = "unreachable", _("Unreachable: door visit")
    MOVED = "moved", _("Moved away")


class Outcome(models.TextChoices):
    """What happened on one call (or visit)."""

    ANSWERED = "answered", _("Answered")
    NO_ANSWER = "no_answer", _("No answer")
    NUMBER_INVALID = "number_invalid", _("Number invalid or cut off")
    REFUSED = "refused", _("Refused")
    MOVED = "moved", _("Moved away")
    VISITED = "visited", _("Visited in person")


#: Outcomes after which the questionnaire is filled in.
REACHED_OUTCOMES = frozenset({Outcome.ANSWERED, Outcome.VISITED})
#: Outcomes that count as a failed attempt (offered again after the retry delay).
FAILED_OUTCOMES = frozenset({Outcome.NO_ANSWER, Outcome.NUMBER_INVALID, Outcome.REFUSED})


class RecordSource(models.TextChoices):
    CALL = "call", _("Phone call")
    VISIT = "visit", _("Visit in person")
    IMPORT = "import", _("Imported register")


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the grid worker")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")
