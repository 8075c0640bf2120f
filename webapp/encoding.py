"""Small conversions every layer uses (base64url, ids from untrusted JSON); imports nothing of
the app, so that any module may use it."""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import Any


def b64url(data: bytes) -> str:
    """Encode bytes as base64url without padding (the wire's form for keys, ivs, ciphertexts)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode base64url with or without padding.

    :raises ValueError: when it is not base64url text (standard base64's `+` and `/`, spaces
        and misplaced padding included).
    """
    if not isinstance(text, str) or not text.isascii():
        raise ValueError("not base64url")
    stripped = text.rstrip("=")
    if any(c in stripped for c in "+/ \n\r\t="):
        raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(stripped + "=" * (-len(stripped) % 4))
    except (binascii.Error, ValueError):
        raise ValueError("not base64url") from None


def as_uuid(value: Any) -> uuid.UUID | None:
    """Return the UUID a stored value names (surrounding spaces forgiven), or None."""
    try:
        return uuid.UUID(str(value).strip())
    except ValueError:
        return None
