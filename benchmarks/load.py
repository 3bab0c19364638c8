"""Load: N concurrent API clients for D seconds against gunicorn on PostgreSQL.

Creates a throwaway PostgreSQL database, migrates it, seeds a small shop (60 products, 120
customers), gives each client customer an inquiry job with drafts, starts gunicorn (gthread) on
127.0.0.1 on a free port and lets the clients, each a thread with its own session cookie, hit the
recommendation, inquiry and job-status endpoints (a few inquiry POSTs among them; the
``ecom_ai_inquiry`` throttle's 429s are counted apart). Prints per endpoint: requests, throughput,
p50, p99 and p99/p50, and the errors (any non-2xx that is not an expected 429, or a broken
connection). Exits 1 if there was any error.

    .venv/bin/python benchmarks/load.py [--duration 60] [--clients 50] [--workers 3] [--threads 4]
    [--database-url postgres://postgres@127.0.0.1:5432/ecom_ai_load] [--keep]

Jobs started by the POSTs are published to an in-memory broker and not run: this measures the API.
"""
from __future__ import annotations

import argparse
import http.client
import os
import random
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUESTIONS = ["这款手机的电池多大？", "屏幕多大？", "多少钱？", "有货吗？", "我的快递到哪了？", "可以退货吗？",
             "How big is the battery?", "Is it in stock?"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _recreate_database(url: str) -> None:
    import psycopg

    u = urlparse(url)
    name = u.path.lstrip("/")
    admin = f"host={u.hostname or '127.0.0.1'} port={u.port or 5432} user={u.username or 'postgres'} dbname=postgres"
    if u.password:
        admin += f" password={u.password}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _drop_database(url: str) -> None:
    import psycopg

    u = urlparse(url)
    admin = f"host={u.hostname or '127.0.0.1'} port={u.port or 5432} user={u.username or 'postgres'} dbname=postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{u.path.lstrip("/")}" WITH (FORCE)')


def prepare(clients: int) -> list[dict]:
    """Seed the shop; return one dict per client: session key, CSRF secret, own inquiry and job ids."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from demo_shop.models import Customer
    from ecom_ai.inquiries.models import Inquiry
    from ecom_ai.inquiries import services as inquiries
    from ecom_ai.jobs import engine as jobs

    call_command("migrate", verbosity=0)
    call_command("seed_demo", "--reset", "--seed", "1", "--products", "60", "--customers", "120", verbosity=0)
    customers = list(Customer.objects.filter(user__isnull=False).select_related("user").order_by("pk")[:clients])
    if len(customers) < clients:
        raise SystemExit(f"only {len(customers)} seeded customers have a login; ask for fewer clients")
    out = []
    for n, c in enumerate(customers):
        user = c.user
        created = [inquiries.create_inquiry(user=user, text=QUESTIONS[(n + i) % len(QUESTIONS)], start=False) for i in range(2)]
        job = jobs.start_job("inquiry_reply", Inquiry.objects.filter(pk__in=[i.pk for i in created]), user=user, dispatch=False)
        jobs.run_job_sync(job)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        out.append({"username": user.username, "session": session.session_key, "csrf": secrets.token_hex(16),
                    "inquiries": [i.pk for i in created], "job": job.pk})
    return out


def start_gunicorn(port: int, workers: int, threads: int, env: dict, log_path: Path) -> subprocess.Popen:
    log = open(log_path, "ab")
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "demo_shop.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads), "--backlog", "512",
         "--timeout", "60", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/ecom-ai/jobs/")
            if conn.getresponse().status in (401, 403):
                return proc
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("gunicorn did not answer within 60 s")


class Client(threading.Thread):
    def __init__(self, port: int, me: dict, until: float, seed: int, stats, lock):
        super().__init__(daemon=True)
        self.port, self.me, self.until, self.rng = port, me, until, random.Random(seed)
        self.stats, self.lock = stats, lock
        self.cookie = f"sessionid={me['session']}; csrftoken={me['csrf']}"

    def plan(self):
        r = self.rng.random()
        me = self.me
        if r < 0.25:
            return "GET recommendations", "GET", "/api/ecom-ai/recommendations/?k=10", None
        if r < 0.32:
            q = self.rng.choice(["我喜欢运动", "想要拍照好的手机", "便宜一点的", "gift for my mother"])
            return "GET recommendations?q", "GET", f"/api/ecom-ai/recommendations/?k=5&q={_quote(q)}", None
        if r < 0.50:
            return "GET inquiries/", "GET", "/api/ecom-ai/inquiries/", None
        if r < 0.68:
            return "GET inquiries/<id>/", "GET", f"/api/ecom-ai/inquiries/{self.rng.choice(me['inquiries'])}/", None
        if r < 0.80:
            return "GET jobs/", "GET", "/api/ecom-ai/jobs/", None
        if r < 0.97:
            return "GET jobs/<id>/", "GET", f"/api/ecom-ai/jobs/{me['job']}/", None
        body = ('{"text": "%s"}' % self.rng.choice(QUESTIONS)).encode("utf-8")
        return "POST inquiries/", "POST", "/api/ecom-ai/inquiries/", body

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        while time.monotonic() < self.until:
            name, method, path, body = self.plan()
            headers = {"Cookie": self.cookie, "Accept": "application/json"}
            if body is not None:
                headers.update({"Content-Type": "application/json", "X-CSRFToken": self.me["csrf"]})
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                resp = conn.getresponse()
                resp.read()
                status = resp.status
            except (OSError, http.client.HTTPException) as exc:
                status = f"{type(exc).__name__}"
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            elapsed = (time.perf_counter() - started) * 1000.0
            with self.lock:
                s = self.stats[name]
                if isinstance(status, int) and 200 <= status < 300:
                    s["ok"].append(elapsed)
                elif status == 429 and method == "POST":
                    s["throttled"] += 1
                else:
                    s["errors"][str(status)] += 1
        conn.close()


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text)


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, max(0, int(round(p / 100.0 * len(values) + 0.5)) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (default 60)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent API clients (default 50)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes (default 3)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (default 4)")
    parser.add_argument("--database-url", default=os.environ.get("LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ecom_ai_load"))
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        raise SystemExit("the load test runs on PostgreSQL: --database-url postgres://...")

    var_dir = Path(tempfile.mkdtemp(prefix="ecom_ai_load_"))
    env = {**os.environ, "DATABASE_URL": args.database_url, "DJANGO_SETTINGS_MODULE": "demo_shop.settings",
           "ECOM_AI_VAR_DIR": str(var_dir), "CELERY_BROKER_URL": "memory://", "CELERY_TASK_ALWAYS_EAGER": "0",
           "DJANGO_DEBUG": "0", "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost", "ECOM_AI_LOG_LEVEL": "WARNING",
           "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    os.environ.update(env)
    t0 = time.monotonic()
    _recreate_database(args.database_url)
    import django

    django.setup()
    from django.db import connections

    me = prepare(args.clients)
    connections.close_all()
    print(f"seeded and prepared {len(me)} clients in {time.monotonic() - t0:.1f}s (database {urlparse(args.database_url).path[1:]})")

    port = _free_port()
    gunicorn = start_gunicorn(port, args.workers, args.threads, env, var_dir / "gunicorn.log")
    try:
        # basic auth with the seeded customers' password works too (once: PBKDF2 would dominate the timings)
        import base64

        from demo_shop.seeding.generate import DEMO_PASSWORD

        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        token = base64.b64encode(f"{me[0]['username']}:{DEMO_PASSWORD}".encode()).decode()
        conn.request("GET", "/api/ecom-ai/jobs/", headers={"Authorization": f"Basic {token}"})
        basic = conn.getresponse().status
        conn.close()
        print(f"basic auth as {me[0]['username']} with the demo password: HTTP {basic}")
        # warm every endpoint once per worker (models, catalogue index)
        for _ in range(args.workers * 2):
            for path in ("/api/ecom-ai/recommendations/?k=10", "/api/ecom-ai/inquiries/", f"/api/ecom-ai/jobs/{me[0]['job']}/"):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                conn.request("GET", path, headers={"Cookie": f"sessionid={me[0]['session']}"})
                conn.getresponse().read()
                conn.close()

        stats = defaultdict(lambda: {"ok": [], "throttled": 0, "errors": defaultdict(int)})
        lock = threading.Lock()
        start = time.monotonic()
        until = start + args.duration
        threads = [Client(port, me[i % len(me)], until, i, stats, lock) for i in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(args.duration + 60)
        wall = time.monotonic() - start
    finally:
        os.killpg(gunicorn.pid, 15)
        try:
            gunicorn.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(gunicorn.pid, 9)
    if not args.keep:
        _drop_database(args.database_url)

    print(f"\n{args.clients} clients for {wall:.1f}s against gunicorn ({args.workers} workers x {args.threads} threads) "
          f"on PostgreSQL, {os.cpu_count()} CPU cores\n")
    head = f"{'endpoint':<26}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'p99/p50':>9}{'429':>6}{'errors':>8}"
    print(head)
    print("-" * len(head))
    total_ok = total_err = 0
    for name in sorted(stats):
        s = stats[name]
        ok, errs = s["ok"], sum(s["errors"].values())
        total_ok += len(ok)
        total_err += errs
        p50, p99 = _pct(ok, 50), _pct(ok, 99)
        print(f"{name:<26}{len(ok):>9}{len(ok) / wall:>9.1f}{p50:>9.1f}{p99:>9.1f}{p99 / p50 if p50 else 0:>9.1f}"
              f"{s['throttled']:>6}{errs:>8}")
    all_ok = [v for s in stats.values() for v in s["ok"]]
    print("-" * len(head))
    print(f"{'all':<26}{total_ok:>9}{total_ok / wall:>9.1f}{_pct(all_ok, 50):>9.1f}{_pct(all_ok, 99):>9.1f}"
          f"{_pct(all_ok, 99) / _pct(all_ok, 50):>9.1f}{sum(s['throttled'] for s in stats.values()):>6}{total_err:>8}")
    for name, s in stats.items():
        if s["errors"]:
            print(f"errors on {name}: {dict(s['errors'])}")
    log = (var_dir / "gunicorn.log").read_text(errors="replace")
    if "Traceback" in log:
        print("gunicorn log has tracebacks:\n" + log[-3000:])
    return 1 if total_err else 0


if __name__ == "__main__":
    sys.exit(main())
