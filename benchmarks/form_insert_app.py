"""The stack's floor for benchmarks/registration.py: eventapp's own registration form (Flask-WTF with CSRF and a
session cookie, the same fields and validators) checked by a bare Flask app that then inserts one row.

Nothing else of eventapp runs: no event lookup, no rules, no capacity lock, no waiting list, no mail. The
difference between this and the bare one-INSERT route is what the stack the issue asks for costs; the difference
between this and eventapp is what eventapp adds.
"""

import os
from types import SimpleNamespace

from flask import Flask
from sqlalchemy import create_engine, text

from eventapp.registration.forms import RegistrationForm

engine = create_engine(os.environ["BARE_DATABASE_URL"], pool_pre_ping=True)
app = Flask(__name__)
app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
# The themed sessions the submissions rank: the benchmark passes the ids of its event's sessions.
EVENT = SimpleNamespace(themed_sessions=[SimpleNamespace(id=int(i), title=f"Session {i}")
                                         for i in os.environ["BENCH_SESSION_IDS"].split(",")])


@app.route("/register", methods=["GET", "POST"])
def register():
    form = RegistrationForm(EVENT)
    if form.validate_on_submit():
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO bench_row (email) VALUES (:email)"), {"email": form.email.data})
        return "", 302, {"Location": "/done"}
    return str(form.csrf_token), 400 if form.is_submitted() else 200
