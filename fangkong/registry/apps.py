from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_name_grams(*, using: str = "default", **kwargs: Any) -> None:
    # A migration that rebuilds registry_person on SQLite drops the name-gram triggers.
    from fangkong.registry import name_grams

    name_grams.ensure(connections[using])


class RegistryConfig(AppConfig):
    name = "fangkong.registry"
    label = "registry"
    verbose_name = _("Registry")

    def ready(self) -> None:
        post_migrate.connect(
            _ensure_name_grams, sender=self, dispatch_uid="registry.ensure_name_grams"
        )
