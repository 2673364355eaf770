"""The attendee import's forms: the file, and the confirmation of what its preview showed."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, HiddenField, SubmitField


class UploadForm(FlaskForm):
    file = FileField(
        "Attendee list (CSV or XLSX)",
        validators=[FileRequired("Choose the file to import."),
                    FileAllowed(["csv", "txt", "xlsx"], "Choose a .csv or .xlsx file.")],
    )
    submit = SubmitField("Preview the import")


class ConfirmImportForm(FlaskForm):
    digest = HiddenField()
    mail = BooleanField("Mail each new attendee the link to their registration", default=True)
    submit = SubmitField("Import")
