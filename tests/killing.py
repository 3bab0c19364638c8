"""Kill a live worker's processes at random moments during a job and watch the job: shared by
``tests/jobs/test_worker_kills.py`` and ``benchmarks/worker_kills.py``.

A job's progress is read from the database (the same one the worker writes); the echo pipeline
(tests.support.EchoPipeline) writes one admin LogEntry per item, so an item done twice shows.
"""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.live import ROOT, Worker


_SAVED: dict = {}


def broker_env(broker_url: str, work_dir: Path) -> dict:
    """Environment for a worker (and beat) on ``broker_url``; the filesystem broker's folder lives in ``work_dir``."""
    return {"CELERY_BROKER_URL": broker_url, "ECOM_AI_VAR_DIR": str(work_dir / "var"),
            "CELERY_BROKER_POLLING_INTERVAL": "0.2"}


def point_app_at(broker_url: str, work_dir: Path) -> str | None:
    """Make this process's Celery app send to ``broker_url`` (the worker's broker) and purge its queue.

    Celery reads ``CELERY_BROKER_URL`` from the environment before its configuration, so that is set too;
    returns its previous value for :func:`restore_env`."""
    from demo_shop.celery import app

    previous = os.environ.get("CELERY_BROKER_URL")
    _SAVED.setdefault("conf", (app.conf.broker_url, app.conf.broker_transport_options))
    os.environ["CELERY_BROKER_URL"] = broker_url
    app.conf.broker_url = broker_url
    app.conf.task_always_eager = False
    if broker_url.startswith("filesystem://"):
        folder = work_dir / "var" / "broker"
        for name in ("out", "processed", "control"):
            (folder / name).mkdir(parents=True, exist_ok=True)
        app.conf.broker_transport_options = {
            "data_folder_in": str(folder / "out"), "data_folder_out": str(folder / "out"),
            "processed_folder": str(folder / "processed"), "control_folder": str(folder / "control"),
            "store_processed": False, "polling_interval": 0.2,
        }
    _forget_connections(app)
    with app.connection_for_write() as conn:
        try:
            conn.default_channel.queue_purge("celery")
        except conn.channel_errors:  # RabbitMQ: the queue does not exist yet, nothing to purge
            pass
    return previous


def _forget_connections(app) -> None:
    """Drop the connection and producer pools made for the previous broker: they keep its transport."""
    from kombu import pools

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


def restore_env(previous: str | None) -> None:
    """Undo :func:`point_app_at`: the environment variable and the app's broker settings."""
    from demo_shop.celery import app

    if previous is None:
        os.environ.pop("CELERY_BROKER_URL", None)
    else:
        os.environ["CELERY_BROKER_URL"] = previous
    if "conf" in _SAVED:
        app.conf.broker_url, app.conf.broker_transport_options = _SAVED.pop("conf")
    _forget_connections(app)


class Beat:
    """``celery beat`` in its own process (the stall check runs from its schedule)."""

    def __init__(self, env: dict, work_dir: Path):
        self.env, self.work_dir = env, work_dir
        self.proc: subprocess.Popen | None = None

    def start(self) -> "Beat":
        log = open(self.work_dir / "beat.log", "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "demo_shop", "beat", "-l", "info",
             "-s", str(self.work_dir / "celerybeat-schedule")],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)


@dataclass
class Report:
    broker: str
    n_items: int
    status: str = ""
    seconds: float = 0.0
    n_done: int = 0
    n_failed: int = 0
    results: int = 0            # items with a result (LogEntry)
    written_twice: int = 0      # items whose result was written more than once
    kills: list = field(default_factory=list)
    wedged_at: float | None = None
    wedge_info: str = ""
    stalled_seen: bool = False

    @property
    def finished(self) -> bool:
        return self.status == "done" and self.n_done == self.n_items and self.results == self.n_items \
            and not self.written_twice

    def summary(self) -> str:
        lines = [f"broker={self.broker} items={self.n_items} status={self.status} time={self.seconds:.1f}s "
                 f"done={self.n_done} failed={self.n_failed} results={self.results} written_twice={self.written_twice} "
                 f"stalled_seen={self.stalled_seen}",
                 "kills: " + ", ".join(self.kills)]
        if self.wedged_at is not None:
            lines.append(f"WEDGED: no progress from {self.wedged_at:.1f}s on\n{self.wedge_info}")
        return "\n".join(lines)


