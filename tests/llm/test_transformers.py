"""TransformersBackend against tiny GPT-2 and Qwen2 models built and saved in the test session."""
import pytest
from django.test import override_settings

from ecom_ai.llm import registry
from ecom_ai.llm import transformers as tf_backend
from ecom_ai.llm.base import BackendConfigError, Fact, GenerationRequest
from ecom_ai.llm.transformers import TransformersBackend

pytestmark = pytest.mark.filterwarnings("ignore")


def _settings(path, **options):
    return {"BACKENDS": {"default": {"BACKEND": "ecom_ai.llm.grounded.GroundedBackend", "OPTIONS": {}},
                         "local": {"BACKEND": "ecom_ai.llm.transformers.TransformersBackend",
                                   "OPTIONS": {"model": path, "batch_size": 4, "num_threads": 1, **options}}},
            "FEATURES": {"inquiry_reply": "local"}}


def _requests(n, **kw):
    return [GenerationRequest("inquiry_reply", "zh", untrusted={"question": "电池多大？" * (i + 1)},
                              facts=[Fact("battery_capacity", "5000mAh", "product:42")], temperature=0, **kw) for i in range(n)]


@pytest.fixture(params=["gpt2", "qwen2"])
def model_path(request, tiny_gpt2, tiny_qwen2):
    return tiny_gpt2 if request.param == "gpt2" else tiny_qwen2


def test_loaded_through_settings_once(model_path, fixed_marker):
    tf_backend.clear_model_cache()
    before = tf_backend.LOAD_COUNT
    with override_settings(ECOM_AI=_settings(model_path)):
        backend = registry.backend_for("inquiry_reply")
        assert isinstance(backend, TransformersBackend)
        assert tf_backend.LOAD_COUNT == before  # lazy: nothing loaded yet
        backend.generate(_requests(2, max_new_tokens=4))
        backend.generate(_requests(1, max_new_tokens=4))
        assert tf_backend.LOAD_COUNT == before + 1
    # a settings change builds a new backend instance, but the weights stay cached in the process
    with override_settings(ECOM_AI=_settings(model_path)):
        registry.backend_for("inquiry_reply").generate(_requests(1, max_new_tokens=2))
    assert tf_backend.LOAD_COUNT == before + 1


def test_batched_equals_one_at_a_time(model_path, fixed_marker):
    backend = TransformersBackend("local", model=model_path, batch_size=4)
    reqs = _requests(6, max_new_tokens=10)
    batched = backend.generate(reqs)
    single = [backend.generate([r])[0] for r in reqs]
    assert [r.text for r in batched] == [r.text for r in single]
    assert [r.tokens_out for r in batched] == [r.tokens_out for r in single]
    assert [r.tokens_in for r in batched] == [r.tokens_in for r in single]


def test_token_counts_and_max_new_tokens(model_path, fixed_marker):
    backend = TransformersBackend("local", model=model_path)
    tokenizer, _ = tf_backend.load_model(model_path)
    reqs = _requests(3, max_new_tokens=7)
    reqs[1].max_new_tokens = 3
    results = backend.generate(reqs)
    for req, res in zip(reqs, results):
        prompt = backend.render(tokenizer, req)
        assert res.tokens_in == len(tokenizer(prompt, add_special_tokens=False)["input_ids"])
        assert 0 <= res.tokens_out <= req.max_new_tokens
        assert res.finish_reason in ("length", "stop")
        if res.finish_reason == "length":
            assert res.tokens_out == req.max_new_tokens
        assert res.model_id.startswith("tiny-") and res.latency_ms > 0


def test_chat_template_used_when_present(tiny_qwen2, tiny_gpt2, fixed_marker):
    req = _requests(1)[0]
    qwen = TransformersBackend("a", model=tiny_qwen2)
    gpt = TransformersBackend("b", model=tiny_gpt2)
    assert qwen.render(tf_backend.load_model(tiny_qwen2)[0], req).startswith("<|im_start|>system\n")
    plain = gpt.render(tf_backend.load_model(tiny_gpt2)[0], req)
    assert plain.endswith("\n\nassistant:") and "<|im_start|>" not in plain


def test_stop_strings_cut(model_path, fixed_marker):
    backend = TransformersBackend("local", model=model_path)
    free = backend.generate(_requests(1, max_new_tokens=16))[0].text
    assert len(free) >= 4
    stop = free[len(free) // 2: len(free) // 2 + 2]
    res = backend.generate(_requests(1, max_new_tokens=16, stop=[stop]))[0]
    assert stop not in res.text and free.startswith(res.text)
    assert res.finish_reason == "stop"


def test_time_limit_gives_timeout(tiny_gpt2, fixed_marker):
    backend = TransformersBackend("local", model=tiny_gpt2)
    res = backend.generate(_requests(1, max_new_tokens=200, timeout_s=1e-6))[0]
    assert res.finish_reason == "timeout" and res.tokens_out < 200


def test_sampling_with_seed_is_repeatable(tiny_gpt2, fixed_marker):
    backend = TransformersBackend("local", model=tiny_gpt2)
    req = lambda: GenerationRequest("inquiry_reply", untrusted={"question": "hi"}, temperature=0.9, seed=5, max_new_tokens=8)  # noqa: E731
    assert backend.generate([req()])[0].text == backend.generate([req()])[0].text


def test_bad_config():
    with pytest.raises(BackendConfigError):
        TransformersBackend("x")
    with pytest.raises(BackendConfigError):
        TransformersBackend("x", model="/nonexistent/model").generate(_requests(1))
    with pytest.raises(BackendConfigError):
        TransformersBackend("x", model="/tmp", colour="blue")
