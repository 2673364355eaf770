"""An event's lifecycle: draft (staff only) -> published (public; registration per its window) -> finished (check-in
closed) -> archived (read-only). Each step an organiser takes, and what each state needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..extensions import db
from ..locking import holding_event_lock
from ..models import Event, EventState, Registration, StaffUser, utcnow
from ..survey.service import send_when_finished as send_survey_when_finished
from .programme import SetupRefused


@dataclass(frozen=True)
class Step:
    action: str
    source: EventState
    target: EventState
    label: str
    explanation: str


STEPS = {step.action: step for step in (
    Step("publish", EventState.DRAFT, EventState.PUBLISHED, "Publish",
         "The public page and registration open (within the registration window)."),
    Step("unpublish", EventState.PUBLISHED, EventState.DRAFT, "Back to draft",
         "Only staff see the event again; possible while nobody has registered."),
    Step("finish", EventState.PUBLISHED, EventState.FINISHED, "Mark as finished",
         "Registration and check-in close; the report's figures are final."),
    Step("reopen", EventState.FINISHED, EventState.PUBLISHED, "Reopen",
         "Check-in opens again, e.g. if the event was finished by mistake."),
    Step("archive", EventState.FINISHED, EventState.ARCHIVED, "Archive",
         "Nothing about the event can change any more."),
)}

STATE_LABELS = {
    EventState.DRAFT: "Draft: visible to staff only",
    EventState.PUBLISHED: "Published",
    EventState.FINISHED: "Finished: check-in closed",
    EventState.ARCHIVED: "Archived: read-only",
}


def steps_from(event: Event) -> list[Step]:
    return [step for step in STEPS.values() if step.source == event.state]


def problems_entering(event: Event, state: EventState, now: datetime) -> list[str]:
    """What stops the event from being in `state` now."""
    problems = []
    if state == EventState.PUBLISHED:
        missing = [label for label, value in (("the data controller", event.privacy_controller),
                                              ("a privacy contact", event.privacy_contact),
                                              ("how long data is kept", event.privacy_retention_months)) if not value]
        if missing:
            problems.append(f"Before publishing, give the privacy notice {', '.join(missing)} (Settings): the public "
                            "registration form collects personal data.")
    elif state == EventState.DRAFT:
        if db.session.execute(select(Registration.id).where(Registration.event_id == event.id).limit(1)).first():
            problems.append("People have registered, so the event cannot go back to draft.")
    elif state == EventState.FINISHED and now < event.starts_at:
        problems.append("The event has not started yet, so it cannot be finished.")
    return problems


def take_step(event: Event, action: str, by: StaffUser | None = None, now: datetime | None = None) -> Step:
    """Move the event along its lifecycle under its lock. Commits. Finishing an event sends the feedback survey
    (the default one if the organiser made none) to everyone checked in, in its own transaction after."""
    now = now or utcnow()
    step = STEPS.get(action)
    if step is None:
        raise SetupRefused(["Choose one of the steps offered."])
    with holding_event_lock(event):
        if event.state != step.source:
            raise SetupRefused([f"This step is not possible while the event is {event.state.value}."])
        problems = problems_entering(event, step.target, now)
        if problems:
            raise SetupRefused(problems)
        event.state = step.target
    if step.target == EventState.FINISHED:
        send_survey_when_finished(event)
    return step
