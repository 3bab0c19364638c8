"""One backend instance per alias per process, built from ECOM_AI["BACKENDS"] like Django's CACHES."""
from __future__ import annotations

import threading

from django.core.signals import setting_changed
from django.utils.module_loading import import_string

from ecom_ai.conf import ecom_ai_settings
from ecom_ai.llm.base import BackendConfigError, BaseBackend

_instances: dict[str, BaseBackend] = {}
_lock = threading.RLock()


def _build(alias: str) -> BaseBackend:
    backends = ecom_ai_settings.BACKENDS or {}
    if alias not in backends:
        raise BackendConfigError(f"ECOM_AI['BACKENDS'] has no alias {alias!r} (known: {', '.join(sorted(backends)) or 'none'})")
    conf = backends[alias]
    if not isinstance(conf, dict) or "BACKEND" not in conf:
        raise BackendConfigError(f"ECOM_AI['BACKENDS'][{alias!r}] must be a dict with a 'BACKEND' dotted path")
    try:
        cls = import_string(conf["BACKEND"])
    except ImportError as exc:
        raise BackendConfigError(f"Cannot import backend {conf['BACKEND']!r} for alias {alias!r}: {exc}") from exc
    if not (isinstance(cls, type) and issubclass(cls, BaseBackend)):
        raise BackendConfigError(f"{conf['BACKEND']!r} is not a BaseBackend subclass")
    options = dict(conf.get("OPTIONS") or {})
    try:
        return cls(alias, **options)
    except TypeError as exc:
        raise BackendConfigError(f"Bad OPTIONS for backend alias {alias!r}: {exc}") from exc


def get_backend(alias: str = "default") -> BaseBackend:
    backend = _instances.get(alias)
    if backend is not None:
        return backend
    with _lock:
        backend = _instances.get(alias)
        if backend is None:
            backend = _instances[alias] = _build(alias)
        return backend


def backend_for(feature: str) -> BaseBackend:
    """The backend configured for a feature (ECOM_AI["FEATURES"]); unknown features use "default"."""
    features = ecom_ai_settings.FEATURES or {}
    return get_backend(features.get(feature, "default"))


def reset() -> None:
    """Close and forget every instance (called when ECOM_AI changes). Loaded model weights stay
    cached at module level in ecom_ai.llm.transformers, so a worker does not load them twice."""
    with _lock:
        instances = list(_instances.values())
        _instances.clear()
    for backend in instances:
        try:
            backend.close()
        except Exception:  # closing must never break a settings change
            pass


def _settings_changed(*, setting, **kwargs):
    if setting == "ECOM_AI":
        reset()


setting_changed.connect(_settings_changed)
