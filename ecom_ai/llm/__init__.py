"""Text generation: one backend interface (grounded rules, local transformers, OpenAI-compatible HTTP), fenced prompts, PII filtering and output checks."""
from ecom_ai.llm.base import (
    # noqa: F401 BackendConfigError,
    BackendError,
    BackendUnavailable,
    BaseBackend,
    Fact,
    GenerationRequest,
    GenerationResult,
    build_prompt,
)
