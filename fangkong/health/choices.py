"""Stable codes of the health module: cases, contacts, quarantines, reports, disinfection,
and the closed lists of reasons and evidence every status change carries."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Classification(models.TextChoices):
    # With a context: "Confirmed" alone means something else elsewhere (a visitor confirmed).
    CONFIRMED = "confirmed", pgettext_lazy("case", "Confirmed")
    SUSPECTED = "suspected", pgettext_lazy("case", "Suspected")
    ASYMPTOMATIC = "asymptomatic", pgettext_lazy("case", "Asymptomatic")
    EXCLUDED = "excluded", pgettext_lazy("case", "Excluded")


#: Classifications that make a person a case (an excluded case is no longer one).
CASE_CLASSIFICATIONS = (
    Classification.CONFIRMED,
    Classification.ASYMPTOMATIC,
    Classification.SUSPECTED,
)


class TakenTo(models.TextChoices):
    HOSPITAL = "hospital", _("Designated hospital")
    SITE = "site", _("Quarantine site")


class Outcome(models.TextChoices):
    IN_HOSPITAL = "in_hospital", _("In hospital")
    RECOVERED = "recovered", _("Recovered")
    DIED = "died", _("Died")


class ContactKind(models.TextChoices):
    HOUSEHOLD = "household", _("Household contact")
    CLOSE = "close", _("Close contact")
    SECONDARY = "secondary", _("Contact of a close contact")


class QuarantineKind(models.TextChoices):
    HOME = "home", _("Home quarantine")
    CENTRALISED = "centralised", _("Centralised quarantine")
    MONITORING = "monitoring", _("Health monitoring")


class Symptom(models.TextChoices):
    COUGH = "cough", _("Cough")
    FATIGUE = "fatigue", _("Fatigue")
    SORE_THROAT = "sore_throat", _("Sore throat")
    BREATH = "breath", _("Shortness of breath")
    DIARRHOEA = "diarrhoea", _("Diarrhoea")
    SMELL = "smell", _("Loss of smell or taste")
    MUSCLE_PAIN = "muscle_pain", _("Muscle pain")
    HEADACHE = "headache", _("Headache")


class ReportSource(models.TextChoices):
    GRID_WORKER = "grid_worker", _("Grid worker")
    PERSON = "person", _("The person")
    API = "api", _("API")
    IMPORT = "import", _("Import")


class PlaceKind(models.TextChoices):
    BUILDING = "building", _("Building")
    UNIT = "unit", _("Unit")
    GATE = "gate", _("Gate")
    PUBLIC_AREA = "public_area", _("Public area")
    SHOP = "shop", _("Shop")


class Disinfectant(models.TextChoices):
    CHLORINE = "chlorine", _("Chlorine disinfectant")
    ALCOHOL = "alcohol", _("75% alcohol")
    CHLORINE_DIOXIDE = "chlorine_dioxide", _("Chlorine dioxide")
    PERACETIC_ACID = "peracetic_acid", _("Peracetic acid")
    HYDROGEN_PEROXIDE = "hydrogen_peroxide", _("Hydrogen peroxide")
    OTHER = "other", _("Other disinfectant")


# --- Status changes: what, why, on what evidence, and the review -----------------------------


class ChangeAction(models.TextChoices):
    CASE_OPEN = "case_open", _("Case recorded")
    CASE_CLASSIFY = "case_classify", _("Classification changed")
    CASE_OUTCOME = "case_outcome", _("Outcome recorded")
    QUARANTINE_START = "quarantine_start", _("Quarantine started")
    QUARANTINE_EXTEND = "quarantine_extend", _("Quarantine extended")
    QUARANTINE_REDUCE = "quarantine_reduce", _("Quarantine shortened")
    QUARANTINE_END = "quarantine_end", _("Quarantine ended")


class ChangeReason(models.TextChoices):
    """Why a health status changes: a closed list (DESIGN.md, "Data rules")."""

    POSITIVE_TEST = "positive_test", _("Positive test result")
    NEGATIVE_TESTS = "negative_tests", _("Negative test results")
    CLINICAL_DIAGNOSIS = "clinical_diagnosis", _("Clinical diagnosis")
    SYMPTOMS = "symptoms", _("Symptoms")
    CLOSE_CONTACT = "close_contact", _("Close contact of a case")
    HOUSEHOLD_CONTACT = "household_contact", _("Lives with a case")
    RISK_AREA = "risk_area", _("Returned from a high-risk area")
    SCREENING_ALERT = "screening_alert", _("Screening alert")
    OFFICIAL_NOTICE = "official_notice", _("Official notice of the disease control centre")
    NEW_EXPOSURE = "new_exposure", _("New exposure during quarantine")
    PERIOD_COMPLETED = "period_completed", _("Quarantine period completed")
    TRANSFERRED = "transferred", _("Transferred to hospital or a quarantine site")
    DISCHARGED = "discharged", _("Discharged from hospital")
    DEATH = "death", _("Death")
    CORRECTION = "correction", _("Correction of a recording error")


class EvidenceKind(models.TextChoices):
    TEST_RESULT = "test_result", _("Test result")
    CONTACT_LINK = "contact_link", _("Contact with a recorded case")
    OFFICIAL_NOTICE = "official_notice", _("Official notice number")
    SCREENING_ALERT = "screening_alert", _("Screening alert")
    MEDICAL_RECORD = "medical_record", _("Hospital or doctor's record")


#: Reasons that fit each action (the page offers these; the service refuses the others).
REASONS_FOR: dict[str, tuple[str, ...]] = {
    ChangeAction.CASE_OPEN: (
        ChangeReason.POSITIVE_TEST,
        ChangeReason.CLINICAL_DIAGNOSIS,
        ChangeReason.SYMPTOMS,
        ChangeReason.OFFICIAL_NOTICE,
        ChangeReason.CLOSE_CONTACT,
    ),
    ChangeAction.CASE_CLASSIFY: (
        ChangeReason.POSITIVE_TEST,
        ChangeReason.NEGATIVE_TESTS,
        ChangeReason.CLINICAL_DIAGNOSIS,
        ChangeReason.OFFICIAL_NOTICE,
        ChangeReason.CORRECTION,
    ),
    ChangeAction.CASE_OUTCOME: (
        ChangeReason.DISCHARGED,
        ChangeReason.DEATH,
        ChangeReason.TRANSFERRED,
        ChangeReason.OFFICIAL_NOTICE,
        ChangeReason.CORRECTION,
    ),
    ChangeAction.QUARANTINE_START: (
        ChangeReason.CLOSE_CONTACT,
        ChangeReason.HOUSEHOLD_CONTACT,
        ChangeReason.RISK_AREA,
        ChangeReason.SCREENING_ALERT,
        ChangeReason.SYMPTOMS,
        ChangeReason.OFFICIAL_NOTICE,
    ),
    ChangeAction.QUARANTINE_EXTEND: (
        ChangeReason.NEW_EXPOSURE,
        ChangeReason.POSITIVE_TEST,
        ChangeReason.SYMPTOMS,
        ChangeReason.OFFICIAL_NOTICE,
        ChangeReason.CORRECTION,
    ),
    ChangeAction.QUARANTINE_REDUCE: (
        ChangeReason.NEGATIVE_TESTS,
        ChangeReason.OFFICIAL_NOTICE,
        ChangeReason.CORRECTION,
    ),
    ChangeAction.QUARANTINE_END: (
        ChangeReason.PERIOD_COMPLETED,
        ChangeReason.NEGATIVE_TESTS,
        ChangeReason.TRANSFERRED,
        ChangeReason.OFFICIAL_NOTICE,
        ChangeReason.DEATH,
        ChangeReason.CORRECTION,
    ),
}


class ChangeStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved and applied")
    REJECTED = "rejected", _("Rejected")


#: Statuses that count towards the four-eyes limit (a rejected change changed nobody).
COUNTED_STATUSES = (ChangeStatus.APPLIED, ChangeStatus.PENDING, ChangeStatus.APPROVED)


class ChangeSource(models.TextChoices):
    PAGE = "page", _("Page")
    API = "api", _("API")
    IMPORT = "import", _("Import")
    SYSTEM = "system", _("System")


class PersonStatus(models.TextChoices):
    """What ``person_health_status`` answers: the one status a person has now."""

    CONFIRMED = "confirmed", _("Confirmed case")
    ASYMPTOMATIC = "asymptomatic", _("Asymptomatic infection")
    SUSPECTED = "suspected", _("Suspected case")
    CENTRALISED = "centralised", _("Centralised quarantine")
    HOME = "home", _("Home quarantine")
    MONITORING = "monitoring", _("Health monitoring")
    NONE = "none", _("No health measure")
