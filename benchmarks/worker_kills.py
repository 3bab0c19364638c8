# long-running
"""A live Celery worker whose pool processes are SIGKILLed at random moments during a 2,000-item job.

Starts a real ``celery worker`` (prefork, ``-c 2``) on the broker named by ``--broker`` (``filesystem``,
a ``redis://`` or an ``amqp://`` URL), starts an "echo" job (tests.support.EchoPipeline: one admin LogEntry
per item, so an item done twice shows), SIGKILLs pool processes ``--kills`` times at random moments (some
while a chunk runs, some between chunks: a freshly forked replacement is killed before it takes work) and
watches progress. Prints the undisturbed time (``--kills 0``) or the time with kills, whether the job
wedged (no progress for ``--wedge-after`` seconds) and what ``inspect reserved``/``active`` said then.

Run, e.g.:
  .venv/bin/python benchmarks/worker_kills.py --broker filesystem --kills 5
  ECOM_AI_WORKER_POOL=prefork .venv/bin/python benchmarks/worker_kills.py --broker filesystem --kills 5
      (Celery's stock prefork pool; `-P prefork` would not do: Celery then takes the configured pool)
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/ecom_ai_worker \\
    .venv/bin/python benchmarks/worker_kills.py --broker redis://127.0.0.1:6379/12 --kills 5
Uses a throwaway SQLite database unless DATABASE_URL is set, and a throwaway broker folder.
"""
from __future__ import annotations

import argparse
import os
import random
import shlex
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.killing import Run  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--broker", default="filesystem")
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--chunk", type=int, default=20)
    parser.add_argument("--sleep", type=float, default=0.25, help="seconds each chunk sleeps (its 'model call')")
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--main", action="store_true", help="kill the worker's main process (and its pool), then start a new one")
    parser.add_argument("--worker-args", default="", help="extra arguments for `celery worker`, e.g. '-O default'")
    parser.add_argument("--stall-timeout", type=float, default=None, help="ECOM_AI STALL_TIMEOUT for the run")
    parser.add_argument("--wedge-after", type=float, default=60)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="worker_kills_"))
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{work / 'db.sqlite3'}"
    broker = "filesystem://" if args.broker == "filesystem" else args.broker
    rng = random.Random(args.seed)
    run = Run.prepare(broker, work, worker_args=shlex.split(args.worker_args), stall_timeout=args.stall_timeout)
    try:
        report = run.job_with_kills(args.items, chunk=args.chunk, sleep=args.sleep, kills=args.kills, rng=rng,
                                    kill_main=args.main, wedge_after=args.wedge_after, timeout=args.timeout,
                                    log=print)
    finally:
        run.close()
    print(report.summary())
    sys.exit(0 if report.finished else 1)


if __name__ == "__main__":
    main()
