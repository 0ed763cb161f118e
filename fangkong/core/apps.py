from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "fangkong.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Job kinds, periodic work, retention rules, exports and what an area holds register
        # themselves on import: load every app's ``jobs``, ``periodic``, ``retention``,
        # ``exports`` and ``area_contents`` modules so a worker, tick or the purge knows all
        # of them.
        import fangkong.core.jobs
        import fangkong.core.periodic  # noqa: F401

        autodiscover_modules("jobs", "periodic", "retention", "exports", "area_contents")
