"""Shared fixtures. Real services are used when asked for: ECOM_AI_REQUIRE_SERVICES=1 makes their tests fail, not skip, when a service is missing."""
import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import pytest  # noqa: E402


@pytest.fixture
def fresh_ai_state(settings, tmp_path):
    """A test of its own: its own artefact folder, and no process-level snapshot (catalogue index,
    fallback recommender, loaded models, throttle counters in the cache) left by an earlier test."""
    from django.core.cache import cache

    from ecom_ai.nlp import search
    from ecom_ai.storage import artifacts
    from ecom_ai.recommendations import services as recommendations

    def clear():
        for fn in (cache.clear, search.clear_cache, artifacts.clear_cache, recommendations.clear_caches):
            fn()

    settings.ECOM_AI = {**settings.ECOM_AI, "ARTIFACT_DIR": str(tmp_path / "artifacts")}
    clear()
    yield
    clear()


@pytest.fixture
def staff_user(db):
    """A staff member with every ecom_ai permission, not a superuser (see tests.factories)."""
    from tests import factories

    return factories.staff_user()
