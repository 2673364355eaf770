"""Jinja helpers shared by every feature: times in the event's zone, labels, the logout form; compiling the
templates ahead of the first request."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask


def format_local_time(moment: datetime | None, tz: str, fmt: str = "%d %b %Y, %H:%M") -> str:
    """A UTC moment shown in the event's time zone."""
    if moment is None:
        return ""
    return moment.astimezone(ZoneInfo(tz)).strftime(fmt)


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters["localtime"] = format_local_time

    @app.context_processor
    def _common():
        from .auth.forms import LogoutForm

        return {"logout_form": LogoutForm, "has_endpoint": lambda name: name in app.view_functions}

    from .formkit import error_list
    from .workspace import register_workspace

    app.jinja_env.globals["form_error_list"] = error_list

    register_workspace(app)


def compile_all_templates(app: Flask) -> int:
    """Compile every template now rather than at its first use: called in gunicorn's master (preload_app), so
    that each worker it forks, and each it recycles after max_requests, starts with them compiled instead of
    compiling its own during its first requests. Returns how many."""
    names = app.jinja_env.list_templates()
    for name in names:
        app.jinja_env.get_template(name)
    return len(names)
