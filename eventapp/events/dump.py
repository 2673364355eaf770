"""An event's file written from its EventSpec, in the format spec.parse_event_file reads back unchanged."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import yaml

from .spec import EventSpec

LOCAL_FORMAT = "%Y-%m-%d %H:%M"


def dump_event_file(spec: EventSpec) -> str:
    """The file for an event, in the format parse_event_file reads (the same spec comes back)."""
    zone = ZoneInfo(spec.timezone)

    def local(moment: datetime | None) -> str | None:
        return moment.astimezone(zone).strftime(LOCAL_FORMAT) if moment else None

    def without_empty(values: dict) -> dict:
        return {k: v for k, v in values.items() if v is not None and v != [] and v != {}}

    data = without_empty({
        "name": spec.name, "short_name": spec.short_name, "slug": spec.slug, "state": spec.state.value if spec.state
        else None, "tagline": spec.tagline, "description": spec.description,
        "programme_notes": spec.programme_notes, "starts": local(spec.starts), "ends": local(spec.ends),
        "timezone": spec.timezone, "venue": spec.venue, "venue_address": spec.venue_address,
        "capacity": spec.capacity,
        "registration": without_empty({"opens": local(spec.registration_opens),
                                       "closes": local(spec.registration_closes), "offer_hours": spec.offer_hours,
                                       "edit_deadline": local(spec.edit_deadline)}),
        "organisations": [without_empty({
            "name": o.name, "short_name": o.short_name, "kind": o.kind.value if o.kind else None, "country": o.country,
            "role": o.role.value, "description": o.description, "website": o.website}) for o in spec.organisations],
        "slots": [{"name": s.name, "starts": local(s.starts), "ends": local(s.ends), "sessions": [without_empty({
            "title": t.title, "lead": _lead_name(spec, t.lead), "room": t.room, "capacity": t.capacity,
            "description": t.description}) for t in s.sessions]} for s in spec.slots],
        "reminder_days": spec.reminder_days,
        "privacy": without_empty({"controller": spec.privacy_controller, "contact": spec.privacy_contact,
                                  "retention_months": spec.privacy_retention_months}),
    })
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def _lead_name(spec: EventSpec, lead: str) -> str:
    for organisation in spec.organisations:
        if organisation.name == lead:
            return organisation.short_name or organisation.name
    return lead


class _Dumper(yaml.SafeDumper):
    """Multi-line texts as literal blocks, so a description reads in the file as it was typed."""


def _text(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)

