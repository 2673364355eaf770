"""The organiser's forms for setting up an event: shape checks only (rules that need the database are in
programme.py and editing.py). Times are typed on the event's own clock and handed on in UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from ..countries import country_choices
from ..formkit import ListedSelect, choices, printable
from ..models import ORGANISATION_KIND_LABELS, PartnerRole
from .spec import MAX_CAPACITY, MAX_OFFER_HOURS, MAX_RETENTION_MONTHS, SLUG, time_zones

LOCAL = "%Y-%m-%dT%H:%M"


def _strip(value):
    return " ".join(value.split()) if isinstance(value, str) else value


def _strip_block(value):
    return value.strip() if isinstance(value, str) else value


@cache
def _zone_choices():
    return tuple(choices([("", "Choose the event's time zone")] + [(z, z.replace("_", " ")) for z in sorted(
        time_zones()) if "/" in z and not z.startswith(("Etc/", "SystemV/", "US/"))] + [("UTC", "UTC")]))


def _text(label: str, limit: int, required: str | None = None, **kwargs) -> StringField:
    validators = [DataRequired(required)] if required else [Optional()]
    return StringField(label, filters=[_strip], validators=[
        *validators, Length(max=limit, message=f"At most {limit} characters."), printable], **kwargs)


def _when(label: str, required: str | None = None, **kwargs) -> DateTimeLocalField:
    validators = [InputRequired(required)] if required else [Optional()]
    return DateTimeLocalField(label, format=LOCAL, validators=validators, **kwargs)


class LocalTimes:
    """Turn the form's local times into UTC in `zone`, and show UTC moments in it."""

    @staticmethod
    def to_utc(local: datetime | None, zone: str) -> datetime | None:
        return local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC) if local else None

    @staticmethod
    def to_local(moment: datetime | None, zone: str) -> datetime | None:
        return moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None) if moment else None


