"""A file the browser saves (or, `inline`, opens): one way of writing a download's headers for every feature.
Every download is also ``no-store`` (security.py); `private` says so explicitly for an attendee's own file."""

from __future__ import annotations

from flask import Response


def file_response(data: bytes, mimetype: str, filename: str, *, inline: bool = False,
                  private: bool = False) -> Response:
    headers = {"Content-Disposition": f'{"inline" if inline else "attachment"}; filename="{filename}"'}
    if private:
        headers["Cache-Control"] = "private, no-store"
    return Response(data, mimetype=mimetype, headers=headers)
