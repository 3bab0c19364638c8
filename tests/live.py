"""Real services for tests: PostgreSQL, a Redis broker and a live Celery worker process.

``ECOM_AI_REQUIRE_SERVICES=1`` (CI sets it) turns a missing service into a failure, not a skip.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
REQUIRED = os.environ.get("ECOM_AI_REQUIRE_SERVICES") == "1"


def need(condition: bool, why: str) -> None:
    if condition:
        return
    if REQUIRED:
        pytest.fail(f"ECOM_AI_REQUIRE_SERVICES=1 but {why}", pytrace=False)
    pytest.skip(why)


def redis_broker_url() -> str:
    url = os.environ.get("CELERY_BROKER_URL", "")
    need(url.startswith(("redis://", "amqp://")), "CELERY_BROKER_URL names no Redis or RabbitMQ broker")
    if url.startswith("redis://"):
        import redis

        try:
            redis.Redis.from_url(url, socket_connect_timeout=2).ping()
        except Exception as exc:  # noqa: BLE001
            need(False, f"Redis at {url} does not answer: {exc}")
    return url


def require_postgres() -> None:
    need(connection.vendor == "postgresql", "the tests run on SQLite; set DATABASE_URL to a PostgreSQL database")


def children_of(pid: int) -> list[int]:
    """The live child processes of ``pid``, oldest first, from /proc (Linux)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) "
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append((int(fields[19]), int(entry.name)))  # start time, pid
    return [p for _, p in sorted(found)]


class Worker:
    """A real ``celery worker`` process on the test database, in its own process group."""

    def __init__(self, broker_url: str, log_path: Path, concurrency: int = 2, extra_args: list[str] = (),
                 extra_env: dict | None = None):
        self.broker_url = broker_url
        self.log_path = log_path
        self.concurrency = concurrency
        self.extra_args = list(extra_args)
        self.extra_env = extra_env or {}
        self.proc: subprocess.Popen | None = None

    def env(self) -> dict:
        db = settings.DATABASES["default"]
        if db["ENGINE"].endswith("sqlite3"):
            url = f"sqlite:///{db['NAME']}"
        else:
            url = f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": url,
            "CELERY_BROKER_URL": self.broker_url,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "CELERY_VISIBILITY_TIMEOUT": "6",
            "PYTHONPATH": str(ROOT),
            **self.extra_env,
        }

    def command(self) -> list[str]:
        return [sys.executable, "-m", "celery", "-A", "demo_shop", "worker", "-l", "info", "-c", str(self.concurrency),
                "--without-gossip", "--without-mingle", "-n", f"test{time.monotonic_ns()}@%h", *self.extra_args]

    def start(self, timeout: float = 60) -> "Worker":
        log = open(self.log_path, "ab")
        seen = self.log_path.read_text(errors="replace").count("ready.")
        self.proc = subprocess.Popen(
            self.command(),
            cwd=ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"celery worker exited with {self.proc.returncode}:\n{self.log_path.read_text()[-3000:]}")
            if self.log_path.read_text(errors="replace").count("ready.") > seen:
                return self
            time.sleep(0.2)
        pytest.fail(f"celery worker not ready after {timeout}s:\n{self.log_path.read_text()[-3000:]}")

    def pool_pids(self) -> list[int]:
        """The worker's pool processes (its children), oldest first (read from /proc: Linux)."""
        if not self.proc or self.proc.poll() is not None:
            return []
        return children_of(self.proc.pid)

    def kill(self) -> None:
        """SIGKILL the worker and its pool children, as a crash or an OOM kill would."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def live_worker(transactional_db, tmp_path):
    """A live worker on PostgreSQL and Redis; the test process sends real messages to it."""
    from demo_shop.celery import app

    from tests.killing import point_app_at, restore_env

    require_postgres()
    url = redis_broker_url()
    previous = point_app_at(url, tmp_path)  # and forget pools another test left on another broker
    worker = Worker(url, tmp_path / "worker.log").start()
    try:
        yield worker
    finally:
        worker.stop()
        restore_env(previous)
        app.conf.task_always_eager = True
        if "Traceback" in worker.log_path.read_text(errors="replace"):
            print(worker.log_path.read_text()[-5000:])
