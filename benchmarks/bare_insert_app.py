"""The bare baseline for benchmarks/registration.py: a Flask route that inserts one row, nothing else."""

import os

from flask import Flask, request
from sqlalchemy import create_engine, text

engine = create_engine(os.environ["BARE_DATABASE_URL"], pool_pre_ping=True)
app = Flask(__name__)


@app.post("/insert")
def insert():
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO bench_row (email) VALUES (:email)"), {"email": request.form["email"]})
    return "", 302, {"Location": "/done"}
