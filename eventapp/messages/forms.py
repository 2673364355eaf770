"""Writing a group message: the group, the subject and body with placeholders, and what to do with it next."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length

from ..formkit import choices, printable, single_line
from ..models import Event
from . import audiences


class ComposeForm(FlaskForm):
    audience = RadioField("Send to", choices=choices(audiences.LABELS.items()),
                          validators=[DataRequired("Choose who the message goes to.")])
    themed_session = SelectField("Themed session", coerce=str, validate_choice=False)
    selection = HiddenField()
    subject = StringField("Subject", filters=[lambda v: v.strip() if isinstance(v, str) else v],
                          validators=[DataRequired("Write a subject."),
                                      Length(max=300, message="The subject can be at most 300 characters long."),
                                      single_line])
    body = TextAreaField("Message", render_kw={"rows": 12}, validators=[DataRequired("Write the message."),
                                                Length(max=20_000, message="Please keep it under 20,000 characters."),
                                                printable])
    attach_calendar = BooleanField("Attach each confirmed attendee's calendar file (.ics)")
    preview = SubmitField("Preview")
    test = SubmitField("Send a test to me")
    review = SubmitField("Continue")

    def __init__(self, event: Event, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.themed_session.choices = choices([("", "Choose a session")]
                                              + [(str(s.id), s.title) for s in event.themed_sessions])

    def selected_ids(self) -> list[str]:
        return [part for part in (self.selection.data or "").split(",") if part]


class SendForm(ComposeForm):
    """The confirmation: the same fields, carried as they were, and the number of people the organiser saw."""

    reach = IntegerField()
    send = SubmitField("Send")