class Run:
    """A worker (and a beat) on one broker and the current database."""

    def __init__(self, broker_url: str, work_dir: Path, *, worker_args=(), stall_timeout: float | None = None,
                 with_beat: bool = True):
        self.broker_url, self.work_dir = broker_url, Path(work_dir)
        self.env = broker_env(broker_url, self.work_dir)
        if stall_timeout:
            # the live tests heal on the stall timeout alone: no chunk time limit to wait out
            self.env.update(ECOM_AI_STALL_TIMEOUT=str(stall_timeout), ECOM_AI_CHUNK_TIME_LIMIT="0")
        self.worker = Worker(broker_url, self.work_dir / "worker.log", extra_args=list(worker_args),
                             extra_env=self.env)
        self.beat = Beat({**self.worker.env()}, self.work_dir) if with_beat else None

    @classmethod
    def prepare(cls, broker_url: str, work_dir: Path, **kwargs) -> "Run":
        """Outside pytest (the benchmark): Django on tests.settings, the database migrated."""
        os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
        os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
        os.environ["ECOM_AI_LOG_LEVEL"] = "WARNING"
        if kwargs.get("stall_timeout"):
            os.environ["ECOM_AI_STALL_TIMEOUT"] = str(kwargs["stall_timeout"])
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from django.contrib.auth import get_user_model

        get_user_model().objects.filter(username__startswith="wk").delete()
        return cls(broker_url, work_dir, **kwargs)

    def start(self) -> "Run":
        self._previous_url = point_app_at(self.broker_url, self.work_dir)
        self.worker.start()
        if self.beat:
            self.beat.start()
        return self

    def close(self) -> None:
        self.worker.stop()
        if self.beat:
            self.beat.stop()
        if hasattr(self, "_previous_url"):
            restore_env(self._previous_url)

    # ----------------------------------------------------------------- the job
    @staticmethod
    def users(n: int):
        from django.contrib.auth import get_user_model

        User = get_user_model()
        User.objects.bulk_create([User(username=f"wk{i:05d}") for i in range(n)], ignore_conflicts=True)
        return User.objects.filter(username__startswith="wk")

    def job_with_kills(self, n_items: int, *, chunk: int = 20, sleep: float = 0.25, kills: int = 5,
                       rng: random.Random | None = None, kill_main: bool | str = False, span: float | None = None,
                       wedge_after: float = 60, timeout: float = 600, log=lambda *a: None) -> Report:
        """Start an echo job over ``n_items`` users; ``kills`` times, SIGKILL a pool process (or the whole
        worker, ``kill_main``, then start a new one; ``kill_main="term"``: SIGTERM it, as a deploy does) at a
        random moment within ``span`` seconds; wait for the end (or ``timeout``). A freshly forked
        replacement is killed now and then before it takes work."""
        from django.contrib.admin.models import LogEntry
        from django.db.models import Count

        from ecom_ai.jobs import engine as jobs

        rng = rng or random.Random()
        if self.worker.proc is None:
            self.start()
        targets = self.users(n_items)
        job = jobs.start_job("echo", targets, params={"chunk_size": chunk, "sleep": sleep})
        report = Report(self.broker_url.split(":")[0], job.n_items)
        chunks = -(-n_items // chunk)
        span = span or max(5.0, 0.7 * chunks * (sleep + 0.05) / self.worker.concurrency)
        moments = sorted(rng.uniform(0.5, span) for _ in range(kills))
        started = time.monotonic()
        last_done, last_change = -1, started
        not_before = 0.0
        while True:
            now = time.monotonic() - started
            if moments and now >= max(moments[0], not_before):
                moments.pop(0)
                report.kills.append(self._kill(rng, kill_main, now))
                log(f"{now:6.1f}s kill: {report.kills[-1]}")
                if kill_main:
                    # a kill due while the new worker was starting waits a random moment after it is up:
                    # killing every new worker the instant it starts is a crash loop, which fails the
                    # chunk it keeps dying on after MAX_ITEM_ATTEMPTS by design
                    not_before = time.monotonic() - started + rng.uniform(0.3, 1.5)
            job.refresh_from_db()
            if job.status == "stalled" or getattr(job, "stalled_at", None):
                report.stalled_seen = True
            if job.n_done + job.n_failed != last_done:
                last_done, last_change = job.n_done + job.n_failed, time.monotonic()
                log(f"{now:6.1f}s {job.status} done={job.n_done} running={job.n_running} pending={job.n_pending}")
            elif report.wedged_at is None and time.monotonic() - last_change > wedge_after:
                report.wedged_at = last_change - started
                report.wedge_info = self.inspect()
                log(f"{now:6.1f}s no progress for {wedge_after:.0f}s\n{report.wedge_info}")
            if job.status not in ("queued", "running", "stalled") or now > timeout:
                break
            time.sleep(0.1)
        report.seconds = time.monotonic() - started
        report.status, report.n_done, report.n_failed = job.status, job.n_done, job.n_failed
        per_item = (LogEntry.objects.filter(object_repr=f"echo job {job.pk}").values("object_id")
                    .annotate(n=Count("id")).values_list("n", flat=True))
        per_item = list(per_item)
        report.results, report.written_twice = len(per_item), sum(1 for n in per_item if n > 1)
        return report

    def _kill(self, rng: random.Random, kill_main: bool, now: float) -> str:
        if kill_main == "term":
            self.worker.stop()
            self.worker.start()
            return f"{now:.1f}s SIGTERM, new worker started"
        if kill_main:
            self.worker.kill()
            self.worker.start()
            return f"{now:.1f}s main+pool SIGKILLed, new worker started"
        deadline = time.monotonic() + 10
        pids = self.worker.pool_pids()
        while not pids and time.monotonic() < deadline:  # the pool is being refilled
            time.sleep(0.01)
            pids = self.worker.pool_pids()
        if not pids:
            return f"{now:.1f}s no pool process"
        if rng.random() < 0.5:
            # between tasks: kill a replacement as soon as it is forked, before it has taken work
            victim = rng.choice(pids)
            os.kill(victim, signal.SIGKILL)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                fresh = [p for p in self.worker.pool_pids() if p not in pids]
                if fresh:
                    time.sleep(rng.uniform(0, 0.05))
                    os.kill(fresh[0], signal.SIGKILL)
                    return f"{now:.1f}s pid {victim} then its fresh replacement {fresh[0]}"
                time.sleep(0.005)
            return f"{now:.1f}s pid {victim} (no replacement seen)"
        victim = rng.choice(pids)
        os.kill(victim, signal.SIGKILL)
        return f"{now:.1f}s pid {victim}"

    def inspect(self) -> str:
        from demo_shop.celery import app

        try:
            insp = app.control.inspect(timeout=3)
            reserved, active, stats = insp.reserved() or {}, insp.active() or {}, insp.stats() or {}
            lines = []
            for name in sorted(set(reserved) | set(active) | set(stats)):
                pool = stats.get(name, {}).get("pool", {})
                lines.append(f"{name}: reserved={[r.get('id', '')[:8] for r in reserved.get(name, [])]} "
                             f"active={[r.get('id', '')[:8] for r in active.get(name, [])]} "
                             f"pool processes={pool.get('processes')} writes={pool.get('writes')}")
            return "\n".join(lines) or "no worker answered"
        except Exception as exc:  # noqa: BLE001 - a report, whatever the broker says
            return f"inspect failed: {exc}"
