"""GET /healthz (the process answers) and GET /readyz (the database, and Redis when configured, answer)."""

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from ..auth.roles import public
from ..extensions import db, limiter

bp = Blueprint("health", __name__)


@bp.route("/healthz")
@public
@limiter.exempt
def healthz():
    return jsonify(status="ok")


@bp.route("/readyz")
@public
@limiter.exempt
def readyz():
    checks: dict[str, str] = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as error:  # the answer is the report, not a 500
        db.session.rollback()
        checks["database"] = f"unreachable: {type(error).__name__}"
    if current_app.config.get("REDIS_URL"):
        try:
            from redis import Redis

            Redis.from_url(current_app.config["REDIS_URL"], socket_timeout=2, socket_connect_timeout=2).ping()
            checks["redis"] = "ok"
        except Exception as error:
            checks["redis"] = f"unreachable: {type(error).__name__}"
    ready = all(v == "ok" for v in checks.values())
    return jsonify(status="ready" if ready else "not ready", checks=checks), 200 if ready else 503
