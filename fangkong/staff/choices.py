"""Stable codes of the staff app: organisations, tasks, rosters, patrols."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    DISTRICT_BUREAU = "district_bureau", _("District bureau")
    STREET_OFFICE = "street_office", _("Street office")
    COMMUNITY_COMMITTEE = "community_committee", _("Community committee")
    PROPERTY_COMPANY = "property_company", _("Property company")
    OTHER = "other", _("Other organisation")


class LeadingGroupRole(models.TextChoices):
    HEAD = "head", _("Head")
    DEPUTY = "deputy", _("Deputy head")
    MEMBER = "member", _("Member")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


#: Statuses of a task someone still has to work on.
OPEN_STATUSES = (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)


class TaskPriority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


#: Sort rank of each priority (most urgent first).
PRIORITY_RANK: dict[str, int] = {
    TaskPriority.URGENT: 0,
    TaskPriority.HIGH: 1,
    TaskPriority.NORMAL: 2,
    TaskPriority.LOW: 3,
}


class TaskKind(models.TextChoices):
    """The kinds of task some module raises (the form and the list filter offer these).
    ``Task.kind`` is a free short code ("app.what"): a kind not listed here (the API takes
    any code) is shown as its code. List a kind when a module starts raising it, not before:
    a kind nothing produces only clutters the choices."""

    GENERAL = "staff.general", _("General task")
    PATROL_FOLLOW_UP = "staff.patrol_follow_up", _("Checkpoint patrol follow-up")
    SCREENING_DOOR_VISIT = "screening.door_visit", _("Visit a household at the door")
    SCREENING_ALERT = "screening.alert", _("Screening alert")
    HEALTH_FEVER = "health.fever", _("Fever follow-up")
    HEALTH_SYMPTOM = "health.symptom", _("Symptom follow-up")
    HEALTH_MISSING_REPORT = "health.missing_report", _("Missing health report")
    HEALTH_DELIVERY = "health.delivery", _("Deliver to a quarantined household")
    HEALTH_HANDOVER = "health.handover", _("Close contact handed over")
    HEALTH_APPROVAL = "health.approval", _("Health change waiting for approval")
    SUPPLIES_REQUEST = "supplies.request", _("Supply request")
    SUPPLIES_LOW_STOCK = "supplies.low_stock", _("Supplies below the minimum")
    MERCHANT_REINSPECT = "merchant.reinspect", _("Re-inspect a shop")
    MERCHANT_COMPLAINT = "merchant.complaint", _("Inspect a shop after a complaint")
    INQUIRY_FOLLOW_UP = "inquiries.follow_up", _("Call a resident back")
    COUNSELLING_FOLLOW_UP = "counselling.follow_up", _("Counselling follow-up")


class SwapStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Withdrawn")


class PatrolFinding(models.TextChoices):
    STAFF_ABSENT = "staff_absent", _("Staff absent")
    NO_TEMPERATURE_CHECKS = "no_temperature_checks", _("No temperature checks")
    NO_REGISTRATION_BOOK = "no_registration_book", _("No registration book")
    CROWDING = "crowding", _("Crowding")
    SUPPLIES_SHORT = "supplies_short", _("Shortage of supplies")
    OTHER = "other", _("Other problem")
