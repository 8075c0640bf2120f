"""The service worker as Flask serves it: its version, its precache list, its headers."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin

import pytest

from webapp.pages import shell
from webapp.wire import static_prefix


def test_service_worker_is_served_at_the_root_without_http_caching(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    body = response.get_data(as_text=True)
    assert "__ENLACE_" not in body  # every placeholder was filled in
    assert f'const VERSION = "{shell.shell_version()}"' in body
    # Its imports are the versioned files the page loads, not a second copy at plain addresses.
    assert f'from "{static_prefix()}/js/push.js"' in body
    assert 'from "/static/js/' not in body


def test_every_precached_url_answers_so_the_install_cannot_fail(client):
    urls = shell.shell_urls()
    assert "/offline?lang=es" in urls and "/offline?lang=en" in urls  # one notice per language
    prefix = static_prefix()  # the versioned addresses the pages load
    assert f"{prefix}/css/app.css" in urls
    assert f"{prefix}/manifest.webmanifest" in urls
    assert f"{prefix}/icons/icon-192.png" in urls
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        response.close()


@pytest.mark.parametrize("address", ["/static", static_prefix()])
def test_the_manifest_is_served_as_a_web_app_manifest(client, address):
    response = client.get(f"{address}/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json(force=True)
    response.close()
    assert manifest["start_url"] == "/app"
    assert manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    sizes = {(icon["sizes"], icon.get("purpose", "any")) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        # Beside the manifest: at the versioned address, the icons the worker precached.
        answer = client.get(urljoin(f"{address}/manifest.webmanifest", icon["src"]))
        assert answer.status_code == 200, icon["src"]
        answer.close()


@pytest.fixture
def fake_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    static = tmp_path / "static"
    (static / "css").mkdir(parents=True)
    (static / "css" / "app.css").write_text("body {}")
    (static / "vendor").mkdir()
    (static / "vendor" / "VENDOR.md").write_text("notes")
    worker = tmp_path / "service_worker" / "sw.js"
    worker.parent.mkdir()
    worker.write_text('const VERSION = "__ENLACE_VERSION__";')
    monkeypatch.setattr(shell, "ROOT", tmp_path)
    monkeypatch.setattr(shell, "STATIC", static)
    monkeypatch.setattr(shell, "SERVICE_WORKER", worker)
    return tmp_path


def test_a_changed_shell_file_gives_a_new_worker_version(fake_root: Path):
    before = shell.shell_version()
    (fake_root / "static" / "css" / "app.css").write_text("body { color: red }")
    assert shell.shell_version() != before


def test_notes_and_licences_are_not_precached(fake_root: Path):
    before = shell.shell_version()
    (fake_root / "static" / "vendor" / "VENDOR.md").write_text("other notes")
    assert shell.shell_version() == before
    assert shell.shell_urls() == [
        "/app",
        "/offline?lang=es",
        "/offline?lang=en",
        f"{static_prefix()}/css/app.css",
    ]


def test_a_changed_shell_page_gives_a_new_worker_version(fake_root: Path):
    page = fake_root / "templates" / "pages" / "app.html"
    page.parent.mkdir(parents=True)
    page.write_text("<main></main>")
    before = shell.shell_version()
    page.write_text("<main>changed</main>")
    assert shell.shell_version() != before


def test_the_app_shell_holds_no_user_data_nor_token(client, auth, make_user, make_workspace):
    user = make_user(email="ana@example.com", name="Ana Pérez")
    make_workspace(name="Pizzería La Esquina", owner=user)
    anonymous = client.get("/app")
    assert anonymous.status_code == 200  # a device whose worker holds someone's copy
    auth.login("ana@example.com")
    page = client.get("/app").get_data(as_text=True)
    for private in ("Pizzería", "Ana Pérez", "ana@example.com", "csrf_token", str(user.id)):
        assert private not in page
    assert f'<script type="module" src="{static_prefix()}/js/boot.js">' in page


def preloads(html: str) -> list[str]:
    return [
        line.split('href="')[1].split('"')[0]
        for line in html.splitlines()
        if 'rel="modulepreload"' in line
    ]


def test_the_shell_preloads_every_module_the_app_imports_and_only_those(client, auth, make_user):
    modules = shell.app_modules()
    assert modules[0] == "js/app.js"
    for name in ("vendor/idb.js", "js/views/lock.js", "js/availability.js"):
        assert name in modules  # two and three levels of imports down
    assert "js/sw-bridge.js" not in modules  # the pages' script, not the app's
    precached = set(shell.shell_urls())
    # The screens behind the unlock and their controllers load on demand (views/app.js, app.js),
    # not before the first screen, and come from the worker's cache offline like the rest.
    lazy = (
        "js/views/main.js",
        "js/views/directory.js",
        "js/controllers.js",
        "vendor/minisearch.js",
    )
    for name in lazy:
        assert name not in modules
        assert f"{static_prefix()}/{name}" in precached
    # A visitor without a session is sent to sign in (static/js/boot.js): no module for them.
    visitor = client.get("/app").get_data(as_text=True)
    assert preloads(visitor) == []
    assert "data-session" not in visitor
    auth.login(make_user().email)
    html = client.get("/app").get_data(as_text=True)
    assert "<html " in html and "data-session" in html
    preloaded = preloads(html)
    assert preloaded == [f"{static_prefix()}/{name}" for name in modules]
    assert set(preloaded) <= precached  # offline, each one comes from the worker's cache


def test_the_module_graph_follows_relative_imports_through_folders(tmp_path, monkeypatch):
    (tmp_path / "js" / "views").mkdir(parents=True)
    (tmp_path / "vendor").mkdir()
    (tmp_path / "js" / "main.js").write_text(
        'import { a } from "./views/a.js";\nimport "./b.js";\n'
    )
    (tmp_path / "js" / "views" / "a.js").write_text('export { h } from"../../vendor/lib.js";\n')
    (tmp_path / "js" / "b.js").write_text('import { a } from "./views/a.js";\n')
    (tmp_path / "vendor" / "lib.js").write_text("export const h = 1;\n")
    monkeypatch.setattr(shell, "STATIC", tmp_path)
    shell.app_modules.cache_clear()
    try:
        modules = shell.app_modules("js/main.js")
    finally:
        shell.app_modules.cache_clear()
    assert modules == ("js/main.js", "js/views/a.js", "js/b.js", "vendor/lib.js")
