"""The `enlace` command."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, routes_command, shell_command

from webapp import create_app
from webapp.db import get_engine, session_scope
from webapp.errors import ServiceError


def _create_app(*_args: object) -> Flask:
    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False)
def main() -> None:
    """Enlace: the emergency directory for community managers and crisis teams."""


main.add_command(shell_command)
main.add_command(routes_command)


def _fail(message: str) -> None:
    raise click.ClickException(message)


@main.command("init")
def init_command() -> None:
    """Create or migrate the database and create the keys that are missing."""
    from webapp.migrations import upgrade

    upgrade(get_engine())
    click.echo(f"Database ready: {_safe_url(current_app.config['DATABASE_URL'])}")
    # create_app has made the instance folder 0700 and its files 0600 (webapp/keys.py).
    click.echo(f"Keys in {current_app.instance_path} (folder 0700, files 0600).")
    from webapp.keys import vapid_key, vapid_public_key

    # Made at start too; an instance from before push gets its key here.
    key = vapid_public_key(vapid_key(current_app.instance_path))
    click.echo(f"VAPID public key (push): {key}")


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@main.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def run_command(host: str, port: int) -> None:
    """Run the development server, with the push dispatcher in a thread."""
    from werkzeug.serving import run_simple

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config["PUSH_DISPATCHER_THREAD"]:
        from webapp.push.dispatcher import start_thread

        start_thread(app)
        click.echo("Push dispatcher running in this process (ENLACE_PUSH_DISPATCHER=0 stops it).")
    click.echo(f"Enlace is serving http://{host}:{port}/ (Ctrl+C stops it)")
    # run_simple, not app.run(): Flask ignores app.run() inside a `flask`-style CLI command.
    run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)


@main.command("push-worker")
def push_worker_command() -> None:
    """Send push notifications: the dispatcher alone, until SIGTERM or Ctrl+C.

    Several may run against one PostgreSQL database (they claim work with SKIP LOCKED).
    """
    import signal

    from webapp.push.dispatcher import Dispatcher

    dispatcher = Dispatcher(current_app._get_current_object())  # type: ignore[attr-defined]

    def _stop(_signum: int, _frame: object) -> None:
        dispatcher.stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    click.echo("Push worker running (SIGTERM or Ctrl+C stops it).", err=True)
    dispatcher.run_forever()
    click.echo(f"Push worker stopped: {dict(dispatcher.stats)}", err=True)


@main.group("users")
def users() -> None:
    """Manage user accounts."""


@users.command("create")
@click.argument("email")
@click.option("--name", required=True, help="The person's name.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_create(email: str, name: str, password_stdin: bool) -> None:
    """Create a user account."""
    from webapp.auth import service

    if not password_stdin:
        _fail("give the password on standard input with --password-stdin")
    password = sys.stdin.readline().rstrip("\r\n")
    try:
        with session_scope() as session:
            user = service.create_user(session, email, name, password)
            click.echo(f"Created user {user.email}")
            click.echo(str(user.id))
    except ServiceError as error:
        _fail(error.message)


@main.group("workspaces")
def workspaces() -> None:
    """Manage workspaces."""


@workspaces.command("create")
@click.argument("name")
@click.option("--owner", "owner_email", required=True, help="Email of the first owner.")
@click.option("--country", required=True, help="ISO 3166-1 alpha-2 code, e.g. MX.")
@click.option("--city", required=True)
@click.option("--timezone", default=None, help="IANA time zone; default: the country's main one.")
@click.option(
    "--language",
    default=None,
    help="es or en: the language of its emergency numbers and playbooks; default: by country.",
)
def workspaces_create(
    name: str,
    owner_email: str,
    country: str,
    city: str,
    timezone: str | None,
    language: str | None,
) -> None:
    """Create a workspace with its country's emergency numbers and the default playbooks.

    Prints its id on the last line.
    """
    from webapp.auth import service as auth_service
    from webapp.toolkit import seed

    try:
        with session_scope() as session:
            owner = auth_service.find_user(session, owner_email)
            if owner is None:
                _fail(f"no user with email {owner_email}; create it with 'enlace users create'")
            assert owner is not None
            workspace = seed.create_workspace(
                session, name, owner, country, city, timezone, language
            )
            click.echo(
                f"Created workspace {workspace.name} ({workspace.country}, {workspace.timezone},"
                f" {workspace.language})"
            )
            workspace_id = workspace.id
    except ServiceError as error:
        _fail(error.message)
    click.echo(str(workspace_id))


@main.group("members")
def members() -> None:
    """Manage workspace members."""


@members.command("add")
@click.argument("workspace_id")
@click.argument("email")
@click.option("--role", required=True, help="owner, editor or viewer")
def members_add(workspace_id: str, email: str, role: str) -> None:
    """Add a user to a workspace with a role (or change the member's role)."""
    from webapp.auth import service as auth_service
    from webapp.workspaces import service

    try:
        service.check_role(role)
        with session_scope() as session:
            wid = service.parse_uuid(workspace_id)
            if service.get_workspace(session, wid) is None:
                _fail(f"no workspace with id {workspace_id}")
            user = auth_service.find_user(session, email)
            if user is None:
                _fail(f"no user with email {email}; create it with 'enlace users create'")
            assert user is not None
            service.add_member(session, wid, user, role)
            click.echo(f"{user.email} is {role} of {workspace_id}")
    except ServiceError as error:
        _fail(f"no workspace with id {workspace_id}" if error.status == 404 else error.message)


@main.command("demo")
def demo_command() -> None:
    """Create the demo user and workspace if missing, and print how to sign in."""
    from webapp.demo import ensure_demo

    credentials = ensure_demo()
    click.echo("")
    click.echo("  Demo sign-in")
    click.echo(f"    email:    {credentials['email']}")
    click.echo(f"    password: {credentials['password']}")
    click.echo("")
