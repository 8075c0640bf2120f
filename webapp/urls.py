"""Addresses given out of the app (invitation links, the poster's QR code)."""

from __future__ import annotations

from flask import current_app, url_for


def external_url(endpoint: str, **values: str) -> str:
    """Return an absolute URL, on ENLACE_PUBLIC_URL when it is set."""
    public = current_app.config["PUBLIC_URL"]
    if public:
        return public + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)
