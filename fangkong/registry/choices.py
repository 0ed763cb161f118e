from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")
    UNKNOWN = "U", _("Unknown")


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("Resident ID card")
    PASSPORT = "passport", _("Passport")
    HK_MACAO = "hk_macao", _("Hong Kong/Macao permit")
    TAIWAN = "taiwan", _("Taiwan permit")
    FOREIGN_PERMANENT = "foreign_permanent", _("Foreign permanent resident ID")
    OTHER = "other", _("Other document")


class Relation(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    GRANDCHILD = "grandchild", _("Grandchild")
    GRANDPARENT = "grandparent", _("Grandparent")
    SIBLING = "sibling", _("Sibling")
    CHILD_IN_LAW = "child_in_law", _("Son- or daughter-in-law")
    TENANT = "tenant", _("Tenant")
    OTHER = "other", _("Other")


class Residency(models.TextChoices):
    PERMANENT = "permanent", _("Permanent resident")
    TENANT = "tenant", _("Tenant")
    FLOATING = "floating", _("Floating population")
    LIVES_ELSEWHERE = "lives_elsewhere", _("Registered here, lives elsewhere")


class PersonStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    MOVED_OUT = "moved_out", _("Moved out")
    MOVED_HOUSE = "moved_house", _("Moved house")
    DIED = "died", _("Died")


class PersonTag(models.TextChoices):
    ELDERLY_ALONE = "elderly_alone", _("Elderly living alone")
    CHRONIC = "chronic", _("Chronic illness")
    PREGNANT = "pregnant", _("Pregnant or postpartum")
    DISABLED = "disabled", _("Disability")
    VETERAN = "veteran", _("Veteran")
    LOW_INCOME = "low_income", _("Minimum living allowance")
