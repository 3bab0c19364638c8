"""``ecom_ai health``: is the database there, the broker there, and does every worker run the work it holds?

A worker can be alive, answer pings and still never run the messages it reserved (a wedged prefork
pool: see :mod:`ecom_ai.jobs.pool`). :func:`check_workers` asks each worker twice, ``interval`` seconds
apart, what it has reserved and what it runs: a task reserved in both answers while the worker had an
idle pool process both times is work it holds and does not run. Each check gives a line for people and
an ok flag; the command exits non-zero when one fails (a liveness probe, a systemd watchdog).
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from django.db import connection


@dataclass
class Check:
    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{'OK  ' if self.ok else 'FAIL'} {self.name}: {self.detail}"


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure is the answer
        return Check("database", False, f"unreachable ({connection.vendor}): {exc}")
    return Check("database", True, f"{connection.vendor} answers")


def check_broker(app, timeout: float) -> Check:
    url = app.connection_for_write().as_uri()  # password masked
    try:
        with app.connection_for_write(connect_timeout=timeout) as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
    except Exception as exc:  # noqa: BLE001
        return Check("broker", False, f"unreachable at {url}: {exc}")
    return Check("broker", True, f"{url} answers")


def _sample(app, timeout: float, worker: str | None) -> tuple[dict, dict, dict]:
    inspect = app.control.inspect(timeout=timeout, destination=[worker] if worker else None)
    reserved, active, stats = inspect.reserved() or {}, inspect.active() or {}, inspect.stats() or {}
    return reserved, active, stats


def check_workers(app, *, interval: float = 5.0, timeout: float = 3.0, worker: str | None = None) -> list[Check]:
    """One check per worker that answers (or one failing check when none does)."""
    reserved1, active1, stats = _sample(app, timeout, worker)
    if not stats:
        who = f"worker {worker}" if worker else "no worker"
        return [Check("workers", False, f"{who} answered within {timeout:g}s: queued jobs would never run")]
    time.sleep(interval)
    reserved2, active2, _ = _sample(app, timeout, worker)
    checks = []
    for name in sorted(stats):
        size = int(stats[name].get("pool", {}).get("max-concurrency") or 1)
        held = ({r["id"] for r in reserved1.get(name, [])} & {r["id"] for r in reserved2.get(name, [])})
        busy = max(len(active1.get(name, [])), len(active2.get(name, [])))
        if held and busy < size:
            checks.append(Check(f"worker {name}", False,
                                f"holds {len(held)} reserved task(s) it does not run for {interval:g}s while "
                                f"{size - busy} of its {size} pool process(es) are idle: restart it"))
        else:
            checks.append(Check(f"worker {name}", True, f"{busy} of {size} pool process(es) busy, "
                                                        f"{len(reserved2.get(name, []))} task(s) reserved"))
    return checks


def stalled_jobs() -> Check:
    """Not a failure of the worker (they heal, or staff resume them): shown so an operator sees them."""
    from ecom_ai.jobs.models import AIJob

    ids = list(AIJob.objects.filter(status__in=AIJob.ACTIVE, stalled_at__isnull=False).values_list("pk", flat=True)[:20])
    return Check("jobs", True, f"stalled: {', '.join(map(str, ids))}" if ids else "none stalled")


def run_checks(app, *, interval: float = 5.0, timeout: float = 3.0, worker: str | None = None) -> list[Check]:
    checks = [check_database(), check_broker(app, timeout)]
    if checks[1].ok:
        checks += check_workers(app, interval=interval, timeout=timeout, worker=worker)
    if checks[0].ok:
        checks.append(stalled_jobs())
    return checks
