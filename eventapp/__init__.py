"""eventapp: the people side of a conference. create_app() is the one app factory."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

from config import CONFIGS, persistent_secret_key

from .extensions import csrf, db, limiter, login_manager, migrate


def create_app(config_name: str | None = None, overrides: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=os.path.join(os.path.dirname(os.path.dirname(__file__)), "templates"),
        instance_path=None,
    )
    config_name = config_name or os.environ.get("EVENTAPP_CONFIG", "default")
    app.config.from_object(CONFIGS[config_name])
    if overrides:
        app.config.update(overrides)
    app.instance_path = str(app.config["INSTANCE_DIR"])
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = persistent_secret_key(app.config["INSTANCE_DIR"])
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        os.makedirs(app.instance_path, exist_ok=True)

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations"),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)

    from .database import configure_sqlite

    configure_sqlite(app)

    from .assignment.views import bp as assignment_bp
    from .auth.views import bp as auth_bp
    from .badges.views import bp as badges_bp
    from .checkin.api import bp as checkin_api_bp
    from .checkin.views import bp as checkin_bp
    from .dashboard.views import bp as dashboard_bp
    from .health.views import bp as health_bp
    from .jobs.views import bp as jobs_bp
    from .mail.views import bp as mail_bp
    from .public.views import bp as public_bp
    from .registration.views import bp as registration_bp
    from .report.views import bp as report_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(checkin_bp)
    app.register_blueprint(checkin_api_bp)
    app.register_blueprint(mail_bp)
    app.register_blueprint(registration_bp)
    app.register_blueprint(jobs_bp)
    app.register_blueprint(badges_bp)
    app.register_blueprint(assignment_bp)
    app.register_blueprint(report_bp)

    from .badges.service import register_integrations as register_badge_integrations

    register_badge_integrations()

    from .errors import register_error_handlers
    from .request_log import configure_logging, register_request_logging
    from .security import register_security_headers
    from .templating import register_template_helpers

    register_error_handlers(app)
    register_template_helpers(app)
    register_security_headers(app)
    register_request_logging(app)
    configure_logging(app)
    if app.config.get("PROXY_COUNT"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_prefix=n)

    from .cli import register_cli

    register_cli(app)

    return app
