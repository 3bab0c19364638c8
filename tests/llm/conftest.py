"""Fixtures for the generation layer: tiny local models built once per session, a fixed fence marker."""
import pytest

from ecom_ai.llm import registry
from ecom_ai.llm.tiny import build_tiny_model


@pytest.fixture(scope="session")
def tiny_gpt2(tmp_path_factory):
    return build_tiny_model(str(tmp_path_factory.mktemp("models") / "tiny-gpt2"), "gpt2")


@pytest.fixture(scope="session")
def tiny_qwen2(tmp_path_factory):
    return build_tiny_model(str(tmp_path_factory.mktemp("models") / "tiny-qwen2"), "qwen2")


@pytest.fixture
def fixed_marker(monkeypatch):
    """Prompts carry a random marker; comparing outputs of two calls needs the same one."""
    import ecom_ai.llm.base as base

    monkeypatch.setattr(base, "new_marker", lambda: "UNTRUSTED-0123456789abcdef")
    return "UNTRUSTED-0123456789abcdef"


@pytest.fixture(autouse=True)
def _fresh_registry():
    registry.reset()
    yield
    registry.reset()
