"""Jinja helpers shared by every feature: times in the event's zone, labels, the logout form."""

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
