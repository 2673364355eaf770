"""The organiser's badge-printing form."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice

from .service import LAYOUTS, ORDERS


class BadgeBatchForm(FlaskForm):
    layout = SelectField("Sheet layout", choices=[SelectChoice(k, v) for k, v in LAYOUTS.items()])
    order = SelectField("Order", choices=[SelectChoice(k, v) for k, v in ORDERS.items()])
    session = SelectField("Who", coerce=str)
    only_new_or_changed = BooleanField("Only badges that are new or changed since they were last printed")
    submit = SubmitField("Make the badge PDF")

    def __init__(self, sessions, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.session.choices = [SelectChoice("", "Every confirmed attendee")] + [
            SelectChoice(str(s.id), f"Only those assigned to: {s.title}") for s in sessions
        ]

    def themed_session_id(self) -> int | None:
        return int(self.session.data) if self.session.data and self.session.data.isdigit() else None


class ReissueForm(FlaskForm):
    submit = SubmitField("Re-issue badge")
