"""The attendee's forms: shape checks only (rules that need the database are in service.py)."""

from __future__ import annotations

from functools import cache

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from ..countries import country_choices
from ..formkit import ListedSelect, choices, email_address, printable, single_line
from ..models import ORGANISATION_KIND_LABELS, Event, OrganisationKind, Registration
from .service import AttendeeDetails

RANK_LABELS = ["1st choice", "2nd choice", "3rd choice"]
@cache
def _country_choices() -> tuple[SelectChoice, ...]:
    return tuple(choices([("", "Choose a country")] + country_choices()))


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class SessionChoiceField(SelectField):
    """A ranked choice among this event's sessions; anything else (a tampered id) gets a plain sentence."""

    def __init__(self, label, **kwargs):
        super().__init__(label, coerce=str, validate_choice=False, **kwargs)

    def pre_validate(self, form):
        if self.data and self.data not in {choice.value for choice in self.choices}:
            raise ValidationError("Please choose one of the sessions listed.")

    @property
    def session_id(self) -> int | None:
        return int(self.data) if self.data and self.data.isdigit() else None


class CountryField(SelectField):
    """The country list, checked by a set lookup rather than a walk through 250 choices, and drawn with
    option markup made once."""

    widget = ListedSelect()

    def pre_validate(self, form):
        if self.data and self.data not in _country_codes():
            raise ValidationError("Choose a country from the list.")


@cache
def _country_codes() -> frozenset[str]:
    return frozenset(choice.value for choice in _country_choices() if choice.value)


class AttendeeForm(FlaskForm):
    full_name = StringField(
        "Full name",
        filters=[_strip],
        validators=[DataRequired("Enter your full name."),
                    Length(max=200, message="Your name can be at most 200 characters long."), single_line],
        description="As you would like it on your badge.",
    )
    email = EmailField(
        "E-mail address",
        filters=[_strip],
        validators=[DataRequired("Enter your e-mail address."), email_address],
    )
    organisation = StringField(
        "Organisation",
        filters=[_strip],
        validators=[DataRequired("Enter the organisation you represent."),
                    Length(max=200, message="The organisation's name can be at most 200 characters long."),
                    single_line],
        description="Pick it from the list as you type, or type a new one.",
    )
    organisation_kind = SelectField(
        "Kind of organisation",
        choices=choices([("", "Choose one")] + [(k.value, ORGANISATION_KIND_LABELS[k]) for k in OrganisationKind]),
        validators=[DataRequired("Choose the kind of organisation.")],
    )
    country = CountryField("Country", validators=[DataRequired("Choose your country.")])
    job_title = StringField(
        "Job title or role",
        filters=[_strip],
        validators=[Optional(), Length(max=200, message="This can be at most 200 characters long."), single_line],
    )
    choice_1 = SessionChoiceField(RANK_LABELS[0])
    choice_2 = SessionChoiceField(RANK_LABELS[1])
    choice_3 = SessionChoiceField(RANK_LABELS[2])
    accessibility_needs = TextAreaField(
        "Accessibility needs",
        filters=[_strip],
        validators=[Optional(), Length(max=1000, message="Please keep this under 1,000 characters."), printable],
        description="Anything that would help you take part fully.",
    )
    dietary_needs = TextAreaField(
        "Dietary needs",
        filters=[_strip],
        validators=[Optional(), Length(max=500, message="Please keep this under 500 characters."), printable],
    )
    consent_listed = BooleanField(
        "List my name and organisation among the participants in the conference report (optional)"
    )
    submit = SubmitField("Save")

    def __init__(self, event: Event, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.country.choices = list(_country_choices())
        sessions = [(str(s.id), s.title) for s in event.themed_sessions]
        for index, name in enumerate(self.rank_field_names):
            field = self[name]
            if index >= len(sessions):
                del self[name]
                continue
            field.choices = choices([("", "No preference")] + sessions)

    @property
    def rank_field_names(self) -> list[str]:
        return [name for name in ("choice_1", "choice_2", "choice_3") if name in self._fields]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        chosen = [self[name].data or "" for name in self.rank_field_names]
        seen: set[str] = set()
        for index, value in enumerate(chosen):
            field = self[self.rank_field_names[index]]
            if value and value in seen:
                field.errors = [*field.errors, "You have already ranked this session; choose a different one."]
                ok = False
            if value and index > 0 and not chosen[index - 1]:
                field.errors = [*field.errors, f"Choose your {RANK_LABELS[index - 1]} first."]
                ok = False
            seen.add(value)
        return ok

    def preferences(self) -> tuple[int, ...]:
        return tuple(
            sid for name in self.rank_field_names if (sid := self[name].session_id) is not None
        )

    def details(self) -> AttendeeDetails:
        return AttendeeDetails(
            full_name=self.full_name.data,
            email=self.email.data,
            organisation_name=self.organisation.data,
            organisation_kind=OrganisationKind(self.organisation_kind.data),
            country=self.country.data or None,
            job_title=self.job_title.data or None,
            preferences=self.preferences(),
            accessibility_needs=self.accessibility_needs.data or None,
            dietary_needs=self.dietary_needs.data or None,
            consent_listed=bool(self.consent_listed.data),
        )

    def fill_from(self, registration: Registration) -> None:
        self.full_name.data = registration.full_name
        self.email.data = registration.email
        self.organisation.data = registration.organisation.name if registration.organisation else ""
        self.organisation_kind.data = registration.organisation.kind.value if registration.organisation else ""
        self.country.data = registration.country or ""
        self.job_title.data = registration.job_title or ""
        ranked = [str(p.themed_session_id) for p in registration.preferences]
        for index, name in enumerate(self.rank_field_names):
            self[name].data = ranked[index] if index < len(ranked) else ""
        self.accessibility_needs.data = registration.accessibility_needs or ""
        self.dietary_needs.data = registration.dietary_needs or ""
        self.consent_listed.data = registration.consent_listed


class RegistrationForm(AttendeeForm):
    consent_privacy = BooleanField(
        "I have read the privacy notice and agree to my details being used to run this event",
        validators=[DataRequired("You need to agree to the privacy notice to register.")],
    )
    submit = SubmitField("Register")


class ResendLinkForm(FlaskForm):
    email = EmailField(
        "The e-mail address you registered with",
        filters=[_strip],
        validators=[DataRequired("Enter your e-mail address."), email_address],
    )
    submit = SubmitField("Send me my link")


class ConfirmForm(FlaskForm):
    """A bare POST with CSRF: accept an offer, promote, or the like."""

    submit = SubmitField("Confirm")


class CancelForm(FlaskForm):
    confirm = BooleanField("Yes, cancel this registration",
                           validators=[DataRequired("Tick the box to confirm the cancellation.")])
    submit = SubmitField("Cancel registration")


class CapacityForm(FlaskForm):
    capacity = IntegerField(
        "Event capacity",
        validators=[InputRequired("Enter the number of places."),
                    NumberRange(min=0, max=1_000_000, message="Enter a whole number of places, 0 or more.")],
    )
    submit = SubmitField("Save capacity")
