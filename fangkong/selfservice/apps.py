from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SelfServiceConfig(AppConfig):
    name = "fangkong.selfservice"
    verbose_name = _("Household self-service")