class EventForm(FlaskForm):
    name = _text("Name", 300, "Give the event a name.")
    short_name = _text("Short name", 80, description="For badges and lists, e.g. NFPL 2027.")
    slug = StringField("Web address (slug)", filters=[lambda v: v.strip().lower() if isinstance(v, str) else v],
                       validators=[Optional(), Length(max=80, message="At most 80 characters."),
                                   Regexp(SLUG, message="Use lower-case letters, digits and hyphens only.")],
                       description="The event's page will be /events/<slug>. Left empty, it is made from the name; "
                                   "it can change until the event is published.")
    tagline = _text("Tagline", 300, description="One line under the name.")
    description = TextAreaField("Description", filters=[_strip_block],
                                validators=[Optional(), Length(max=20_000), printable],
                                description="Markdown: *emphasis*, **bold**, lists and links.")
    programme_notes = TextAreaField("Programme notes", filters=[_strip_block],
                                    validators=[Optional(), Length(max=5_000), printable],
                                    description="E.g. who opens the event.")
    timezone = SelectField("Time zone", validators=[DataRequired("Choose the event's time zone.")])
    starts = _when("Starts", "Give the date and time the event starts.")
    ends = _when("Ends", "Give the date and time the event ends.")
    venue = _text("Venue", 300, "Give the venue's name.")
    venue_address = TextAreaField("Venue address", filters=[_strip_block],
                                  validators=[Optional(), Length(max=1_000), printable],
                                  description="Shown with a map link on the public page.")
    capacity = IntegerField("Capacity", validators=[Optional(), NumberRange(
        0, MAX_CAPACITY, f"A whole number from 0 to {MAX_CAPACITY:,}.")],
        description="Places at the event; empty for no limit. Beyond it, people join the waiting list.")
    registration_opens = _when("Registration opens", description="Empty: as soon as the event is published.")
    registration_closes = _when("Registration closes", description="Empty: when the event starts.")
    offer_hours = IntegerField("Hours to accept a waiting-list offer", default=48, validators=[
        InputRequired("Give the hours."), NumberRange(1, MAX_OFFER_HOURS, f"From 1 to {MAX_OFFER_HOURS}.")])
    privacy_controller = _text("Data controller", 300, description="Who decides what is done with attendees' data.")
    privacy_contact = _text("Privacy contact", 254, description="An e-mail address for questions about data.")
    privacy_retention_months = IntegerField("Months data is kept after the event", validators=[
        Optional(), NumberRange(1, MAX_RETENTION_MONTHS, f"From 1 to {MAX_RETENTION_MONTHS}.")])
    reminder_days = IntegerField("Reminder, days before the event", default=3, validators=[
        NumberRange(0, 60, "Give the days, from 0 (no reminder) to 60.")],
        description="Confirmed attendees are e-mailed a reminder this many days before; 0 sends none.")
    stop_offers = BooleanField("If the capacity is below those already confirmed, lower it anyway: nobody is "
                               "cancelled, and no place is offered until enough people cancel")
    move_programme = BooleanField("Move the slots with the event's start", default=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = list(_zone_choices())

    def validate_privacy_contact(self, field):
        if field.data and "@" not in field.data:
            raise ValidationError("Give an e-mail address.")
        if field.data:
            Email("Give an e-mail address like privacy@example.org.", check_deliverability=False)(self, field)

    def validate_ends(self, field):
        if field.data and self.starts.data and field.data <= self.starts.data:
            raise ValidationError("The event must end after it starts.")

    def validate_registration_closes(self, field):
        if field.data and self.registration_opens.data and field.data <= self.registration_opens.data:
            raise ValidationError("Registration must close after it opens.")
        if field.data and self.ends.data and field.data > self.ends.data:
            raise ValidationError("Registration must close before the event ends.")

    def utc(self, name: str) -> datetime | None:
        return LocalTimes.to_utc(self[name].data, self.timezone.data)

    def fill_from(self, event) -> None:
        for name, attribute in FIELDS.items():
            self[name].data = getattr(event, attribute)
        for name, attribute in TIMES.items():
            self[name].data = LocalTimes.to_local(getattr(event, attribute), event.timezone)

    def values(self) -> dict:
        """The event's columns, as typed (times in UTC)."""
        values = {attribute: self[name].data or None for name, attribute in FIELDS.items()}
        values["waitlist_offer_hours"] = self.offer_hours.data
        values["reminder_days"] = self.reminder_days.data
        values["capacity"] = self.capacity.data
        values.update({attribute: self.utc(name) for name, attribute in TIMES.items()})
        return values


# form field -> Event column
FIELDS = {"name": "name", "short_name": "short_name", "slug": "slug", "tagline": "tagline",
          "description": "summary", "programme_notes": "opening", "timezone": "timezone", "venue": "venue",
          "venue_address": "venue_address", "capacity": "capacity", "offer_hours": "waitlist_offer_hours",
          "privacy_controller": "privacy_controller", "privacy_contact": "privacy_contact",
          "privacy_retention_months": "privacy_retention_months", "reminder_days": "reminder_days"}
TIMES = {"starts": "starts_at", "ends": "ends_at", "registration_opens": "registration_opens_at",
         "registration_closes": "registration_closes_at"}


@cache
def _kind_choices():
    return tuple(choices([(kind.value, label) for kind, label in ORGANISATION_KIND_LABELS.items()]))


@cache
def _country_choices():
    return tuple(choices([("", "Choose a country")] + country_choices()))


class PartnerForm(FlaskForm):
    name = _text("Organisation", 200, "Give the organisation's name.",
                 description="An organisation already known (e.g. from registrations) is reused.")
    short_name = _text("Short name", 40, description="E.g. KSG.")
    role = SelectField("Role", choices=choices([(PartnerRole.CONVENOR.value, "Convenor"),
                                                (PartnerRole.FUNDER.value, "Funder")]))
    kind = SelectField("Kind")
    country = SelectField("Country", widget=ListedSelect(), validators=[Optional()])
    description = TextAreaField("Description", filters=[_strip_block],
                                validators=[Optional(), Length(max=5_000), printable],
                                description="Shown on the public page.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = list(_kind_choices())
        self.country.choices = list(_country_choices())


class SlotForm(FlaskForm):
    label = _text("Name", 120, "Give the slot a name, e.g. Morning parallel sessions.")
    starts = _when("Starts", "Give the slot's start.")
    ends = _when("Ends", "Give the slot's end.")

    def validate_ends(self, field):
        if field.data and self.starts.data and field.data <= self.starts.data:
            raise ValidationError("The slot must end after it starts.")


class SessionForm(FlaskForm):
    title = _text("Title", 300, "Give the session a title.")
    lead = SelectField("Lead partner", coerce=int, validate_choice=False,
                       validators=[DataRequired("Choose the partner who leads it.")])
    slot = SelectField("Time slot", coerce=int, validate_choice=False,
                       validators=[DataRequired("Choose the slot it runs in.")])
    room = _text("Room", 120)
    capacity = IntegerField("Capacity", validators=[InputRequired("Give the number of seats."), NumberRange(
        0, MAX_CAPACITY, f"A whole number from 0 to {MAX_CAPACITY:,}.")])
    description = TextAreaField("Description", filters=[_strip_block],
                                validators=[Optional(), Length(max=5_000), printable])

    def offer(self, event) -> None:
        self.lead.choices = [(0, "Choose the lead partner")] + [(o.id, o.name) for o in event.partners]
        self.slot.choices = [(0, "Choose the slot")] + [(s.id, s.label) for s in event.time_slots]

    def pre_validate_choices(self) -> None:
        for field in (self.lead, self.slot):
            if field.data and field.data not in {value for value, _ in field.choices}:
                field.errors = [*field.errors, "Choose one of those listed."]


class CloneForm(FlaskForm):
    name = _text("Name of the new event", 300, "Give the new event a name.")
    slug = StringField("Web address (slug)", filters=[lambda v: v.strip().lower() if isinstance(v, str) else v],
                       validators=[Optional(), Length(max=80, message="At most 80 characters."),
                                   Regexp(SLUG, message="Use lower-case letters, digits and hyphens only.")])
    starts = DateTimeLocalField("Starts", format=LOCAL, validators=[InputRequired("Give the new start.")],
                                description="Every time of the programme and registration moves with it.")


class ConfirmForm(FlaskForm):
    """A button that changes something: its CSRF token is all it carries."""
