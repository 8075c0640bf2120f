"""The offline notice (`/offline`) speaks one language: `?lang=` (the service worker keeps one
copy per language), else the reader's."""

from __future__ import annotations

import re

import pytest

from webapp.pages import shell

SPANISH = "Sin conexión"
ENGLISH = "You are offline"


def visible(page: str) -> str:
    """Return the page's text without its tags."""
    return re.sub(r"<[^>]+>", " ", page)


@pytest.mark.parametrize(
    ("query", "accept", "lang", "shown", "absent"),
    [
        ("?lang=es", "en", "es", SPANISH, ENGLISH),
        ("?lang=en", "es", "en", ENGLISH, SPANISH),
        ("", "es-MX,es;q=0.9", "es", SPANISH, ENGLISH),
        ("", "en-US,en;q=0.9", "en", ENGLISH, SPANISH),
    ],
    ids=["es", "en", "spanish-browser", "english-browser"],
)
def test_the_notice_speaks_one_language(client, query, accept, lang, shown, absent):
    response = client.get(f"/offline{query}", headers={"Accept-Language": accept})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'<html lang="{lang}">' in page
    assert shown in visible(page) and absent not in visible(page)


def test_the_worker_keeps_one_notice_per_language(client):
    kept = [url for url in shell.shell_urls() if url.startswith("/offline")]
    assert kept == ["/offline?lang=es", "/offline?lang=en"]
    # Fetched as the worker fetches them (no cookies, any browser language), each is its own.
    assert SPANISH in client.get(kept[0]).get_data(as_text=True)
    assert ENGLISH in client.get(kept[1]).get_data(as_text=True)


@pytest.mark.parametrize("lang", ["fr", "%FF", ""])
def test_a_language_the_app_does_not_speak_is_a_clear_400(client, lang):
    response = client.get(f"/offline?lang={lang}")
    assert response.status_code == 400
    assert "must be one of: es, en" in response.get_data(as_text=True)
