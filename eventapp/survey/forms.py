"""Survey forms: the organiser's settings and questions, and the attendee's answers (built from the questions)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..formkit import choices, printable
from ..models import QUESTION_KIND_LABELS, Event, QuestionKind, QuoteConsent, SurveyQuestion
from .answering import Answers

QUOTE_CHOICES = (
    (QuoteConsent.NAMED.value, "Yes, with my name"),
    (QuoteConsent.ANONYMOUS.value, "Yes, anonymously"),
    (QuoteConsent.NO.value, "No"),
)
QUOTE_QUESTION = "Can we quote your answers in the report?"
RATING_CHOICES = (("1", "1 (lowest)"), ("2", "2"), ("3", "3"), ("4", "4"), ("5", "5 (highest)"))


class SettingsForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired("Give the survey a title."), Length(max=300), printable])
    introduction = TextAreaField(
        "Opening words", description="The start of the invitation mail and of the survey page.",
        validators=[Length(max=5000, message="Please keep this to 5,000 characters."), printable])
    reminder_days = IntegerField(
        "Remind after (days)", description="One reminder to those who have not answered; leave empty for none.",
        validators=[Optional(), NumberRange(1, 60, "Between 1 and 60 days, or empty for no reminder.")])
    closes_at = DateTimeLocalField(
        "Closes at", format="%Y-%m-%dT%H:%M", validators=[Optional()],
        description="In the event's time zone. Answers can be given and changed until then; empty: until you close it.")
    ask_quote_consent = BooleanField(f"Ask “{QUOTE_QUESTION}”")

    def closes_at_utc(self, event: Event) -> datetime | None:
        value = self.closes_at.data
        return value.replace(tzinfo=ZoneInfo(event.timezone)) if value else None


class QuestionForm(FlaskForm):
    kind = SelectField("Kind of question",
                       choices=choices((k.value, label) for k, label in QUESTION_KIND_LABELS.items()),
                       validators=[InputRequired("Choose a kind of question.")])
    text = StringField("Question", validators=[DataRequired("Write the question."), Length(max=500), printable])
    help = StringField("Hint (optional)", validators=[Length(max=1000), printable])
    options = TextAreaField("Options, one a line", description="For the two kinds with choices.",
                            validators=[Length(max=5000), printable])
    required = BooleanField("An answer is required")
    themed_session = SelectField("About", validators=[Optional()])

    def __init__(self, event: Event, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.themed_session.choices = choices(
            [("", "The whole event (asked of everyone)")]
            + [(str(ts.id), f"Session: {ts.title} (asked of those who attended it)") for ts in event.themed_sessions])

    def validate_kind(self, field) -> None:
        if field.data not in {k.value for k in QuestionKind}:
            from wtforms.validators import ValidationError

            raise ValidationError("Choose one of the kinds offered.")

    def fill_from(self, question: SurveyQuestion) -> None:
        self.kind.data = question.kind.value
        self.text.data = question.text
        self.help.data = question.help or ""
        self.options.data = question.options_text
        self.required.data = question.required
        self.themed_session.data = str(question.themed_session_id or "")

    def themed_session_id(self) -> int | None:
        value = self.themed_session.data or ""
        return int(value) if value.isdigit() else None

    def option_lines(self) -> list[str]:
        return [line.strip() for line in (self.options.data or "").splitlines() if line.strip()]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def field_name(question: SurveyQuestion) -> str:
    return f"q{question.id}"


class _AnswerFormBase(FlaskForm):
    mode = HiddenField(default="new")
    questions: list[SurveyQuestion] = []

    def answers(self) -> Answers:
        values = {}
        for question in self.questions:
            data = self[field_name(question)].data
            if question.kind == QuestionKind.RATING:
                values[question.id] = int(data) if data and str(data).isdigit() else (None if not data else -1)
            elif question.kind == QuestionKind.MULTIPLE:
                values[question.id] = list(data or [])
            else:
                values[question.id] = data or None
        consent = None
        if "quote_consent" in self:
            raw = self["quote_consent"].data
            consent = QuoteConsent(raw) if raw in {c.value for c in QuoteConsent} else None
        return Answers(values, consent)

    def fill(self, answers: Answers) -> None:
        for question in self.questions:
            value = answers.values.get(question.id)
            if value is not None:
                self[field_name(question)].data = str(value) if question.kind == QuestionKind.RATING else value
        if "quote_consent" in self and answers.quote_consent is not None:
            self["quote_consent"].data = answers.quote_consent.value


def answer_form(questions: list[SurveyQuestion], ask_quote_consent: bool, **kwargs) -> _AnswerFormBase:
    """A form class made for this person's questions (those of the sessions they attended), then an instance."""
    attrs = {"questions": questions}
    for question in questions:
        hint = question.help or ""
        if question.kind == QuestionKind.RATING:
            field = RadioField(question.text, choices=choices(RATING_CHOICES), validate_choice=False,
                               description=hint)
        elif question.kind == QuestionKind.SINGLE:
            field = RadioField(question.text, choices=choices((o, o) for o in question.options),
                               validate_choice=False, description=hint)
        elif question.kind == QuestionKind.MULTIPLE:
            field = MultiCheckboxField(question.text, choices=choices((o, o) for o in question.options),
                                       validate_choice=False, description=hint)
        elif question.kind == QuestionKind.SHORT_TEXT:
            field = StringField(question.text, validators=[printable], description=hint)
        else:
            field = TextAreaField(question.text, validators=[printable], description=hint)
        attrs[field_name(question)] = field
    if ask_quote_consent:
        attrs["quote_consent"] = RadioField(
            QUOTE_QUESTION, choices=choices(QUOTE_CHOICES), validate_choice=False,
            description="Partners may quote what you wrote in the report of the day: with your name and "
                        "organisation, without your name, or not at all.")
    form_class = type("AnswerForm", (_AnswerFormBase,), attrs)
    return form_class(**kwargs)


class ActionForm(FlaskForm):
    """A button that changes something (send, close, delete, move); CSRF-protected like every form."""

    action = HiddenField(validators=[InputRequired()])


class QuotePickForm(FlaskForm):
    quotes = MultiCheckboxField("Quote in this section", coerce=int, validate_choice=False)


class ExportForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that only reads, like the registrations export

    columns = MultiCheckboxField("Columns", validators=[DataRequired("Pick at least one column.")])
    file_format = RadioField("Format", choices=choices([("csv", "CSV (UTF-8)"), ("xlsx", "Excel (XLSX)")]),
                             default="csv", validators=[DataRequired("Choose CSV or Excel.")])
