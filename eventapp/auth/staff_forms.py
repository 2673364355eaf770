"""The forms of staff management and of password links: invite, change, (de)activate, forgot, choose."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, SelectMultipleField, SubmitField, widgets
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from ..formkit import choices, single_line, valid_email_address
from ..models import StaffRole
from .passwords import MIN_PASSWORD_LENGTH

ROLE_LABELS = {StaffRole.ADMIN: "Admin: everything", StaffRole.CHECKIN: "Check-in: the door and its scanner",
               StaffRole.REPORT_EDITOR: "Report editor: drafts one partner organisation's sections"}


class _EventsField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class _StaffFields(FlaskForm):
    role = SelectField("Role", choices=choices((r.value, label) for r, label in ROLE_LABELS.items()),
                       default=StaffRole.CHECKIN.value)  # the least an invitation gives unless chosen
    organisation = SelectField("Partner organisation (report editors only)", choices=[], validate_choice=False)
    events = _EventsField("Events they may work on", coerce=int, choices=[],
                          description="None ticked: every event. Admins always work on every event.")

    def __init__(self, organisations, events, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation.choices = choices([("", "None")] + [(str(o.id), o.name) for o in organisations])
        self.events.choices = choices((e.id, e.name) for e in events)

    def validate_organisation(self, field):
        field.data = field.data or ""
        if field.data not in {c.value for c in field.choices}:
            raise ValidationError("Choose one of the organisations listed.")
        editor = self.role.data == StaffRole.REPORT_EDITOR.value
        if editor and not field.data:
            raise ValidationError("Choose the partner organisation this report editor drafts for.")
        if not editor and field.data:
            raise ValidationError("Only report editors belong to an organisation: choose None.")


class InviteForm(_StaffFields):
    email = EmailField("E-mail", validators=[DataRequired("Enter their e-mail address."), Length(max=254),
                                              valid_email_address])
    submit = SubmitField("Send the invitation")


class ChangeForm(_StaffFields):
    submit = SubmitField("Save")


class ActiveForm(FlaskForm):
    submit = SubmitField("Apply")


class ForgotForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired("Enter your e-mail address."), Length(max=254),
                                              single_line])
    submit = SubmitField("Send me a link")


class ChoosePasswordForm(FlaskForm):
    password = PasswordField("New password", validators=[
        DataRequired("Choose a password."),
        Length(min=MIN_PASSWORD_LENGTH, max=200, message=f"Use at least {MIN_PASSWORD_LENGTH} characters.")],
        render_kw={"autocomplete": "new-password"},
        description=f"At least {MIN_PASSWORD_LENGTH} characters. A few unrelated words are easy to remember.")
    confirm = PasswordField("The same password again", validators=[
        DataRequired("Type the password again."), EqualTo("password", "The two passwords are not the same.")],
        render_kw={"autocomplete": "new-password"})
    submit = SubmitField("Save my password")
