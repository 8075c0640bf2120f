"""The `enlace` commands as docs/ARCHITECTURE.md pins them, and their one-line errors."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from webapp.cli import main
from webapp.db import session_scope
from webapp.workspaces.models import Membership, Workspace


def invoke(runner, *args, input=None):  # noqa: A002
    return runner.invoke(main, list(args), input=input)


def test_users_create_reads_the_password_from_stdin(app, runner):
    result = invoke(
        runner,
        "users",
        "create",
        "Ana@Example.com",
        "--name",
        "Ana",
        "--password-stdin",
        input="a long passphrase\n",
    )
    assert result.exit_code == 0, result.output
    assert "ana@example.com" in result.output
    duplicate = invoke(
        runner,
        "users",
        "create",
        "ana@example.com",
        "--name",
        "Ana",
        "--password-stdin",
        input="a long passphrase\n",
    )
    assert duplicate.exit_code == 1
    assert duplicate.output.strip().splitlines() == [
        "Error: An account with this email already exists."
    ]


def test_users_create_refuses_a_weak_password_or_missing_stdin(app, runner):
    weak = invoke(
        runner,
        "users",
        "create",
        "b@example.com",
        "--name",
        "B",
        "--password-stdin",
        input="short\n",
    )
    assert weak.exit_code == 1
    assert "Error: Use at least 10 characters." in weak.output
    missing = invoke(runner, "users", "create", "b@example.com", "--name", "B")
    assert missing.exit_code == 1
    assert "--password-stdin" in missing.output


def test_workspaces_create_prints_the_id_alone_on_the_last_line(app, runner, make_user):
    make_user(email="owner@example.com")
    result = invoke(
        runner,
        "workspaces",
        "create",
        "Pizzería La Esquina",
        "--owner",
        "owner@example.com",
        "--country",
        "mx",
        "--city",
        "Guadalajara",
    )
    assert result.exit_code == 0, result.output
    workspace_id = uuid.UUID(result.output.strip().splitlines()[-1])
    with app.app_context(), session_scope(app) as session:
        workspace = session.get(Workspace, workspace_id)
        assert (workspace.name, workspace.country, workspace.city, workspace.timezone) == (
            "Pizzería La Esquina",
            "MX",
            "Guadalajara",
            "America/Mexico_City",
        )
        roles = [
            (m.user.email, m.role)
            for m in session.scalars(
                select(Membership).where(Membership.workspace_id == workspace_id)
            )
        ]
    assert roles == [("owner@example.com", "owner")]


def test_workspaces_create_errors_are_one_line(app, runner, make_user):
    make_user(email="owner@example.com")
    cases = [
        (
            ["--owner", "ghost@example.com", "--country", "MX", "--city", "X"],
            "no user with email ghost@example.com",
        ),
        (
            ["--owner", "owner@example.com", "--country", "XX", "--city", "X"],
            "is not a country code",
        ),
        (
            ["--owner", "owner@example.com", "--country", "MEX", "--city", "X"],
            "is not a country code",
        ),
        (["--owner", "owner@example.com", "--country", "MX", "--city", " "], "Enter a city"),
    ]
    for args, message in cases:
        result = invoke(runner, "workspaces", "create", "Brand", *args)
        assert result.exit_code == 1, args
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error:") and message in lines[0], (
            result.output
        )
        assert "Traceback" not in result.output
    with app.app_context(), session_scope(app) as session:
        assert session.scalars(select(Workspace)).all() == []


def test_members_add_and_its_errors(app, runner, make_user, make_workspace):
    make_user(email="viewer@example.com")
    workspace = make_workspace()
    ok = invoke(
        runner, "members", "add", str(workspace.id), "viewer@example.com", "--role", "viewer"
    )
    assert ok.exit_code == 0, ok.output
    change = invoke(
        runner, "members", "add", str(workspace.id), "viewer@example.com", "--role", "editor"
    )
    assert change.exit_code == 0
    with app.app_context(), session_scope(app) as session:
        roles = {m.user.email: m.role for m in session.scalars(select(Membership))}
    assert roles["viewer@example.com"] == "editor"
    cases = [
        ([str(workspace.id), "viewer@example.com", "--role", "boss"], "is not a role"),
        ([str(workspace.id), "ghost@example.com", "--role", "viewer"], "no user with email"),
        ([str(uuid.uuid4()), "viewer@example.com", "--role", "viewer"], "no workspace with id"),
        (["not-a-uuid", "viewer@example.com", "--role", "viewer"], "no workspace with id"),
    ]
    for args, message in cases:
        result = invoke(runner, "members", "add", *args)
        assert result.exit_code == 1
        assert message in result.output and "Traceback" not in result.output


def test_demo_creates_a_user_that_can_sign_in(app, runner, client):
    from tests.conftest import Auth

    result = invoke(runner, "demo")
    assert result.exit_code == 0, result.output
    email = next(line.split()[-1] for line in result.output.splitlines() if "email:" in line)
    password = next(line.split()[-1] for line in result.output.splitlines() if "password:" in line)
    assert Auth(client).login(email, password).status_code == 302
    workspaces = client.get("/api/v1/session").get_json()["workspaces"]
    assert any("Demo" in workspace["name"] for workspace in workspaces)
    # Running it again keeps the same credentials and creates nothing new.
    again = invoke(runner, "demo")
    assert password in again.output
    with app.app_context(), session_scope(app) as session:
        assert len(session.scalars(select(Workspace)).all()) == 1
