"""The letter editor's forms: the wording (saved or only previewed) and the reset button."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..formkit import printable

PLACEHOLDER_HINT = "Placeholders are written in double braces, e.g. {{ name }}."


class LetterForm(FlaskForm):
    subject = StringField("Subject", validators=[DataRequired("Write the subject."), Length(max=300), printable])
    body_text = TextAreaField("Plain text", validators=[DataRequired("Write the letter."), Length(max=20_000),
                                                        printable], description=PLACEHOLDER_HINT)
    body_html = TextAreaField(
        "HTML version (optional)", validators=[Optional(), Length(max=40_000), printable],
        description="Leave empty to send the plain text as HTML too. Allowed: paragraphs, bold, italic, lists, "
                    "headings, links. No images.")
    preview = SubmitField("Preview")
    save = SubmitField("Save")


class ResetForm(FlaskForm):
    submit = SubmitField("Reset to the default")
