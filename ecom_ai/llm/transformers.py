"""TransformersBackend: a local Hugging Face causal LM, loaded once per worker process, batched with left padding."""
from __future__ import annotations

import logging
import os
import threading
import time

from ecom_ai.llm.base import (
    BackendConfigError,
    BackendError,
    BaseBackend,
    GenerationRequest,
    GenerationResult,
)

logger = logging.getLogger("ecom_ai.llm")

# (path, device, dtype) -> (tokenizer, model). Module level, so a Celery worker process loads a
# model once however many tasks, backend instances or settings resets it sees.
_MODEL_CACHE: dict[tuple[str, str, str], tuple[object, object]] = {}
_CACHE_LOCK = threading.Lock()
LOAD_COUNT = 0  # how many times weights were read from disk in this process (tests count it)


def resolve_device(device: str | None) -> str:
    """``auto`` (or nothing): ``cuda`` when a GPU is there, else ``cpu``; any other value as given."""
    import torch

    if device in (None, "", "auto"):
        return "cuda" if torch.cuda.is_available() else "cpu"
    return str(device)


def _resolve_dtype(dtype: str, device: str):
    import torch

    if dtype in (None, "", "auto"):
        if device.startswith("cuda"):
            return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        return torch.float32
    if isinstance(dtype, torch.dtype):
        return dtype
    try:
        return getattr(torch, str(dtype))
    except AttributeError as exc:
        raise BackendConfigError(f"Unknown dtype {dtype!r}") from exc


def load_model(path: str, device: str = "auto", dtype="auto", trust_remote_code: bool = False):
    """Load (or fetch from the process cache) a tokenizer and model from a local directory."""
    global LOAD_COUNT
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    device = resolve_device(device)
    torch_dtype = _resolve_dtype(dtype, device)
    key = (os.path.abspath(path), device, str(torch_dtype))
    cached = _MODEL_CACHE.get(key)
    if cached is not None:
        return cached
    with _CACHE_LOCK:
        cached = _MODEL_CACHE.get(key)
        if cached is not None:
            return cached
        if not os.path.isdir(path):
            raise BackendConfigError(f"Model directory {path!r} does not exist")
        tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True, trust_remote_code=trust_remote_code)
        tokenizer.padding_side = "left"
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
        model = AutoModelForCausalLM.from_pretrained(
            path, local_files_only=True, trust_remote_code=trust_remote_code, dtype=torch_dtype
        )
        model.to(device)
        model.eval()
        if model.generation_config.pad_token_id is None:
            model.generation_config.pad_token_id = tokenizer.pad_token_id
        LOAD_COUNT += 1
        logger.info("ecom_ai: loaded %s on %s (%s)", path, device, torch_dtype)
        _MODEL_CACHE[key] = (tokenizer, model)
        return tokenizer, model


def clear_model_cache() -> None:
    with _CACHE_LOCK:
        _MODEL_CACHE.clear()


def render_chat(tokenizer, messages: list[dict]) -> str:
    """The prompt text of ``[system, user]`` messages: the tokenizer's chat template (generation prompt
    added) when it has one, else plain turns ending in ``assistant:``."""
    if getattr(tokenizer, "chat_template", None):
        return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    system, user = messages[0]["content"], messages[1]["content"]
    return f"{system}\n\n{user}\n\nassistant:"


def _deadline_criteria(deadlines: list[float | None], timed_out: set[int], prompt_len: int, end_ids: set[int]):
    import torch
    from transformers import StoppingCriteria, StoppingCriteriaList

    class _Deadline(StoppingCriteria):
        """Stops each row whose request ran past its time limit; remembers which rows it stopped."""

        def __call__(self, input_ids, scores, **kwargs):
            now = time.monotonic()
            done = torch.zeros(input_ids.shape[0], dtype=torch.bool, device=input_ids.device)
            for i, deadline in enumerate(deadlines):
                if deadline is not None and now >= deadline:
                    done[i] = True
                    # a row that already ended by itself did not time out
                    if not any(t in end_ids for t in input_ids[i, prompt_len:].tolist()):
                        timed_out.add(i)
            return done

    return StoppingCriteriaList([_Deadline()])


