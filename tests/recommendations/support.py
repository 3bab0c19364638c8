"""Test helpers: a backend that invents a number."""
from ecom_ai.llm.base import BaseBackend, GenerationResult


class LiarBackend(BaseBackend):
    """Writes a reason with a battery figure no fact holds."""

    def generate(self, requests):
        return [GenerationResult("超长续航9999mAh，闭眼入！", 5, 5, 1.0, "liar", "stop") for _ in requests]
