"""Settings read from ENLACE_* environment variables, with defaults for a laptop."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

from webapp.push.endpoints import parse_allowed

ROOT = Path(__file__).resolve().parent.parent
# The languages the interface speaks (the first is the default): pages, the API, the app shell.
LANGUAGES = ("es", "en")

# The browsers' push services, as hosts (webapp/push/endpoints.py reads the syntax).
DEFAULT_PUSH_ENDPOINTS = ",".join(
    [
        "fcm.googleapis.com",
        "updates.push.services.mozilla.com",
        "web.push.apple.com",
        "wns2-*.notify.windows.com",  # Windows push hosts are wns2-<region>.notify.windows.com
        "jmt17.google.com",
    ]
)


def push_endpoints(raw: str) -> list[str]:
    """Return the push allow-list's entries, each checked (ValueError stops the start)."""
    entries = [part.strip() for part in raw.split(",") if part.strip()]
    try:
        parse_allowed(entries)
    except ValueError as error:
        raise ValueError(f"ENLACE_PUSH_ALLOWED_ENDPOINTS: {error}") from None
    return entries


def _count(
    env: dict[str, str], name: str, default: int, minimum: int, maximum: int = 1000, unit: str = ""
) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        of = f" of {unit}" if unit else ""
        raise ValueError(f"{name} must be a whole number{of}, not {raw!r}") from None
    if not minimum <= value <= maximum:
        units = f" {unit}" if unit else ""
        raise ValueError(f"{name} must be between {minimum} and {maximum}{units}, not {value}")
    return value


def _megabytes(env: dict[str, str], name: str, default: int) -> int:
    return _count(env, name, default, 1, 65536, "megabytes")


def _seconds(env: dict[str, str], name: str, default: float, low: float, high: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number of seconds, not {raw!r}") from None
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high} seconds, not {value}")
    return value


def vapid_subject(value: str) -> str:
    """Return the VAPID `sub` claim: a mailto: or https: URL (RFC 8292), else ValueError."""
    value = value.strip()
    if not re.fullmatch(r"mailto:[^@\s]+@[^@\s]+|https://[^/\s]+(/\S*)?", value):
        raise ValueError(
            f"ENLACE_VAPID_SUBJECT must be a mailto: or https: URL (e.g. "
            f"mailto:admin@example.com), not {value!r}"
        )
    return value


# A Redis that stops answering (not only one that refuses connections) must not hold requests.
REDIS_TIMEOUTS = {"socket_connect_timeout": 2.0, "socket_timeout": 2.0}

SIGNUP_MODES = ("open", "invite")


def signup_mode(value: str) -> str:
    """Return who may create an account on the web: "open" (anyone) or "invite" (invitations).

    :raises ValueError: for anything else, so that a typo stops the start.
    """
    mode = value.strip().lower() or "open"
    if mode not in SIGNUP_MODES:
        raise ValueError(f"ENLACE_SIGNUP must be open or invite, not {value!r}")
    return mode


def rate_limit(env: dict[str, str], name: str, default: str) -> str:
    """Return a Flask-Limiter limit ("10 per hour") from the environment, checked at start."""
    from limits import parse_many

    value = env.get(name, "").strip() or default
    try:
        parse_many(value)
    except ValueError:
        raise ValueError(f"{name} must be a limit such as '10 per hour', not {value!r}") from None
    return value


