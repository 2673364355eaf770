"""The organiser's assignment forms: shape checks only (whose session, how full: the service decides)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Regexp, ValidationError

from ..models import Event


class ApplyForm(FlaskForm):
    """Apply what the preview showed: the fingerprint makes a stale preview refuse instead of surprising."""

    fingerprint = HiddenField(
        validators=[
            DataRequired("Make a preview first, then apply it."),
            Length(max=64),
            Regexp(r"^[0-9a-f]+$", message="Make a preview first, then apply it."),
        ]
    )
    submit = SubmitField("Apply this assignment")


class ActionForm(FlaskForm):
    """A one-button action (publish, place, unpin): only the CSRF token to check."""

    submit = SubmitField("Go")


class PublishForm(FlaskForm):
    """Publishing mails many people: the form carries how many the organiser was told it would mail, so that a
    publish confirmed for one number never mails a different one."""

    expected = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9]{1,7}$")])
    submit = SubmitField("Publish")


class SessionSelectField(SelectField):
    """One of the event's sessions; a tampered or garbage value gets a sentence, not a 500."""

    def __init__(self, label, **kwargs):
        super().__init__(label, coerce=str, validate_choice=False, **kwargs)

    def pre_validate(self, form):
        if not self.data:
            raise ValidationError("Choose a session.")
        if self.data not in {choice.value for choice in self.choices}:
            raise ValidationError("Choose one of this event's sessions.")

    @property
    def session_id(self) -> int | None:
        value = self.data or ""
        return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


class MoveForm(FlaskForm):
    themed_session_id = SessionSelectField("Move to session")
    over_capacity = BooleanField(
        "Seat them even though the session is full",
        description="Only if the room really has space: the session will then be over its capacity.",
    )
    submit = SubmitField("Move and pin")

    def __init__(self, event: Event, *args, **kwargs):
        super().__init__(*args, **kwargs)
        several_slots = len({s.time_slot_id for s in event.themed_sessions}) > 1
        self.themed_session_id.choices = [SelectChoice("", "Choose a session")] + [
            SelectChoice(str(s.id), s.title + _where(s.time_slot.label if several_slots else None, s.room))
            for s in event.themed_sessions
        ]


def _where(*parts: str | None) -> str:
    shown = [p for p in parts if p]
    return f" ({', '.join(shown)})" if shown else ""
