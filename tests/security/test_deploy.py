"""``manage.py check --deploy`` is clean on the production settings, which refuse to start without a
real secret key and host names."""
from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _check(**env):
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--settings=demo_shop.settings_production"],
                          cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_on_production_settings():
    r = _check(DJANGO_SECRET_KEY=secrets.token_urlsafe(64), DJANGO_ALLOWED_HOSTS="shop.example.com")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "System check identified no issues (0 silenced)." in r.stdout, r.stdout + r.stderr


def test_production_settings_refuse_a_missing_or_weak_secret_and_missing_hosts():
    for env, why in [({"DJANGO_ALLOWED_HOSTS": "shop.example.com"}, "DJANGO_SECRET_KEY must be set"),
                     ({"DJANGO_SECRET_KEY": "short", "DJANGO_ALLOWED_HOSTS": "shop.example.com"}, "at least 50"),
                     ({"DJANGO_SECRET_KEY": secrets.token_urlsafe(64)}, "DJANGO_ALLOWED_HOSTS")]:
        r = _check(**env)
        assert r.returncode != 0 and why in r.stderr, (env, r.stderr[-800:])
