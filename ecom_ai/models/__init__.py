"""ecom_ai's models: the job engine, then one module per feature."""
from .jobs import AIJob, AIJobItem
from .inquiries import *  # noqa: F401,F403
from .recommendations import *  # noqa: F401,F403
from .campaigns import *  # noqa: F401,F403
from .feedback import *  # noqa: F401,F403
from .training import *  # noqa: F401,F403

__all__ = ["AIJob", "AIJobItem"]
