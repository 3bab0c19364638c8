"""Generation on a tiny local model, measured side by side in one run:

1. batched (batch 16) against one request at a time on the same prompts: tokens/s and the ratio;
2. the full job path (admin action's service -> task -> pipeline -> saved drafts) against calling
   the backend directly for the same 64 inquiry requests: the overhead in percent.

Run: .venv/bin/python benchmarks/generation.py [--batch 16] [--new-tokens 128] [--threads 1] [--arch gpt2]
                                               [--hidden 32 --layers 2] [--skip-job-path]

On a CPU the gain from batching shrinks as the tiny model grows (attention over the KV cache grows
with the batch while per-step Python overhead is what batching saves); try --hidden 64 or 256.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

from _common import setup_django

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


def _default_backend(arch: str = "gpt2", batch: int = 16, threads: int | None = None, hidden: int = 32,
                     layers: int = 2):
    global _BACKEND
    if _BACKEND is None:
        path = build_tiny_model(os.path.join(tempfile.mkdtemp(prefix="ecom_ai_bench_"), f"tiny-{arch}"), arch,
                                hidden=hidden, layers=layers)
        _BACKEND = TransformersBackend("bench", model=path, batch_size=batch, num_threads=threads)
    return _BACKEND


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--new-tokens", type=int, default=128)
    parser.add_argument("--arch", default="gpt2", choices=["gpt2", "qwen2"])
    parser.add_argument("--threads", type=int, default=1, help="CPU threads (1 avoids contention on a shared machine)")
    parser.add_argument("--hidden", type=int, default=32, help="hidden size of the tiny model")
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--skip-job-path", action="store_true")
    args = parser.parse_args(argv)

    # Prompts carry a random fence marker; fix it so both runs see the very same prompts.
    import ecom_ai.llm.base as base

    base.new_marker = lambda: "UNTRUSTED-0123456789abcdef"
    backend = _default_backend(args.arch, args.batch, args.threads, args.hidden, args.layers)
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
    if not args.skip_job_path:
        job_path_overhead(backend)
    return 0


def job_path_overhead(backend, n: int = 64) -> None:
    """The job engine's cost on top of the backend, for n inquiry drafts on a small seeded shop."""
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"  # the worker's code path, in this process
    # BACKENDS and FEATURES are merged over ecom_ai's defaults: "default" stays, inquiry_reply goes to "bench"
    setup_django("generation", ecom_ai={
        "BACKENDS": {"bench": {"BACKEND": "ecom_ai.llm.transformers.TransformersBackend",
                               "OPTIONS": {"model": backend.model_path, "batch_size": backend.batch_size,
                                           "num_threads": backend.num_threads}}},
        "FEATURES": {"inquiry_reply": "bench"}, "CHUNK_SIZE": n})
    from django.core.management import call_command

    from demo_shop.models import Customer, Product
    from ecom_ai.llm import registry
    from ecom_ai.inquiries.models import Inquiry
    from ecom_ai.jobs.pipeline import get_pipeline
    from ecom_ai.jobs import engine as jobs

    call_command("seed_demo", "--products", "60", "--customers", "80", "--seed", "7", verbosity=0)
    products = list(Product.objects.filter(category__name="手机").values_list("id", flat=True)) or \
        list(Product.objects.values_list("id", flat=True))
    customers = list(Customer.objects.values_list("id", "user_id")[:n])

    def make_inquiries():
        return [Inquiry.objects.create(customer_id=c, user_id=u, text="这款手机的电池容量是多少？", language="zh",
                                       product_id=products[i % len(products)])
                for i, (c, u) in enumerate(customers)]

    pipeline = get_pipeline("inquiry_reply")
    backend_for_feature = registry.backend_for("inquiry_reply")

    def direct():
        """The very requests the pipeline builds, straight to the backend."""
        job = jobs.start_job("inquiry_reply", make_inquiries(), dispatch=False)
        units = pipeline.collect(job, list(job.items.all()))
        for unit in units:
            pipeline.ground(job, unit)
        requests = [u.request for u in units if u.request is not None]
        results, seconds = direct_backend_run(requests, backend_for_feature)
        return seconds, sum(r.tokens_out for r in results), len(requests)

    def job_path():
        """start_job (what the admin action calls) -> task -> chunk -> pipeline -> saved drafts."""
        inquiries = make_inquiries()
        started = time.perf_counter()
        job = jobs.start_job("inquiry_reply", inquiries)   # autocommit: enqueued and run at once
        seconds = time.perf_counter() - started
        job.refresh_from_db()
        return seconds, job.tokens_out, job

    # A warm worker has its model, jieba and the catalogue index loaded: warm both paths once.
    jobs.start_job("inquiry_reply", make_inquiries()[:4])
    direct()
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        pr = cProfile.Profile()
        pr.enable()
        job_path()
        pr.disable()
        pstats.Stats(pr).sort_stats("cumulative").print_stats(40)
    runs = []
    for _ in range(3):  # interleaved, so machine noise falls on both alike
        runs.append((direct(), job_path()))
    (direct_s, direct_tokens, n_requests), (job_s, job_tokens, job) = runs[-1]
    per_token_direct = statistics.median(d[0] / max(1, d[1]) for d, _ in runs)
    per_token_job = statistics.median(j[0] / max(1, j[1]) for _, j in runs)
    print(f"job path (last of 3 runs): {job.n_done} drafts saved ({job.n_failed} failed), {job_tokens} tokens "
          f"in {job_s:.3f}s; backend directly: {n_requests} requests, {direct_tokens} tokens in {direct_s:.3f}s")
    print(f"job-path overhead over the backend alone (median of 3 interleaved runs, per token): "
          f"{100 * (per_token_job / per_token_direct - 1):.1f}%")


if __name__ == "__main__":
    sys.exit(main())
