"""What travels on the wire: compressed answers, and the static files' versioned, immutable URLs.

- Dynamic answers (pages, JSON, the public list) are compressed by Flask-Compress (brotli or
  gzip, by Accept-Encoding, `Vary: Accept-Encoding`) when they are at least
  `COMPRESS_MIN_SIZE` bytes; answers that say they are not worth it (`no_compression`: the
  snapshot envelopes, whose ciphertext does not compress) are left alone.
- Static files are served under `/static/v/<version>/…`, `<version>` a hash of every file under
  static/, cached for a year as `immutable`: the page's fetches fill the browser's HTTP cache and
  the service worker's precache takes them from there (one download per file), and a deploy
  is new URLs. Relative imports between modules stay inside one version. `/static/…` without a
  version still serves the current file, revalidated each time (`no-cache`).
- A static file is compressed once per process, at its first request, at the highest level
  (brotli 11, gzip 9), and kept in memory by (file, version, encoding): never per request.
- The app's own modules go out minified when `make minify` has written their minified copies
  (tools/minify/modules.mjs, into `MINIFIED_PATH`): a copy is served in place of its source
  only while the build's manifest names that source's SHA-256, so an edited module is served
  as written, never as an older build of it. Without the build (a server with no node), the
  sources are served. About a third less on the wire (docs/PERFORMANCE.md).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import mimetypes
import threading
import time
from functools import cache
from pathlib import Path

import brotli
from flask import Flask, Response, abort, current_app, request
from flask.sessions import SecureCookieSessionInterface
from flask_compress import Compress
from werkzeug.security import safe_join

from webapp.config import ROOT

STATIC = ROOT / "static"
VERSIONED_PREFIX = "/static/v"
# The endpoints of static files: `static` (versioned, what url_for("static") builds) and
# `static_file` (the plain /static/… address, for links that cannot carry a version).
STATIC_ENDPOINTS = frozenset({"static", "static_file"})
YEAR = 365 * 24 * 3600
# Static files worth compressing (images other than SVG already are).
COMPRESSIBLE = frozenset(
    {
        "text/css",
        "text/javascript",
        "application/javascript",
        "application/json",
        "application/manifest+json",
        "image/svg+xml",
        "text/plain",
        "text/html",
    }
)
# Encodings of static files, in the server's order of preference.
ENCODINGS = ("br", "gzip")


@cache
def static_version(root: Path = STATIC) -> str:
    """Return a hash of every file under static/ (names and contents): a deploy, a new one."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def static_prefix(version: str | None = None) -> str:
    """Return the address under which this version's static files are served."""
    return f"{VERSIONED_PREFIX}/{version or static_version()}"


class CompressedFiles:
    """Compressed static files by (path, version, encoding), made at their first request.

    Bounded by the static tree itself: one entry per file and encoding for each version the
    process has seen (one, unless the files change under a running process in development).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[tuple[str, str, str], bytes] = {}

    def get(self, path: Path, version: str, encoding: str) -> bytes:
        """Return the file's bytes in the encoding, compressing them the first time."""
        key = (str(path), version, encoding)
        with self._lock:
            found = self._items.get(key)
        if found is not None:
            return found
        data = path.read_bytes()
        if encoding == "br":
            packed = brotli.compress(data, quality=11)
        else:
            packed = gzip.compress(data, compresslevel=9, mtime=0)
        with self._lock:
            self._items[key] = packed
        return packed

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


