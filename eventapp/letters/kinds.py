"""Which letters an organiser may edit, when each is sent, and the wording an edit starts from.

The kind is the mail's kind (OutboundMail.kind), so the calendar and badge attachments follow an edited letter
as they follow the built-in one. Until an organiser saves their own wording, the built-in letter (the Jinja
file named here) goes out unchanged; the default text below says the same with placeholders.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LetterKind:
    kind: str
    label: str
    sent_when: str
    subject: str
    text: str


_SIGN_OFF = "\n\nWith best wishes,\nThe organisers\n"

KINDS: dict[str, LetterKind] = {k.kind: k for k in (
    LetterKind(
        "confirmed", "Confirmation", "when someone registers and gets a place, or is given one by an organiser",
        "Your place at {{ event }} is confirmed",
        "Dear {{ name }},\n\nYour place at {{ event }} is confirmed.\n\nWhen: {{ time }}\nWhere: {{ venue }}\n\n"
        "You can see and change your details and session preferences, download your badge once sessions are\n"
        "assigned, or cancel if you can no longer come, at your private link:\n\n{{ manage_link }}\n\n"
        "Please keep this link to yourself: anyone who has it can change your registration." + _SIGN_OFF),
    LetterKind(
        "waitlisted", "Waiting list", "when someone registers and the event is full",
        "You are on the waiting list for {{ event }}",
        "Dear {{ name }},\n\nThank you for registering for {{ event }}. The event is full at the moment, so you are "
        "on the\nwaiting list. If a place frees up and you are next in line, we will e-mail you an offer.\n\n"
        "You can change your details or leave the waiting list at your private link:\n\n{{ manage_link }}\n\n"
        "Please keep this link to yourself." + _SIGN_OFF),
    LetterKind(
        "offer", "Offer of a place", "when a place frees up for the next person on the waiting list",
        "A place has freed up at {{ event }}: accept it by the deadline",
        "Dear {{ name }},\n\nGood news: a place has freed up at {{ event }} ({{ time }}, {{ venue }}) and it is yours "
        "if\nyou want it.\n\nAccept it before {{ offer_deadline }} at your private link:\n\n{{ manage_link }}\n\n"
        "If you do not accept by then, the place will be offered to the next person on the waiting list."
        + _SIGN_OFF),
    LetterKind(
        "assignment", "Session assignment", "when the assignment is published (and again if someone's sessions change)",
        "Your session at {{ event }}",
        "Dear {{ name }},\n\nSessions for {{ event }} have been assigned. This is where you will be:\n\n"
        "{{ session }}\n  When: {{ time }}\n  Room: {{ room }}\n\nWhere: {{ venue }}\n\n"
        "Please print your badge and bring it with you: it comes with this e-mail, and you can also download it\n"
        "here: {{ badge_link }}\n\nYour private link: {{ manage_link }}\n\nPlease keep these links to yourself."
        + _SIGN_OFF),
    LetterKind(
        "programme_change", "Change notice", "when an organiser mails a programme change to the people it affects",
        "Programme change at {{ event }}",
        "Dear {{ name }},\n\nSomething has changed in the programme of {{ event }}.\n\n  {{ change }}\n\n"
        "Your session: {{ session }}\n  When: {{ time }}\n  Room: {{ room }}\n\n"
        "Your badge will be reprinted with the change. You can see your sessions and download your badge at\n"
        "your private link:\n\n{{ manage_link }}" + _SIGN_OFF),
    LetterKind(
        "reminder", "Reminder", "a few days before the event (the number of days is in the event's settings)",
        "Reminder: {{ event }}",
        "Dear {{ name }},\n\nA reminder: {{ event }} is coming up.\n\nWhen: {{ time }}\nWhere: {{ venue }}\n"
        "Your session: {{ session }}, room {{ room }}\n\n"
        "The event is in the calendar file that comes with this e-mail, and your badge is here:\n{{ badge_link }}\n\n"
        "If you can no longer come, please cancel at your private link so that someone on the waiting list can\n"
        "have your place:\n\n{{ manage_link }}" + _SIGN_OFF),
    LetterKind(
        "invitation", "Invitation", "when invited guests are imported (each gets their private link)",
        "You are invited to {{ event }}",
        "Dear {{ name }},\n\nYou are invited to {{ event }}.\n\nWhen: {{ time }}\nWhere: {{ venue }}\n\n"
        "A place is registered for you. Please check your details, choose your session preferences, or let us\n"
        "know you cannot come, at your private link:\n\n{{ manage_link }}\n\nPlease keep this link to yourself."
        + _SIGN_OFF),
)}
