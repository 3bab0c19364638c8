"""The package's shape: host-facing imports have no side effects, and dependencies point one way."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_NO_ADMIN = """
import sys
import django
from django.conf import settings
settings.configure(INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "ecom_ai"],
                   DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}})
django.setup()
import ecom_ai.actions
loaded = sorted(m for m in sys.modules if m.startswith("ecom_ai") and m.endswith(".admin"))
print(",".join(loaded))
"""


def test_importing_the_actions_registers_no_model_admin():
    done = subprocess.run([sys.executable, "-c", _NO_ADMIN], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


def test_no_module_of_the_app_is_over_600_lines():
    long = {str(p.relative_to(ROOT)): n for p in (ROOT / "ecom_ai").rglob("*.py")
            if "migrations" not in p.parts and (n := len(p.read_text(encoding="utf-8").splitlines())) > 600}
    assert long == {}
