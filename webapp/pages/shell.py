"""The installable app's shell: which files the service worker precaches, and their version."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from webapp.config import ROOT

STATIC = ROOT / "static"
SERVICE_WORKER = ROOT / "service_worker" / "sw.js"
# What the app needs to start with no connection; licences, notes and sources stay out.
SHELL_SUFFIXES = {".js", ".mjs", ".css", ".png", ".svg", ".webmanifest", ".woff2"}
# Pages the worker keeps besides static files (neither holds user data nor a CSRF token).
SHELL_PAGES = ["/app", "/offline"]
# Their templates: a changed page must be a new worker version too, or devices keep the old one.
SHELL_TEMPLATES = [
    "templates/pages/app.html",
    "templates/pages/offline.html",
    # included by the app shell
    "templates/_installable.html",
    "templates/_flashes.html",
    "templates/_update_banner.html",
]


def shell_files() -> list[Path]:
    """Return the static files of the app shell, in a stable order."""
    return sorted(
        path
        for path in STATIC.rglob("*")
        if path.is_file() and path.suffix in SHELL_SUFFIXES and "tests" not in path.parts
    )


def shell_urls() -> list[str]:
    """Return the URLs the service worker precaches."""
    files = [f"/static/{path.relative_to(STATIC).as_posix()}" for path in shell_files()]
    return SHELL_PAGES + files


def shell_version(extra: list[Path] | None = None) -> str:
    """Return a hash of every precached file (and the worker itself): a new deploy, a new one."""
    digest = hashlib.sha256()
    templates = [ROOT / name for name in SHELL_TEMPLATES if (ROOT / name).exists()]
    for path in [*shell_files(), *templates, SERVICE_WORKER, *(extra or [])]:
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def service_worker_source(extra: list[Path] | None = None) -> str:
    """Return the worker's JavaScript with its version and precache list filled in."""
    source = SERVICE_WORKER.read_text(encoding="utf-8")
    return source.replace("__ENLACE_VERSION__", shell_version(extra)).replace(
        '["__ENLACE_PRECACHE__"]', json.dumps(shell_urls())
    )
