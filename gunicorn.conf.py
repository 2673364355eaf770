"""gunicorn settings for eventapp: `gunicorn wsgi:app` reads this file from the working directory.

Every setting can be overridden on the command line or with GUNICORN_CMD_ARGS.
"""

import multiprocessing
import os

# SciPy's BLAS would start a thread per core in the master at import (preload_app, below) for a solver that
# does not use it; one thread keeps the fork clean and the workers from competing with each other.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

# The project's .env, read as eventapp reads it, so that the settings below (WEB_CONCURRENCY, GUNICORN_BIND, ...)
# may come from it too.
from eventapp.config import load_env_file  # noqa: E402

load_env_file()

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")  # behind a reverse proxy on the same machine
# Sync workers: each request is short and mostly waits on PostgreSQL; two per core measured best here
# (see README, "Deploying"). Long work (badges, the report) runs as background jobs, never in a request.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2))
worker_class = "sync"
timeout = 30  # a request that takes longer is a bug: big work goes to jobs
graceful_timeout = 30
keepalive = 2
max_requests = 2000  # recycle workers now and then so that slow leaks cannot grow
max_requests_jitter = 200
# Import the app once, in the master: a worker is then a fork, not a fresh import of eventapp (about 1.5 s of CPU
# here, WeasyPrint and SciPy included). With max_requests, a door rush of a few hundred scans a second recycles
# every worker within seconds; benchmarks/checkin.py counted the restarts and their cost when each re-imported.
preload_app = True


def _eventapp(server):
    """The app gunicorn serves, if it is eventapp (benchmarks/ serve bare apps with this file too)."""
    app = server.app.wsgi()
    return app if "sqlalchemy" in getattr(app, "extensions", {}) else None


def when_ready(server):
    """In the master, before any worker is forked, with the app preloaded: warn if rate limits will be counted per
    worker (no Redis), and compile the templates once here."""
    if not server.cfg.preload_app or (app := _eventapp(server)) is None:
        return
    if server.cfg.workers > 1 and app.config["RATELIMIT_ENABLED"] and (
            app.config["RATELIMIT_STORAGE_URI"].startswith("memory://")):
        server.log.warning(_PER_WORKER_LIMITS, server.cfg.workers, server.cfg.workers)
    from eventapp.templating import compile_all_templates

    server.log.info("Compiled %d templates before forking the workers", compile_all_templates(app))


_PER_WORKER_LIMITS = (
    "REDIS_URL is not set, so each of the %d workers counts rate limits in its own memory: a client may get up to "
    "%d times each limit (logins, registrations, manage links), and a server restart forgets them. Set REDIS_URL "
    "to count them once for every worker and server."
)


def post_fork(server, worker):
    """A forked worker must not share the master's database connections: start each engine's pool afresh."""
    from eventapp.extensions import db

    if (app := _eventapp(server)) is None:
        return
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)
# Our own one-line-per-request log (eventapp.request_log) has the request id; gunicorn's access log is off.
accesslog = None
errorlog = "-"
loglevel = "info"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
