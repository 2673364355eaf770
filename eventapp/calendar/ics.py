"""Calendar entries as an iCalendar file (RFC 5545) and as "add to Google / Outlook" links; no database here.

Times come in as aware UTC datetimes and go out in the event's own zone (DTSTART;TZID=... with the zone's
VTIMEZONE in the file), or as UTC ("Z") when the event's zone is UTC. Each entry has a UID that never changes
for what it describes (the event; one attendee's place in one time slot), so a later file with the same UID
and a higher SEQUENCE replaces the entry the calendar already holds instead of adding a second one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

PRODID = "-//eventapp//conference calendar//EN"
# How far before the first entry and after the last the file's VTIMEZONE describes the zone's rules.
ZONE_RULES_MARGIN = timedelta(days=366)


@dataclass(frozen=True)
class CalendarEntry:
    uid: str
    summary: str
    starts_at: datetime  # aware, any zone; written in `timezone`
    ends_at: datetime
    timezone: str
    location: str = ""
    description: str = ""
    url: str = ""


def sequence_at(moment: datetime, origin: datetime) -> int:
    """SEQUENCE for a file made at `moment`: whole minutes since `origin` (the event's creation). It only grows,
    so every file we make supersedes every earlier one whatever made it (a mail, a retry, a download); two made
    in the same minute tie on SEQUENCE and the later DTSTAMP wins."""
    return max(0, int((moment - origin).total_seconds() // 60))


def _local(moment: datetime, timezone: str) -> datetime:
    return moment.astimezone(UTC if timezone == "UTC" else ZoneInfo(timezone))


def build_ics(entries: list[CalendarEntry], *, stamp: datetime, sequence: int, name: str = "") -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("x-wr-calname", name)
    for entry in entries:
        event = Event()
        event.add("uid", entry.uid)
        event.add("dtstamp", stamp.astimezone(UTC))
        event.add("sequence", sequence)
        event.add("summary", entry.summary)
        event.add("dtstart", _local(entry.starts_at, entry.timezone))
        event.add("dtend", _local(entry.ends_at, entry.timezone))
        if entry.location:
            event.add("location", entry.location)
        if entry.description:
            event.add("description", entry.description)
        if entry.url:
            event.add("url", entry.url)
        calendar.add_component(event)
    if entries:
        # The zone's rules only around the entries' dates, not every change since 1970 (icalendar's default): a
        # calendar reads the entries' times with the observances in force then, and the file stays small.
        calendar.add_missing_timezones(
            first_date=min(e.starts_at for e in entries).date() - ZONE_RULES_MARGIN,
            last_date=max(e.ends_at for e in entries).date() + ZONE_RULES_MARGIN)
    return calendar.to_ical()


def _utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def google_link(entry: CalendarEntry) -> str:
    query = {
        "action": "TEMPLATE",
        "text": entry.summary,
        "dates": f"{_utc_stamp(entry.starts_at)}/{_utc_stamp(entry.ends_at)}",
        "ctz": entry.timezone,
        "details": entry.description,
        "location": entry.location,
    }
    return "https://calendar.google.com/calendar/render?" + urlencode(query)


def outlook_link(entry: CalendarEntry, *, work: bool = False) -> str:
    """Outlook on the web: outlook.live.com for personal accounts, outlook.office.com for work or school ones."""
    query = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": entry.summary,
        "startdt": entry.starts_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "enddt": entry.ends_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "body": entry.description,
        "location": entry.location,
    }
    host = "outlook.office.com" if work else "outlook.live.com"
    return f"https://{host}/calendar/0/action/compose?" + urlencode(query)
