"""Django's admin app with fangkong's admin site (``accounts/admin_site.py``) as its default.

Apart from ``admin_site.py`` because ``INSTALLED_APPS`` imports this module while the apps
are still loading, before any model may be imported.
"""

from django.contrib.admin.apps import AdminConfig


class TwoStepAdminConfig(AdminConfig):
    default_site = "fangkong.accounts.admin_site.TwoStepAdminSite"
