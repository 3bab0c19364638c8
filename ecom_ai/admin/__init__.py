"""ecom_ai's admin: the job pages, then one module per feature."""
from . import campaigns, feedback, inquiries, jobs, recommendations, training  # noqa: F401