class TransformersBackend(BaseBackend):
    """Generation with a local causal LM; see the module docstring."""

    sends_off_machine = False

    def __init__(self, alias: str = "local", model: str = "", batch_size: int = 8, device: str = "auto", dtype="auto",
                 num_threads: int | None = None, max_input_tokens: int = 2048, trust_remote_code: bool = False, **options):
        super().__init__(alias, **options)
        if self.options:
            raise BackendConfigError(f"Unknown TransformersBackend options: {', '.join(sorted(self.options))}")
        if not model:
            raise BackendConfigError("TransformersBackend needs OPTIONS['model']: a local model directory")
        self.model_path = model
        self.batch_size = max(1, int(batch_size))
        self.device = device
        self.dtype = dtype
        self.num_threads = num_threads
        self.max_input_tokens = int(max_input_tokens)
        self.trust_remote_code = trust_remote_code

    @property
    def model_id(self) -> str:
        return os.path.basename(os.path.normpath(self.model_path)) or self.model_path

    def _load(self):
        import torch

        tokenizer, model = load_model(self.model_path, self.device, self.dtype, self.trust_remote_code)
        if self.num_threads and str(model.device).startswith("cpu") and torch.get_num_threads() != int(self.num_threads):
            torch.set_num_threads(int(self.num_threads))
        return tokenizer, model

    def render(self, tokenizer, request: GenerationRequest) -> str:
        return render_chat(tokenizer, self.prompt(request))

    def generate(self, requests: list[GenerationRequest]) -> list[GenerationResult]:
        if not requests:
            return []
        tokenizer, model = self._load()
        texts = [self.render(tokenizer, r) for r in requests]
        # tokenized once; each batch pads its rows (left: see load_model)
        enc = tokenizer(texts, truncation=True, max_length=self.max_input_tokens, add_special_tokens=False)
        rows = [{k: v[i] for k, v in enc.items()} for i in range(len(texts))]
        lengths = [len(row["input_ids"]) for row in rows]
        # Requests share a batch only when they decode the same way; within a group, similar
        # lengths go together so little padding is wasted.
        groups: dict[tuple, list[int]] = {}
        for i, r in enumerate(requests):
            sample = r.temperature is not None and r.temperature > 0
            key = (sample, round(r.temperature, 4) if sample else 0.0, round(r.top_p, 4) if sample else 1.0, tuple(r.stop or ()))
            groups.setdefault(key, []).append(i)
        results: list[GenerationResult | None] = [None] * len(requests)
        for key, idxs in groups.items():
            idxs.sort(key=lambda i: lengths[i])
            for start in range(0, len(idxs), self.batch_size):
                batch = idxs[start:start + self.batch_size]
                for i, res in zip(batch, self._generate_batch(tokenizer, model, [requests[i] for i in batch], [rows[i] for i in batch], key)):
                    results[i] = res
        return results  # type: ignore[return-value]

    def _generate_batch(self, tokenizer, model, requests, rows, key) -> list[GenerationResult]:
        import torch

        sample, temperature, top_p, stop = key
        started = time.perf_counter()
        t0 = time.monotonic()
        enc = {k: v.to(model.device) for k, v in tokenizer.pad(rows, return_tensors="pt").items()}
        max_new = max(int(r.max_new_tokens) for r in requests)
        deadlines = [t0 + r.timeout_s if r.timeout_s else None for r in requests]
        timed_out: set[int] = set()
        prompt_len = enc["input_ids"].shape[1]
        eos_ids: set[int] = set()
        for x in (tokenizer.pad_token_id, tokenizer.eos_token_id, model.generation_config.eos_token_id):
            eos_ids |= set(x) if isinstance(x, (list, tuple)) else {x}
        eos_ids.discard(None)
        gen_kwargs = dict(max_new_tokens=max_new, do_sample=sample, pad_token_id=tokenizer.pad_token_id,
                          stopping_criteria=_deadline_criteria(deadlines, timed_out, prompt_len, eos_ids))
        if sample:
            gen_kwargs.update(temperature=temperature, top_p=top_p)
            seed = next((r.seed for r in requests if r.seed is not None), None)
            if seed is not None:  # one seed per batch: the first request's
                torch.manual_seed(int(seed))
        else:
            gen_kwargs.update(temperature=None, top_p=None, top_k=None)
        if stop:
            gen_kwargs.update(stop_strings=list(stop), tokenizer=tokenizer)
        try:
            with torch.inference_mode():
                out = model.generate(**enc, **gen_kwargs)
        except (RuntimeError, ValueError) as exc:
            raise BackendError(f"Generation failed on {self.model_id}: {exc}") from exc
        latency_ms = (time.perf_counter() - started) * 1000.0

        results = []
        for row, req in enumerate(requests):
            gen = out[row, prompt_len:].tolist()
            limit = int(req.max_new_tokens)
            eos_at = next((j for j, tok in enumerate(gen) if tok in eos_ids), None)
            ended = eos_at is not None and eos_at < limit
            n = eos_at if ended else min(len(gen), limit)
            text = tokenizer.decode(gen[:n], skip_special_tokens=True)
            cut = [text.find(s) for s in (req.stop or []) if s and s in text]
            if cut:
                text, reason = text[: min(cut)], "stop"
            elif row in timed_out and n < limit:
                reason = "timeout"
            elif ended:
                reason = "stop"
            elif n >= limit:
                reason = "length"
            else:
                reason = "stop"
            results.append(GenerationResult(
                text=text.strip(), tokens_in=int(enc["attention_mask"][row].sum().item()), tokens_out=n,
                latency_ms=latency_ms, model_id=self.model_id, finish_reason=reason,
            ))
        return results

    def close(self) -> None:
        # Weights stay in the process cache on purpose: a settings reset must not reload them.
        pass
