"""The installable app's shell: which files the service worker precaches, and their version."""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache
from pathlib import Path

from webapp.config import LANGUAGES, ROOT
from webapp.wire import static_prefix

STATIC = ROOT / "static"
SERVICE_WORKER = ROOT / "service_worker" / "sw.js"
# What the app needs to start with no connection; licences, notes and sources stay out.
SHELL_SUFFIXES = {".js", ".mjs", ".css", ".png", ".svg", ".webmanifest", ".woff2"}
# Icons only an install reads (the browser fetches them itself, online): 40 KB that a first
# visit would download for nothing.
INSTALL_ONLY = {"icons/icon-512.png", "icons/icon-maskable-512.png", "icons/apple-touch-icon.png"}
# Pages the worker keeps besides static files (neither holds user data nor a CSRF token): the
# shell, and the offline notice once per language (static/js/offline-page.js picks one).
OFFLINE_PATH = "/offline"
SHELL_PAGES = ["/app", *(f"{OFFLINE_PATH}?lang={lang}" for lang in LANGUAGES)]
# Their templates: a changed page must be a new worker version too, or devices keep the old one.
SHELL_TEMPLATES = [
    "templates/pages/app.html",
    "templates/pages/offline.html",
    # included by the app shell
    "templates/_installable.html",
    "templates/_flashes.html",
    "templates/_update_banner.html",
]


# A static `import … from "./x.js"` or `import "./x.js"`: the app's modules import only relative
# paths (tests/js/vendor.test.mjs checks), so the graph can be read without a parser.
STATIC_IMPORT = re.compile(r"""(?:\bfrom\s*|\bimport\s*)(["'])(\.\.?/[^"']+)\1""")
APP_ENTRY = "js/app.js"
# The worker's own imports, which name absolute /static/ addresses.
WORKER_IMPORT = re.compile(r"""(\bfrom\s*["'])/static/""")


@cache
def app_modules(entry: str = APP_ENTRY) -> tuple[str, ...]:
    """Return the modules the app loads (its static import graph), breadth first, as paths
    under static/: the shell names them all in `modulepreload` links, so the browser fetches
    them at once instead of one level of imports after another."""
    seen = [entry]
    for name in seen:
        source = (STATIC / name).read_text(encoding="utf-8")
        for match in STATIC_IMPORT.finditer(source):
            path = (STATIC / name).parent / match.group(2)
            relative = path.resolve().relative_to(STATIC.resolve()).as_posix()
            if relative not in seen:
                seen.append(relative)
    return tuple(seen)


def shell_files() -> list[Path]:
    """Return the static files of the app shell, in a stable order."""
    return sorted(
        path
        for path in STATIC.rglob("*")
        if path.is_file()
        and path.suffix in SHELL_SUFFIXES
        and "tests" not in path.parts
        and path.relative_to(STATIC).as_posix() not in INSTALL_ONLY
    )


def shell_urls() -> list[str]:
    """Return the URLs the service worker precaches: static files at this deploy's versioned
    addresses, the ones the pages load (webapp/wire.py)."""
    prefix = static_prefix()
    files = [f"{prefix}/{path.relative_to(STATIC).as_posix()}" for path in shell_files()]
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
    # The worker's imports at the versioned addresses: the same files the page loaded (and the
    # HTTP cache holds), not a second copy at the plain ones.
    source = WORKER_IMPORT.sub(lambda match: match.group(1) + static_prefix() + "/", source)
    return source.replace("__ENLACE_VERSION__", shell_version(extra)).replace(
        '["__ENLACE_PRECACHE__"]', json.dumps(shell_urls())
    )
