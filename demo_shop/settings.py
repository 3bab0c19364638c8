"""Settings of the demo shop.

Embedded defaults need no server: SQLite and kombu's filesystem broker. Set
``DATABASE_URL`` (e.g. ``postgres://user@127.0.0.1:5432/shop``) and
``CELERY_BROKER_URL`` (e.g. ``redis://127.0.0.1:6379/0`` or ``amqp://guest@127.0.0.1//``)
to move to real services with no code change.
"""
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ECOM_AI_VAR_DIR", BASE_DIR / "var"))

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "demo-shop-insecure-key-change-me")
DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "ecom_ai",
    "demo_shop",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "demo_shop.urls"
WSGI_APPLICATION = "demo_shop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0"))
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Worker and web server write to one file: wait for the lock rather than fail.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 30, "transaction_mode": "IMMEDIATE"})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"

# --- Celery ---------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
        "polling_interval": float(os.environ.get("CELERY_BROKER_POLLING_INTERVAL", "1")),
    }
    for _d in ("out", "processed", "control"):
        (_broker_dir / _d).mkdir(parents=True, exist_ok=True)
else:
    # Redis: an unacknowledged message comes back this long after its worker died (keep it above
    # the longest chunk's run time). RabbitMQ redelivers at once and ignores these options.
    _visibility = int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600"))
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": _visibility,
        "unacked_restore_interval": max(1, min(10, _visibility // 3)),
        "unacked_restore_throttle": 1 if _visibility < 600 else 10,
    }
# seconds without progress before a job is marked stalled and healed (ecom_ai.jobs.stalls); the beat looks
# five times per period
_STALL_TIMEOUT = float(os.environ.get("ECOM_AI_STALL_TIMEOUT", "300"))
CELERY_TASK_ALWAYS_EAGER = os.environ.get("CELERY_TASK_ALWAYS_EAGER", "0") == "1"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's prefork pool, except that a pool process SIGKILLed between two tasks (the OOM killer) no longer
# wedges a worker on a polling broker such as the filesystem one (see ecom_ai/jobs/pool.py).
CELERY_WORKER_POOL = os.environ.get("ECOM_AI_WORKER_POOL", "ecom_ai.jobs.pool:TaskPool")
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Run by `celery -A demo_shop beat` (or a worker started with -B, as `make demo` does).
CELERY_BEAT_SCHEDULE = {
    # items whose worker and message vanished (a broker restart) are queued again
    "ecom-ai-recover-stale-items": {
        "task": "ecom_ai.tasks.recover_stale_items_task", "schedule": 600.0, "kwargs": {"older_than_s": 1800},
    },
    # the shop's orders credited to the recommendations and copy customers were shown (ecom_ai.impact)
    "ecom-ai-attribute-orders": {"task": "ecom_ai.impact.tasks.attribute_orders_task", "schedule": 3600.0},
    # jobs whose items stopped moving for ECOM_AI["STALL_TIMEOUT"]: marked stalled, their items queued again once
    "ecom-ai-heal-stalled-jobs": {
        "task": "ecom_ai.jobs.tasks.heal_stalled_jobs_task", "schedule": max(5.0, _STALL_TIMEOUT / 5),
    },
    # everyone's recommendations, with a freshly trained model, every night at 03:00
    "ecom-ai-recompute-recommendations": {
        "task": "ecom_ai.recsys.tasks.recompute_all_recommendations_task",
        "schedule": crontab(hour=3, minute=0), "kwargs": {"retrain": True},
    },
}

# --- REST framework ------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"anon": "60/min", "user": "600/min", "ecom_ai_inquiry": "20/min",
                               "ecom_ai_events": "600/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ecom_ai API",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "ENUM_NAME_OVERRIDES": {
        "InquiryChannelEnum": "ecom_ai.models.Inquiry.Channel",
        "AIJobStatusEnum": "ecom_ai.models.AIJob.Status",
        "ImpactEventKindEnum": "ecom_ai.models.ImpactEvent.Kind",
        "ImpactEventSourceEnum": "ecom_ai.models.ImpactEvent.Source",
        "ImpactEventOriginEnum": "ecom_ai.models.ImpactEvent.Origin",
    },
}

# --- ecom_ai --------------------------------------------------------------
ECOM_AI = {
    "SHOP_ADAPTER": "demo_shop.adapter.DemoShopAdapter",
    "ARTIFACT_DIR": str(VAR_DIR / "artifacts"),
    "STALL_TIMEOUT": _STALL_TIMEOUT,
    "CHUNK_TIME_LIMIT": int(os.environ.get("ECOM_AI_CHUNK_TIME_LIMIT", "900")),
    # an item whose worker died this many times while running it is failed (a poison item that crashes workers)
    "MAX_ITEM_ATTEMPTS": int(os.environ.get("ECOM_AI_MAX_ITEM_ATTEMPTS", "3")),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"ecom_ai": {"handlers": ["console"], "level": os.environ.get("ECOM_AI_LOG_LEVEL", "INFO")}},
}
