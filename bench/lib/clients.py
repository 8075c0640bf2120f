"""The benchmarks' devices: signed-in test clients that sync, pull and fetch snapshots."""

from __future__ import annotations

import random
import time
import uuid
from typing import Any

from flask import Flask

from bench.lib.dataset import ROLES
from tests.helpers import sign_in

PASSWORD = "bench password 1234"  # noqa: S105 - a throwaway account in a throwaway database
USER_AGENT = "enlace-sync-bench/1"
OWNER = "owner@bench.example.com"
EDITOR = "editor@bench.example.com"


class Device:
    """A signed-in device of one user, talking to the app in process."""

    def __init__(self, app: Flask, email: str, workspace_id: str):
        self.client = app.test_client()
        self.client.environ_base["HTTP_USER_AGENT"] = USER_AGENT
        self.token = sign_in(self.client, email, PASSWORD)
        self.workspace = workspace_id
        self.cursor = 0

    def sync(self, mutations: list[dict[str, Any]] | None = None, cursor: int | None = None):
        """Send mutations from the cursor (default: this device's); return the response."""
        body = {
            "workspace": self.workspace,
            "cursor": self.cursor if cursor is None else cursor,
            "mutations": mutations or [],
        }
        response = self.client.post("/api/v1/sync", json=body, headers={"X-CSRFToken": self.token})
        if response.status_code != 200:
            raise RuntimeError(f"sync answered {response.status_code}: {response.get_data()[:300]}")
        return response

    def pull_all(self) -> tuple[int, int, int, float]:
        """Pull every page from cursor 0; return (pages, changes, bytes, server ms).

        Server ms is the sum of the request round trips through the test client; decoding the
        JSON pages on the client side (which a phone does at its own speed) is not included.
        """
        cursor, pages, changes, size, server = 0, 0, 0, 0, 0.0
        while True:
            started = time.perf_counter()
            response = self.sync(cursor=cursor)
            server += time.perf_counter() - started
            data = response.get_json()
            pages += 1
            changes += len(data["changes"])
            size += len(response.get_data())
            cursor = data["cursor"]
            if not data["more"]:
                break
        self.cursor = cursor
        return pages, changes, size, server * 1000

    def snapshot(self, etag: str | None = None):
        """Fetch the workspace's snapshot, with If-None-Match when given an ETag."""
        headers = {"If-None-Match": etag} if etag else {}
        return self.client.get(f"/api/v1/workspaces/{self.workspace}/snapshot", headers=headers)


class Editor:
    """Makes one-field edits with the right base, remembering versions and values."""

    def __init__(self, contacts: dict[str, dict[str, Any]], rnd: random.Random):
        self.contacts = contacts  # entity id -> {"version", "role_title"}
        self.ids = list(contacts)
        self.rnd = rnd
        self.count = 0

    def mutation(self) -> dict[str, Any]:
        entity_id = self.rnd.choice(self.ids)
        state = self.contacts[entity_id]
        self.count += 1
        value = f"{self.rnd.choice(ROLES)} ({self.count})"
        return {
            "id": str(uuid.uuid4()),
            "type": "contact",
            "entity_id": entity_id,
            "op": "put",
            "base_version": state["version"],
            "fields": {"role_title": value},
            "base": {"role_title": state["role_title"]},
            "_value": value,
        }

    def send(self, device: Device) -> Any:
        """Send one edit from the device and check that it applied; return the response."""
        mutation = self.mutation()
        value = mutation.pop("_value")
        response = device.sync([mutation])
        data = response.get_json()
        result = data["results"][0]
        if result["status"] != "applied":
            raise RuntimeError(f"edit not applied: {result}")
        state = self.contacts[mutation["entity_id"]]
        state["version"], state["role_title"] = result["version"], value
        device.cursor = data["cursor"]
        return response
