"""The organiser's event workspace: the navigation every organiser page of an event shares, shown to each staff
member with only the pages their role may open, the current one marked."""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase

from flask import Flask, current_app, request, url_for
from flask_login import current_user

from .auth.roles import declared_access


@dataclass(frozen=True)
class Section:
    label: str
    endpoint: str
    # Other endpoints that belong to this section (a person's page belongs to Registrations).
    also: tuple[str, ...] = ()
    per_event: bool = True


# In the order an organiser meets them over the life of an event.
SECTIONS: tuple[Section, ...] = (
    Section("Overview", "dashboard.event"),
    Section("Registrations", "registration.registrations",
            ("registration.edit_registration", "registration.staff_cancel", "badges.reissue",
             "registration.selection_*", "imports.*")),
    Section("Waiting list", "registration.waitlist", ("registration.promote",)),
    Section("Programme", "programme.index", ("programme.*slot", "programme.*session", "events.programme_changes",
                                             "events.mail_change")),
    Section("Assignment", "assignment.index", ("assignment.*",)),
    Section("Badges", "badges.batch"),
    Section("Check-in", "checkin.scanner", ("checkin.*",)),
    Section("Messages", "messages.index", ("messages.*",)),
    Section("Letters", "letters.index", ("letters.*",)),
    Section("Mail log", "mail.event_log"),  # before Outbox: the event's own log is not the outbox's mail.*
    Section("Outbox", "mail.index", ("mail.*",), per_event=False),
    Section("Report", "report.index", ("report.section", "report.section_draft", "report.discard_draft",
                                       "report.revisions", "report.restore_revision", "report.introduction",
                                       "report.preview", "report.build_pdf", "survey.answers",
                                       "survey.session_answers")),
    Section("Survey", "survey.organiser", ("survey.*",)),
    Section("Certificates", "certificates.organiser", ("certificates.*",)),
    Section("Exports", "report.exports_page", ("report.door_list",)),
    Section("Settings", "events.settings", ("programme.*partner*", "events.state", "events.clone")),
)


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    current: bool


def _may_open(endpoint: str) -> bool:
    view = current_app.view_functions.get(endpoint)
    if view is None:
        return False
    access = declared_access(view)
    if access == "public":
        return True
    return bool(access) and current_user.is_authenticated and current_user.has_role(*access)


def current_section(endpoint: str | None) -> Section | None:
    """The section an endpoint belongs to; `also` holds shell-style patterns ("assignment.*")."""
    if not endpoint:
        return None
    for section in SECTIONS:
        if endpoint == section.endpoint or any(fnmatchcase(endpoint, pattern) for pattern in section.also):
            return section
    return None


def event_nav(event) -> list[NavLink]:
    """The sections of `event` this user may open, with the one the request is in marked."""
    here = current_section(request.endpoint)
    links = []
    for section in SECTIONS:
        if not _may_open(section.endpoint):
            continue
        url = url_for(section.endpoint, slug=event.slug) if section.per_event else url_for(section.endpoint)
        links.append(NavLink(section.label, url, section is here))
    return links


def register_workspace(app: Flask) -> None:
    @app.context_processor
    def _workspace():
        section = current_section(request.endpoint) if request else None
        return {"event_nav": event_nav, "workspace_section": section, "may_open": _may_open}