class MinifiedFiles:
    """The minified copies `make minify` wrote, each used only while its source is the one it
    was made from (the manifest's SHA-256 of the source).

    A source is hashed once per (file, modification time, size); the manifest is read again
    when it changes (a new build under a running process). Bounded by the static tree.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock = threading.Lock()
        self._manifest: tuple[int, dict[str, str]] | None = None
        self._checked: dict[tuple[str, int, int], bool] = {}

    def _hashes(self) -> dict[str, str]:
        manifest = self.root / "manifest.json"
        try:
            changed = manifest.stat().st_mtime_ns
        except OSError:
            return {}
        with self._lock:
            if self._manifest is not None and self._manifest[0] == changed:
                return self._manifest[1]
        try:
            files = json.loads(manifest.read_text(encoding="utf-8"))["files"]
            hashes = {str(name): str(digest) for name, digest in files.items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            hashes = {}  # a build cut short: the sources are served
        with self._lock:
            self._manifest = (changed, hashes)
            self._checked.clear()
        return hashes

    def served(self, name: str, source: Path) -> Path:
        """Return the file to send for the static file `name` (its path under static/)."""
        expected = self._hashes().get(name)
        if expected is None:
            return source
        stat = source.stat()
        key = (name, stat.st_mtime_ns, stat.st_size)
        with self._lock:
            fresh = self._checked.get(key)
        if fresh is None:
            minified = self.root / name
            fresh = minified.is_file() and (
                hashlib.sha256(source.read_bytes()).hexdigest() == expected
            )
            with self._lock:
                self._checked[key] = fresh
        return self.root / name if fresh else source


def _file(filename: str) -> Path:
    joined = safe_join(str(STATIC), filename)
    if joined is None:
        abort(404)
    path = Path(joined)
    if not path.is_file():
        abort(404)
    name = path.relative_to(STATIC).as_posix()
    return current_app.extensions["enlace_minified_files"].served(name, path)


def _encoding(mimetype: str) -> str | None:
    """Choose the encoding this request accepts for a file of the type (None: as it is)."""
    if mimetype not in COMPRESSIBLE:
        return None
    accepted = request.accept_encodings
    best = max(ENCODINGS, key=lambda name: (accepted[name], -ENCODINGS.index(name)))
    return best if accepted[best] > 0 else None


def _send(filename: str, immutable: bool) -> Response:
    """Answer a static file, compressed once if the client accepts it."""
    path = _file(filename)
    mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    stat = path.stat()
    version = f"{stat.st_mtime_ns:x}-{stat.st_size:x}"
    encoding = _encoding(mimetype)
    # One ETag per encoding: a cache holding the gzip body never takes the brotli one for it.
    tag = f"{version}-{encoding or 'identity'}"
    headers = {"Vary": "Accept-Encoding"} if mimetype in COMPRESSIBLE else {}
    if immutable:
        headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    else:
        headers["Cache-Control"] = "no-cache"
    if request.if_none_match.contains(tag):
        return Response(status=304, headers={**headers, "ETag": f'"{tag}"'})
    if encoding is None:
        body = path.read_bytes()
    else:
        body = _compressed(path, version, encoding)
        headers["Content-Encoding"] = encoding
    if mimetype.startswith("text/") or mimetype.endswith(("javascript", "json")):
        mimetype += "; charset=utf-8"
    response = Response(body, content_type=mimetype, headers=headers)
    # Immutable answers keep it too: the browser revalidates a service worker's imports when
    # it installs the worker (tests/browser/test_service_worker.py: without it, 15 modules
    # were downloaded twice).
    response.set_etag(tag)
    response.no_compression = True  # type: ignore[attr-defined]
    return response


def _compressed(path: Path, version: str, encoding: str) -> bytes:
    return current_app.extensions["enlace_compressed_files"].get(path, version, encoding)


def versioned_file(version: str, filename: str) -> Response:
    """A static file under a version: immutable when it is this deploy's, else revalidated
    (a page of an older deploy still gets the file, never kept as if it were its version)."""
    return _send(filename, immutable=version == static_version())


def plain_file(filename: str) -> Response:
    """A static file at its plain address: the current one, revalidated at each use."""
    return _send(filename, immutable=False)


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, renewed once a day instead of on every answer, and left
    out of static files' answers.

    With SESSION_REFRESH_EACH_REQUEST every answer carried a new `Set-Cookie` (≈ 470 bytes, as
    much as a one-change delta); renewing it on the first request of each day keeps "30 days
    of use" to within a day. Flask-Login looks at the session after every request, so a static
    file would also carry `Vary: Cookie` (a cached copy then misses whenever the cookie
    changes): a module script needs neither.
    """

    def should_set_cookie(self, app: Flask, session) -> bool:  # type: ignore[no-untyped-def,override]
        if session.modified:
            return True
        if not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            return False
        return session.get(RENEWED) != _today()

    def save_session(self, app: Flask, session, response: Response) -> None:  # type: ignore[no-untyped-def,override]
        if request.endpoint in STATIC_ENDPOINTS:
            return
        if session and self.should_set_cookie(app, session):
            session[RENEWED] = _today()
        super().save_session(app, session, response)


# The day (since the epoch) the session cookie was last renewed, kept in the session.
RENEWED = "_renewed"


def _today() -> int:
    return int(time.time() // 86400)


def init_app(app: Flask) -> None:
    """Serve static files under versioned URLs, compress dynamic answers worth compressing."""
    app.extensions["enlace_compressed_files"] = CompressedFiles()
    app.extensions["enlace_minified_files"] = MinifiedFiles(Path(app.config["MINIFIED_PATH"]))
    app.session_interface = SessionInterface()
    app.add_url_rule(
        f"{VERSIONED_PREFIX}/<version>/<path:filename>", endpoint="static", view_func=versioned_file
    )
    app.add_url_rule("/static/<path:filename>", endpoint="static_file", view_func=plain_file)

    @app.url_defaults
    def _static_version(endpoint: str, values: dict[str, str]) -> None:
        if endpoint == "static":
            values.setdefault("version", static_version())

    app.config.setdefault("COMPRESS_REGISTER", False)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_STREAMS", False)
    app.config.setdefault("COMPRESS_MIN_SIZE", 500)
    compress = Compress(app)

    @app.after_request
    def _compress(response: Response) -> Response:
        if not getattr(response, "no_compression", False):
            response = compress.after_request(response)
        # The HTTP server (Werkzeug's, gunicorn) always sends its own Date; Werkzeug's
        # `make_conditional` (Flask-Compress calls it, and the shell's route) adds a second.
        del response.headers["Date"]
        return response
