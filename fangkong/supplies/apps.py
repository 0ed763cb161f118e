from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuppliesConfig(AppConfig):
    name = "fangkong.supplies"
    verbose_name = _("Supplies")

    def ready(self) -> None:
        # A patrol's "supplies short" finding opens a supply request: staff calls the
        # handlers registered with it, so staff never imports this app (it imports staff).
        from fangkong.staff import patrol_findings
        from fangkong.staff.choices import PatrolFinding
        from fangkong.supplies.services import open_request_for_patrol

        patrol_findings.register(PatrolFinding.SUPPLIES_SHORT, open_request_for_patrol)
