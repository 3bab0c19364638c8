"""ecom_ai's admin pages, collected from the feature packages (``admin.autodiscover`` imports this)."""
from ecom_ai.campaigns import admin as campaigns  # noqa: F401
from ecom_ai.feedback import admin as feedback  # noqa: F401
from ecom_ai.impact import admin as impact  # noqa: F401
from ecom_ai.inquiries import admin as inquiries  # noqa: F401
from ecom_ai.jobs import admin as jobs  # noqa: F401
from ecom_ai.recommendations import admin as recommendations  # noqa: F401
from ecom_ai.training import admin as training  # noqa: F401
