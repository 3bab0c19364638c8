"""Shared fixtures. Real services are used when asked for: ECOM_AI_REQUIRE_SERVICES=1 makes their tests fail, not skip, when a service is missing."""
import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
