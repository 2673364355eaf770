"""Settings read from the environment (and a .env file); SQLite under instance/ when nothing is set."""

import os
import secrets
from pathlib import Path

from dotenv import find_dotenv, load_dotenv

BASE_DIR = Path(__file__).resolve().parent.parent  # the project folder: eventapp/ and instance/ sit in it


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load_env_file() -> str | None:
    """Put the settings of the nearest .env (from the working directory up) into os.environ; returns its path.

    The same file `flask` reads, found the same way, so that `gunicorn wsgi:app` (which reads none) and any
    other entry point see what `flask` sees. Variables already in the environment win. FLASK_SKIP_DOTENV=1
    skips the file, as it does for `flask`.
    """
    if _env_bool("FLASK_SKIP_DOTENV", False):
        return None
    path = find_dotenv(usecwd=True)
    if path:
        load_dotenv(path, override=False, encoding="utf-8")
    return path or None


load_env_file()
INSTANCE_DIR = Path(os.environ.get("EVENTAPP_INSTANCE", BASE_DIR / "instance"))


def persistent_secret_key(instance_dir: Path) -> str:
    """SECRET_KEY from the environment, else one generated on first start and kept in instance/."""
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    key_file = instance_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # O_EXCL: when two workers start at once, one writes and the other reads what it wrote.
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def normalise_database_url(url: str) -> str:
    """Accept the URLs hosting providers hand out (postgres://, postgresql://) and use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    INSTANCE_DIR = INSTANCE_DIR
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'eventapp.sqlite3'}")
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Links in mail point here; unset, at the development server on this machine (`PORT=8000 make run`).
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL") or f"http://127.0.0.1:{os.environ.get('PORT') or 5000}"
    # Secure cookies whenever the site is served over https.
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", PUBLIC_BASE_URL.startswith("https://"))
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # The largest request body the app reads, in bytes: beyond it a 413 page, before anything is parsed, also for
    # a chunked body. Every form is a few kilobytes (a report section's text the longest); the check-in API keeps
    # a smaller limit of its own (eventapp/checkin/api.py).
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(1024 * 1024)))
    WTF_CSRF_TIME_LIMIT = None  # a registration form left open over lunch must still submit
    # Login throttling: this many failures for one account (or five times as many from one address)
    # within the window lock further attempts until the window has passed.
    LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "5"))
    LOGIN_FAILURE_WINDOW_SECONDS = int(os.environ.get("LOGIN_FAILURE_WINDOW_SECONDS", "900"))
    # Mail: with no MAIL_SERVER, messages are written to instance/outbox/ as .eml files.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _env_bool("MAIL_USE_SSL", False)
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "eventapp <no-reply@eventapp.local>")
    MAIL_TIMEOUT_SECONDS = float(os.environ.get("MAIL_TIMEOUT_SECONDS", "10"))
    # "background" (a thread after the response), "inline", or "off" (only `flask mail deliver`, e.g. from cron);
    # unset: background, or inline under TESTING.
    MAIL_DELIVERY = os.environ.get("MAIL_DELIVERY", "")
    REDIS_URL = os.environ.get("REDIS_URL", "")
    # Rate limits (Flask-Limiter); counters live in Redis when REDIS_URL is set, so every server shares them.
    RATELIMIT_ENABLED = _env_bool("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = REDIS_URL or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
    REGISTRATION_RATE_LIMIT = os.environ.get("REGISTRATION_RATE_LIMIT", "20 per minute")
    MANAGE_RATE_LIMIT = os.environ.get("MANAGE_RATE_LIMIT", "60 per minute")
    # Mail one address may be sent from the public form in an hour, by signing up (a new registration, or "you are
    # already registered") and by asking for the manage link again: a cap on mail bombing a stranger's mailbox.
    # Shared by every server with Redis; without it, each worker process counts for itself.
    ADDRESS_MAIL_RATE_LIMIT = os.environ.get("ADDRESS_MAIL_RATE_LIMIT", "5 per hour")
    # The organisations the registration form lists (the event's partners and those of its confirmed
    # registrations) are read again by each worker at most this often (seconds).
    ORGANISATION_LIST_SECONDS = float(os.environ.get("ORGANISATION_LIST_SECONDS", "30"))
    # Organisation names suggested as a person types on the registration form (a request per pause in typing).
    SUGGESTION_RATE_LIMIT = os.environ.get("SUGGESTION_RATE_LIMIT", "120 per minute")
    # Behind a reverse proxy: how many proxies set X-Forwarded-For/-Proto/-Host (0: trust none).
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")  # or "json"
    # A running background job beats every JOB_HEARTBEAT_SECONDS; one silent for JOB_STALE_SECONDS lost its
    # worker (killed, machine gone) and is marked failed, to be retried.
    JOB_HEARTBEAT_SECONDS = float(os.environ.get("JOB_HEARTBEAT_SECONDS", "10"))
    JOB_STALE_SECONDS = int(os.environ.get("JOB_STALE_SECONDS", "60"))
    # Jobs waiting or running at once: per person, and for everyone together (without Redis each runs as a thread
    # of a web server, beside the pages it serves). One asked for beyond either is refused with a sentence.
    JOBS_MAX_ACTIVE_PER_USER = int(os.environ.get("JOBS_MAX_ACTIVE_PER_USER", "2"))
    JOBS_MAX_ACTIVE = int(os.environ.get("JOBS_MAX_ACTIVE", "4"))


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "test-only-key-" + secrets.token_hex(8)  # fresh per run; never a fixed key
    SQLALCHEMY_DATABASE_URI = normalise_database_url(os.environ.get("TEST_DATABASE_URL", "sqlite://"))
    WTF_CSRF_ENABLED = False
    LOGIN_MAX_FAILURES = 5
    MAIL_SERVER = ""
    PUBLIC_BASE_URL = "http://localhost"
    RATELIMIT_ENABLED = False  # tests of the limits switch it on
    RATELIMIT_STORAGE_URI = "memory://"


CONFIGS = {"default": Config, "testing": TestingConfig}
