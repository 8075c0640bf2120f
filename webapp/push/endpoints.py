"""Which push-service endpoints the server posts to: the allow-list and its matching.

An entry of `ENLACE_PUSH_ALLOWED_ENDPOINTS` is one of:

- a host name, matched exactly (case-insensitively): `fcm.googleapis.com`;
- a host pattern with one `*` in its first label, standing for one or more letters, digits or
  hyphens of that label only (never a dot): `wns2-*.notify.windows.com` matches
  `wns2-par02p.notify.windows.com`, not `wns2-x.evil.example` nor `a.wns2-x.notify.windows.com`;
  at least two fixed labels follow the `*` label, so `*.com` is refused;
- for tests and local development only, a URL on a loopback IP address, matched as a prefix
  with its exact scheme and port: `http://127.0.0.1:8025/push/` (a loopback push service
  speaks plain http; a name such as `localhost` is refused, since DNS could point it elsewhere).

Host entries allow `https` on port 443 only (an explicit `:443` is accepted). An endpoint must be
printable ASCII (no spaces, controls, DEL or other alphabets), with no user info, no
percent-encoding in its host, no empty label or trailing dot, and no fragment: a host is either
plainly one of the allowed ones or refused, so no parser of the URL reads it otherwise.

Pure functions, no app imports: `webapp.config` checks the setting at start with `parse_allowed`.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass

# RFC 1123 labels, lower case (hosts are compared lower-cased).
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
# The first label of a pattern: letters, digits and hyphens around exactly one `*`.
_PATTERN_LABEL = re.compile(r"([a-z0-9-]*)\*([a-z0-9-]*)")
_URL = re.compile(
    r"(?P<scheme>[a-z][a-z0-9+.-]*)://(?P<authority>[^/?#]*)(?P<rest>[/?][^#]*)?", re.IGNORECASE
)
_AUTHORITY = re.compile(
    r"(?P<host>\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(?P<port>[0-9]{1,5}))?", re.IGNORECASE
)
_DEFAULT_PORT = {"http": 80, "https": 443}


class Refused(ValueError):
    """An endpoint the server will not post to; `reason` is `characters` or `not_allowed`."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Rule:
    """One allow-list entry: a host (or pattern) over https:443, or a loopback URL prefix."""

    host: str
    pattern: re.Pattern[str] | None = None
    # Loopback entries only: the exact scheme, port and path prefix.
    loopback: bool = False
    scheme: str = "https"
    port: int = 443
    path: str = "/"


@dataclass(frozen=True)
class Endpoint:
    """A URL split as the allow-list reads it."""

    scheme: str
    host: str
    port: int
    rest: str


def _valid_host(host: str) -> bool:
    labels = host.split(".")
    return len(host) <= 253 and len(labels) >= 2 and all(_LABEL.fullmatch(x) for x in labels)


def parse_rule(entry: str) -> Rule:
    """Read one allow-list entry; ValueError says what is wrong with it."""
    text = entry.strip()
    if not text or not text.isascii() or any(c.isspace() or not c.isprintable() for c in text):
        raise ValueError(f"{entry!r} is not a host name")
    if "://" in text:
        return _loopback_rule(entry, text)
    if text.count("*") > 1:
        raise ValueError(f"{entry!r}: a pattern holds a single *")
    text = text.lower()
    if "*" in text:
        first, _, rest = text.partition(".")
        match = _PATTERN_LABEL.fullmatch(first)
        if not match or not _valid_host(rest) or "*" in rest:
            raise ValueError(
                f"{entry!r}: the * stands in the first label, followed by at least two fixed "
                "labels (e.g. wns2-*.notify.windows.com)"
            )
        before, after = (re.escape(part) for part in match.groups())
        pattern = re.compile(rf"{before}[a-z0-9-]+{after}\.{re.escape(rest)}")
        return Rule(host=text, pattern=pattern)
    if not _valid_host(text):
        raise ValueError(f"{entry!r} is not a host name (e.g. fcm.googleapis.com)")
    return Rule(host=text)


def _loopback_rule(entry: str, text: str) -> Rule:
    parsed = _parse(text)
    ip = _ip(parsed.host) if parsed is not None else None
    if parsed is None or parsed.scheme not in _DEFAULT_PORT or ip is None or not ip.is_loopback:
        raise ValueError(
            f"{entry!r}: write a push service as a host name (fcm.googleapis.com) or a pattern "
            "(wns2-*.notify.windows.com), not a URL; only a loopback IP address is written as "
            "a URL (http://127.0.0.1:8025/push/), for tests"
        )
    path = parsed.rest.split("?", 1)[0] or "/"
    return Rule(host=str(ip), loopback=True, scheme=parsed.scheme, port=parsed.port, path=path)


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.removeprefix("[").removesuffix("]"))
    except ValueError:
        return None


def _parse(text: str) -> Endpoint | None:
    """Split a URL as the allow-list reads it (scheme and host lower-cased, the path as it is);
    None when it has another shape."""
    url = _URL.fullmatch(text)
    if url is None:
        return None
    authority = _AUTHORITY.fullmatch(url["authority"])
    if authority is None:
        return None
    scheme, port = url["scheme"].lower(), authority["port"]
    number = int(port) if port else _DEFAULT_PORT.get(scheme, 0)
    if port and (port != str(number) or not 0 < number < 65536):
        return None  # a leading zero or out of range: not a port anyone writes
    host = authority["host"].lower()
    return Endpoint(scheme, host, number, url["rest"] or "")


@functools.lru_cache(maxsize=16)
def _rules(entries: tuple[str, ...]) -> tuple[Rule, ...]:
    return tuple(parse_rule(entry) for entry in entries)


def parse_allowed(entries: Iterable[str]) -> tuple[Rule, ...]:
    """Read the allow-list (cached); ValueError names the first bad entry."""
    return _rules(tuple(entries))


def _matches(rule: Rule, endpoint: Endpoint) -> bool:
    if rule.loopback:
        ip = _ip(endpoint.host)
        return (
            ip is not None
            and str(ip) == rule.host
            and endpoint.scheme == rule.scheme
            and endpoint.port == rule.port
            and (endpoint.rest or "/").startswith(rule.path)
        )
    if endpoint.scheme != "https" or endpoint.port != 443 or not _valid_host(endpoint.host):
        return False
    if rule.pattern is not None:
        return rule.pattern.fullmatch(endpoint.host) is not None
    return endpoint.host == rule.host


def check(endpoint: str, entries: Iterable[str]) -> None:
    """Return when the server may post to `endpoint`.

    :raises Refused: `characters` for anything but printable ASCII, `not_allowed` otherwise.
    """
    if not endpoint.isascii() or any(not 0x21 <= ord(c) <= 0x7E for c in endpoint):
        raise Refused("characters")
    parsed = _parse(endpoint)
    if parsed is None or not any(_matches(rule, parsed) for rule in parse_allowed(entries)):
        raise Refused("not_allowed")


def allowed(endpoint: str, entries: Iterable[str]) -> bool:
    """Tell whether the server may post to `endpoint`."""
    try:
        check(endpoint, entries)
    except Refused:
        return False
    return True


def origin(endpoint: str) -> str:
    """Return the endpoint's origin as VAPID's `aud` names it (no default port)."""
    parsed = _parse(endpoint)
    if parsed is None:
        raise ValueError("not an endpoint")
    port = "" if parsed.port == _DEFAULT_PORT.get(parsed.scheme) else f":{parsed.port}"
    return f"{parsed.scheme}://{parsed.host}{port}"
