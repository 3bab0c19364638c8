"""Versioned model artefacts on disk: written atomically, activated by a pointer, reloaded on change.

Layout under ``ECOM_AI["ARTIFACT_DIR"]``::

    <name>/<version>/model.joblib     the object (any picklable model)
    <name>/<version>/meta.json        metrics, parameters, created time
    <name>/ACTIVE                     the active version's name

A save writes into a temporary folder and renames it into place, and the pointer is replaced with
``os.replace``, so a crash mid-save never leaves a broken active model. ``load_active`` caches per
process and reloads when the pointer changes, so workers pick up a new model without a restart.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
from django.utils import timezone

from ecom_ai.conf import ecom_ai_settings

_lock = threading.Lock()
_cache: dict[str, tuple[str, "Artifact"]] = {}


@dataclass
class Artifact:
    name: str
    version: str
    path: Path
    obj: Any
    meta: dict


class NoArtifact(LookupError):
    """No model of that name has been trained and activated yet."""


def root() -> Path:
    path = Path(ecom_ai_settings.ARTIFACT_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _new_version() -> str:
    return timezone.now().strftime("%Y%m%d-%H%M%S-%f")


def save(name: str, obj: Any, meta: dict | None = None, *, activate: bool = True) -> str:
    """Store ``obj`` (joblib) as a new version of ``name``; returns the version."""
    return save_dir(name, lambda folder: joblib.dump(obj, folder / "model.joblib", compress=3), meta,
                    activate=activate)


def save_dir(name: str, fill, meta: dict | None = None, *, activate: bool = True) -> str:
    """A new version of ``name`` whose files ``fill(folder)`` writes (a transformers model, a joblib
    file); the folder is renamed into place only once complete. Returns the version."""
    version = _new_version()
    base = root() / name
    base.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{version}.", dir=base))
    try:
        fill(tmp)
        meta = {"name": name, "version": version, "created_at": timezone.now().isoformat(), **(meta or {})}
        (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2, default=str))
        os.replace(tmp, base / version)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if activate:
        set_active(name, version)
    return version


def set_active(name: str, version: str) -> None:
    base = root() / name
    if not (base / version).is_dir():
        raise NoArtifact(f"{name} has no version {version}")
    fd, tmp = tempfile.mkstemp(prefix=".ACTIVE.", dir=base)
    with os.fdopen(fd, "w") as fh:
        fh.write(version)
    os.replace(tmp, base / "ACTIVE")


def active_version(name: str) -> str | None:
    try:
        return (root() / name / "ACTIVE").read_text().strip() or None
    except FileNotFoundError:
        return None


def versions(name: str) -> list[str]:
    base = root() / name
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if p.is_dir() and not p.name.startswith("."))


def read_meta(name: str, version: str) -> dict:
    return json.loads((root() / name / version / "meta.json").read_text())


def load(name: str, version: str) -> Artifact:
    path = root() / name / version
    if not path.is_dir():
        raise NoArtifact(f"{name} has no version {version}")
    model_file = path / "model.joblib"
    obj = joblib.load(model_file) if model_file.exists() else None
    return Artifact(name, version, path, obj, read_meta(name, version))


def load_active(name: str) -> Artifact:
    """The active version, cached per process and reloaded when the pointer moves."""
    version = active_version(name)
    if version is None:
        raise NoArtifact(f"No active {name!r} model yet: train one first (python manage.py ecom_ai train ...).")
    key = f"{root()}::{name}"
    with _lock:
        cached = _cache.get(key)
        if cached and cached[0] == version:
            return cached[1]
        artifact = load(name, version)
        _cache[key] = (version, artifact)
        return artifact


def clear_cache() -> None:
    with _lock:
        _cache.clear()
