import threading

import pytest
from django.test import override_settings

from ecom_ai.llm import registry
from ecom_ai.llm.base import BackendConfigError, GenerationRequest
from ecom_ai.llm.grounded import GroundedBackend


def test_default_is_grounded_and_shared():
    backend = registry.backend_for("promo_copy")
    assert isinstance(backend, GroundedBackend) and backend is registry.get_backend("default")
    assert backend.generate([GenerationRequest("promo_copy", params={"channel": "title"})])[0].model_id == "grounded-rules-v1"


def test_one_instance_across_threads():
    seen = []
    threads = [threading.Thread(target=lambda: seen.append(registry.get_backend())) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(b) for b in seen}) == 1


def test_settings_change_resets():
    first = registry.get_backend()
    with override_settings(ECOM_AI={"BACKENDS": {"alt": {"BACKEND": "ecom_ai.llm.grounded.GroundedBackend"}}, "FEATURES": {"feedback_summary": "alt"}}):
        alt = registry.backend_for("feedback_summary")
        assert alt.alias == "alt" and registry.get_backend() is not first


@pytest.mark.parametrize("backends,alias", [
    ({}, "missing"),
    ({"bad": {"BACKEND": "ecom_ai.llm.nope.Nope"}}, "bad"),
    ({"bad": {"OPTIONS": {}}}, "bad"),
    ({"bad": {"BACKEND": "ecom_ai.llm.base.Fact"}}, "bad"),
    ({"bad": {"BACKEND": "ecom_ai.llm.openai.OpenAICompatibleBackend", "OPTIONS": {"model": "m"}}}, "bad"),
])
def test_config_errors(backends, alias):
    with override_settings(ECOM_AI={"BACKENDS": backends}):
        with pytest.raises(BackendConfigError):
            registry.get_backend(alias)


def test_pii_default_follows_where_text_goes():
    from ecom_ai.llm.openai import OpenAICompatibleBackend

    assert OpenAICompatibleBackend("s", base_url="http://x", model="m").pii_filter is True
    assert GroundedBackend("g").pii_filter is False
    with override_settings(ECOM_AI={"PII_FILTER": True}):
        assert GroundedBackend("g").pii_filter is True
    assert OpenAICompatibleBackend("s", base_url="http://x", model="m", pii_filter=False).pii_filter is False
