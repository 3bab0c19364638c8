"""System checks for the ECOM_AI settings dict (ids ecom_ai.E001...)."""
from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.utils.module_loading import import_string

from ecom_ai.conf import DEFAULTS


def _importable(path) -> str | None:
    try:
        import_string(path)
    except Exception as exc:  # ImportError, AttributeError, errors inside the module
        return f"{type(exc).__name__}: {exc}"
    return None


@register(Tags.compatibility)
def check_settings(app_configs=None, **kwargs):
    errors = []
    user = getattr(settings, "ECOM_AI", {})
    if not isinstance(user, dict):
        return [Error("ECOM_AI must be a dict.", hint="ECOM_AI = {'SHOP_ADAPTER': ..., 'BACKENDS': {...}}",
                      id="ecom_ai.E001")]
    for key in sorted(set(user) - set(DEFAULTS)):
        errors.append(Warning(f"Unknown ECOM_AI key {key!r}.", hint=f"Known keys: {', '.join(sorted(DEFAULTS))}.",
                              id="ecom_ai.W001"))
    from ecom_ai.conf import ecom_ai_settings

    conf = ecom_ai_settings.as_dict()
    problem = _importable(conf["SHOP_ADAPTER"]) if isinstance(conf["SHOP_ADAPTER"], str) else "not a dotted path"
    if problem:
        errors.append(Error(f"ECOM_AI['SHOP_ADAPTER'] {conf['SHOP_ADAPTER']!r} does not import ({problem}).",
                            id="ecom_ai.E002"))
    backends = conf["BACKENDS"]
    if not isinstance(backends, dict) or "default" not in backends:
        errors.append(Error("ECOM_AI['BACKENDS'] must be a dict with a 'default' alias.", id="ecom_ai.E003"))
        backends = backends if isinstance(backends, dict) else {}
    for alias, spec in backends.items():
        if not isinstance(spec, dict) or "BACKEND" not in spec or not isinstance(spec.get("OPTIONS", {}), dict):
            errors.append(Error(f"ECOM_AI['BACKENDS'][{alias!r}] must be {{'BACKEND': path, 'OPTIONS': {{...}}}}.",
                                id="ecom_ai.E003"))
            continue
        problem = _importable(spec["BACKEND"])
        if problem:
            errors.append(Error(f"Backend {alias!r}: {spec['BACKEND']!r} does not import ({problem}).",
                                id="ecom_ai.E004"))
    features = conf["FEATURES"]
    if not isinstance(features, dict):
        errors.append(Error("ECOM_AI['FEATURES'] must map features to backend aliases.", id="ecom_ai.E005"))
    else:
        for feature, alias in features.items():
            if alias not in backends:
                errors.append(Error(f"Feature {feature!r} uses backend alias {alias!r}, which BACKENDS lacks.",
                                    id="ecom_ai.E005"))
    pipelines = conf["PIPELINES"]
    if not isinstance(pipelines, dict):
        errors.append(Error("ECOM_AI['PIPELINES'] must map job kinds to pipeline classes.", id="ecom_ai.E006"))
    else:
        for kind, path in pipelines.items():
            problem = _importable(path)
            if problem:
                errors.append(Error(f"Pipeline {kind!r}: {path!r} does not import ({problem}).", id="ecom_ai.E006"))
    for key in ("CHUNK_SIZE", "MAX_ITEM_ATTEMPTS", "TASK_MAX_RETRIES", "MAX_INPUT_CHARS"):
        if not isinstance(conf[key], int) or conf[key] < 1:
            errors.append(Error(f"ECOM_AI[{key!r}] must be a positive integer.", id="ecom_ai.E007"))
    if conf["CHUNK_TIME_LIMIT"] is not None and (not isinstance(conf["CHUNK_TIME_LIMIT"], int)
                                                  or conf["CHUNK_TIME_LIMIT"] < 1):
        errors.append(Error("ECOM_AI['CHUNK_TIME_LIMIT'] must be a positive integer or None.", id="ecom_ai.E007"))
    for key in ("RECOMMENDATIONS", "CAMPAIGN_LIMITS"):
        if not isinstance(conf[key], dict):
            errors.append(Error(f"ECOM_AI[{key!r}] must be a dict.", id="ecom_ai.E007"))
    if not getattr(settings, "CELERY_BROKER_URL", None) and not getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        errors.append(Error("No Celery broker is configured: jobs would never run.",
                            hint="Set CELERY_BROKER_URL (e.g. 'filesystem://', 'redis://127.0.0.1:6379/0').",
                            id="ecom_ai.E008"))
    return errors