def from_env(env: dict[str, str] | None = None) -> dict[str, object]:
    """Return the configuration dictionary built from the environment."""
    env = dict(os.environ if env is None else env)
    https = env.get("ENLACE_PUBLIC_URL", "").startswith("https://")
    instance = Path(env.get("ENLACE_INSTANCE_PATH", "instance")).resolve()
    public_url = env.get("ENLACE_PUBLIC_URL", "").rstrip("/")
    database_url = env.get("ENLACE_DATABASE_URL") or f"sqlite:///{instance / 'enlace.db'}"
    redis_url = env.get("ENLACE_REDIS_URL", "")
    return {
        "INSTANCE_PATH": str(instance),
        # The app's modules minified by `make minify`, served in place of unchanged sources.
        "MINIFIED_PATH": env.get("ENLACE_MINIFIED_PATH") or str(ROOT / "build" / "static"),
        "DATABASE_URL": database_url,
        "PUBLIC_URL": public_url,
        "REDIS_URL": redis_url,
        "VAPID_SUBJECT": vapid_subject(env.get("ENLACE_VAPID_SUBJECT", "mailto:admin@localhost")),
        "PUSH_ALLOWED_ENDPOINTS": push_endpoints(
            env.get("ENLACE_PUSH_ALLOWED_ENDPOINTS", DEFAULT_PUSH_ENDPOINTS)
        ),
        # A device stays signed in for 30 days of use: the cookie is refreshed on each request.
        "PERMANENT_SESSION_LIFETIME": timedelta(days=30),
        "SESSION_REFRESH_EACH_REQUEST": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": https,
        # Over https a __Host- cookie: Secure, Path=/ and no Domain, so no sibling host sets it.
        "SESSION_COOKIE_NAME": "__Host-enlace" if https else "enlace_session",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": https,
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        # Reverse proxies in front that set X-Forwarded-For/-Proto (werkzeug's ProxyFix); 0
        # trusts none, so rate limits and the audit log see the peer address.
        "TRUSTED_PROXIES": _count(env, "ENLACE_TRUSTED_PROXIES", 0, 0),
        # Flask-WTF tokens live as long as the session; the API refreshes them on a CSRF refusal.
        "WTF_CSRF_TIME_LIMIT": 12 * 3600,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        # Redis down must not stop the directory: the limiter counts in process memory until
        # Redis answers again, and a limiter error never fails a request. (The sign-in failure
        # counters do not fall back: they answer 503, webapp/auth/limits.py.)
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        "RATELIMIT_STORAGE_OPTIONS": dict(REDIS_TIMEOUTS) if redis_url else {},
        "RATELIMIT_HEADERS_ENABLED": False,
        "RATELIMIT_STRATEGY": "moving-window",
        # Password re-entry window for actions that expose or change a lot; it is also how long
        # after the password a device reads the snapshot key or directory data in clear without
        # its unlock token (docs/ARCHITECTURE.md, 4.4).
        "REAUTH_SECONDS": int(_seconds(env, "ENLACE_REAUTH_SECONDS", 600, 30, 86400)),
        # Argon2id cost; tests lower it through overrides, the product never does.
        "ARGON2_TIME_COST": 3,
        "ARGON2_MEMORY_COST": 64 * 1024,
        # Each hash takes ARGON2_MEMORY_COST KiB (64 MiB): at most this many run at once in a
        # process, at most ARGON2_MAX_WAITING more wait for a turn, at most this long; past
        # that a request gets 503 (never a 500). Together they stay well below the threads of
        # a process (README's gunicorn command: 16), so sign-ins never take every thread.
        "ARGON2_MAX_CONCURRENT": _count(env, "ENLACE_ARGON2_MAX_CONCURRENT", 2, 1),
        "ARGON2_MAX_WAITING": _count(env, "ENLACE_ARGON2_MAX_WAITING", 6, 0),
        "ARGON2_WAIT_SECONDS": 20.0,
        "BABEL_DEFAULT_LOCALE": "es",
        "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "webapp" / "translations"),
        "LANGUAGES": list(LANGUAGES),
        "INVITATION_DAYS": 7,
        # Open: anyone may create an account at /signup; invite: only through invitation links.
        "SIGNUP": signup_mode(env.get("ENLACE_SIGNUP", "open")),
        # Accounts created (or taken emails tried) per address at /signup; Flask-Limiter syntax.
        "SIGNUP_RATE_LIMIT": rate_limit(env, "ENLACE_SIGNUP_RATE_LIMIT", "10 per hour"),
        # Per process, in megabytes: the built snapshots (the patchable documents, the
        # plaintexts and deltas made from them).
        "SNAPSHOT_CACHE_MB": _megabytes(env, "ENLACE_SNAPSHOT_CACHE_MB", 64),
        # Changes per page of a pull (the one place for it); a delta envelope holds every page.
        "SYNC_PAGE_SIZE": 500,
        # Per user, across devices: generous for background sync, a wall against a runaway loop.
        "SYNC_RATE_LIMIT": env.get("ENLACE_SYNC_RATE_LIMIT", "240 per minute"),
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        # Push (webapp/push): a workspace's changes within this many seconds make one message
        # per device; how long a message waits at the push service for an offline device.
        "PUSH_COALESCE_SECONDS": _seconds(env, "ENLACE_PUSH_COALESCE_SECONDS", 3.0, 0, 300),
        "PUSH_TTL_SECONDS": 86400,
        "PUSH_TIMEOUT_SECONDS": _seconds(env, "ENLACE_PUSH_TIMEOUT_SECONDS", 10.0, 0.1, 120),
        # A claimed delivery whose worker died is sent by another after this long.
        "PUSH_LEASE_SECONDS": _seconds(env, "ENLACE_PUSH_LEASE_SECONDS", 120.0, 1, 3600),
        "PUSH_POLL_SECONDS": _seconds(env, "ENLACE_PUSH_POLL_SECONDS", 1.0, 0.01, 60),
        "PUSH_BATCH_SIZE": _count(env, "ENLACE_PUSH_BATCH_SIZE", 20, 1),
        "PUSH_SEND_THREADS": _count(env, "ENLACE_PUSH_SEND_THREADS", 4, 1),
        # First retry delay after a 429/5xx without Retry-After; doubles with each attempt.
        "PUSH_RETRY_SECONDS": 2.0,
        # A delivery the push service keeps refusing with 429/5xx is dropped after this many.
        "PUSH_MAX_ATTEMPTS": 12,
        # `enlace run` starts the dispatcher thread unless this is false (ENLACE_PUSH_DISPATCHER=0).
        "PUSH_DISPATCHER_THREAD": env.get("ENLACE_PUSH_DISPATCHER", "1") not in ("0", "false"),
        "PUSH_ALERT_RATE_LIMIT": env.get("ENLACE_PUSH_ALERT_RATE_LIMIT", "5 per 10 minutes"),
    }
