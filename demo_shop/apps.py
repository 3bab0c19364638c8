"""App config of the demo shop's own catalogue, customers and orders."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoShopConfig(AppConfig):
    name = "demo_shop"
    verbose_name = _("Demo shop")
    default_auto_field = "django.db.models.BigAutoField"
