"""Test settings: the demo shop's, with tasks run eagerly unless a live worker is asked for."""
import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# Tasks run in the test process unless a live worker is asked for (the worker itself sets "0").
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")

from demo_shop.settings import *  # noqa: E402,F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ECOM_AI = {**ECOM_AI, "PIPELINES": {"echo": "tests.support.EchoPipeline"}}  # noqa: F405
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "1000/min", "user": "10000/min", "ecom_ai_inquiry": "5/min"}}  # noqa: F405
LANGUAGE_CODE = "en"  # staff-facing messages the tests read; the Chinese admin is walked in tests/browser
