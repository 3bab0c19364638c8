"""OpenAICompatibleBackend: chat completions over HTTP (vLLM, TGI, Ollama, a hosted API), standard library only."""
from __future__ import annotations

import json
import os
import random
import socket
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from ecom_ai.llm.base import (
    BackendConfigError,
    BackendError,
    BackendUnavailable,
    BaseBackend,
    GenerationRequest,
    GenerationResult,
)

_RETRY_AFTER_MAX_S = 30.0


class OpenAICompatibleBackend(BaseBackend):
    """POST {base_url}/chat/completions, one request per item, at most ``concurrency`` at once.

    Retries with exponential backoff and jitter on 429 (honouring Retry-After), 5xx, connection
    errors and timeouts; raises BackendUnavailable when they are used up. Any other 4xx raises
    BackendError at once with the server's message. A failed item fails the whole batch.
    """

    sends_off_machine = True

    def __init__(self, alias: str = "server", base_url: str = "", model: str = "", api_key_env: str = "OPENAI_API_KEY",
                 timeout_s: float = 30, max_retries: int = 3, backoff_s: float = 0.5, concurrency: int = 4,
                 extra_body: dict | None = None, **options):
        super().__init__(alias, **options)
        if self.options:
            raise BackendConfigError(f"Unknown OpenAICompatibleBackend options: {', '.join(sorted(self.options))}")
        if not base_url or not model:
            raise BackendConfigError("OpenAICompatibleBackend needs OPTIONS['base_url'] and OPTIONS['model']")
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.api_key_env = api_key_env
        self.timeout_s = float(timeout_s)
        self.max_retries = max(0, int(max_retries))
        self.backoff_s = float(backoff_s)
        self.concurrency = max(1, int(concurrency))
        self.extra_body = dict(extra_body or {})
        # Shared by every thread using this instance, so concurrent generate() calls stay within the limit.
        self._slots = threading.BoundedSemaphore(self.concurrency)
        self._executor = ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix=f"ecom_ai-{alias}")
        self.retries = 0  # retries made by this instance, for monitoring and tests

    @property
    def model_id(self) -> str:
        return self.model

    @property
    def endpoint(self) -> str:
        return f"{self.base_url}/chat/completions"

    def payload(self, request: GenerationRequest) -> dict:
        body = {
            "model": self.model,
            "messages": self.prompt(request),
            "max_tokens": int(request.max_new_tokens),
            "temperature": float(request.temperature),
            "top_p": float(request.top_p),
        }
        if request.seed is not None:
            body["seed"] = int(request.seed)
        if request.stop:
            body["stop"] = list(request.stop)[:4]
        body.update(self.extra_body)
        return body

    def generate(self, requests: list[GenerationRequest]) -> list[GenerationResult]:
        if not requests:
            return []
        futures = [self._executor.submit(self._one, r) for r in requests]
        results, first_error = [], None
        for f in futures:
            try:
                results.append(f.result())
            except BackendError as exc:
                # A transient error wins over a permanent one: the job engine retries those items.
                if first_error is None or (isinstance(exc, BackendUnavailable) and not isinstance(first_error, BackendUnavailable)):
                    first_error = exc
        if first_error is not None:
            raise first_error
        return results

    def _headers(self) -> dict:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        key = os.environ.get(self.api_key_env or "", "")
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return headers

    def _sleep_before_retry(self, attempt: int, retry_after: str | None) -> None:
        delay = self.backoff_s * (2 ** attempt) * (1 + random.random() * 0.25)
        if retry_after:
            try:
                delay = max(delay, min(float(retry_after), _RETRY_AFTER_MAX_S))
            except ValueError:
                pass
        time.sleep(delay)

    def _one(self, request: GenerationRequest) -> GenerationResult:
        data = json.dumps(self.payload(request), ensure_ascii=False).encode("utf-8")
        timeout = min(self.timeout_s, request.timeout_s) if request.timeout_s else self.timeout_s
        last = ""
        for attempt in range(self.max_retries + 1):
            retry_after = None
            started = time.perf_counter()
            try:
                with self._slots:
                    req = urllib.request.Request(self.endpoint, data=data, headers=self._headers(), method="POST")
                    with urllib.request.urlopen(req, timeout=timeout) as resp:
                        body = resp.read()
                latency_ms = (time.perf_counter() - started) * 1000.0
                return self._parse(body, latency_ms)
            except urllib.error.HTTPError as exc:
                message = _server_message(exc)
                if exc.code == 429 or exc.code >= 500:
                    last = f"HTTP {exc.code}: {message}"
                    retry_after = exc.headers.get("Retry-After") if exc.headers else None
                else:
                    raise BackendError(f"{self.endpoint} answered HTTP {exc.code}: {message}") from exc
            except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError) as exc:
                reason = getattr(exc, "reason", exc)
                last = f"timed out after {timeout:g}s" if isinstance(reason, (socket.timeout, TimeoutError)) else f"connection error: {reason}"
            if attempt < self.max_retries:
                self.retries += 1
                self._sleep_before_retry(attempt, retry_after)
        raise BackendUnavailable(f"{self.endpoint} unavailable after {self.max_retries + 1} attempts: {last}")

    def _parse(self, body: bytes, latency_ms: float) -> GenerationResult:
        try:
            doc = json.loads(body)
            choice = doc["choices"][0]
            text = (choice.get("message") or {}).get("content") or choice.get("text") or ""
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise BackendError(f"{self.endpoint} returned an unexpected body: {body[:200]!r}") from exc
        usage = doc.get("usage") or {}
        finish = choice.get("finish_reason") or "stop"
        if finish not in ("stop", "length"):
            finish = "stop" if finish in ("eos", "stop_sequence", "end_turn") else ("length" if finish == "max_tokens" else "stop")
        return GenerationResult(
            text=text.strip(), tokens_in=int(usage.get("prompt_tokens") or 0), tokens_out=int(usage.get("completion_tokens") or 0),
            latency_ms=latency_ms, model_id=doc.get("model") or self.model, finish_reason=finish,
        )

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


def _server_message(exc: urllib.error.HTTPError) -> str:
    try:
        raw = exc.read()
    except Exception:
        return exc.reason or ""
    try:
        doc = json.loads(raw)
        err = doc.get("error", doc)
        if isinstance(err, dict):
            return str(err.get("message") or err)
        return str(err)
    except ValueError:
        return raw[:300].decode("utf-8", "replace")
