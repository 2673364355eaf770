"""Background jobs (badge batches, the report): state and results in the database, run in a thread or on RQ."""

_app = None


def worker_app():
    """The app an RQ worker process runs jobs in (built once per process)."""
    global _app
    if _app is None:
        from .. import create_app

        _app = create_app()
    return _app


def use_worker_app(app) -> None:
    global _app
    _app = app
