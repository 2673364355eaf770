"""Next year's conference: an event copied with new dates (partners, programme shape, privacy notice and texts),
nothing about people; made through the event file's import, as a draft."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from ..models import Event, EventState, StaffUser
from .programme import SetupRefused
from .setup import export_spec, import_event
from .spec import slugify


def clone_event(event: Event, name: str, slug: str | None, starts_local: datetime,
                by: StaffUser | None = None) -> Event:
    """A draft copy starting at `starts_local` (on the event's clock); every other time moves with it. Commits."""
    from .service import get_event

    slug = slug or slugify(name)
    if not slug:
        raise SetupRefused(["Give the new event a web address (slug) of letters and digits."], field="slug")
    if get_event(slug) is not None:
        raise SetupRefused([f"Another event already uses the address “{slug}”."], field="slug")
    old_start = event.starts_at.astimezone(ZoneInfo(event.timezone)).replace(tzinfo=None)
    spec = export_spec(event).shifted(starts_local - old_start)
    return import_event(replace(spec, name=name, slug=slug, state=EventState.DRAFT), by=by).event
