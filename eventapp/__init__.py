"""eventapp: the people side of a conference. create_app() is the one app factory."""

from __future__ import annotations

import os
from functools import lru_cache, partial, wraps
from typing import Any

from flask import Flask, current_app, request
from flask_limiter import ExemptionScope
from flask_limiter.util import get_qualified_name

from config import CONFIGS, persistent_secret_key

from .extensions import csrf, db, limiter, login_manager, migrate


class EventApp(Flask):
    """Flask, remembering whether each hook and view is a coroutine function.

    Flask asks ``inspect`` before calling each of them, about ten times a request (every before-, after- and
    teardown-request hook and the view), for an answer that never changes.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Bounded: a class-based view hands Flask a new bound method on every request.
        self.ensure_sync = lru_cache(maxsize=1024)(self.ensure_sync)


def create_app(config_name: str | None = None, overrides: dict[str, Any] | None = None) -> Flask:
    app = EventApp(
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

    from .database import configure_sqlite, end_reads_with_commit, pin_read_committed

    pin_read_committed(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations"),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    limit_only_where_limits_apply(app)

    configure_sqlite(app)
    end_reads_with_commit(app)

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
    from .security import SessionInterface, register_security_headers
    from .templating import register_template_helpers

    register_error_handlers(app)
    register_template_helpers(app)
    app.session_interface = SessionInterface()
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


_FULLY_EXEMPT = ExemptionScope.APPLICATION | ExemptionScope.DEFAULT | ExemptionScope.META


def _no_limit_applies() -> bool:
    """Whether this request's endpoint is one no rate limit can apply to (the check-in API, the health checks).

    The set is made once per app, from the limiter's own answers, at its first request (when every view is
    registered): an endpoint is in it only when it is exempt from the application, default and meta limits and
    neither it nor its blueprint has a limit of its own.
    """
    unlimited = current_app.extensions.get("eventapp.unlimited_endpoints")
    if unlimited is None:
        app = current_app._get_current_object()
        unlimited = app.extensions["eventapp.unlimited_endpoints"] = _unlimited_endpoints(app)
    return request.endpoint in unlimited


def _unlimited_endpoints(app: Flask) -> frozenset[str]:
    manager = limiter.limit_manager
    found = set()
    for endpoint, view in app.view_functions.items():
        blueprint = endpoint.rpartition(".")[0] or None
        if (manager.exemption_scope(app, endpoint, blueprint) & _FULLY_EXEMPT) != _FULLY_EXEMPT:
            continue
        if manager.decorated_limits(get_qualified_name(view)):
            continue
        if blueprint and manager.blueprint_limits(app, blueprint):
            continue
        found.add(endpoint)
    return frozenset(found)


def limit_only_where_limits_apply(app: Flask) -> int:
    """Skip Flask-Limiter's per-request hooks on endpoints no limit can apply to; answers how many it wrapped (3).

    Left to itself the limiter works out, on every request, which limits apply from the view's and blueprint's
    exemptions, and keeps a per-request context for its headers: on the scanner API that cost more than the
    token lookup. Its before-request check, after-request headers and teardown are wrapped so that they run as
    before everywhere else (login, registration and manage links keep their limits and headers).
    """

    def is_limiters(hook) -> bool:
        return getattr(hook, "__self__", None) is limiter or (
            isinstance(hook, partial) and hook.args == (limiter,)
        )

    def guarded(hook, passes_response: bool):
        @wraps(hook)
        def run(*args):
            if _no_limit_applies():
                return args[0] if passes_response else None
            return hook(*args)

        run.limiter_hook = hook
        return run

    wrapped = 0
    for hooks, passes_response in ((app.before_request_funcs, False), (app.after_request_funcs, True),
                                   (app.teardown_request_funcs, False)):
        functions = hooks.get(None, [])
        for i, hook in enumerate(functions):
            if is_limiters(hook):
                functions[i] = guarded(hook, passes_response)
                wrapped += 1
    return wrapped
