"""What travels: compressed answers, static files at versioned addresses compressed once, the
binary envelope, the public list's 304, and which answers carry the document policies."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import socket
import uuid

import brotli
import pytest
from cryptography.exceptions import InvalidTag

from tests.api.test_snapshot import key_of, seed
from tests.conftest import mutation
from tests.helpers import serve
from webapp import wire
from webapp.snapshot import service
from webapp.wire import STATIC, static_prefix

DECODE = {"br": brotli.decompress, "gzip": gzip.decompress}
BINARY = {"Accept": service.BINARY_TYPE}


def sent_as(app, name: str) -> bytes:
    """The bytes the server sends for a static file: its minified copy when `make minify` has
    built it from this source, else the file (tests below check that choice)."""
    return app.extensions["enlace_minified_files"].served(name, STATIC / name).read_bytes()


def decoded(response) -> bytes:
    """Return the body as the browser reads it, after its Content-Encoding."""
    body = response.get_data()
    encoding = response.headers.get("Content-Encoding")
    return DECODE[encoding](body) if encoding else body


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_a_static_file_comes_compressed_as_asked_and_decodes_to_the_file(client, encoding):
    response = client.get(
        f"{static_prefix()}/js/app.js", headers={"Accept-Encoding": f"{encoding}, identity;q=0.5"}
    )
    assert response.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response.headers["Vary"]
    assert decoded(response) == sent_as(client.application, "js/app.js")
    assert len(response.get_data()) < len(sent_as(client.application, "js/app.js")) / 2


def test_brotli_is_preferred_and_a_client_without_compression_gets_the_file(client):
    path = f"{static_prefix()}/css/app.css"
    both = client.get(path, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert both.headers["Content-Encoding"] == "br"
    plain = client.get(path, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    assert plain.get_data() == (STATIC / "css" / "app.css").read_bytes()


def test_images_are_sent_as_they_are(client):
    response = client.get(
        f"{static_prefix()}/icons/icon-192.png", headers={"Accept-Encoding": "br"}
    )
    assert "Content-Encoding" not in response.headers
    assert response.get_data() == (STATIC / "icons" / "icon-192.png").read_bytes()


def test_a_static_file_is_compressed_once_then_served_from_memory(client, monkeypatch):
    calls = []
    original = wire.brotli.compress
    monkeypatch.setattr(
        wire.brotli, "compress", lambda data, **kw: calls.append(1) or original(data, **kw)
    )
    path = f"{static_prefix()}/js/search.js"
    first = client.get(path, headers={"Accept-Encoding": "br"})
    second = client.get(path, headers={"Accept-Encoding": "br"})
    plain = client.get("/static/js/search.js", headers={"Accept-Encoding": "br"})
    assert first.get_data() == second.get_data() == plain.get_data()
    assert calls == [1]  # the first request compressed it; the others took the kept bytes


def test_versioned_static_files_are_immutable_and_plain_addresses_revalidate(client):
    versioned = client.get(f"{static_prefix()}/js/app.js")
    assert versioned.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    plain = client.get("/static/js/app.js")
    assert plain.headers["Cache-Control"] == "no-cache" and plain.headers["ETag"]
    # Another deploy's address still gets the file, but nothing keeps it as that version.
    older = client.get("/static/v/0123456789ab/js/app.js")
    assert older.status_code == 200 and older.headers["Cache-Control"] == "no-cache"
    assert client.get(f"{static_prefix()}/js/nothing.js").status_code == 404
    assert client.get(f"{static_prefix()}/../webapp/keys.py").status_code == 404
    for answer in (versioned, plain):
        # No session on a static file: a cached copy is not tied to the cookie of the moment.
        assert "Set-Cookie" not in answer.headers
        assert "Cookie" not in answer.headers.get("Vary", "")


def test_each_encoding_has_its_own_etag_and_a_held_one_gets_304(client):
    path = "/static/js/app.js"
    br = client.get(path, headers={"Accept-Encoding": "br"})
    gz = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert br.headers["ETag"] != gz.headers["ETag"]
    again = client.get(path, headers={"Accept-Encoding": "br", "If-None-Match": br.headers["ETag"]})
    assert again.status_code == 304
    other = client.get(
        path, headers={"Accept-Encoding": "gzip", "If-None-Match": br.headers["ETag"]}
    )
    assert other.status_code == 200 and other.headers["Content-Encoding"] == "gzip"


def build_minified(build, name: str, source: bytes, minified: bytes, stamp: int) -> None:
    """Write what `make minify` writes for one module: its minified copy and the manifest."""
    (build / name).parent.mkdir(parents=True, exist_ok=True)
    (build / name).write_bytes(minified)
    manifest = build / "manifest.json"
    files = {name: hashlib.sha256(source).hexdigest()}
    manifest.write_text(json.dumps({"terser": "5.51.4", "files": files}))
    os.utime(manifest, ns=(stamp, stamp))  # a new build is seen even within one clock tick


def test_a_module_goes_out_minified_only_while_its_source_is_the_one_minified(
    client, tmp_path, monkeypatch
):
    static, build = tmp_path / "static", tmp_path / "build"
    (static / "js").mkdir(parents=True)
    monkeypatch.setattr(wire, "STATIC", static)
    client.application.extensions["enlace_minified_files"] = wire.MinifiedFiles(build)
    source = static / "js" / "alarm.js"
    written = b"// Sound the alarm.\nexport function alarm(level) {\n  return level * 2;\n}\n"
    source.write_bytes(written)
    get = lambda: client.get("/static/js/alarm.js", headers={"Accept-Encoding": "identity"})  # noqa: E731

    assert get().get_data() == written  # nothing built: the source
    build_minified(build, "js/alarm.js", written, b"export function alarm(l){return 2*l}", 1)
    built = get()
    assert built.get_data() == b"export function alarm(l){return 2*l}"
    assert built.headers["Content-Type"] == "text/javascript; charset=utf-8"

    # Edited after the build: sent as written, never the older build (and not its ETag).
    edited = written.replace(b"* 2", b"* 3")
    source.write_bytes(edited)
    os.utime(source, ns=(2, 2))
    after_edit = get()
    assert after_edit.get_data() == edited
    assert after_edit.headers["ETag"] != built.headers["ETag"]

    # Built again: the new minified copy.
    build_minified(build, "js/alarm.js", edited, b"export function alarm(l){return 3*l}", 3)
    assert get().get_data() == b"export function alarm(l){return 3*l}"

    # A build cut short (the manifest half written, or its copy missing): the source.
    (build / "manifest.json").write_text('{"terser": "5.51.4", "files": {"js/al')
    os.utime(build / "manifest.json", ns=(4, 4))
    assert get().get_data() == edited
    build_minified(build, "js/alarm.js", edited, b"", 5)
    (build / "js" / "alarm.js").unlink()
    assert get().get_data() == edited


def test_pages_and_json_come_compressed_and_decode_to_the_same_bytes(client):
    for path in ("/login", "/api/v1/openapi.json"):
        plain = client.get(path, headers={"Accept-Encoding": "identity"})
        packed = client.get(path, headers={"Accept-Encoding": "br"})
        assert packed.headers["Content-Encoding"] == "br", path
        assert "Accept-Encoding" in packed.headers["Vary"]
        if path.startswith("/api/"):
            assert decoded(packed) == plain.get_data()
        else:  # the sign-in form holds a new CSRF token each time
            assert decoded(packed).decode().startswith("<!doctype html>")


def test_small_json_is_not_worth_compressing(client):
    response = client.get("/api/v1/session", headers={"Accept-Encoding": "br"})
    assert response.status_code == 401
    assert "Content-Encoding" not in response.headers


def test_json_answers_carry_no_document_policy_and_pages_keep_it(client, device):
    owner = device()
    json_answer = owner.client.get("/api/v1/session")
    page = owner.client.get("/app")
    worker = owner.client.get("/sw.js")
    module = owner.client.get("/static/js/app.js")
    for answer in (json_answer, module):
        for name in ("Content-Security-Policy", "X-Frame-Options", "Permissions-Policy"):
            assert name not in answer.headers
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
    for answer in (page, worker):
        assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["X-Frame-Options"] == "DENY"


def test_the_binary_envelope_opens_to_what_the_json_one_holds(device):
    owner = device()
    seed(owner)
    url = f"/api/v1/workspaces/{owner.workspace}/snapshot"
    as_json = owner.client.get(url)
    binary = owner.client.get(url, headers={**BINARY, "Accept-Encoding": "br, gzip"})
    assert binary.mimetype == service.BINARY_TYPE
    assert "Content-Encoding" not in binary.headers  # ciphertext: not worth it
    assert "Accept" in binary.headers["Vary"]
    assert binary.headers["ETag"] == as_json.headers["ETag"]
    _kid, key = key_of(owner.client)
    body = binary.get_data()
    from_binary = service.open_envelope(service.read_binary(body), key)
    from_json = service.open_envelope(as_json.get_json(), key)
    assert from_binary == from_json  # the same cached plaintext, encrypted twice
    # The raw ciphertext saves base64's third.
    assert len(body) < len(as_json.get_data()) * 0.8
    # A held ETag gets 304 in either format.
    held = {**BINARY, "If-None-Match": binary.headers["ETag"]}
    assert owner.client.get(url, headers=held).status_code == 304


def test_a_tampered_binary_envelope_does_not_open(device):
    owner = device()
    seed(owner)
    url = f"/api/v1/workspaces/{owner.workspace}/snapshot"
    body = bytearray(owner.client.get(url, headers=BINARY).get_data())
    _kid, key = key_of(owner.client)
    body[-20] ^= 1
    with pytest.raises(InvalidTag):
        service.open_envelope(service.read_binary(bytes(body)), key)
    with pytest.raises(ValueError):
        service.read_binary(b"{" + bytes(body[1:]))


def test_a_binary_delta_after_one_change_is_small_with_its_headers(device):
    owner = device()
    seed(owner)
    url = f"/api/v1/workspaces/{owner.workspace}/snapshot"
    first = owner.client.get(url, headers=BINARY)
    revision = service.read_binary(first.get_data())["revision"]
    owner.sync(mutation(uuid.uuid4(), {"name": "Protección Civil", "phones": [{"number": "911"}]}))
    delta = owner.client.get(
        f"{url}?since={revision}", headers={**BINARY, "If-None-Match": first.headers["ETag"]}
    )
    envelope = service.read_binary(delta.get_data())
    assert envelope["base"] == revision
    _kid, key = key_of(owner.client)
    assert [c["data"]["name"] for c in service.open_envelope(envelope, key)["changes"]] == [
        "Protección Civil"
    ]
    headers = sum(len(name) + len(value) + 4 for name, value in delta.headers.items())
    assert "Content-Security-Policy" not in delta.headers
    assert headers + len(delta.get_data()) <= 1536


def test_the_public_list_answers_304_while_it_is_current(device):
    owner = device()
    public, team, _secret = seed(owner)
    url = f"/api/v1/workspaces/{owner.workspace}/public"
    first = owner.client.get(url)
    tag = first.headers["ETag"]
    assert tag.startswith('W/"')
    held = {"If-None-Match": tag}
    unchanged = owner.client.get(url, headers=held)
    assert unchanged.status_code == 304 and unchanged.get_data() == b""
    # A device that holds the same list as whole records (before quick dial's fields only)
    # gets the new one once.
    whole_records = {"If-None-Match": tag.replace('W/"p2-', 'W/"p-')}
    assert owner.client.get(url, headers=whole_records).status_code == 200
    # A change that is not to a public contact leaves the list as it was.
    owner.sync(mutation(team, {"role": "Contadora"}, base_version=1))
    assert owner.client.get(url, headers=held).status_code == 304
    # A change to a public contact is a new list.
    owner.sync(mutation(public, {"name": "Bomberos Centro"}, base_version=1))
    changed = owner.client.get(url, headers=held)
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    names = [c["name"] for c in changed.get_json()["contacts"]]
    assert names == ["Bomberos Centro"]
    # A contact that stops being public leaves a shorter list, never a stale 304.
    newer = {"If-None-Match": changed.headers["ETag"]}
    owner.sync(mutation(public, {"visibility": "team"}, base_version=2))
    gone = owner.client.get(url, headers=newer)
    assert gone.status_code == 200 and gone.get_json()["contacts"] == []


def test_an_answer_over_http_carries_one_date(app):
    # The server sends its own Date; a second one (Werkzeug's `make_conditional`, which
    # compression and the shell's ETag call) is bytes on every answer for nothing.
    with serve(app) as server:
        for path in ("/login", "/app", "/static/css/app.css"):
            with socket.create_connection(("127.0.0.1", server.server_port), timeout=30) as conn:
                conn.sendall(
                    f"GET {path} HTTP/1.1\r\nHost: x\r\nAccept-Encoding: br\r\n"
                    "Connection: close\r\n\r\n".encode()
                )
                head = b""
                while b"\r\n\r\n" not in head:
                    chunk = conn.recv(65536)
                    assert chunk, path
                    head += chunk
            lines = head.split(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
            assert "Content-Encoding: br" in lines, path
            assert len([line for line in lines if line.lower().startswith("date:")]) == 1, path
