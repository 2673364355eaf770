"""Report forms: a partner's section, the introduction, the export picker, and the buttons that start jobs."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from ..formkit import choices, printable
from ..models import SectionStatus
from .exports import COLUMNS, DEFAULT_COLUMNS, STATUS_FILTERS

TEXT_LIMIT = 20_000  # characters per part: several pages of prose


def _too_long(what: str) -> str:
    return f"{what} can be at most {TEXT_LIMIT:,} characters long."


MARKDOWN_HINT = "Markdown: *italic*, **bold**, lists with - or 1., links as [words](https://…). Images are not shown."


# A comfortable height to write prose in: the narrative runs to pages, the lists to a screenful.
LONG = {"rows": 18, "data-part": "1"}
SHORT = {"rows": 9, "data-part": "1"}


class SectionForm(FlaskForm):
    narrative = TextAreaField("Narrative", description=MARKDOWN_HINT, render_kw=LONG,
                              validators=[Length(max=TEXT_LIMIT, message=_too_long("The narrative")), printable])
    key_findings = TextAreaField("Key findings", render_kw=SHORT,
                                 validators=[Length(max=TEXT_LIMIT, message=_too_long("Key findings")), printable])
    lessons = TextAreaField("Lessons", render_kw=SHORT,
                            validators=[Length(max=TEXT_LIMIT, message=_too_long("Lessons")), printable])
    open_questions = TextAreaField(
        "Ongoing questions", render_kw=SHORT,
        validators=[Length(max=TEXT_LIMIT, message=_too_long("Ongoing questions")), printable]
    )
    # The version the editor started from: a save from an older one is a conflict to merge, not an overwrite.
    base_version = HiddenField(default="0")
    status = RadioField(
        "Status",
        choices=choices([
            (SectionStatus.DRAFT.value, "Draft: only your organisation's editors and the admins can read it"),
            (SectionStatus.READY.value, "Ready: goes into the report PDF, and every report editor can read it"),
        ]),
        default=SectionStatus.DRAFT.value,
        validators=[DataRequired("Choose draft or ready.")],
    )

    def base(self) -> int:
        value = self.base_version.data or "0"
        return int(value) if value.isascii() and value.isdigit() and len(value) < 9 else 0


class IntroductionForm(FlaskForm):
    introduction = TextAreaField(
        "Introduction",
        description="What the conference was, who convened, funded and opened it. " + MARKDOWN_HINT,
        validators=[Length(max=TEXT_LIMIT, message=_too_long("The introduction")), printable],
    )


class StartJobForm(FlaskForm):
    """A button that starts a background job; `start` makes a bare POST (no form) start nothing."""

    start = HiddenField(default="1", validators=[InputRequired()])


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ExportForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that only reads: the download link can be bookmarked

    who = SelectField("Registrations", choices=choices((key, label) for key, (label, _) in STATUS_FILTERS.items()),
                      default="confirmed")
    columns = MultiCheckboxField("Columns", choices=choices((c.key, c.label) for c in COLUMNS),
                                 default=list(DEFAULT_COLUMNS), validators=[DataRequired("Pick at least one column.")])
    file_format = RadioField("Format", choices=choices([("csv", "CSV (UTF-8)"), ("xlsx", "Excel (XLSX)")]),
                             default="csv", validators=[DataRequired("Choose CSV or Excel.")])


class SelectionExportForm(FlaskForm):
    """The export of an organiser's selection on the registrations page: the same columns and formats as the
    exports page, sent by POST (the selection travels as registration_id fields, with the CSRF token)."""

    columns = MultiCheckboxField("Columns", choices=choices((c.key, c.label) for c in COLUMNS),
                                 default=list(DEFAULT_COLUMNS), validators=[DataRequired("Pick at least one column.")])
    file_format = RadioField("Format", choices=choices([("csv", "CSV (UTF-8)"), ("xlsx", "Excel (XLSX)")]),
                             default="csv", validators=[DataRequired("Choose CSV or Excel.")])
