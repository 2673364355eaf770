"""Error pages: every error a person can cause answers with a sentence, never a stack trace (in JSON under /api/,
where the callers are programs)."""

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: "The request could not be understood. Please go back and try again.",
    401: "You need to log in for that.",
    403: "Your account does not have permission to see this page.",
    404: "There is no page at this address. Check the link, or start again from the home page.",
    405: "That action cannot be done this way.",
    413: "What you sent is too large for this page. Shorten it and send it again.",
    429: "Too many requests in a short time. Please wait a minute and try again.",
    500: "Something went wrong on our side. It has been logged; please try again in a moment.",
}
API_PREFIX = "/api/"


def _answer(code: int, message: str, error: str):
    if request.path.startswith(API_PREFIX):
        response = jsonify({"error": error, "message": message})
        response.status_code = code
        return response
    return render_template("error.html", code=code, message=message), code


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error):
        message = "This form has expired or was not sent from this site. Reload the page and submit it again."
        return _answer(400, message, "csrf")

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        code = error.code or 500
        message = MESSAGES.get(code, error.description)
        if code in (400, 404) and error.description and getattr(error, "eventapp_message", False):
            message = error.description
        return _answer(code, message, error.name.lower().replace(" ", "_"))

    @app.errorhandler(500)
    def _server_error(error):
        return _answer(500, MESSAGES[500], "server_error")
