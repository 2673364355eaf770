"""eventapp: the people side of a conference. create_app() is the one app factory."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import CONFIGS, persistent_secret_key
from .database import configure_sqlite, end_reads_with_commit, set_engine_options
from .extensions import csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent  # templates/ and migrations/ sit beside the package


class EventApp(Flask):
    """Flask, logging an unhandled error as the request log does.

    log_exception is Flask's documented hook for this: its own line would carry the raw path (a manage link's
    secret, or a %0a that starts a forged line)."""

    def log_exception(self, exc_info) -> None:
        """Flask's hook for logging an unhandled error: with the path masked and escaped, and the request id."""
        from .request_log import log_exception

        log_exception(self, exc_info)


def create_app(config_name: str | None = None, overrides: dict[str, Any] | None = None) -> Flask:
    app = EventApp(__name__, template_folder=str(ROOT / "templates"), instance_path=None)
    configure(app, config_name, overrides)
    register_request_reading(app)
    register_extensions(app)
    register_blueprints(app)
    register_integrations()
    register_job_kinds()
    register_request_handling(app)
    register_cli(app)
    return app


def configure(app: Flask, config_name: str | None, overrides: dict[str, Any] | None) -> None:
    config_name = config_name or os.environ.get("EVENTAPP_CONFIG", "default")
    app.config.from_object(CONFIGS[config_name])
    if overrides:
        app.config.update(overrides)
    app.instance_path = str(app.config["INSTANCE_DIR"])
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = persistent_secret_key(app.config["INSTANCE_DIR"])
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        os.makedirs(app.instance_path, exist_ok=True)


def register_request_reading(app: Flask) -> None:
    """How a request is read: its body within the size limits (before the CSRF check, an extension, reads a form)
    and whole numbers in its URL (the int converter, before any blueprint adds a rule)."""
    from .request_limits import register_request_limits
    from .url_numbers import register_url_numbers

    register_request_limits(app)
    register_url_numbers(app)


def register_extensions(app: Flask) -> None:
    set_engine_options(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    configure_sqlite(app)
    end_reads_with_commit(app)


def register_blueprints(app: Flask) -> None:
    # Imported here: each views module imports the models and services, which need the extensions above.
    from .assignment.views import bp as assignment_bp
    from .auth.staff_views import bp as staff_bp
    from .auth.views import bp as auth_bp
    from .badges.views import bp as badges_bp
    from .calendar.views import bp as calendar_bp
    from .certificates.views import bp as certificates_bp
    from .checkin.api import bp as checkin_api_bp
    from .checkin.app_shell import bp as checkin_app_bp
    from .checkin.offline_api import bp as checkin_offline_bp
    from .checkin.views import bp as checkin_bp
    from .dashboard.views import bp as dashboard_bp
    from .events.programme_views import bp as programme_bp
    from .events.views import bp as events_bp
    from .health.views import bp as health_bp
    from .jobs.views import bp as jobs_bp
    from .letters.views import bp as letters_bp
    from .mail.views import bp as mail_bp
    from .messages.views import bp as messages_bp
    from .public.views import bp as public_bp
    from .registration.import_views import bp as imports_bp
    from .registration.views import bp as registration_bp
    from .report.views import bp as report_bp
    from .retention.views import bp as retention_bp
    from .survey.views import bp as survey_bp

    for blueprint in (public_bp, health_bp, auth_bp, dashboard_bp, events_bp, programme_bp, checkin_bp,
                      checkin_api_bp, mail_bp, registration_bp, jobs_bp, badges_bp, assignment_bp, report_bp,
                      survey_bp, certificates_bp, calendar_bp, retention_bp, checkin_app_bp, checkin_offline_bp,
                      staff_bp, letters_bp, imports_bp, messages_bp):
        app.register_blueprint(blueprint)


def register_integrations() -> None:
    """Features that plug into another feature's extension points (a badge attached to a mail)."""
    from .badges.service import register_integrations as register_badge_integrations
    from .calendar.service import register_integrations as register_calendar_integrations
    from .mail.reminders import register_integrations as register_reminders
    from .retention.service import register_integrations as register_retention

    register_badge_integrations()
    register_calendar_integrations()
    register_reminders()
    register_retention()
    from .auth.mails import register_integrations as register_staff_mail

    register_staff_mail()


def register_job_kinds() -> None:
    """Every feature's kinds of background job, registered the same way, here."""
    from .badges.service import register_job_kinds as register_badge_jobs
    from .certificates.service import register_job_kinds as register_certificate_jobs
    from .messages.service import register_job_kinds as register_message_jobs
    from .registration.importing import register_job_kinds as register_import_jobs
    from .report.jobs import register_job_kinds as register_report_jobs

    register_badge_jobs()
    register_certificate_jobs()
    register_report_jobs()
    register_import_jobs()
    register_message_jobs()


def register_request_handling(app: Flask) -> None:
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
        n = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_prefix=n)


def register_cli(app: Flask) -> None:
    from .cli import register_cli as register_commands

    register_commands(app)
