"""What the benchmarks share: the repository on ``sys.path`` and a Django set up on a throwaway database.

A benchmark runs as a script (``.venv/bin/python benchmarks/<name>.py``), so this folder is on ``sys.path``
and ``from _common import setup_django`` finds this module; importing it puts the repository there too.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _repository_on_path() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


_repository_on_path()


def setup_django(name: str, *, fresh: bool = True, migrate: bool = True, keep_database_url: bool = False,
                 ecom_ai: dict | None = None) -> None:
    """Set Django up with the demo shop's settings for the benchmark ``name``.

    The database is ``sqlite:////tmp/bench_<name>.sqlite3`` unless ``keep_database_url`` and ``DATABASE_URL``
    is already set (PostgreSQL, say); ``fresh`` deletes a SQLite file first. ``ecom_ai`` is merged into
    ``settings.ECOM_AI`` (keys such as ``BACKENDS`` are merged over ecom_ai's defaults, as always);
    ``migrate`` migrates the database.
    """
    _repository_on_path()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demo_shop.settings")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ECOM_AI_LOG_LEVEL", "WARNING")
    if not (keep_database_url and os.environ.get("DATABASE_URL")):
        os.environ["DATABASE_URL"] = f"sqlite:////tmp/bench_{name}.sqlite3"
    url = os.environ["DATABASE_URL"]
    if fresh and url.startswith("sqlite:///") and os.path.exists(url[len("sqlite:///"):]):
        os.remove(url[len("sqlite:///"):])

    import django

    django.setup()
    if ecom_ai:
        from django.conf import settings

        from ecom_ai.conf import ecom_ai_settings

        settings.ECOM_AI = {**settings.ECOM_AI, **ecom_ai}
        ecom_ai_settings.reload()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


__all__ = ["ROOT", "setup_django"]
