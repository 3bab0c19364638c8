"""Batched against one-at-a-time generation on a tiny local model, measured side by side in one run.

Run: .venv/bin/python benchmarks/generation.py [--batch 16] [--new-tokens 128] [--threads 1] [--arch gpt2]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from ecom_ai.llm.base import Fact, GenerationRequest  # noqa: E402
from ecom_ai.llm.tiny import build_tiny_model  # noqa: E402
from ecom_ai.llm.transformers import TransformersBackend  # noqa: E402


def make_requests(n: int, new_tokens: int) -> list[GenerationRequest]:
    facts = [Fact("battery_capacity", "5000mAh", "product:42", label="电池容量"), Fact("price", "1999", "product:42", label="价格")]
    return [GenerationRequest("inquiry_reply", "zh", untrusted={"question": f"第{i}个问题：这款手机电池多大？" + "请问" * (i % 5)},
                              facts=facts, max_new_tokens=new_tokens, temperature=0) for i in range(n)]


def direct_backend_run(requests, backend=None):
    """Run ``requests`` straight through a backend, no job engine; returns (results, seconds)."""
    backend = backend or _default_backend()
    started = time.perf_counter()
    results = backend.generate(requests)
    return results, time.perf_counter() - started


_BACKEND = None


def _default_backend(arch: str = "gpt2", batch: int = 16, threads: int | None = None):
    global _BACKEND
    if _BACKEND is None:
        path = build_tiny_model(os.path.join(tempfile.mkdtemp(prefix="ecom_ai_bench_"), f"tiny-{arch}"), arch, hidden=64)
        _BACKEND = TransformersBackend("bench", model=path, batch_size=batch, num_threads=threads)
    return _BACKEND


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--new-tokens", type=int, default=128)
    parser.add_argument("--arch", default="gpt2", choices=["gpt2", "qwen2"])
    parser.add_argument("--threads", type=int, default=1, help="CPU threads (1 avoids contention on a shared machine)")
    args = parser.parse_args(argv)

    # Prompts carry a random fence marker; fix it so both runs see the very same prompts.
    import ecom_ai.llm.base as base

    base.new_marker = lambda: "UNTRUSTED-0123456789abcdef"
    backend = _default_backend(args.arch, args.batch, args.threads)
    requests = make_requests(args.batch, args.new_tokens)
    direct_backend_run(requests[:2], backend)  # load and warm up

    batched, batched_s = direct_backend_run(requests, backend)
    single_s, single = 0.0, []
    for r in requests:
        res, s = direct_backend_run([r], backend)
        single += res
        single_s += s
    tokens_b = sum(r.tokens_out for r in batched)
    tokens_s = sum(r.tokens_out for r in single)
    tps_b, tps_s = tokens_b / batched_s, tokens_s / single_s
    same = sum(a.text == b.text for a, b in zip(batched, single))
    print(f"model: {backend.model_id} ({args.arch}), device: {backend._load()[1].device}, requests: {len(requests)}, max_new_tokens: {args.new_tokens}")
    print(f"batched (batch {args.batch}):  {tokens_b} tokens in {batched_s:.3f}s = {tps_b:,.0f} tokens/s")
    print(f"one at a time:        {tokens_s} tokens in {single_s:.3f}s = {tps_s:,.0f} tokens/s")
    print(f"ratio batched / single: {tps_b / tps_s:.1f}x  (same text for {same}/{len(requests)} requests; greedy)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
