"""Certificate forms: the button that starts a batch, and revoking one certificate."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField
from wtforms.validators import InputRequired, Length, NumberRange

from ..formkit import printable


class BatchForm(FlaskForm):
    start = HiddenField(default="1", validators=[InputRequired()])


class RevokeForm(FlaskForm):
    registration_id = IntegerField("Registration no.", validators=[
        InputRequired("Give the registration number (it is on the registrations list)."), NumberRange(min=1)])
    reason = StringField("Reason (kept with the record)", validators=[Length(max=300), printable])
