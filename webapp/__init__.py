"""Enlace: an offline-first emergency directory for community managers and crisis teams."""

from __future__ import annotations

import mimetypes
from typing import Any

from flask import Flask

from webapp.config import ROOT, from_env


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Create the Flask application; `overrides` replace settings read from the environment."""
    from webapp import converters, db, i18n, jsonprovider, security, templating, wire
    from webapp.activity import routes as activity_routes
    from webapp.api import account as account_api
    from webapp.api import routes as api_routes
    from webapp.auth import routes as auth_routes
    from webapp.auth.session import init_login
    from webapp.errors import handlers as error_handlers
    from webapp.extensions import csrf, limiter
    from webapp.keys import instance_keys, secure_instance, vapid_key, vapid_public_key
    from webapp.pages import routes as page_routes
    from webapp.poster import routes as poster_routes
    from webapp.push import routes as push_routes
    from webapp.readiness import routes as readiness_routes
    from webapp.snapshot import routes as snapshot_routes
    from webapp.sync import routes as sync_routes
    from webapp.toolkit import routes as toolkit_routes
    from webapp.workspaces import api as workspace_api
    from webapp.workspaces import routes as workspace_routes

    # Python's table lacks it; browsers want the web app manifest's own type.
    mimetypes.add_type("application/manifest+json", ".webmanifest")
    config = from_env()
    config.update(overrides or {})
    app = Flask(
        __name__,
        instance_path=str(config["INSTANCE_PATH"]),
        template_folder=str(ROOT / "templates"),
        static_folder=None,  # served by webapp/wire.py, under versioned URLs
    )
    app.config.update(config)
    secure_instance(app.instance_path, app.config["DATABASE_URL"])
    keys = instance_keys(app.instance_path)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = keys["secret_key"]
    app.config["MASTER_KEY"] = keys["master_key"]
    vapid = vapid_key(app.instance_path)
    app.extensions["enlace_vapid"] = vapid
    app.config["VAPID_PUBLIC_KEY"] = vapid_public_key(vapid)

    if app.config.get("TRUSTED_PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Rate limits, the audit log and url schemes then see the client, not the proxy.
        count = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)  # type: ignore[method-assign]

    converters.init_app(app)
    jsonprovider.init_app(app)
    db.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    init_login(app)
    security.init_app(app)
    wire.init_app(app)
    error_handlers.init_app(app)
    templating.init_app(app)

    app.register_blueprint(auth_routes.bp)
    app.register_blueprint(page_routes.bp)
    app.register_blueprint(workspace_routes.bp)
    app.register_blueprint(activity_routes.bp)
    app.register_blueprint(api_routes.bp)
    app.register_blueprint(account_api.bp)
    app.register_blueprint(sync_routes.bp)
    app.register_blueprint(snapshot_routes.bp)
    app.register_blueprint(toolkit_routes.bp)
    app.register_blueprint(readiness_routes.bp)
    app.register_blueprint(poster_routes.bp)
    app.register_blueprint(push_routes.bp)
    app.register_blueprint(workspace_api.bp)
    return app
