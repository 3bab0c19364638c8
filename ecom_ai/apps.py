"""App config of ecom_ai; registers the system checks."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EcomAIConfig(AppConfig):
    name = "ecom_ai"
    verbose_name = _("AI assistant")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from ecom_ai import checks  # noqa: F401  (registers the checks)
